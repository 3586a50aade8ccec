/**
 * The closed catalogue of Cairn errors. Every error the platform raises on
 * purpose is one of these classes: a stable code, an HTTP status, a message
 * built from typed details. The HTTP and GraphQL edges render them; nothing
 * else decides a status. Codes shared with Directus keep Directus's names
 * and statuses (see ../shared/directus-contract.md §1.4).
 */

export type ErrorDetails = Record<string, unknown>;

export abstract class CairnError<D extends ErrorDetails = ErrorDetails> extends Error {
  abstract readonly code: string;
  abstract readonly status: number;
  readonly details: D;

  constructor(message: string, details: D, options?: { cause?: unknown }) {
    super(message, options);
    this.details = details;
  }
}

export interface CairnErrorClass<D extends ErrorDetails = ErrorDetails> {
  new (details: D, options?: { cause?: unknown }): CairnError<D>;
  readonly code: string;
  readonly status: number;
  readonly summary: string;
}

function defineError<D extends ErrorDetails>(
  code: string,
  status: number,
  summary: string,
  message: (details: D) => string,
): CairnErrorClass<D> {
  const defined = class extends CairnError<D> {
    static readonly code = code;
    static readonly status = status;
    static readonly summary = summary;
    readonly code = code;
    readonly status = status;
    constructor(details: D, options?: { cause?: unknown }) {
      super(message(details), details, options);
      this.name = `CairnError[${code}]`;
    }
  };
  return defined;
}

const sentence = (text: string): string => (/[.!?]$/.test(text) ? text : `${text}.`);

// --- Directus-compatible request errors -------------------------------------

