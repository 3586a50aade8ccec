/**
 * Validates each config document against its JSON Schema from
 * platform/schemas (compiled once, all errors) and turns ajv's errors into
 * diagnostics that point at the offending key or value, with a hint where a
 * typo is likely.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { article, closest, identifierProblem, type Diagnostic, type DiagnosticCode } from '../model/index.ts';
import type { Locator, Path } from './yaml-file.ts';

export const SCHEMAS_DIR = fileURLToPath(new URL('../../platform/schemas/', import.meta.url));
export const FILE_KINDS = ['cairn', 'collection', 'policy', 'role', 'flow', 'extension'] as const;
export type FileKind = (typeof FILE_KINDS)[number];

export type SchemaValidator = (kind: FileKind, locate: Locator, value: unknown) => Diagnostic[];

/** The schemas' pattern for collection and field names: PostgreSQL identifiers. */
const IDENTIFIER_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*$';

/** Compiles every schema once; the returned function is cheap to call per file. */
export function createSchemaValidator(schemasDir: string = SCHEMAS_DIR): SchemaValidator {
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true });
  const validators = new Map<FileKind, ValidateFunction>();
  for (const kind of FILE_KINDS) {
    const schema = JSON.parse(readFileSync(path.join(schemasDir, `${kind}.schema.json`), 'utf8')) as object;
    validators.set(kind, ajv.compile(schema));
  }
  return (kind, locate, value) => {
    const validate = validators.get(kind)!;
    if (validate(value)) return [];
    return toDiagnostics(validate.errors ?? [], locate, value);
  };
}

function toDiagnostics(errors: readonly ErrorObject[], locate: Locator, value: unknown): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<string>();
  // An error inside a then/else (or a propertyNames) already explains why the if/then (or the name) failed.
  for (const error of errors.filter((e) => e.keyword !== 'if' && e.keyword !== 'propertyNames')) {
    // An error about a key (propertyNames) is at the key, not at the object holding it.
    const at = error.propertyName === undefined ? pointerToPath(error.instancePath) : [...pointerToPath(error.instancePath), error.propertyName];
    const diagnostic = describe(error, at, value);
    const position = locate(diagnostic.path, diagnostic.target);
    const key = `${position.file}:${position.line}:${position.col}:${diagnostic.code}:${diagnostic.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    diagnostics.push({
      code: diagnostic.code,
      file: position.file,
      line: position.line,
      col: position.col,
      message: diagnostic.message,
      ...(diagnostic.hint ? { hint: diagnostic.hint } : {}),
    });
  }
  return diagnostics;
}

interface Described {
  code: DiagnosticCode;
  path: Path;
  target: 'key' | 'value';
  message: string;
  hint?: string;
}

function describe(error: ErrorObject, at: Path, root: unknown): Described {
  const where = at.length === 0 ? 'at the top level' : `in ${at.join('.')}`;
  const name = String(at[at.length - 1] ?? '');
  const parent = valueAt(root, at.slice(0, -1));
  const parentType = isRecord(parent) && typeof parent.type === 'string' ? parent.type : undefined;
  const target = error.propertyName === undefined ? 'value' : 'key';
  if (error.keyword === 'maxLength' && (error.parentSchema as { pattern?: unknown } | undefined)?.pattern === IDENTIFIER_PATTERN) {
    const identifier = String(error.propertyName ?? valueAt(root, at));
    return { code: 'CONFIG_INVALID_IDENTIFIER', path: at, target, message: identifierProblem(identifier) ?? `"${identifier}" is too long` };
  }
  if (error.propertyName !== undefined) {
    return { code: 'CONFIG_INVALID_VALUE', path: at, target, message: `the name "${name}" in ${at.slice(0, -1).join('.')} ${error.message ?? 'is invalid'}` };
  }
  switch (error.keyword) {
    case 'additionalProperties': {
      const property = String(error.params.additionalProperty);
      const allowed = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const suggestion = closest(property, allowed);
      return {
        code: 'CONFIG_UNKNOWN_PROPERTY',
        path: [...at, property],
        target: 'key',
        message: `unknown property "${property}" ${where}`,
        ...(suggestion ? { hint: `did you mean "${suggestion}"?` } : allowed.length > 0 && allowed.length <= 12 ? { hint: `allowed: ${allowed.join(', ')}` } : {}),
      };
    }
    case 'required':
      return {
        code: 'CONFIG_MISSING_PROPERTY',
        path: at,
        target: at.length === 0 ? 'value' : 'key',
        message: `missing required property "${String(error.params.missingProperty)}" ${where}`,
      };
    case 'false schema': {
      const owner = isRecord(parent) && typeof parent.type === 'string' ? `${article(String(parentType))} ${at.includes('operations') ? 'operation' : at.includes('trigger') ? 'trigger' : 'field'}` : 'this object';
      return { code: 'CONFIG_OPTION_NOT_ALLOWED', path: at, target: 'key', message: `"${name}" is not allowed for ${owner}` };
    }
    case 'enum': {
      const allowed = (error.params.allowedValues as unknown[]).map((v) => String(v));
      const actual = valueAt(root, at);
      const suggestion = typeof actual === 'string' ? closest(actual, allowed) : undefined;
      return {
        code: 'CONFIG_INVALID_VALUE',
        path: at,
        target: 'value',
        message: `${JSON.stringify(actual)} is not allowed ${where}; expected one of ${allowed.join(', ')}`,
        ...(suggestion ? { hint: `did you mean "${suggestion}"?` } : {}),
      };
    }
    default:
      return { code: at.length === 3 && at[0] === 'fields' && at[2] === 'default' ? 'CONFIG_INVALID_DEFAULT' : 'CONFIG_INVALID_VALUE', path: at, target: 'value', message: `${at.length === 0 ? 'the document' : at.join('.')} ${error.message ?? 'is invalid'}` };
  }
}

function pointerToPath(pointer: string): Path {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment));
}

function valueAt(root: unknown, at: Path): unknown {
  let node = root;
  for (const segment of at) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
