/**
 * Runtime settings from environment variables: parsed and validated in one
 * place, all problems reported at once. Pure: takes the environment as an
 * argument so tests and the CLI can pass their own.
 */
import path from 'node:path';
import { InvalidSettingsError } from '../errors/index.ts';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Settings {
  port: number;
  host: string;
  /** postgres:// URL, `memory://` for an in-memory PGlite, or undefined for PGlite in `<dataDir>/data`. */
  databaseUrl: string | undefined;
  databasePoolMax: number;
  /** Absolute path of the directory holding the embedded database and the generated secret. */
  dataDir: string;
  /** undefined until resolved by `resolveSecret` (generated and stored when absent). */
  secret: string | undefined;
  adminEmail: string | undefined;
  adminPassword: string | undefined;
  /** Start-up stores it as a static token of the admin user (services/admin-token.ts); authentication knows no other admin. */
  adminToken: string | undefined;
  logLevel: LogLevel;
  auth: AuthSettings;
  audit: AuditWriterSettings;
  graphql: GraphqlSettings;
  flows: FlowSettings;
}

/** The flow engine (docs/flows.md). Durations are in milliseconds. */
export interface FlowSettings {
  /** FLOW_LOGS_RETENTION: runs older than this are deleted from cairn_flow_runs. */
  logRetention: number;
  /** FLOWS_REQUEST_TIMEOUT: a `request` operation gives up after this long. */
  requestTimeout: number;
  /** FLOWS_REQUEST_MAX_BYTES: a longer response body fails the `request` operation. */
  requestMaxBytes: number;
  /** FLOWS_MAX_DEPTH: how deep flows may start flows (trigger-flow, item writes with emitEvents). */
  maxDepth: number;
  /**
   * The environment `$env` reads from: a flow sees only the names its file
   * references, and never Cairn's own secrets (FLOW_ENV_DENIED).
   */
  env: Readonly<Record<string, string>>;
}

/** Cairn's own secrets: no flow reads them through `$env`, whatever its file says. */
export const FLOW_ENV_DENIED: readonly string[] = ['SECRET', 'DATABASE_URL', 'ADMIN_TOKEN', 'ADMIN_PASSWORD'];

/** What one GraphQL document may ask for (docs/graphql.md). */
export interface GraphqlSettings {
  /** GRAPHQL_INTROSPECTION: false refuses `__schema` and `__type`. */
  introspection: boolean;
  /** Directus's GRAPHQL_QUERY_TOKEN_LIMIT. */
  tokenLimit: number;
  maxDepth: number;
  maxComplexity: number;
  maxRootFields: number;
}

/** The audit writer (docs/audit.md). */
export interface AuditWriterSettings {
  /**
   * Test/diagnostic fault hook (CAIRN_AUDIT_PAUSE_AFTER_COMMIT_MS): after a
   * commit moves the branch, sleep this long before marking its outbox row,
   * so a test can kill the server in between. 0 (the default) in production.
   */
  pauseAfterCommitMs: number;
}

/** Tokens, cookies and login limits (docs/auth.md). Durations are in milliseconds. */
export interface AuthSettings {
  accessTokenTtl: number;
  refreshTokenTtl: number;
  sessionTtl: number;
  refreshCookie: CookieSettings;
  sessionCookie: CookieSettings;
  /** Login attempts one client address may make per window (per server process). */
  loginLimitPerIp: number;
  /** Failed logins one email may collect per window (per server process). */
  loginLimitPerEmail: number;
  loginLimitWindow: number;
}

export interface CookieSettings {
  name: string;
  secure: boolean;
  domain: string | undefined;
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `900000` (milliseconds), or a number with a unit: `500ms`, `30s`, `15m`, `2h`, `7d`, `1w`. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?$/i.exec(text.trim());
  if (!match) return undefined;
  const ms = Math.round(Number(match[1]) * DURATION_UNITS[(match[2] ?? 'ms').toLowerCase()]!);
  return Number.isSafeInteger(ms) ? ms : undefined;
}

type Env = Readonly<Record<string, string | undefined>>;

const EMAIL = /^[^\s@]+@[^\s@]+$/;
const MIN_SECRET_LENGTH = 32;

