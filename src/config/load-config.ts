/**
 * Loads a config repository from any ConfigSource: classify the files, parse
 * them keeping positions, apply the chosen environment's overlays, validate
 * each against its schema, check names and secrets, then build the Model and
 * map its problems back to file:line:col. One run reports every problem.
 */
import { buildModel, compareDiagnostics, modelHash, type Declaration, type Declarations, type Diagnostic, type ExtensionDeclaration, type Model } from '../model/index.ts';
import { mergeOverlay, overlayPath } from './overlay.ts';
import { classifyPath } from './repository-layout.ts';
import { NAME_KEYS } from './repository-layout.ts';
import type { FileKind, SchemaValidator } from './schema-validator.ts';
import { findLiteralSecrets } from './secrets.ts';
import type { ConfigSource } from './source.ts';
import { locatorOf, parseYamlFile, type Locator, type YamlFile } from './yaml-file.ts';

export interface LoadConfigOptions {
  source: ConfigSource;
  validator: SchemaValidator;
  /** Apply `environments/<environment>/` overlays. */
  environment?: string | undefined;
}

export interface LoadedConfig {
  /** Present only when there are no diagnostics. */
  model: Model | undefined;
  hash: string | undefined;
  diagnostics: Diagnostic[];
  /** Parsed files by path, to show the offending lines. */
  files: Map<string, YamlFile>;
  source: { description: string; commit: string | undefined; ref: string | undefined };
}

const SHAPE_PRESERVING = new Set<Diagnostic['code']>(['CONFIG_UNKNOWN_PROPERTY', 'CONFIG_OPTION_NOT_ALLOWED']);

interface BaseFile {
  kind: FileKind;
  stem: string;
  file: YamlFile;
}

const COLLECTION_KEYS: Record<FileKind, keyof Omit<Declarations, 'project' | 'invalidNames' | 'environment'> | 'project'> = {
  cairn: 'project',
  collection: 'collections',
  policy: 'policies',
  role: 'roles',
  flow: 'flows',
  extension: 'extensions',
};

