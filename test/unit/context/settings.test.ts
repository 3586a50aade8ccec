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
    });
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
