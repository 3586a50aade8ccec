/**
 * Drift: how the live database differs from the last applied model (someone
 * changed it by hand), and how the repository differs from what was applied
 * (changes not yet applied). Both are lists of the changes `cairn apply`
 * would make, so drift reads exactly like a plan.
 */
import type { Database } from '../db/index.ts';
import { modelHash, type Model } from '../model/index.ts';
import { readAppliedConfig, type AppliedConfig } from './applied-config.ts';
import { configStateFromModel, readConfigState } from './config-state.ts';
import { desiredState } from './desired-state.ts';
import { diff } from './diff.ts';
import { diffConfig } from './diff-config.ts';
import { introspect } from './introspect.ts';
import type { Change } from './plan-types.ts';

export interface DriftReport {
  applied: Omit<AppliedConfig, 'model'> | null;
  /** What apply would change to put the live database back to the applied model. */
  live: Change[];
  /** Columns added by hand to tables Cairn manages. */
  unmanagedColumns: string[];
  /** Tables in the schema Cairn does not manage (not drift: listed for information). */
  unmanagedTables: string[];
  /** What applying the repository would change; null when no repository was given. */
  pending: Change[] | null;
  drifted: boolean;
}

export async function detectDrift(options: { db: Pick<Database, 'knex'>; repository?: Model }): Promise<DriftReport> {
  const { db } = options;
  const applied = await readAppliedConfig(db.knex);
  const summary = applied ? (({ model: _model, ...rest }) => rest)(applied) : null;
  let live: Change[] = [];
  let unmanagedColumns: string[] = [];
  let unmanagedTables: string[] = [];
  if (applied) {
    const managed = desiredState(applied.model);
    const { state } = await introspect(db, { schema: applied.model.project.schema });
    const schemaDiff = diff({ desired: managed, actual: state, managed, model: applied.model });
    live = [...schemaDiff.changes, ...diffConfig(configStateFromModel(applied.model), await readConfigState(db.knex)).changes];
    unmanagedColumns = schemaDiff.unmanaged.columns;
    unmanagedTables = schemaDiff.unmanaged.tables;
  }
  let pending: Change[] | null = null;
  if (options.repository) {
    const repository = options.repository;
    if (!applied) {
      pending = diff({ desired: desiredState(repository), actual: { schema: repository.project.schema, tables: {} }, managed: null, model: repository }).changes;
    } else if (modelHash(repository) === applied.modelHash) {
      pending = [];
    } else {
      const base = desiredState(applied.model);
      pending = [
        ...diff({ desired: desiredState(repository), actual: base, managed: base, model: repository }).changes,
        ...diffConfig(configStateFromModel(repository), configStateFromModel(applied.model)).changes,
      ];
    }
  }
  return {
    applied: summary,
    live,
    unmanagedColumns,
    unmanagedTables,
    pending,
    drifted: live.length > 0 || unmanagedColumns.length > 0 || (pending?.length ?? 0) > 0,
  };
}

export function renderDriftText(report: DriftReport, options: { color: boolean }): string {
  const paint = (code: string) => (text: string) => (options.color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const [green, yellow, dim, bold] = [paint('32'), paint('33'), paint('2'), paint('1')];
  const lines: string[] = [];
  if (!report.applied) lines.push(yellow('Nothing has been applied to this database yet.'));
  else lines.push(dim(`Applied model ${report.applied.modelHash.slice(0, 12)}${report.applied.sourceCommit ? ` from ${report.applied.sourceCommit.slice(0, 7)}` : ''} by ${report.applied.appliedBy ?? 'unknown'} at ${new Date(report.applied.appliedAt).toISOString()}`));
  if (report.live.length > 0 || report.unmanagedColumns.length > 0) {
    lines.push('', bold('The database differs from the applied model (changed by hand?); cairn apply would:'));
    for (const change of report.live) lines.push(`  ~ ${change.description}`);
    for (const column of report.unmanagedColumns) lines.push(`  ? column ${column} exists but is not in the model`);
  }
  if (report.pending && report.pending.length > 0) {
    lines.push('', bold('The repository has changes not applied yet:'));
    for (const change of report.pending) lines.push(`  ~ ${change.description}`);
  }
  if (report.unmanagedTables.length > 0) lines.push('', dim(`Not managed by Cairn: ${report.unmanagedTables.join(', ')}`));
  if (!report.drifted) lines.push('', green('No drift: the database matches the applied model' + (report.pending ? ' and the repository.' : '.')));
  return `${lines.join('\n')}\n`;
}