export async function loadConfig(options: LoadConfigOptions): Promise<LoadedConfig> {
  const { source, validator, environment } = options;
  const diagnostics: Diagnostic[] = [];
  const at = (file: string, message: string, code: Diagnostic['code'], hint?: string): void => {
    diagnostics.push({ code, file, line: 1, col: 1, message, ...(hint ? { hint } : {}) });
  };

  const paths = await source.listFiles();
  const bases: { path: string; kind: FileKind; stem: string }[] = [];
  const overlays = new Map<string, { environment: string; path: string }[]>();
  const bundles = new Map<string, string[]>();
  for (const path of paths) {
    const role = classifyPath(path);
    if (role.role === 'base') bases.push({ path, kind: role.kind, stem: role.stem });
    else if (role.role === 'overlay') overlays.set(role.basePath, [...(overlays.get(role.basePath) ?? []), { environment: role.environment, path }]);
    else if (role.role === 'bundle') bundles.set(role.extension, [...(bundles.get(role.extension) ?? []), role.file]);
    else if (role.role === 'misplaced') {
      at(path, 'Cairn does not read a YAML file here', 'CONFIG_UNKNOWN_FILE', 'objects live in collections/<name>.yaml, policies/, roles/, flows/, extensions/<name>/extension.yaml and environments/<env>/…');
    }
  }

  const toRead = [...bases.map((b) => b.path), ...[...overlays.values()].flat().map((o) => o.path)];
  const files = new Map<string, YamlFile>();
  await Promise.all(
    toRead.map(async (path) => {
      files.set(path, parseYamlFile(path, await source.readText(path)));
    }),
  );
  for (const file of files.values()) diagnostics.push(...file.diagnostics);

  const parsedBases: BaseFile[] = bases.map((b) => ({ kind: b.kind, stem: b.stem, file: files.get(b.path)! }));
  const project = parsedBases.find((b) => b.kind === 'cairn');
  if (!project) at('cairn.yaml', 'the repository has no cairn.yaml', 'CONFIG_MISSING_PROJECT', 'run `cairn init` to start from the template');
  const declaredEnvironments = Array.isArray((project?.file.value as { environments?: unknown })?.environments)
    ? ((project!.file.value as { environments: unknown[] }).environments.map(String))
    : [];

  // Without a readable cairn.yaml (reported already) the environments are unknown, so none is reported as unlisted.
  const projectReadable = project !== undefined && project.file.diagnostics.length === 0 && isRecord(project.file.value);
  if (environment !== undefined && projectReadable && !declaredEnvironments.includes(environment)) {
    const file = project?.file;
    const position = file?.locate(['environments'], 'key') ?? { line: 1, col: 1 };
    diagnostics.push({
      code: 'CONFIG_UNKNOWN_ENVIRONMENT',
      file: file?.path ?? 'cairn.yaml',
      ...position,
      message: `environment "${environment}" is not listed in cairn.yaml`,
      hint: declaredEnvironments.length > 0 ? `known: ${declaredEnvironments.join(', ')}` : 'add it under environments:',
    });
  }
  const basePaths = new Set(bases.map((b) => b.path));
  // Each file on its own, overlays of every environment included: a secret written anywhere is in the repository.
  const reportSecrets = (file: YamlFile): void => {
    for (const secret of findLiteralSecrets(file.value)) {
      diagnostics.push({
        code: 'CONFIG_SECRET_IN_FILE',
        file: file.path,
        ...file.locate(secret),
        message: `"${secret.join('.')}" looks like a secret written into the repository`,
        hint: 'reference it from the environment instead: $env.NAME',
      });
    }
  };
  for (const [basePath, list] of overlays) {
    for (const overlay of list) {
      reportSecrets(files.get(overlay.path)!);
      if (!basePaths.has(basePath)) at(overlay.path, `there is no ${basePath} for this overlay to change`, 'CONFIG_OVERLAY_WITHOUT_BASE');
      if (projectReadable && !declaredEnvironments.includes(overlay.environment)) {
        at(overlay.path, `environment "${overlay.environment}" is not listed in cairn.yaml`, 'CONFIG_UNKNOWN_ENVIRONMENT', 'add it under environments:');
      }
    }
  }
  for (const [extension, bundleFiles] of bundles) {
    if (!bases.some((b) => b.kind === 'extension' && b.stem === extension)) {
      at(`extensions/${extension}/${bundleFiles[0]}`, `extension folder "${extension}" has no extension.yaml`, 'CONFIG_UNKNOWN_FILE');
    }
  }

  const declarations: Declarations = {
    project: undefined,
    collections: [],
    policies: [],
    roles: [],
    flows: [],
    extensions: [],
    invalidNames: { collections: new Set(), policies: new Set(), roles: new Set(), flows: new Set(), extensions: new Set() },
    environment: environment ?? null,
  };
  const locators = new Map<string, Locator>();
  const seenNames = new Map<string, string>();

  for (const base of parsedBases) {
    const { file, kind, stem } = base;
    const group = COLLECTION_KEYS[kind];
    // The file exists but cannot be used: references to its object by file name are not reported again as unknown.
    const unusable = (): void => {
      if (group !== 'project') declarations.invalidNames[group].add(stem);
    };
    if (file.diagnostics.length > 0) {
      unusable();
      continue;
    }
    const nameKey = NAME_KEYS[kind];
    const overlay = environment === undefined ? undefined : overlays.get(file.path)?.find((o) => o.environment === environment);
    const overlayFile = overlay ? files.get(overlay.path) : undefined;
    let value = file.value;
    let locate = locatorOf(file);
    if (overlayFile && overlayFile.diagnostics.length === 0) {
      if (!isRecord(overlayFile.value)) {
        at(overlayFile.path, 'an overlay must be a mapping of the keys it changes', 'CONFIG_NOT_A_MAPPING');
      } else {
        const renamed = overlayFile.value[nameKey];
        const baseName = isRecord(value) ? value[nameKey] : undefined;
        const renames = renamed !== undefined && isRecord(value) && renamed !== baseName;
        if (renames) {
          const position = overlayFile.locate([nameKey]);
          diagnostics.push({ code: 'CONFIG_OVERLAY_RENAMES', file: overlayFile.path, ...position, message: `an overlay cannot change ${nameKey} (from ${JSON.stringify(baseName)} to ${JSON.stringify(renamed)})` });
        }
        const baseValue = value;
        const overlayValue = overlayFile.value;
        // A refused rename keeps the base name, so it is not reported again as a name mismatch.
        value = mergeOverlay(baseValue, renames ? { ...overlayValue, [nameKey]: baseName } : overlayValue);
        const baseLocate = locate;
        const overlayLocate = locatorOf(overlayFile);
        locate = (path, target) => {
          const inOverlay = overlayPath(baseValue, overlayValue, path);
          return inOverlay === undefined ? baseLocate(path, target) : overlayLocate(inOverlay, target);
        };
      }
    }
    if (!isRecord(value)) {
      at(file.path, 'the file must hold one mapping (key: value pairs)', 'CONFIG_NOT_A_MAPPING');
      unusable();
      continue;
    }
    locators.set(file.path, locate);

    const declaredName = value[nameKey];
    const schemaDiagnostics = validator(kind, locate, value);
    diagnostics.push(...schemaDiagnostics);
    if (kind !== 'cairn' && typeof declaredName === 'string' && declaredName !== stem) {
      diagnostics.push({
        code: 'CONFIG_NAME_MISMATCH',
        ...locate([nameKey]),
        message: `${nameKey} "${declaredName}" does not match the file name "${stem}"`,
        hint: `rename the file to ${kind === 'extension' ? `extensions/${declaredName}/extension.yaml` : file.path.replace(/[^/]+(\.ya?ml)$/, `${declaredName}$1`)} or the ${nameKey} to "${stem}"`,
      });
      unusable();
    }
    reportSecrets(file);

    if (group === 'project') {
      if (schemaDiagnostics.every((d) => SHAPE_PRESERVING.has(d.code))) declarations.project = { origin: file.path, doc: value };
      continue;
    }
    const name = typeof declaredName === 'string' ? declaredName : stem;
    const duplicateOf = seenNames.get(`${kind}:${name}`);
    if (duplicateOf !== undefined) {
      diagnostics.push({ code: 'CONFIG_DUPLICATE_NAME', ...locate([nameKey]), message: `${kind} "${name}" is already declared in ${duplicateOf}` });
      continue;
    }
    seenNames.set(`${kind}:${name}`, file.path);
    // A misspelled or misplaced key leaves the document's shape intact, so its
    // cross-references are still checked; any other schema error excludes it.
    if (schemaDiagnostics.some((d) => !SHAPE_PRESERVING.has(d.code))) {
      declarations.invalidNames[group].add(name);
      continue;
    }
    const declaration: Declaration = { origin: file.path, doc: value };
    if (group === 'extensions') {
      (declarations.extensions as ExtensionDeclaration[]).push({ ...declaration, bundleFiles: bundles.get(stem) ?? [] });
    } else {
      declarations[group].push(declaration);
    }
  }

  const { model, problems } = buildModel(declarations);
  for (const problem of problems) {
    const locate = locators.get(problem.origin)!;
    diagnostics.push({ code: problem.code, ...locate(problem.path, problem.target), message: problem.message, ...(problem.hint ? { hint: problem.hint } : {}) });
  }

  diagnostics.sort(compareDiagnostics);
  const valid = diagnostics.length === 0;
  return {
    model: valid ? model : undefined,
    hash: valid ? modelHash(model) : undefined,
    diagnostics,
    files,
    source: { description: source.description, commit: source.commit, ref: source.ref },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
