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
  /** A static token that acts as the administrator (until users and tokens land, the way in for admin tools). */
  adminToken: string | undefined;
  logLevel: LogLevel;
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
  };
  if (problems.length > 0) throw new InvalidSettingsError({ problems });
  return settings;
}

/** The URL a person should open: wildcard hosts are shown as localhost. */
export function publicUrl(host: string, port: number): string {
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${shown}:${port}`;
}
