/**
 * Applying: under an advisory lock, in ONE transaction, make sure the plan
 * fits the database as it is now, run every step, record the apply in
 * cairn_config and NOTIFY running servers. Two ways in:
 * - applyPlan: exactly a reviewed plan; refused when the database moved since;
 * - planAndApply: plans inside the lock, so concurrent appliers serialise and
 *   the later one plans against the result of the earlier.
 * Either returns a report of each step; a failure rolls everything back, so
 * the database holds the old state or the new one, never a mix.
 */
import type { Knex } from 'knex';
import { canonicalJson, type Model } from '../model/index.ts';
import { ADVISORY_LOCK_CLASS, type Database } from '../db/index.ts';
import { ApplyFailedError, PlanRefusedError, PlanStaleError, type CairnError } from '../errors/index.ts';
import { readAppliedConfig } from './applied-config.ts';
import { readConfigState } from './config-state.ts';
import { introspect } from './introspect.ts';
import { baseHashOf, createPlan, planHash, type CreatePlanOptions } from './plan.ts';
import type { Plan } from './plan-types.ts';

export const RECONCILE_LOCK_ID = 2;
export const CONFIG_CHANNEL = 'cairn_config';

export interface ApplyStepReport {
  change: string;
  sql: string;
  status: 'applied' | 'failed' | 'rolled-back' | 'not-run';
  durationMs: number;
  error?: string;
}

export interface ApplyReport {
  /** `unchanged`: nothing to do, the database already matches and this model is the applied one. */
  status: 'applied' | 'unchanged' | 'refused' | 'failed';
  steps: ApplyStepReport[];
  durationMs: number;
  configId: string | null;
  error?: CairnError;
}

interface ExecuteOptions {
  model: Model;
  appliedBy: string;
  /** Called as each step starts, for progress output. */
  onStep?: (step: ApplyStepReport, index: number, total: number) => void;
}

export interface ApplyOptions extends ExecuteOptions {
  db: Database;
  plan: Plan;
}

export async function applyPlan(options: ApplyOptions): Promise<ApplyReport> {
  const { plan } = options;
  return inLock(options.db, plan.steps.length, async (trx, run) => {
    if (plan.blockers.length > 0) return { refused: new PlanRefusedError({ blockers: plan.blockers }) };
    const { state } = await introspect({ knex: trx }, { schema: plan.schema });
    const applied = await readAppliedConfig(trx);
    const actual = baseHashOf(state, await readConfigState(trx), applied?.modelHash ?? null);
    if (actual !== plan.baseHash) return { refused: new PlanStaleError({ expected: plan.baseHash, actual }) };
    return run(trx, plan, applied?.modelHash ?? null, options);
  });
}

export interface PlanAndApplyOptions extends Omit<CreatePlanOptions, 'db'>, ExecuteOptions {
  db: Database;
  /** Sees the plan made inside the lock, before any step runs. */
  onPlan?: (plan: Plan) => void;
}

export async function planAndApply(options: PlanAndApplyOptions): Promise<{ plan: Plan | null; report: ApplyReport }> {
  let plan: Plan | null = null;
  const report = await inLock(options.db, 0, async (trx, run) => {
    plan = await createPlan({ ...options, db: { knex: trx } });
    options.onPlan?.(plan);
    if (plan.blockers.length > 0) return { refused: new PlanRefusedError({ blockers: plan.blockers }) };
    const applied = await readAppliedConfig(trx);
    return run(trx, plan, applied?.modelHash ?? null, options);
  });
  return { plan, report };
}

type Outcome = { refused: CairnError } | { configId: string | null; steps: ApplyStepReport[] };
type Runner = (trx: Knex.Transaction, plan: Plan, appliedHash: string | null, options: ExecuteOptions) => Promise<Outcome>;

/** One transaction holding the reconcile lock; turns what happens inside into a report. */
async function inLock(db: Database, stepCount: number, body: (trx: Knex.Transaction, run: Runner) => Promise<Outcome>): Promise<ApplyReport> {
  const started = performance.now();
  let steps: ApplyStepReport[] = Array.from({ length: stepCount }, () => ({ change: '', sql: '', status: 'not-run', durationMs: 0 }));
  let failure: CairnError | undefined;
  const report = (status: ApplyReport['status'], configId: string | null, error?: ApplyReport['error']): ApplyReport => ({
    status,
    steps,
    durationMs: Math.round(performance.now() - started),
    configId,
    ...(error ? { error } : {}),
  });

  const run: Runner = async (trx, plan, appliedHash, options) => {
    steps = plan.steps.map((s) => ({ change: s.change, sql: s.sql, status: 'not-run', durationMs: 0 }));
    if (plan.steps.length === 0 && appliedHash === plan.modelHash) return { configId: null, steps };
    for (const [index, step] of steps.entries()) {
      options.onStep?.(step, index, steps.length);
      const stepStarted = performance.now();
      try {
        await trx.raw(step.sql);
        step.status = 'applied';
      } catch (error) {
        step.status = 'failed';
        step.error = (error as Error).message;
        failure = new ApplyFailedError({ change: step.change, reason: (error as Error).message }, { cause: error });
        throw error;
      } finally {
        step.durationMs = Math.round(performance.now() - stepStarted);
      }
    }
    const [row] = await trx('cairn_config')
      .insert({
        model: canonicalJson(options.model),
        model_hash: plan.modelHash,
        plan_hash: planHash(plan),
        source_commit: plan.source.commit,
        source_ref: plan.source.ref,
        applied_by: options.appliedBy,
        duration_ms: Math.round(performance.now() - started),
      })
      .returning('id');
    await trx.raw('select pg_notify(?, ?)', [CONFIG_CHANNEL, plan.modelHash]);
    return { configId: String(row.id), steps };
  };

  try {
    const outcome = await db.knex.transaction(async (trx) => {
      await trx.raw('select pg_advisory_xact_lock(?, ?)', [ADVISORY_LOCK_CLASS, RECONCILE_LOCK_ID]);
      return body(trx, run);
    });
    if ('refused' in outcome) return report('refused', null, outcome.refused);
    return report(outcome.configId === null ? 'unchanged' : 'applied', outcome.configId);
  } catch (error) {
    for (const step of steps) if (step.status === 'applied') step.status = 'rolled-back';
    if (failure) return report('failed', null, failure);
    throw error;
  }
}
