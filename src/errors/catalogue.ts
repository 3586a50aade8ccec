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
export const FailedValidationError = defineError<{ field: string; type: string; path?: string[] }>(
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
export const UnsupportedMediaTypeError = defineError<{ mediaType: string; where: string }>(
  'UNSUPPORTED_MEDIA_TYPE', 415, 'The request body has a content type the route does not take.',
  (d) => `Unsupported media type "${d.mediaType}" in ${d.where}.`,
);
export const UnprocessableContentError = defineError<{ reason: string }>(
  'UNPROCESSABLE_CONTENT', 422, 'The request is well formed but cannot be carried out.',
  (d) => `Can't process content. ${sentence(d.reason)}`,
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

/** Every error class, in catalogue order. The errors test checks codes are unique and documented. */
export const catalogue: readonly CairnErrorClass<never>[] = [
  ForbiddenError, InvalidCredentialsError, InvalidTokenError, TokenExpiredError, UserSuspendedError,
  InvalidPayloadError, InvalidQueryError, InvalidPathParameterError, FailedValidationError,
  RecordNotUniqueError, NotNullViolationError, InvalidForeignKeyError, ValueTooLongError,
  ValueOutOfRangeError, RouteNotFoundError, UnsupportedMediaTypeError, UnprocessableContentError,
  RequestsExceededError, InternalServerError, ServiceUnavailableError,
  InvalidSettingsError, DatabaseLockedError, MigrationUnknownError, MigrationChangedError, MigrationFailedError,
] as unknown as readonly CairnErrorClass<never>[];

export function isCairnError(error: unknown): error is CairnError {
  return error instanceof CairnError;
}