export const ForbiddenError = defineError<{ reason?: string }>(
  'FORBIDDEN', 403, 'No permission, or the thing does not exist (the two look the same).',
  (d) => d.reason ?? "You don't have permission to access this.",
);
export const InvalidCredentialsError = defineError<Record<string, never>>(
  'INVALID_CREDENTIALS', 401, 'Wrong email or password, unknown static token, or a dead session.',
  () => 'Invalid user credentials.',
);
export const InvalidTokenError = defineError<Record<string, never>>(
  'INVALID_TOKEN', 403, 'A token that is malformed or was not issued by this Cairn.',
  () => 'Invalid token.',
);
export const TokenExpiredError = defineError<Record<string, never>>(
  'TOKEN_EXPIRED', 401, 'An access token past its expiry.',
  () => 'Token expired.',
);
export const UserSuspendedError = defineError<Record<string, never>>(
  'USER_SUSPENDED', 401, 'The user exists but is suspended.',
  () => 'User suspended.',
);
export const InvalidPayloadError = defineError<{ reason: string }>(
  'INVALID_PAYLOAD', 400, 'The request body is malformed, too large, or does not fit the model.',
  (d) => `Invalid payload. ${sentence(d.reason)}`,
);
export const InvalidQueryError = defineError<{ reason: string }>(
  'INVALID_QUERY', 400, 'A query parameter is unknown, malformed or names something that does not exist.',
  (d) => `Invalid query. ${sentence(d.reason)}`,
);
export const InvalidPathParameterError = defineError<{ reason: string }>(
  'INVALID_PATH_PARAMETER', 400, 'A path parameter is malformed.',
  (d) => `Invalid path parameter. ${sentence(d.reason)}`,
);
export const FailedValidationError = defineError<{ field: string; type: string; path?: string[]; valid?: unknown[] }>(
  'FAILED_VALIDATION', 400, 'A value breaks a validation rule of the model or a permission.',
  (d) => `Validation failed for field "${d.field}" (${d.type}).`,
);
export const RecordNotUniqueError = defineError<{ collection: string; field: string | null; value?: unknown }>(
  'RECORD_NOT_UNIQUE', 400, 'A value collides with a unique field.',
  (d) => `Value for field "${d.field ?? 'unknown'}" in collection "${d.collection}" has to be unique.`,
);
export const NotNullViolationError = defineError<{ collection: string; field: string | null }>(
  'NOT_NULL_VIOLATION', 400, 'A required value is missing.',
  (d) => `Value for field "${d.field ?? 'unknown'}" in collection "${d.collection}" can't be null.`,
);
export const InvalidForeignKeyError = defineError<{ collection: string; field: string | null; value?: unknown }>(
  'INVALID_FOREIGN_KEY', 400, 'A relation points at an item that does not exist.',
  (d) => `Invalid foreign key for field "${d.field ?? 'unknown'}" in collection "${d.collection}".`,
);
export const ValueTooLongError = defineError<{ collection: string; field: string | null }>(
  'VALUE_TOO_LONG', 400, 'A value is longer than its field allows.',
  (d) => `Value for field "${d.field ?? 'unknown'}" in collection "${d.collection}" is too long.`,
);
export const ValueOutOfRangeError = defineError<{ collection: string; field: string | null }>(
  'VALUE_OUT_OF_RANGE', 400, 'A number is outside the range its field allows.',
  (d) => `Numeric value in field "${d.field ?? 'unknown'}" in collection "${d.collection}" is out of range.`,
);
export const RouteNotFoundError = defineError<{ path: string }>(
  'ROUTE_NOT_FOUND', 404, 'No route answers this method and path.',
  (d) => `Route ${d.path} doesn't exist.`,
);
export const MethodNotAllowedError = defineError<{ allowed: string[]; current: string }>(
  'METHOD_NOT_ALLOWED', 405, 'The route exists but does not answer this method (a GraphQL mutation over GET, PUT on /graphql).',
  (d) => `Method "${d.current}" is not allowed. Should be one of: ${d.allowed.join(', ')}.`,
);
export const UnsupportedMediaTypeError = defineError<{ mediaType: string; where: string }>(
  'UNSUPPORTED_MEDIA_TYPE', 415, 'The request body has a content type the route does not take.',
  (d) => `Unsupported media type "${d.mediaType}" in ${d.where}.`,
);
export const UnprocessableContentError = defineError<{ reason: string }>(
  'UNPROCESSABLE_CONTENT', 422, 'The request is well formed but cannot be carried out.',
  (d) => `Can't process content. ${sentence(d.reason)}`,
);
export const GraphqlValidationError = defineError<{ graphqlErrors: { message: string; locations?: readonly { line: number; column: number }[] }[] }>(
  'GRAPHQL_VALIDATION', 400, 'A GraphQL document that does not parse or does not fit the caller\'s schema.',
  () => 'GraphQL validation error.',
);
export const VersionHashMismatchError = defineError<{ mainHash: string }>(
  'VERSION_HASH_MISMATCH', 422, 'The item changed since the version was compared: compare again, or promote chosen fields.',
  () => 'The main item has changed since this version was last compared. Compare again before promoting, or choose the fields to promote.',
);
export const RequestsExceededError = defineError<Record<string, never>>(
  'REQUESTS_EXCEEDED', 429, 'Too many requests; try again later.',
  () => 'Too many requests, retry later.',
);
export const InternalServerError = defineError<Record<string, never>>(
  'INTERNAL_SERVER_ERROR', 500, 'Anything unexpected. The log has the cause; the response never does.',
  () => 'An unexpected error occurred.',
);
export const ServiceUnavailableError = defineError<{ service: string; reason: string }>(
  'SERVICE_UNAVAILABLE', 503, 'A service Cairn depends on (the database) does not answer.',
  (d) => `Service "${d.service}" is unavailable. ${sentence(d.reason)}`,
);

// --- Cairn's own: start-up, settings, database --------------------------------

