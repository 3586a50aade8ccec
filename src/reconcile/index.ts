/** Public face of the reconciler: introspect, diff, plan, apply, and the plan's data types. */
export type { ColumnState, DatabaseState, ForeignKeyState, IndexState, TableState } from './database-state.ts';
export { introspect, type IntrospectionResult } from './introspect.ts';
export { desiredState, tableFromCollection } from './desired-state.ts';
export { diff, type DiffInput, type DiffResult } from './diff.ts';
export { baseHashOf, createPlan, planHash, type CreatePlanOptions } from './plan.ts';
export { applyPlan, CONFIG_CHANNEL, planAndApply, RECONCILE_LOCK_ID, type ApplyReport, type ApplyStepReport, type PlanAndApplyOptions } from './apply.ts';
export { readAppliedConfig, type AppliedConfig } from './applied-config.ts';
export * from './plan-types.ts';
export { renderApplyText, renderPlanJson, renderPlanMarkdown, renderPlanText, summarize } from './render-plan.ts';
export { configStateFromModel, readConfigState, type ConfigState } from './config-state.ts';
export { diffConfig } from './diff-config.ts';
export { detectDrift, renderDriftText, type DriftReport } from './drift.ts';
export { ADOPT_FILE, exportRepository, renderAdoptSql, type AdoptStep, type ExportOptions, type ExportResult } from './export-model.ts';