export function loadSettings(env: Env, cwd: string = process.cwd()): Settings {
  const problems: { variable: string; message: string }[] = [];
  const value = (name: string): string | undefined => {
    const raw = env[name];
    return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
  };
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = value(name);
    if (raw === undefined) return fallback;
    const parsed = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
      problems.push({ variable: name, message: `expected a whole number from ${min} to ${max}, got "${raw}"` });
      return fallback;
    }
    return parsed;
  };

  const duration = (name: string, fallback: string): number => {
    const raw = value(name) ?? fallback;
    const parsed = parseDuration(raw);
    // Past 2^31-1 ms the SDK's refresh timer and cookie maxAge overflow; a year is more than enough anyway.
    if (parsed === undefined || parsed < 1000 || parsed > 366 * DURATION_UNITS.d!) {
      problems.push({ variable: name, message: `expected a duration from 1s to 366d such as 900000, 15m or 7d, got "${raw}"` });
      return parseDuration(fallback)!;
    }
    return parsed;
  };
  const boolean = (name: string, fallback: boolean): boolean => {
    const raw = value(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['true', '1', 'yes'].includes(raw)) return true;
    if (['false', '0', 'no'].includes(raw)) return false;
    problems.push({ variable: name, message: `expected true or false, got "${raw}"` });
    return fallback;
  };
  const cookieName = (name: string, fallback: string): string => {
    const raw = value(name) ?? fallback;
    // RFC 6265 token characters only, so the name never needs quoting or breaks the header.
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(raw)) {
      problems.push({ variable: name, message: `"${raw}" is not a valid cookie name` });
      return fallback;
    }
    return raw;
  };

  const databaseUrl = value('DATABASE_URL');
  if (databaseUrl !== undefined && !/^(postgres|postgresql):\/\/./.test(databaseUrl) && databaseUrl !== 'memory://') {
    problems.push({
      variable: 'DATABASE_URL',
      message: 'expected postgres://user@host:port/database, or memory:// for a throw-away embedded database',
    });
  }

  const logLevel = (value('LOG_LEVEL') ?? 'info').toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    problems.push({ variable: 'LOG_LEVEL', message: `expected one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"` });
  }

  const secret = value('SECRET');
  if (secret !== undefined && secret.length < MIN_SECRET_LENGTH) {
    problems.push({ variable: 'SECRET', message: `must be at least ${MIN_SECRET_LENGTH} characters long` });
  }

  const adminEmail = value('ADMIN_EMAIL');
  if (adminEmail !== undefined && !EMAIL.test(adminEmail)) {
    problems.push({ variable: 'ADMIN_EMAIL', message: `"${adminEmail}" is not an email address` });
  }
  const adminPassword = env.ADMIN_PASSWORD === '' ? undefined : env.ADMIN_PASSWORD;
  if (adminPassword !== undefined && adminPassword.length < 8) {
    problems.push({ variable: 'ADMIN_PASSWORD', message: 'must be at least 8 characters long' });
  }

  const adminToken = value('ADMIN_TOKEN');
  if (adminToken !== undefined && adminToken.length < 16) {
    problems.push({ variable: 'ADMIN_TOKEN', message: 'must be at least 16 characters long' });
  }

  const settings: Settings = {
    port: integer('PORT', 8055, 0, 65535),
    host: value('HOST') ?? '0.0.0.0',
    databaseUrl,
    databasePoolMax: integer('DATABASE_POOL_MAX', 10, 1, 1000),
    dataDir: path.resolve(cwd, value('CAIRN_DATA_DIR') ?? '.cairn'),
    secret,
    adminEmail,
    adminPassword,
    adminToken,
    logLevel: logLevel as LogLevel,
    auth: {
      accessTokenTtl: duration('ACCESS_TOKEN_TTL', '15m'),
      refreshTokenTtl: duration('REFRESH_TOKEN_TTL', '7d'),
      sessionTtl: duration('SESSION_TTL', '1d'),
      refreshCookie: {
        name: cookieName('REFRESH_TOKEN_COOKIE_NAME', 'cairn_refresh_token'),
        secure: boolean('REFRESH_TOKEN_COOKIE_SECURE', false),
        domain: value('REFRESH_TOKEN_COOKIE_DOMAIN'),
      },
      sessionCookie: {
        name: cookieName('SESSION_COOKIE_NAME', 'cairn_session_token'),
        secure: boolean('SESSION_COOKIE_SECURE', false),
        domain: value('SESSION_COOKIE_DOMAIN'),
      },
      loginLimitPerIp: integer('LOGIN_RATE_LIMIT_PER_IP', 50, 1, 1_000_000),
      loginLimitPerEmail: integer('LOGIN_RATE_LIMIT_PER_EMAIL', 10, 1, 1_000_000),
      loginLimitWindow: duration('LOGIN_RATE_LIMIT_WINDOW', '15m'),
    },
    audit: {
      pauseAfterCommitMs: integer('CAIRN_AUDIT_PAUSE_AFTER_COMMIT_MS', 0, 0, 3_600_000),
    },
    graphql: {
      introspection: boolean('GRAPHQL_INTROSPECTION', true),
      tokenLimit: integer('GRAPHQL_QUERY_TOKEN_LIMIT', 5000, 1, 1_000_000),
      maxDepth: integer('GRAPHQL_MAX_DEPTH', 12, 1, 1000),
      maxComplexity: integer('GRAPHQL_MAX_COMPLEXITY', 1000, 1, 1_000_000),
      maxRootFields: integer('GRAPHQL_MAX_ROOT_FIELDS', 25, 1, 1000),
    },
    flows: {
      logRetention: duration('FLOW_LOGS_RETENTION', '90d'),
      requestTimeout: duration('FLOWS_REQUEST_TIMEOUT', '10s'),
      requestMaxBytes: integer('FLOWS_REQUEST_MAX_BYTES', 1024 * 1024, 1, 1024 * 1024 * 1024),
      maxDepth: integer('FLOWS_MAX_DEPTH', 10, 1, 100),
      env: Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && !FLOW_ENV_DENIED.includes(entry[0]))),
    },
  };
  if (settings.auth.refreshCookie.name === settings.auth.sessionCookie.name) {
    problems.push({ variable: 'SESSION_COOKIE_NAME', message: 'must differ from REFRESH_TOKEN_COOKIE_NAME' });
  }
  if (problems.length > 0) throw new InvalidSettingsError({ problems });
  return settings;
}

/** The URL a person should open: wildcard hosts are shown as localhost. */
export function publicUrl(host: string, port: number): string {
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${shown}:${port}`;
}
