/**
 * The Model: the typed, normalised form of a config repository. Plain data
 * with every default filled in, junctions materialised, relations linked and
 * each column's PostgreSQL type decided. The reconciler diffs it, the runtime
 * serves it; its canonical JSON and hash identify it.
 */

export const MODEL_VERSION = 1;

export const FIELD_TYPES = [
  'string', 'text', 'boolean', 'integer', 'bigInteger', 'float', 'decimal', 'date', 'time', 'dateTime',
  'timestamp', 'json', 'uuid', 'hash', 'csv', 'm2o', 'o2m', 'm2m',
] as const;
export type FieldType = (typeof FIELD_TYPES)[number];
export type ScalarFieldType = Exclude<FieldType, 'm2o' | 'o2m' | 'm2m'>;
export type KeyType = 'integer' | 'bigInteger' | 'uuid' | 'string';
export type Special = 'date-created' | 'date-updated' | 'user-created' | 'user-updated' | 'uuid';
export type OnDelete = 'set null' | 'cascade' | 'restrict' | 'no action';
export type Accountability = 'all' | 'activity' | 'none';
export const ACTIONS = ['create', 'read', 'update', 'delete'] as const;
export type Action = (typeof ACTIONS)[number];

export interface Model {
  version: typeof MODEL_VERSION;
  project: Project;
  collections: Record<string, Collection>;
  policies: Record<string, Policy>;
  roles: Record<string, Role>;
  flows: Record<string, Flow>;
  extensions: Record<string, Extension>;
}

export interface Project {
  name: string;
  note: string | null;
  schema: string;
  audit: { repository: string; remote: string | null; branch: string; push: boolean };
  environments: string[];
  /** The environment whose overlays were applied, if any. */
  environment: string | null;
}

export interface Collection {
  name: string;
  note: string | null;
  primaryKey: { field: string; type: KeyType; dbType: string };
  singleton: boolean;
  sortField: string | null;
  archive: { field: string; value: string | number | boolean } | null;
  versioning: boolean;
  accountability: Accountability;
  renamedFrom: string | null;
  /** Generated for an m2m field that did not name its own junction. */
  junction: boolean;
  fields: Record<string, Field>;
}

export type Relation =
  | { kind: 'm2o'; related: string; onDelete: OnDelete }
  | { kind: 'o2m'; related: string; foreignKey: string }
  | { kind: 'm2m'; related: string; junction: string; sourceField: string; targetField: string; generated: boolean };

export interface Field {
  name: string;
  type: FieldType;
  /** The column's PostgreSQL type; null for o2m and m2m, which have no column. */
  dbType: string | null;
  required: boolean;
  nullable: boolean;
  unique: boolean;
  /** Absent when the field has no default. */
  default?: unknown;
  maxLength: number | null;
  precision: number | null;
  scale: number | null;
  enum: (string | number)[] | null;
  note: string | null;
  special: Special | null;
  index: boolean;
  renamedFrom: string | null;
  relation: Relation | null;
}

export interface Permission {
  collection: string;
  action: Action;
  /** `['*']` for every field. */
  fields: string[];
  filter: Record<string, unknown> | null;
  validation: Record<string, unknown> | null;
  presets: Record<string, unknown> | null;
}

export interface Policy {
  name: string;
  note: string | null;
  public: boolean;
  adminAccess: boolean;
  appAccess: boolean;
  ipAccess: string[] | null;
  permissions: Permission[];
}

export interface Role {
  name: string;
  note: string | null;
  parent: string | null;
  policies: string[];
}

export interface Flow {
  name: string;
  note: string | null;
  status: 'active' | 'inactive';
  accountability: Accountability;
  trigger: { type: 'event' | 'schedule' | 'webhook' | 'manual' | 'flow'; [option: string]: unknown };
  /** In file order; the first is where a run starts. */
  operations: Operation[];
}

export interface Operation {
  key: string;
  type: string;
  options: Record<string, unknown>;
  resolve: string | null;
  reject: string | null;
  permissions: string;
}

export interface Extension {
  name: string;
  type: 'hook' | 'endpoint' | 'operation';
  entry: string;
  events: string[];
  collections: string[];
  route: string | null;
  limits: { memoryMb: number; timeoutMs: number };
  grants: { items: Record<string, Action[]>; requests: string[]; env: string[] };
}
