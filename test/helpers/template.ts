/** The template project's model, loaded once per test file, and applying it to a test database. */
import { expect } from 'vitest';
import { TEMPLATE_DIR } from '../../src/cli/commands/init.ts';
import { createSchemaValidator, loadConfig, workingTreeSource } from '../../src/config/index.ts';
import type { Database } from '../../src/db/index.ts';
import type { Model } from '../../src/model/index.ts';
import { planAndApply } from '../../src/reconcile/index.ts';

let loaded: Promise<{ model: Model; hash: string }> | undefined;

export function templateModel(): Promise<{ model: Model; hash: string }> {
  loaded ??= loadConfig({ source: workingTreeSource(TEMPLATE_DIR), validator: createSchemaValidator() }).then((result) => {
    expect(result.diagnostics).toEqual([]);
    return { model: result.model!, hash: result.hash! };
  });
  return loaded;
}

/** Applies the template to a migrated test database, as `cairn apply` would; returns its model. */
export async function applyTemplate(db: Database): Promise<Model> {
  const { model, hash } = await templateModel();
  const { report } = await planAndApply({ db, model, modelHash: hash, source: { description: 'template', commit: null, ref: null, environment: null }, appliedBy: 'test' });
  expect(report.status).toBe('applied');
  return model;
}