export const InvalidSettingsError = defineError<{ problems: { variable: string; message: string }[] }>(
  'INVALID_SETTINGS', 500, 'An environment variable has a value Cairn cannot use.',
  (d) => `Invalid settings: ${d.problems.map((p) => `${p.variable}: ${p.message}`).join('; ')}.`,
);
export const DatabaseLockedError = defineError<{ dataDir: string; pid: number }>(
  'DATABASE_LOCKED', 503, 'Another process is using the embedded database directory.',
  (d) => `The embedded database at ${d.dataDir} is in use by another Cairn process (pid ${d.pid}).`,
);
export const MigrationUnknownError = defineError<{ versions: string[] }>(
  'MIGRATION_UNKNOWN', 500, 'The database holds a platform migration this Cairn does not know: a newer Cairn touched it.',
  (d) => `The database was migrated by a newer Cairn (unknown migrations: ${d.versions.join(', ')}); upgrade Cairn before starting it on this database.`,
);
export const MigrationChangedError = defineError<{ versions: string[] }>(
  'MIGRATION_CHANGED', 500, 'A platform migration that was already applied has different content now.',
  (d) => `Applied migrations were changed after they ran (${d.versions.join(', ')}); this Cairn build does not match the database.`,
);
export const MigrationFailedError = defineError<{ version: string; reason: string }>(
  'MIGRATION_FAILED', 500, 'A platform migration failed; none of the pending ones were applied.',
  (d) => `Migration ${d.version} failed: ${d.reason}. Nothing was applied.`,
);

// --- Cairn's own: flows ---------------------------------------------------------

export const FlowFailedError = defineError<{ flow: string; run: number | null; reason: string }>(
  'FLOW_FAILED', 400, 'A filter flow, or a synchronous webhook or manual flow, ended in an error: the request it guards or answers is refused.',
  (d) => `Flow "${d.flow}" failed${d.run === null ? '' : ` (run ${d.run})`}: ${d.reason.replace(/[.!?]$/, '')}.`,
);

/**
 * A flow's `throw` operation. FLOW_THROWN (400) unless the operation names
 * its own `code` and `status`, which then reach the caller as written in the
 * flow file (as Directus's throw-error does).
 */
export class FlowThrownError extends CairnError<{ flow: string; operation: string }> {
  static readonly code = 'FLOW_THROWN';
  static readonly status = 400;
  static readonly summary = 'A flow\'s throw operation; the flow may set another code and status of its own.';
  readonly code: string;
  readonly status: number;
  constructor(details: { flow: string; operation: string; message: string; code?: string; status?: number }) {
    super(details.message, { flow: details.flow, operation: details.operation });
    this.code = details.code ?? FlowThrownError.code;
    this.status = details.status ?? FlowThrownError.status;
    this.name = `CairnError[${this.code}]`;
  }
}

// --- Cairn's own: config sources and git ----------------------------------------

export const ConfigSourceNotFoundError = defineError<{ path: string }>(
  'CONFIG_SOURCE_NOT_FOUND', 400, 'A config directory, or a file asked of a config source, does not exist.',
  (d) => `No config file or directory at ${d.path}.`,
);
export const ConfigPathOutsideRootError = defineError<{ path: string }>(
  'CONFIG_PATH_OUTSIDE_ROOT', 400, 'A config path is absolute or leads outside the config repository.',
  (d) => `The path ${d.path} leads outside the config repository; paths are relative to its root.`,
);
export const GitRepositoryNotFoundError = defineError<{ dir: string }>(
  'GIT_REPOSITORY_NOT_FOUND', 400, 'A directory that should hold a git repository holds none.',
  (d) => `${d.dir} is not a git repository (neither a .git inside it nor a bare repository).`,
);
export const GitRepositoryExistsError = defineError<{ dir: string }>(
  'GIT_REPOSITORY_EXISTS', 400, 'A git repository was to be created where one already exists.',
  (d) => `${d.dir} is already a git repository; Cairn makes the first commit of new repositories only.`,
);
export const GitRefNotFoundError = defineError<{ ref: string; dir: string }>(
  'GIT_REF_NOT_FOUND', 400, 'A branch, tag or commit id names no commit in the repository.',
  (d) => `"${d.ref}" names no commit in the git repository ${d.dir}.`,
);
export const GitRefAmbiguousError = defineError<{ ref: string; dir: string; matches: string[] }>(
  'GIT_REF_AMBIGUOUS', 400, 'An abbreviated commit id matches several objects.',
  (d) => `The abbreviated id "${d.ref}" is ambiguous in ${d.dir} (${d.matches.length} objects match); give more digits.`,
);

