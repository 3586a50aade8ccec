/**
 * `cairn export <dir>`: adopt an existing database. Introspects the project
 * database's schema and writes a config repository describing it (cairn.yaml,
 * collections/, the JSON Schemas in .schemas/), plus adopt.sql: the renames
 * that give constraints and indexes Cairn's names, for the operator to review
 * and run. The export itself changes nothing in the user's schema.
 */
import { cp, mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { InitTargetNotEmptyError } from '../../errors/index.ts';
import { openProjectDatabase } from '../command-support.ts';

const SCHEMAS_DIR = new URL('../../../platform/schemas/', import.meta.url);
const PROJECT_NAME = /^[a-z0-9][a-z0-9_-]*$/;

function projectName(value: string): string {
  if (!PROJECT_NAME.test(value) || value.length > 63) {
    throw new InvalidArgumentError('a project name is lower-case letters, digits, "-" and "_", starting with a letter or digit, at most 63 characters');
  }
  return value;
}

/** The project name a directory suggests: `My Shop/` → `my-shop`. */
export function projectNameFromDir(dir: string): string {
  const name = path
    .basename(path.resolve(dir))
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 63);
  return name === '' ? 'cairn' : name;
}

export function registerExportCommand(program: Command): void {
  program
    .command('export')
    .description('write a config repository for the existing tables of the database, to adopt it with Cairn')
    .argument('<dir>', 'where to write it (must not exist, or be empty)')
    .option('--project <name>', 'the project name for cairn.yaml (default: from the directory name)', projectName)
    .option('--schema <schema>', 'the PostgreSQL schema to export', 'public')
    .action(async (dir: string, options: { project?: string; schema: string }) => {
      const { ADOPT_FILE, exportRepository, introspect, readAppliedConfig } = await import('../../reconcile/index.ts');
      const target = path.resolve(dir);
      const existing = await readdir(target).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return [];
        throw error;
      });
      if (existing.length > 0) throw new InitTargetNotEmptyError({ dir: target });

      const db = await openProjectDatabase();
      let result: ReturnType<typeof exportRepository>;
      let applied: Awaited<ReturnType<typeof readAppliedConfig>>;
      try {
        const { state } = await introspect(db, { schema: options.schema });
        applied = await readAppliedConfig(db.knex);
        result = exportRepository(state, { project: options.project ?? projectNameFromDir(target) });
      } finally {
        await db.close();
      }

      await mkdir(target, { recursive: true });
      for (const [file, text] of Object.entries(result.files)) {
        await mkdir(path.dirname(path.join(target, file)), { recursive: true });
        await writeFile(path.join(target, file), text);
      }
      await cp(SCHEMAS_DIR, path.join(target, '.schemas'), { recursive: true });

      const out = (text: string) => process.stdout.write(text);
      const collections = Object.keys(result.files).filter((file) => file.startsWith('collections/')).length;
      out(`Exported ${collections} collection${collections === 1 ? '' : 's'} from the schema ${options.schema} to ${target}.\n`);
      if (applied) {
        out(`\nThis database is already managed by Cairn (last apply ${new Date(applied.appliedAt).toISOString()}); export writes its tables only: roles, policies, flows and extensions are not exported.\n`);
      }
      if (result.warnings.length > 0) {
        out(`\nLeft out or left alone (${result.warnings.length}):\n`);
        for (const warning of result.warnings) out(`  - ${warning}\n`);
      }
      if (result.adopt.length > 0) {
        out(`\n${ADOPT_FILE} gives constraints and indexes Cairn's names and keys Cairn's form (${result.adopt.length} statement${result.adopt.length === 1 ? '' : 's'}, no data changed):\n\n`);
        out(result.files[ADOPT_FILE]!.replace(/^/gm, '    '));
      }
      const step = (() => {
        let n = 0;
        return (text: string) => out(`  ${++n}. ${text}\n`);
      })();
      out('\nNext:\n');
      step(`cairn validate ${dir}`);
      if (result.adopt.length > 0) {
        const adoptFile = path.join(dir, ADOPT_FILE);
        step(`review ${adoptFile}, then run it once against the database${process.env.DATABASE_URL ? `: psql "$DATABASE_URL" -f ${adoptFile}` : ''}`);
      }
      step(`cairn plan ${dir}   (expect: no changes)`);
      step(`cairn apply ${dir}  (records the model: from then on Cairn manages these tables)`);
      step(`commit the repository (git init ${dir} && git -C ${dir} add . && git -C ${dir} commit)`);
    });
}
