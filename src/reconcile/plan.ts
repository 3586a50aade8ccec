/**
 * Making a plan: read the live schema and the last applied model, diff them
 * with the desired model, run each change's data checks against the live
 * data, and record what blocks the plan. The result is plain data.
 */
import { createHash } from 'node:crypto';
import { canonicalJson, type Model } from '../model/index.ts';
import type { Database } from '../db/index.ts';
import { readAppliedConfig } from './applied-config.ts';
import type { DatabaseState } from './database-state.ts';
import { desiredState } from './desired-state.ts';
import { configStateFromModel, readConfigState, type ConfigState } from './config-state.ts';
import { diff } from './diff.ts';
import { diffConfig } from './diff-config.ts';
import { introspect } from './introspect.ts';
import { PLAN_VERSION, type Blocker, type Plan } from './plan-types.ts';

export interface CreatePlanOptions {
  /** A database, or a transaction's `{ knex: trx }` (apply plans inside its lock). */
  db: Pick<Database, 'knex'>;
  model: Model;
  modelHash: string;
  source: Plan['source'];
  /** Targets of destructive changes the run allows (`articles.body`, `tags`). */
  allowDestructive?: readonly string[];
}

/** What apply re-checks: the live schema, the live config rows and the last applied model, as one hash. */
export function baseHashOf(state: DatabaseState, config: ConfigState, appliedHash: string | null): string {
  return createHash('sha256').update(canonicalJson({ state, config, applied: appliedHash })).digest('hex');
}

export async function createPlan(options: CreatePlanOptions): Promise<Plan> {
  const { db, model } = options;
  const schema = model.project.schema;
  // One after another: on PGlite, or inside apply's transaction, there is one connection.
  const { state: actual } = await introspect(db, { schema });
  const applied = await readAppliedConfig(db.knex);
  const liveConfig = await readConfigState(db.knex);
  const managed = applied ? desiredState(applied.model) : null;
  const result = diff({ desired: desiredState(model), actual, managed, model });
  const config = diffConfig(configStateFromModel(model), liveConfig);
  result.changes.push(...config.changes);
  result.steps.push(...config.steps);
  const blockers: Blocker[] = [...result.blockers];

  if (Object.keys(model.collections).length === 0 && managed && Object.keys(managed.tables).length > 0) {
    blockers.push({
      change: null,
      code: 'EMPTY_CONFIG',
      message: 'the config declares no collections but the database has managed ones; Cairn never plans "drop everything"',
    });
  }
  for (const change of result.changes) {
    for (const check of change.checks) {
      const { rows } = await db.knex.raw(check.sql);
      check.count = Number(rows[0].count);
      if (check.meaning === 'offending' && check.count > 0) {
        blockers.push({ change: change.id, code: 'DATA_CHECK_FAILED', message: `${change.description}: ${check.count} row${check.count === 1 ? '' : 's'} in the way` });
      }
    }
    if (change.risk === 'destructive' && !(options.allowDestructive ?? []).includes(change.target)) {
      const atStake = change.checks.find((c) => c.meaning === 'at-stake')?.count;
      blockers.push({
        change: change.id,
        code: 'DESTRUCTIVE_NOT_ALLOWED',
        message: `${change.description}${atStake === undefined ? '' : ` (${atStake} row${atStake === 1 ? '' : 's'} at stake)`} needs --allow-destructive ${change.target}`,
      });
    }
  }

  return {
    version: PLAN_VERSION,
    schema,
    source: options.source,
    modelHash: options.modelHash,
    baseHash: baseHashOf(actual, liveConfig, applied?.modelHash ?? null),
    changes: result.changes,
    steps: result.steps,
    unmanaged: result.unmanaged,
    blockers,
  };
}

/** Identifies a plan for the record: its changes and steps, whatever the time it was made. */
export function planHash(plan: Plan): string {
  return createHash('sha256').update(canonicalJson({ changes: plan.changes.map(({ checks: _checks, ...rest }) => rest), steps: plan.steps, modelHash: plan.modelHash, baseHash: plan.baseHash })).digest('hex');
}