export const InitTargetNotEmptyError = defineError<{ dir: string }>(
  'INIT_TARGET_NOT_EMPTY', 400, 'cairn init or cairn export was pointed at a directory that already has files.',
  (d) => `${d.dir} is not empty; cairn init and cairn export write a new repository only into a new or empty directory.`,
);

export const ConfigInvalidError = defineError<{ source: string; errors: number }>(
  'CONFIG_INVALID', 422, 'The config repository has problems; `cairn validate` lists them with file:line:col.',
  (d) => `${d.source} has ${d.errors} problem${d.errors === 1 ? '' : 's'}; run cairn validate to see them.`,
);
export const PlanRefusedError = defineError<{ blockers: { code: string; message: string }[] }>(
  'PLAN_REFUSED', 409, 'The plan holds a step Cairn will not run: data in the way, a destructive step not allowed, a rename conflict, or an empty config.',
  (d) => `The plan cannot be applied: ${d.blockers.map((b) => b.message).join('; ')}.`,
);
export const PlanStaleError = defineError<{ expected: string; actual: string }>(
  'PLAN_STALE', 409, 'The database changed since the plan was made.',
  () => 'The database changed since this plan was made; plan again.',
);
export const PlanFileInvalidError = defineError<{ file: string; reason: string }>(
  'PLAN_FILE_INVALID', 400, 'A plan file that is not a plan this Cairn wrote.',
  (d) => `${d.file} is not a usable plan: ${d.reason}.`,
);
export const ConfirmationRequiredError = defineError<Record<string, never>>(
  'CONFIRMATION_REQUIRED', 400, 'cairn apply would change the database but cannot ask: not a terminal, and no --auto-approve.',
  () => 'Refusing to apply without confirmation: run in a terminal, or pass --auto-approve.',
);

export const ApplyFailedError = defineError<{ change: string; reason: string }>(
  'APPLY_FAILED', 500, 'A step of an apply failed in the database; the whole apply was rolled back.',
  (d) => `Applying ${d.change} failed: ${d.reason}. Nothing was changed: the apply was rolled back.`,
);

/** Every error class, in catalogue order. The errors test checks codes are unique and documented. */
export const catalogue: readonly CairnErrorClass<never>[] = [
  ForbiddenError, InvalidCredentialsError, InvalidTokenError, TokenExpiredError, UserSuspendedError,
  InvalidPayloadError, InvalidQueryError, InvalidPathParameterError, FailedValidationError,
  RecordNotUniqueError, NotNullViolationError, InvalidForeignKeyError, ValueTooLongError,
  ValueOutOfRangeError, RouteNotFoundError, MethodNotAllowedError, UnsupportedMediaTypeError, UnprocessableContentError, VersionHashMismatchError, GraphqlValidationError,
  RequestsExceededError, InternalServerError, ServiceUnavailableError,
  FlowFailedError, FlowThrownError,
  InvalidSettingsError, DatabaseLockedError, MigrationUnknownError, MigrationChangedError, MigrationFailedError,
  ConfigSourceNotFoundError, ConfigPathOutsideRootError, GitRepositoryNotFoundError, GitRepositoryExistsError,
  GitRefNotFoundError, GitRefAmbiguousError, InitTargetNotEmptyError,
  ConfigInvalidError, PlanRefusedError, PlanStaleError, PlanFileInvalidError, ConfirmationRequiredError, ApplyFailedError,
] as unknown as readonly CairnErrorClass<never>[];

export function isCairnError(error: unknown): error is CairnError {
  return error instanceof CairnError;
}
