/** /users (admin CRUD, /users/me), static tokens, and the read-only /roles, /policies, /permissions. */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../../src/api/index.ts';
import type { Context } from '../../../src/context/index.ts';
import { bootstrapAdmin } from '../../../src/services/index.ts';
import { createUser } from '../../helpers/auth.ts';
import { applyTemplate } from '../../helpers/template.ts';
import { createTestContext } from '../../helpers/test-context.ts';
import { testBackends, type TestDatabase } from '../../helpers/test-databases.ts';

const PASSWORD = 'correct horse battery';
const STATIC = 'a-static-token-for-the-users-tests';

describe.each(testBackends)('users, tokens and access on $name', ({ name }) => {
  let context: Context;
  let database: TestDatabase;
  let server: FastifyInstance;
  let admin: Record<string, string>;
  let editor: Record<string, string>;
  let editorId: string;

  beforeAll(async () => {
    ({ context, database } = await createTestContext(name));
    await applyTemplate(context.db);
    await context.models.reload();
    await bootstrapAdmin(context.db, { email: 'admin@example.org', password: PASSWORD });
    editorId = await createUser(context, { email: 'editor@example.org', password: PASSWORD, role: 'editor' });
    server = buildServer(context);
    await server.ready();
    const tokenOf = async (email: string) => {
      const response = await server.inject({ method: 'POST', url: '/auth/login', payload: { email, password: PASSWORD } });
      return { authorization: `Bearer ${response.json().data.access_token}` };
    };
    admin = await tokenOf('admin@example.org');
    editor = await tokenOf('editor@example.org');
  });
  afterAll(async () => {
    await server.close();
    await database.drop();
  });

  const call = (method: string, url: string, headers: Record<string, string> = {}, payload?: unknown) =>
    server.inject({ method: method as 'GET', url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
  const codeOf = (response: { json(): { errors: { extensions: { code: string } }[] } }) => response.json().errors[0]!.extensions.code;

  it('admins list and read users with the query language; passwords read concealed, never as a hash', async () => {
    const list = await call('GET', '/users?fields=email,password,role&sort=email&filter[role][_eq]=editor', admin);
    expect(list.statusCode).toBe(200);
    expect(list.json()).toEqual({ data: [{ email: 'editor@example.org', password: '**********', role: 'editor' }] });
    const one = await call('GET', `/users/${editorId}`, admin);
    expect(one.json().data).toMatchObject({ id: editorId, email: 'editor@example.org', status: 'active', policies: [], token: null });
    expect(one.body).not.toContain('argon2');
    expect(codeOf(await call('GET', '/users/00000000-0000-4000-8000-000000000000', admin))).toBe('FORBIDDEN');
  });

  it('admins create, update and delete users; passwords are stored as argon2id hashes', async () => {
    const created = await call('POST', '/users?fields=id,email,role,first_name', admin, { email: 'new@example.org', password: 'secret password', role: 'viewer', first_name: 'New' });
    expect(created.statusCode).toBe(200);
    const id = created.json().data.id;
    expect(created.json().data).toEqual({ id, email: 'new@example.org', role: 'viewer', first_name: 'New' });
    const row = await context.db.knex('cairn_users').where({ id }).first();
    expect(row.password).toMatch(/^\$argon2id\$/);
    expect(JSON.stringify(row)).not.toContain('secret password');
    expect((await call('POST', '/auth/login', {}, { email: 'new@example.org', password: 'secret password' })).statusCode).toBe(200);

    const patched = await call('PATCH', `/users/${id}?fields=last_name,policies`, admin, { last_name: 'Comer', policies: ['editor'] });
    expect(patched.json()).toEqual({ data: { last_name: 'Comer', policies: ['editor'] } });
    const many = await call('POST', '/users?fields=email', admin, [{ email: 'a@example.org' }, { email: 'b@example.org' }]);
    expect(many.json().data.map((user: { email: string }) => user.email).sort()).toEqual(['a@example.org', 'b@example.org']);

    expect((await call('DELETE', `/users/${id}`, admin)).statusCode).toBe(204);
    expect(codeOf(await call('GET', `/users/${id}`, admin))).toBe('FORBIDDEN');
    expect((await context.db.knex('cairn_activity').where({ collection: 'cairn_users', item: id }).select('action')).map((a) => a.action)).toEqual(
      expect.arrayContaining(['create', 'update', 'delete']),
    );
  });

  it('refuses duplicate emails whatever their case, unknown roles and policies, and unknown fields', async () => {
    const duplicate = await call('POST', '/users', admin, { email: 'EDITOR@example.org' });
    expect([duplicate.statusCode, duplicate.json().errors[0].extensions]).toEqual([400, expect.objectContaining({ code: 'RECORD_NOT_UNIQUE', field: 'email' })]);
    const role = await call('POST', '/users', admin, { email: 'r@example.org', role: 'wizard' });
    expect([role.statusCode, codeOf(role)]).toEqual([400, 'INVALID_PAYLOAD']);
    expect(role.json().errors[0].message).toContain('"role"');
    expect(codeOf(await call('POST', '/users', admin, { email: 'p@example.org', policies: ['nope'] }))).toBe('INVALID_PAYLOAD');
    expect(codeOf(await call('POST', '/users', admin, { email: 'f@example.org', last_access: 'now' }))).toBe('INVALID_PAYLOAD');
    expect((await call('POST', '/users', admin, { email: 'adm@example.org', role: 'administrator' })).statusCode).toBe(200);
  });

  it('refuses /users to non-admins (403) and to the public', async () => {
    for (const [method, url] of [['GET', '/users'], ['GET', `/users/${editorId}`], ['POST', '/users'], ['PATCH', `/users/${editorId}`], ['DELETE', `/users/${editorId}`]]) {
      const response = await call(method!, url!, editor, method === 'GET' || method === 'DELETE' ? undefined : { first_name: 'x', email: 'x@example.org' });
      expect([response.statusCode, codeOf(response)], `${method} ${url}`).toEqual([403, 'FORBIDDEN']);
      expect(codeOf(await call(method!, url!, {}, method === 'GET' || method === 'DELETE' ? undefined : { email: 'x@example.org' }))).toBe('FORBIDDEN');
    }
  });

  it('/users/me: read and change your own names, email and password; nothing else; the public gets INVALID_CREDENTIALS', async () => {
    expect((await call('GET', '/users/me?fields=email,role', editor)).json()).toEqual({ data: { email: 'editor@example.org', role: 'editor' } });
    const renamed = await call('PATCH', '/users/me?fields=first_name', editor, { first_name: 'Edith' });
    expect(renamed.json()).toEqual({ data: { first_name: 'Edith' } });
    for (const field of ['role', 'policies', 'status', 'token']) {
      const response = await call('PATCH', '/users/me', editor, { [field]: field === 'policies' ? ['editor'] : field === 'role' ? 'administrator' : field === 'status' ? 'active' : STATIC });
      expect([response.statusCode, codeOf(response)], field).toEqual([403, 'FORBIDDEN']);
    }
    expect((await context.db.knex('cairn_users').where({ id: editorId }).first()).role).toBe('editor');
    expect((await call('PATCH', '/users/me', editor, { password: 'a new password' })).statusCode).toBe(200);
    expect((await call('POST', '/auth/login', {}, { email: 'editor@example.org', password: 'a new password' })).statusCode).toBe(200);
    const anonymous = await call('GET', '/users/me');
    expect([anonymous.statusCode, codeOf(anonymous)]).toEqual([401, 'INVALID_CREDENTIALS']);
  });

  it('static tokens: set through `token`, stored as a sha-256 hash only, replaced and removed, read as concealed', async () => {
    const id = await createUser(context, { email: 'robot@example.org', role: 'viewer' });
    const set = await call('PATCH', `/users/${id}?fields=token`, admin, { token: STATIC });
    expect(set.json()).toEqual({ data: { token: '**********' } });
    const tokens = await context.db.knex('cairn_tokens').where({ user_id: id });
    expect(tokens).toHaveLength(1);
    expect(tokens[0].token_hash).toBe(createHash('sha256').update(STATIC).digest('hex'));
    const everything = JSON.stringify([await context.db.knex('cairn_tokens'), await context.db.knex('cairn_users'), await context.db.knex('cairn_activity')]);
    expect(everything).not.toContain(STATIC);

    const byStatic = await call('GET', '/users/me?fields=email', { authorization: `Bearer ${STATIC}` });
    expect(byStatic.json()).toEqual({ data: { email: 'robot@example.org' } });
    expect((await context.db.knex('cairn_tokens').where({ user_id: id }).first()).last_used_at).not.toBeNull();

    await call('PATCH', `/users/${id}`, admin, { token: `${STATIC}-2` });
    expect(await context.db.knex('cairn_tokens').where({ user_id: id })).toHaveLength(1);
    expect(codeOf(await call('GET', '/users/me', { authorization: `Bearer ${STATIC}` }))).toBe('INVALID_CREDENTIALS');
    expect((await call('GET', '/users/me', { authorization: `Bearer ${STATIC}-2` })).statusCode).toBe(200);

    const removed = await call('PATCH', `/users/${id}?fields=token`, admin, { token: null });
    expect(removed.json()).toEqual({ data: { token: null } });
    expect(await context.db.knex('cairn_tokens').where({ user_id: id })).toEqual([]);
    expect(codeOf(await call('GET', '/users/me', { authorization: `Bearer ${STATIC}-2` }))).toBe('INVALID_CREDENTIALS');
  });

  it('refuses an expired static token and the token of a suspended user', async () => {
    const id = await createUser(context, { email: 'bot2@example.org', token: `${STATIC}-bot2` });
    const bearer = { authorization: `Bearer ${STATIC}-bot2` };
    expect((await call('GET', '/users/me', bearer)).statusCode).toBe(200);
    await call('PATCH', `/users/${id}`, admin, { status: 'suspended' });
    expect(codeOf(await call('GET', '/users/me', bearer))).toBe('INVALID_CREDENTIALS');
    await call('PATCH', `/users/${id}`, admin, { status: 'active' });
    expect((await call('GET', '/users/me', bearer)).statusCode).toBe(200);
    await context.db.knex('cairn_tokens').where({ user_id: id }).update({ expires_at: new Date(Date.now() - 1000) });
    context.identity.invalidate(id);
    expect(codeOf(await call('GET', '/users/me', bearer))).toBe('INVALID_CREDENTIALS');
  });

  it('serves roles, policies and permissions from the applied model: admins see all, others their own', async () => {
    const roles = (await call('GET', '/roles', admin)).json().data;
    expect(roles.map((role: { id: string }) => role.id).sort()).toEqual(['administrator', 'editor', 'viewer']);
    expect(roles.find((role: { id: string }) => role.id === 'editor')).toEqual({
      id: 'editor', name: 'editor', icon: null, description: 'Editorial staff', parent: 'viewer', children: [], policies: ['editor:editor'], users: [editorId],
    });
    // A role's policies are its access rows, as in Directus: `policies.policy` reads the policy.
    expect((await call('GET', '/roles/editor?fields=policies.policy.name,policies.sort', admin)).json().data).toEqual({ policies: [{ policy: { name: 'editor' }, sort: 1 }] });
    // Only administrators reach users from roles.
    expect(codeOf(await call('GET', '/roles/editor?fields=users', editor))).toBe('FORBIDDEN');
    expect((await call('GET', '/roles', editor)).json().data.map((role: { id: string }) => role.id).sort()).toEqual(['editor', 'viewer']);
    expect((await call('GET', '/policies', editor)).json().data.map((policy: { id: string }) => policy.id).sort()).toEqual(['editor', 'viewer']);
    const publicPolicy = (await call('GET', '/policies/public', admin)).json().data;
    expect(publicPolicy).toMatchObject({ id: 'public', admin_access: false, app_access: false, public: true, ip_access: null });
    expect(codeOf(await call('GET', '/policies/public', editor))).toBe('FORBIDDEN');

    const read = (await call('GET', '/permissions/editor:articles:update', admin)).json().data;
    expect(read).toEqual({
      id: 'editor:articles:update', policy: 'editor', collection: 'articles', action: 'update',
      fields: expect.arrayContaining(['title', 'body']), permissions: { user_created: { _eq: '$CURRENT_USER' } }, validation: null, presets: null,
    });
    const mine = (await call('GET', '/permissions/me', editor)).json().data;
    expect(new Set(mine.map((row: { policy: string }) => row.policy))).toEqual(new Set(['editor', 'viewer']));
    expect((await call('GET', '/permissions', editor)).json().data).toEqual(mine);
    expect((await call('GET', '/permissions/me', admin)).json().data).toEqual([]);
  });

  it('answers every write to config (roles, policies, access, permissions, collections, fields, relations) with FORBIDDEN pointing at the config repository', async () => {
    for (const kind of ['roles', 'policies', 'access', 'permissions', 'collections', 'fields', 'relations']) {
      for (const [method, url] of [['POST', `/${kind}`], ['PATCH', `/${kind}/editor`], ['PATCH', `/${kind}`], ['DELETE', `/${kind}/editor`]]) {
        const response = await call(method!, url!, admin, method === 'DELETE' ? undefined : { name: 'x' });
        expect([response.statusCode, codeOf(response)], `${method} ${url}`).toEqual([403, 'FORBIDDEN']);
        expect(response.json().errors[0].message).toContain('config git repository');
      }
    }
  });
});
