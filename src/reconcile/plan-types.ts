/**
 * A Plan is plain, versioned, serialisable data: the changes (what, why,
 * before/after, risk) and the ordered SQL steps that carry them out. Planners
 * produce it, formatters render it, apply executes exactly it.
 */

export const PLAN_VERSION = 1;

export type Risk = 'safe' | 'data-dependent' | 'destructive';

export type ChangeKind =
  | 'collection.create'
  | 'collection.drop'
  | 'collection.rename'
  | 'field.add'
  | 'field.drop'
  | 'field.rename'
  | 'field.alter'
  | 'unique.add'
  | 'unique.drop'
  | 'relation.add'
  | 'relation.drop'
  | 'index.add'
  | 'index.drop'
  | 'role.create' | 'role.drop' | 'role.update'
  | 'policy.create' | 'policy.drop' | 'policy.update'
  | 'access.grant' | 'access.revoke' | 'access.update'
  | 'permission.grant' | 'permission.revoke' | 'permission.update'
  | 'flow.create' | 'flow.drop' | 'flow.update'
  | 'extension.create' | 'extension.drop' | 'extension.update';

/** A count the planner needs from the live data before the change is safe to run. */
export interface DataCheck {
  /** `select count(*) …` whose result is the number of rows at stake or in the way. */
  sql: string;
  /** `offending`: rows that make the step fail (refused when > 0); `at-stake`: rows a destructive step loses. */
  meaning: 'offending' | 'at-stake';
  /** Filled in when the check ran. */
  count?: number;
}

export interface Change {
  /** Stable within a plan, e.g. `field.add:articles.title`. */
  id: string;
  kind: ChangeKind;
  /** `articles` or `articles.title`. */
  target: string;
  risk: Risk;
  /** Plain words: "add field articles.title (character varying(200), not null)". */
  description: string;
  before: unknown;
  after: unknown;
  checks: DataCheck[];
}

export type StepPhase = 'rename' | 'drop-constraint' | 'create' | 'alter' | 'constraint' | 'index' | 'drop' | 'config';

export interface Step {
  change: string;
  phase: StepPhase;
  sql: string;
  destructive: boolean;
}

export type BlockerCode = 'DESTRUCTIVE_NOT_ALLOWED' | 'DATA_CHECK_FAILED' | 'RENAME_CONFLICT' | 'EMPTY_CONFIG';

export interface Blocker {
  change: string | null;
  code: BlockerCode;
  message: string;
}

export interface Plan {
  version: typeof PLAN_VERSION;
  schema: string;
  source: { description: string; commit: string | null; ref: string | null; environment: string | null };
  /** Hash of the desired model. */
  modelHash: string;
  /** Hash of what the plan was made against (live schema + last applied model); apply refuses when it moved. */
  baseHash: string;
  changes: Change[];
  steps: Step[];
  /** Tables and columns in the schema that Cairn did not create and leaves alone. */
  unmanaged: { tables: string[]; columns: string[] };
  blockers: Blocker[];
}
