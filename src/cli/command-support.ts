/**
 * What the reconciler commands share: loading a valid model from a directory
 * or git ref, and opening the project database (migrated) from the settings.
 */
import path from 'node:path';
import type { Database } from '../db/index.ts';
import { ConfigInvalidError } from '../errors/index.ts';
import type { Model } from '../model/index.ts';

export interface ModelSourceOptions {
  ref?: string;
  env?: string;
}

export interface LoadedModel {
  model: Model;
  hash: string;
  source: { description: string; commit: string | null; ref: string | null; environment: string | null };
}

/** Loads and validates; on problems prints them (as `cairn validate` would) to stderr and throws CONFIG_INVALID. */
export async function loadValidModel(dir: string, options: ModelSourceOptions): Promise<LoadedModel> {
  const { createSchemaValidator, formatValidationText, gitRefSource, loadConfig, workingTreeSource } = await import('../config/index.ts');
  const root = path.resolve(dir);
  const source = options.ref === undefined ? workingTreeSource(root) : await gitRefSource({ dir: root, ref: options.ref });
  const result = await loadConfig({ source, validator: createSchemaValidator(), environment: options.env });
  if (!result.model || !result.hash) {
    process.stderr.write(formatValidationText(result, { color: Boolean(process.stderr.isTTY) && !process.env.NO_COLOR }));
    throw new ConfigInvalidError({ source: source.description, errors: result.diagnostics.length });
  }
  return {
    model: result.model,
    hash: result.hash,
    source: { description: source.description, commit: source.commit ?? null, ref: source.ref ?? null, environment: options.env ?? null },
  };
}

/** The database the settings name (DATABASE_URL, else the embedded one), with the system tables migrated. */
export async function openProjectDatabase(): Promise<Database> {
  const [{ loadSettings }, { openDatabase, loadMigrations, migrate }] = await Promise.all([import('../context/index.ts'), import('../db/index.ts')]);
  const settings = loadSettings(process.env);
  const db = await openDatabase({ url: settings.databaseUrl, dataDir: path.join(settings.dataDir, 'data'), poolMax: settings.databasePoolMax });
  try {
    const report = await migrate(db, await loadMigrations());
    if (report.error) throw report.error;
    return db;
  } catch (error) {
    await db.close();
    throw error;
  }
}

export function useColor(stream: NodeJS.WriteStream): boolean {
  return Boolean(stream.isTTY) && !process.env.NO_COLOR;
}

/** `a,b` and repeated flags → a flat list. */
export function collectList(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((item) => item.trim()).filter(Boolean)];
}
