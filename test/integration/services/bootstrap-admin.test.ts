import { verify } from '@node-rs/argon2';
import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_ROLE, bootstrapAdmin, DEFAULT_ADMIN_EMAIL } from '../../../src/services/index.ts';
import { createTestDatabase, testBackends, type TestDatabase } from '../../helpers/test-databases.ts';

describe.each(testBackends)('bootstrapAdmin on $name', ({ name }) => {
  let database: TestDatabase;
  afterEach(() => database.drop());

  it('creates one admin with a generated password, stored as an argon2id hash', async () => {
    database = await createTestDatabase(name, { migrated: true });
    const created = await bootstrapAdmin(database.db, { email: undefined, password: undefined });
    expect(created?.email).toBe(DEFAULT_ADMIN_EMAIL);
    expect(created?.generatedPassword).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const users = await database.db.knex('cairn_users').select('email', 'password', 'role', 'status');
    expect(users).toHaveLength(1);
    expect(users[0]).toMatchObject({ email: DEFAULT_ADMIN_EMAIL, role: ADMIN_ROLE, status: 'active' });
    expect(users[0].password).toMatch(/^\$argon2id\$/);
    expect(await verify(users[0].password, created!.generatedPassword!)).toBe(true);
  });

  it('uses ADMIN_EMAIL/ADMIN_PASSWORD and reveals no password it did not make', async () => {
    database = await createTestDatabase(name, { migrated: true });
    const created = await bootstrapAdmin(database.db, { email: 'ops@example.org', password: 'correct horse battery' });
    expect(created).toEqual({ email: 'ops@example.org', generatedPassword: undefined });
    const [user] = await database.db.knex('cairn_users').select('password');
    expect(await verify(user.password, 'correct horse battery')).toBe(true);
  });

  it('does nothing once any user exists, even when started twice at once', async () => {
    database = await createTestDatabase(name, { migrated: true });
    const other = await database.reopen();
    const results = await Promise.all([
      bootstrapAdmin(database.db, { email: undefined, password: undefined }),
      bootstrapAdmin(other, { email: undefined, password: undefined }),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await bootstrapAdmin(database.db, { email: 'x@y.z', password: 'whatever1' })).toBeUndefined();
    expect(await database.db.knex('cairn_users').count({ n: '*' })).toEqual([{ n: '1' }]);
  });
});
