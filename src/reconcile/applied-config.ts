/** The record of applies in cairn_config: the last applied model is what Cairn manages. */
import type { Knex } from 'knex';
import type { Model } from '../model/index.ts';

export interface AppliedConfig {
  id: string;
  model: Model;
  modelHash: string;
  planHash: string | null;
  sourceCommit: string | null;
  sourceRef: string | null;
  appliedBy: string | null;
  appliedAt: Date;
  durationMs: number | null;
}

export async function readAppliedConfig(knex: Knex | Knex.Transaction): Promise<AppliedConfig | null> {
  const row = await knex('cairn_config').orderBy('id', 'desc').first();
  if (!row) return null;
  return {
    id: String(row.id),
    model: row.model as Model,
    modelHash: row.model_hash,
    planHash: row.plan_hash,
    sourceCommit: row.source_commit,
    sourceRef: row.source_ref,
    appliedBy: row.applied_by,
    appliedAt: row.applied_at,
    durationMs: row.duration_ms,
  };
}
