/** Public face of the flow engine. */
export { createFlowEngine, type FlowEngine, type FlowEngineContext, type TriggerRequest } from './flow-engine.ts';
export { claimTick, missedBetween, scheduledFlows, MISSED_TICKS_SCAN_LIMIT, type MissedTicks } from './flow-schedule.ts';
export { pruneRuns, redactor, REDACTED, type RunLog, type RunStatus, type StepLog } from './flow-log.ts';
export { MAX_STEPS, type RunOutcome } from './run-flow.ts';
export { envNamesIn, parsePath, readPath, renderOptions, TemplateError } from './templates.ts';
export { failedRule, FILTER_OPERATORS } from './evaluate-filter.ts';
