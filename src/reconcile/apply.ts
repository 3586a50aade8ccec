/**
 * Applying a plan: under an advisory lock, in ONE transaction, re-check that
 * the database is the one the plan was made against, run every step, record
 * the apply in cairn_config and NOTIFY running servers. Returns a report of
 * each step; a failure rolls everything back, so the database holds the old
 * state or the new one, never a mix.
 */
import { canonicalJson, type Model } from '../model/index.ts';
import { ADVISORY_LOCK_CLASS, type Database } from '../db/index.ts';
import { PlanRefusedError, PlanStaleError, type CairnError } from '../errors/index.ts';
import { readAppliedConfig } from './applied-config.ts';
import { introspect } from './introspect.ts';
import { baseHashOf, planHash } from './plan.ts';
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
  status: 'applied' | 'refused' | 'failed';
  steps: ApplyStepReport[];
  durationMs: number;
  configId: string | null;
  error?: CairnError | { code: 'STEP_FAILED'; message: string };
}

export interface ApplyOptions {
  db: Database;
  plan: Plan;
  model: Model;
  appliedBy: string;
  /** Called as each step starts, for progress output. */
  onStep?: (step: ApplyStepReport, index: number, total: number) => void;
}

export async function applyPlan(options: ApplyOptions): Promise<ApplyReport> {
  const { db, plan, model } = options;
  const started = performance.now();
  const steps: ApplyStepReport[] = plan.steps.map((s) => ({ change: s.change, sql: s.sql, status: 'not-run', durationMs: 0 }));
  const finish = (status: ApplyReport['status'], configId: string | null, error?: ApplyReport['error']): ApplyReport => ({
    status,
    steps,
    durationMs: Math.round(performance.now() - started),
    configId,
    ...(error ? { error } : {}),
  });
  if (plan.blockers.length > 0) return finish('refused', null, new PlanRefusedError({ blockers: plan.blockers }));

  let failure: { code: 'STEP_FAILED'; message: string } | undefined;
  try {
    const configId = await db.knex.transaction(async (trx) => {
      await trx.raw('select pg_advisory_xact_lock(?, ?)', [ADVISORY_LOCK_CLASS, RECONCILE_LOCK_ID]);
      const [{ state }, applied] = [await introspect({ ...db, knex: trx }, { schema: plan.schema }), await readAppliedConfig(trx)];
      const actual = baseHashOf(state, applied?.modelHash ?? null);
      if (actual !== plan.baseHash) throw new PlanStaleError({ expected: plan.baseHash, actual });
      for (const [index, step] of steps.entries()) {
        options.onStep?.(step, index, steps.length);
        const stepStarted = performance.now();
        try {
          await trx.raw(step.sql);
        } catch (error) {
          step.status = 'failed';
          step.error = (error as Error).message;
          failure = { code: 'STEP_FAILED', message: `${step.change}: ${(error as Error).message}` };
          throw error;
        } finally {
          step.durationMs = Math.round(performance.now() - stepStarted);
        }
        step.status = 'applied';
      }
      const [row] = await trx('cairn_config')
        .insert({
          model: canonicalJson(model),
          model_hash: plan.modelHash,
          plan_hash: planHash(plan),
          source_commit: plan.source.commit,
          source_ref: plan.source.ref,
          applied_by: options.appliedBy,
          duration_ms: Math.round(performance.now() - started),
        })
        .returning('id');
      await trx.raw('select pg_notify(?, ?)', [CONFIG_CHANNEL, plan.modelHash]);
      return String(row.id);
    });
    return finish('applied', configId);
  } catch (error) {
    for (const step of steps) if (step.status === 'applied') step.status = 'rolled-back';
    if (error instanceof PlanStaleError) return finish('refused', null, error);
    if (failure) return finish('failed', null, failure);
    throw error;
  }
}
