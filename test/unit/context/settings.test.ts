import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSettings, publicUrl } from '../../../src/context/index.ts';
import { InvalidSettingsError } from '../../../src/errors/index.ts';

describe('loadSettings', () => {
  it('fills in defaults for an empty environment', () => {
    const settings = loadSettings({}, '/srv/project');
    expect(settings).toEqual({
      port: 8055,
      host: '0.0.0.0',
      databaseUrl: undefined,
      databasePoolMax: 10,
      dataDir: path.resolve('/srv/project/.cairn'),
      secret: undefined,
      adminEmail: undefined,
      adminPassword: undefined,
      adminToken: undefined,
      logLevel: 'info',
      auth: {
        accessTokenTtl: 15 * 60_000,
        refreshTokenTtl: 7 * 86_400_000,
        sessionTtl: 86_400_000,
        refreshCookie: { name: 'cairn_refresh_token', secure: false, domain: undefined },
        sessionCookie: { name: 'cairn_session_token', secure: false, domain: undefined },
        loginLimitPerIp: 50,
        loginLimitPerEmail: 10,
        loginLimitWindow: 15 * 60_000,
      },
      audit: { pauseAfterCommitMs: 0 },
      graphql: { introspection: true, tokenLimit: 5000, maxDepth: 12, maxComplexity: 1000, maxRootFields: 25 },
      flows: { logRetention: 90 * 86_400_000, requestTimeout: 10_000, requestMaxBytes: 1024 * 1024, maxDepth: 10, env: {} },
    });
  });

  it("gives flows the environment without Cairn's own secrets, and reads their bounds", () => {
    const { flows } = loadSettings({ PUBLISH_HOOK_URL: 'http://hooks.test/', SECRET: 's'.repeat(40), ADMIN_TOKEN: 't'.repeat(20), DATABASE_URL: 'postgres://x@y/z', FLOWS_MAX_DEPTH: '3', FLOW_LOGS_RETENTION: '7d' });
    expect(Object.keys(flows.env).sort()).toEqual(['FLOWS_MAX_DEPTH', 'FLOW_LOGS_RETENTION', 'PUBLISH_HOOK_URL']);
    expect([flows.maxDepth, flows.logRetention]).toEqual([3, 7 * 86_400_000]);
    expect(() => loadSettings({ FLOWS_MAX_DEPTH: '0' })).toThrow(/FLOWS_MAX_DEPTH/);
  });

  it('reads the GraphQL bounds and reports bad ones together', () => {
    const { graphql } = loadSettings({ GRAPHQL_INTROSPECTION: 'false', GRAPHQL_QUERY_TOKEN_LIMIT: '800', GRAPHQL_MAX_DEPTH: '4', GRAPHQL_MAX_COMPLEXITY: '50', GRAPHQL_MAX_ROOT_FIELDS: '2' });
    expect(graphql).toEqual({ introspection: false, tokenLimit: 800, maxDepth: 4, maxComplexity: 50, maxRootFields: 2 });
    let caught: unknown;
    try {
      loadSettings({ GRAPHQL_INTROSPECTION: 'sometimes', GRAPHQL_MAX_DEPTH: '0', GRAPHQL_MAX_ROOT_FIELDS: 'many' });
    } catch (error) {
      caught = error;
    }
    expect((caught as InstanceType<typeof InvalidSettingsError>).details.problems.map((p) => p.variable).sort()).toEqual(['GRAPHQL_INTROSPECTION', 'GRAPHQL_MAX_DEPTH', 'GRAPHQL_MAX_ROOT_FIELDS']);
  });

  it('reads token lifetimes as milliseconds or with units, and the cookie and login-limit settings', () => {
    const { auth } = loadSettings({
      ACCESS_TOKEN_TTL: '90000',
      REFRESH_TOKEN_TTL: '2h',
      SESSION_TTL: '30s',
      REFRESH_TOKEN_COOKIE_NAME: 'rt',
      REFRESH_TOKEN_COOKIE_SECURE: 'true',
      SESSION_COOKIE_NAME: 'st',
      SESSION_COOKIE_DOMAIN: 'example.org',
      LOGIN_RATE_LIMIT_PER_IP: '3',
      LOGIN_RATE_LIMIT_PER_EMAIL: '2',
      LOGIN_RATE_LIMIT_WINDOW: '1m',
    });
    expect(auth).toEqual({
      accessTokenTtl: 90_000,
      refreshTokenTtl: 7_200_000,
      sessionTtl: 30_000,
      refreshCookie: { name: 'rt', secure: true, domain: undefined },
      sessionCookie: { name: 'st', secure: false, domain: 'example.org' },
      loginLimitPerIp: 3,
      loginLimitPerEmail: 2,
      loginLimitWindow: 60_000,
    });
  });

  it('reports bad durations, booleans, cookie names and clashing cookies together', () => {
    let caught: unknown;
    try {
      loadSettings({ ACCESS_TOKEN_TTL: 'soon', SESSION_TTL: '0', REFRESH_TOKEN_COOKIE_SECURE: 'maybe', SESSION_COOKIE_NAME: 'a b' });
    } catch (error) {
      caught = error;
    }
    const problems = (caught as InstanceType<typeof InvalidSettingsError>).details.problems.map((p) => p.variable).sort();
    expect(problems).toEqual(['ACCESS_TOKEN_TTL', 'REFRESH_TOKEN_COOKIE_SECURE', 'SESSION_COOKIE_NAME', 'SESSION_TTL']);
    expect(() => loadSettings({ SESSION_COOKIE_NAME: 'same', REFRESH_TOKEN_COOKIE_NAME: 'same' })).toThrow(/must differ/);
  });

  it('reads every variable', () => {
    const settings = loadSettings(
      {
        PORT: '9000',
        HOST: '127.0.0.1',
        DATABASE_URL: 'postgres://u:p@db:5432/cairn',
        DATABASE_POOL_MAX: '25',
        CAIRN_DATA_DIR: '/var/lib/cairn',
        SECRET: 'x'.repeat(40),
        ADMIN_EMAIL: 'ops@example.org',
        ADMIN_PASSWORD: 'correct horse',
        LOG_LEVEL: 'DEBUG',
      },
      '/ignored',
    );
    expect(settings).toMatchObject({
      port: 9000,
      host: '127.0.0.1',
      databaseUrl: 'postgres://u:p@db:5432/cairn',
      databasePoolMax: 25,
      dataDir: '/var/lib/cairn',
      adminEmail: 'ops@example.org',
      adminPassword: 'correct horse',
      logLevel: 'debug',
    });
  });

  it('accepts memory:// and postgresql:// database URLs', () => {
    expect(loadSettings({ DATABASE_URL: 'memory://' }).databaseUrl).toBe('memory://');
    expect(loadSettings({ DATABASE_URL: 'postgresql://h/db' }).databaseUrl).toBe('postgresql://h/db');
  });

  it('reports every bad variable at once, by name', () => {
    let caught: unknown;
    try {
      loadSettings({
        PORT: '80a',
        DATABASE_URL: 'mysql://localhost/x',
        LOG_LEVEL: 'loud',
        SECRET: 'short',
        ADMIN_EMAIL: 'not-an-email',
        ADMIN_PASSWORD: '123',
        ADMIN_TOKEN: 'short',
        DATABASE_POOL_MAX: '0',
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidSettingsError);
    const error = caught as InstanceType<typeof InvalidSettingsError>;
    expect(error.code).toBe('INVALID_SETTINGS');
    expect(error.details.problems.map((p) => p.variable).sort()).toEqual(
      ['ADMIN_EMAIL', 'ADMIN_PASSWORD', 'ADMIN_TOKEN', 'DATABASE_POOL_MAX', 'DATABASE_URL', 'LOG_LEVEL', 'PORT', 'SECRET'].sort(),
    );
    expect(error.message).toContain('PORT: expected a whole number from 0 to 65535, got "80a"');
  });

  it('rejects ports out of range', () => {
    expect(() => loadSettings({ PORT: '65536' })).toThrow(InvalidSettingsError);
    expect(loadSettings({ PORT: '0' }).port).toBe(0);
  });
});

describe('publicUrl', () => {
  it('shows wildcard hosts as localhost and brackets IPv6', () => {
    expect(publicUrl('0.0.0.0', 8055)).toBe('http://localhost:8055');
    expect(publicUrl('::', 1)).toBe('http://localhost:1');
    expect(publicUrl('::1', 2)).toBe('http://[::1]:2');
    expect(publicUrl('10.0.0.5', 3)).toBe('http://10.0.0.5:3');
  });
});
