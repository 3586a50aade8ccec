/**
 * /graphql/system: every root field answers what the matching REST route
 * answers for the same caller (compared with REST calls on the same server),
 * a content version's whole life over GraphQL, auth_* with REST's tokens,
 * refusals and limits, and the endpoint's HTTP rules (400, 200 + errors, 405).
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../../src/api/index.ts';
import type { Context } from '../../../src/context/index.ts';
import { createUser } from '../../helpers/auth.ts';
import { applyTemplate } from '../../helpers/template.ts';
import { createTestContext } from '../../helpers/test-context.ts';
import { testBackends, type TestDatabase } from '../../helpers/test-databases.ts';

const ADMIN_TOKEN = 'graphql-system-admin-token-for-tests';
const PASSWORD = 'correct horse battery';

type Row = Record<string, unknown>;
type Token = string | null;

describe.each(testBackends)('GraphQL /graphql/system on $name', ({ name }) => {
  let context: Context;
  let database: TestDatabase;
  let server: FastifyInstance;
  let editor: string;
  let viewer: string;
  let published: number;
  let draft: number;

  const rest = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, token: Token = ADMIN_TOKEN, payload?: unknown) =>
    server.inject({ method, url, headers: token === null ? {} : { authorization: `Bearer ${token}` }, ...(payload === undefined ? {} : { payload: payload as Row }) });
  const gql = (query: string, variables: Row = {}, token: Token = ADMIN_TOKEN, headers: Record<string, string> = {}) =>
    server.inject({ method: 'POST', url: '/graphql/system', headers: { ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...headers }, payload: { query, variables } });
  /** The data of a GraphQL answer that must have no errors. */
  const dataOf = (response: LightMyRequestResponse): Row => {
    expect(response.statusCode).toBe(200);
    expect(response.json().errors).toBeUndefined();
    return response.json().data as Row;
  };
  const codeOf = (response: LightMyRequestResponse): string => response.json().errors?.[0]?.extensions?.code;
  /** REST rows as GraphQL shows them: keys are IDs (strings). */
  const idsAsStrings = (rows: Row[], fields: string[] = ['id']) => rows.map((row) => ({ ...row, ...Object.fromEntries(fields.map((field) => [field, row[field] === null ? null : String(row[field])])) }));
  const tokenOf = async (email: string) => {
    const response = await server.inject({ method: 'POST', url: '/auth/login', payload: { email, password: PASSWORD } });
    expect(response.statusCode).toBe(200);
    return response.json().data.access_token as string;
  };

  beforeAll(async () => {
    ({ context, database } = await createTestContext(name, { env: { ADMIN_TOKEN, LOGIN_RATE_LIMIT_PER_EMAIL: '3', LOGIN_RATE_LIMIT_PER_IP: '1000' } }));
    await applyTemplate(context.db);
    await context.models.reload();
    server = buildServer(context);
    await server.ready();
    await createUser(context, { email: 'editor@example.org', password: PASSWORD, role: 'editor', first_name: 'Ed' });
    await createUser(context, { email: 'viewer@example.org', password: PASSWORD, role: 'viewer', first_name: 'Vi' });
    await createUser(context, { email: 'limited@example.org', password: PASSWORD, role: 'viewer' });
    editor = await tokenOf('editor@example.org');
    viewer = await tokenOf('viewer@example.org');
    published = (await rest('POST', '/items/articles', editor, { title: 'Published', status: 'published' })).json().data.id;
    draft = (await rest('POST', '/items/articles', editor, { title: 'Secret draft', status: 'draft' })).json().data.id;
    await rest('PATCH', `/items/articles/${published}`, editor, { body: 'edited' });
  });
  afterAll(async () => {
    await server.close();
    await database.drop();
  });

  describe('reads: the same answers as REST for the same caller', () => {
    it('revisions and activity, masked for a viewer as REST masks them', async () => {
      const fields = 'id,collection,item,data,delta,version';
      for (const token of [ADMIN_TOKEN, viewer]) {
        const graphql = dataOf(await gql(`{ revisions(sort: ["id"], limit: -1) { id collection item data delta version activity { action } } }`, {}, token)).revisions;
        const restRows = (await rest('GET', `/revisions?fields=${fields},activity.action&sort=id&limit=-1`, token)).json().data as Row[];
        expect(graphql).toEqual(idsAsStrings(restRows));
        const activity = dataOf(await gql('{ activity(sort: ["-id"], limit: 5, filter: { collection: { _eq: "articles" } }) { id action collection item user } }', {}, token)).activity;
        const restActivity = (await rest('GET', '/activity?fields=id,action,collection,item,user&sort=-id&limit=5&filter[collection][_eq]=articles', token)).json().data as Row[];
        expect(activity).toEqual(idsAsStrings(restActivity));
      }
      // The masking is real: the admin sees the draft's history, the viewer does not.
      const items = async (token: string) => (dataOf(await gql('{ revisions(limit: -1) { item } }', {}, token)).revisions as Row[]).map((row) => row.item);
      expect(await items(ADMIN_TOKEN)).toContain(String(draft));
      expect(await items(viewer)).not.toContain(String(draft));
      expect(await items(viewer)).toContain(String(published));
    });

    it('by id: what REST reads, and FORBIDDEN (HTTP 200, errors[]) where REST answers 403', async () => {
      const [draftRevision] = (await rest('GET', `/revisions?fields=id&filter[item][_eq]=${draft}&filter[collection][_eq]=articles`)).json().data as Row[];
      const byAdmin = dataOf(await gql('query R($id: ID!) { revisions_by_id(id: $id) { id item activity { id action } } }', { id: String(draftRevision!.id) }));
      const restOne = (await rest('GET', `/revisions/${draftRevision!.id}?fields=id,item,activity.id,activity.action`)).json().data as Row;
      expect(byAdmin.revisions_by_id).toEqual({ ...restOne, id: String(restOne.id), activity: { ...(restOne.activity as Row), id: String((restOne.activity as Row).id) } });

      const restRefused = await rest('GET', `/revisions/${draftRevision!.id}`, viewer);
      const refused = await gql('query R($id: ID!) { revisions_by_id(id: $id) { id } }', { id: String(draftRevision!.id) }, viewer);
      expect(restRefused.statusCode).toBe(403);
      expect([refused.statusCode, refused.json().data.revisions_by_id, codeOf(refused)]).toEqual([200, null, restRefused.json().errors[0].extensions.code]);

      const [activityRow] = (await rest('GET', '/activity?fields=id,action&sort=id&limit=1')).json().data as Row[];
      const activity = dataOf(await gql(`{ activity_by_id(id: "${activityRow!.id}") { id action } }`));
      expect(activity.activity_by_id).toEqual(idsAsStrings([activityRow!])[0]);
    });

    it('users for administrators only, users_me for whoever is signed in', async () => {
      const users = dataOf(await gql('{ users(sort: ["email"]) { id email role first_name password token } }')).users;
      expect(users).toEqual((await rest('GET', '/users?fields=id,email,role,first_name,password,token&sort=email')).json().data);
      expect((users as Row[]).map((user) => user.email)).toContain('viewer@example.org');
      const id = (users as Row[]).find((user) => user.email === 'editor@example.org')!.id as string;
      expect(dataOf(await gql(`{ users_by_id(id: "${id}") { email status } }`)).users_by_id).toEqual((await rest('GET', `/users/${id}?fields=email,status`)).json().data);

      const restForbidden = await rest('GET', '/users', viewer);
      const forbidden = await gql('{ users { id } }', {}, viewer);
      expect(restForbidden.statusCode).toBe(403);
      expect([forbidden.statusCode, forbidden.json().data, codeOf(forbidden)]).toEqual([200, null, 'FORBIDDEN']);
      expect(codeOf(await gql(`{ users_by_id(id: "${id}") { id } }`, {}, viewer))).toBe('FORBIDDEN');

      const me = dataOf(await gql('{ users_me { id email role first_name } }', {}, viewer)).users_me;
      expect(me).toEqual((await rest('GET', '/users/me?fields=id,email,role,first_name', viewer)).json().data);
      expect(me).toMatchObject({ email: 'viewer@example.org', role: 'viewer' });
      // The public has no "me": REST's answer (INVALID_CREDENTIALS), in errors[].
      const restPublic = await rest('GET', '/users/me', null);
      const publicMe = await gql('{ users_me { id } }', {}, null);
      expect([publicMe.statusCode, publicMe.json().data.users_me, codeOf(publicMe)]).toEqual([200, null, restPublic.json().errors[0].extensions.code]);
      expect(codeOf(publicMe)).toBe('INVALID_CREDENTIALS');
    });

    it('update_users_me changes what PATCH /users/me may change, and refuses the rest as it does', async () => {
      const changed = dataOf(await gql('mutation { update_users_me(data: { first_name: "Violet" }) { first_name email } }', {}, viewer)).update_users_me;
      expect(changed).toEqual({ first_name: 'Violet', email: 'viewer@example.org' });
      expect((await rest('GET', '/users/me?fields=first_name', viewer)).json().data).toEqual({ first_name: 'Violet' });

      const restRefused = await rest('PATCH', '/users/me', viewer, { role: 'editor' });
      const refused = await gql('mutation { update_users_me(data: { role: "editor" }) { role } }', {}, viewer);
      expect(restRefused.statusCode).toBe(403);
      expect([refused.json().data.update_users_me, codeOf(refused), refused.json().errors[0].message]).toEqual([null, 'FORBIDDEN', restRefused.json().errors[0].message]);
      expect((await rest('GET', '/users/me?fields=role', viewer)).json().data).toEqual({ role: 'viewer' });
      expect(codeOf(await gql('mutation { update_users_me(data: { first_name: "Nobody" }) { id } }', {}, null))).toBe('INVALID_CREDENTIALS');
    });

    it('roles, policies, permissions and permissions_me as REST serves them', async () => {
      const query = `{
        roles { id name icon description parent { id } children { id } policies { id } }
        policies { id name icon description ip_access enforce_tfa admin_access app_access public roles { id } permissions { id } }
        permissions { id policy { id } collection action fields permissions validation presets }
        permissions_me
      }`;
      for (const token of [ADMIN_TOKEN, viewer, null]) {
        const data = dataOf(await gql(query, {}, token));
        expect(data.roles).toEqual((await rest('GET', '/roles?fields=id,name,icon,description,parent.id,children.id,policies.id', token)).json().data);
        expect(data.policies).toEqual((await rest('GET', '/policies?fields=*,roles.id,permissions.id', token)).json().data);
        expect(data.permissions).toEqual((await rest('GET', '/permissions?fields=*,policy.id', token)).json().data);
        expect(data.permissions_me).toEqual((await rest('GET', '/permissions/me', token)).json().data);
      }
      const viewerRoles = dataOf(await gql('{ roles { id } }', {}, viewer)).roles;
      expect(viewerRoles).toEqual([{ id: 'viewer' }]);
      expect(dataOf(await gql('{ roles_by_id(id: "viewer") { name policies { policy { name } } } }', {}, viewer)).roles_by_id).toEqual({ name: 'viewer', policies: [{ policy: { name: 'viewer' } }] });
      expect(codeOf(await gql('{ roles_by_id(id: "editor") { name } }', {}, viewer))).toBe((await rest('GET', '/roles/editor', viewer)).json().errors[0].extensions.code);
      expect(dataOf(await gql('{ policies_by_id(id: "viewer") { name } permissions_by_id(id: "viewer:comments:create") { action } }', {}, viewer))).toEqual({
        policies_by_id: { name: 'viewer' },
        permissions_by_id: { action: 'create' },
      });
    });

    it('roles_me and policies_me_globals: the caller\'s own', async () => {
      // The editor's role has the viewer's as its parent: both are the editor's.
      expect(dataOf(await gql('{ roles_me { id } policies_me_globals { admin_access app_access enforce_tfa } }', {}, editor))).toEqual({
        roles_me: [{ id: 'editor' }, { id: 'viewer' }],
        policies_me_globals: { admin_access: false, app_access: true, enforce_tfa: false },
      });
      expect(dataOf(await gql('{ roles_me { id } policies_me_globals { admin_access } }', {}, ADMIN_TOKEN))).toEqual({ roles_me: [{ id: 'administrator' }], policies_me_globals: { admin_access: true } });
      expect(dataOf(await gql('{ roles_me { id } policies_me_globals { app_access } }', {}, null))).toEqual({ roles_me: [], policies_me_globals: { app_access: false } });
    });

    it('the caller\'s schema as SDL: server_specs_graphql and GET /server/specs/graphql[/system]', async () => {
      const items = await rest('GET', '/server/specs/graphql', viewer);
      expect(items.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(items.headers['content-disposition']).toBe('attachment; filename="schema.graphql"');
      expect(items.body).toContain('type articles {');
      expect(items.body).toContain('articles_filter');
      // The viewer's schema: authors without their email, no mutations it may not use.
      expect(items.body).not.toContain('email');
      expect(items.body).not.toContain('create_articles_item');
      expect((await rest('GET', '/server/specs/graphql', ADMIN_TOKEN)).body).toContain('create_articles_item');
      expect(dataOf(await gql('{ server_specs_graphql }', {}, viewer)).server_specs_graphql).toBe(items.body);
      const system = await rest('GET', '/server/specs/graphql/system', null);
      expect(system.body).toContain('type directus_versions');
      expect(dataOf(await gql('{ server_specs_graphql(scope: system) }', {}, null)).server_specs_graphql).toBe(system.body);
      expect((await rest('GET', '/server/specs/graphql/nope', ADMIN_TOKEN)).statusCode).toBe(404);
    });

    it('server_ping, server_info and server_health', async () => {
      const data = dataOf(await gql('{ server_ping server_info server_health }', {}, null));
      expect(data.server_ping).toBe((await server.inject({ method: 'GET', url: '/server/ping' })).body);
      expect(data.server_info).toEqual((await rest('GET', '/server/info', null)).json().data);
      expect((data.server_info as { cairn: { collections: string[] } }).cairn.collections).toContain('articles');
      const health = (await rest('GET', '/server/health', null)).json();
      // The round trip time differs from call to call; everything else is the same.
      const withoutTimes = (report: { checks: Record<string, Row[]> }) => ({ ...report, checks: Object.fromEntries(Object.entries(report.checks).map(([key, checks]) => [key, checks.map(({ observedValue: _, ...rest }) => rest)])) });
      expect(withoutTimes(data.server_health as never)).toEqual(withoutTimes(health));
      expect(health.status).toBe('ok');
    });
  });

  describe('versions', () => {
    it('create, list, save, compare, promote (refused on a stale hash), update and delete, as REST does', async () => {
      const created = dataOf(await gql('mutation V($item: String!) { create_versions_item(data: { key: "draft", name: "Draft", collection: "articles", item: $item }) { id key name collection item hash } }', { item: String(published) }, editor))
        .create_versions_item as Row;
      const id = created.id as string;
      expect(created).toEqual((await rest('GET', `/versions/${id}?fields=id,key,name,collection,item,hash`, editor)).json().data);
      expect(created).toMatchObject({ key: 'draft', collection: 'articles', item: String(published) });
      const listed = dataOf(await gql('query L($item: String!) { versions(filter: { item: { _eq: $item } }) { id key delta } }', { item: String(published) }, editor)).versions;
      expect(listed).toEqual((await rest('GET', `/versions?fields=id,key,delta&filter[item][_eq]=${published}`, editor)).json().data);
      expect(listed).toHaveLength(1);
      // What the viewer may see of versions, as REST shows it.
      expect(dataOf(await gql('{ versions { id } }', {}, viewer)).versions).toEqual((await rest('GET', '/versions?fields=id', viewer)).json().data);

      const saved = dataOf(await gql('mutation S($id: ID!, $data: JSON!) { versions_save(id: $id, data: $data) }', { id, data: { title: 'Promoted title' } }, editor)).versions_save as Row;
      // A preview is written (and rolled back) at the time of the read: date_updated is the only difference.
      const preview = (await rest('GET', `/items/articles/${published}?version=draft`, editor)).json().data as Row;
      expect({ ...saved, date_updated: null }).toEqual({ ...preview, date_updated: null });
      expect(saved.title).toBe('Promoted title');
      expect((await rest('GET', `/items/articles/${published}?fields=title`, editor)).json().data).toEqual({ title: 'Published' });

      const compared = dataOf(await gql('query C($id: ID!) { versions_compare(id: $id) }', { id }, editor)).versions_compare as { mainHash: string; outdated: boolean };
      expect(compared).toEqual((await rest('GET', `/versions/${id}/compare`, editor)).json().data);
      expect(compared.outdated).toBe(false);

      // Main moves on: the hash compared before is stale.
      await rest('PATCH', `/items/articles/${published}`, editor, { body: 'moved on' });
      const stale = await gql('mutation P($id: ID!, $hash: String) { versions_promote(id: $id, mainHash: $hash) }', { id, hash: compared.mainHash }, editor);
      expect(stale.statusCode).toBe(200);
      expect([stale.json().data.versions_promote, codeOf(stale)]).toEqual([null, 'VERSION_HASH_MISMATCH']);
      expect((await rest('GET', `/items/articles/${published}?fields=title`, editor)).json().data).toEqual({ title: 'Published' });

      const fresh = dataOf(await gql('query C($id: ID!) { versions_compare(id: $id) }', { id }, editor)).versions_compare as { mainHash: string; outdated: boolean };
      expect(fresh.outdated).toBe(true);
      const promoted = dataOf(await gql('mutation P($id: ID!, $hash: String) { versions_promote(id: $id, mainHash: $hash) }', { id, hash: fresh.mainHash }, editor));
      expect(promoted.versions_promote).toBe(String(published));
      expect((await rest('GET', `/items/articles/${published}?fields=title,body`, editor)).json().data).toEqual({ title: 'Promoted title', body: 'moved on' });

      const renamed = dataOf(await gql('mutation U($id: ID!) { update_versions_item(id: $id, data: { name: "Renamed" }) { id name } }', { id }, editor)).update_versions_item;
      expect(renamed).toEqual({ id, name: 'Renamed' });
      expect((await rest('GET', `/versions/${id}?fields=name`, editor)).json().data).toEqual({ name: 'Renamed' });
      // Refusals are REST's: a viewer may not change the version of an item it may not update.
      const restRefused = await rest('PATCH', `/versions/${id}`, viewer, { name: 'Mine' });
      const refused = await gql('mutation U($id: ID!) { update_versions_item(id: $id, data: { name: "Mine" }) { id } }', { id }, viewer);
      expect(codeOf(refused)).toBe(restRefused.json().errors[0].extensions.code);
      expect(restRefused.statusCode).toBe(403);

      expect(dataOf(await gql('mutation D($id: ID!) { delete_versions_item(id: $id) { id } }', { id }, editor)).delete_versions_item).toEqual({ id });
      expect((await rest('GET', `/versions/${id}`, editor)).statusCode).toBe(403);
    });

    it('refuses a version of a collection without versioning as REST does (422)', async () => {
      const restRefused = await rest('POST', '/versions', ADMIN_TOKEN, { key: 'draft', collection: 'tags', item: '1' });
      const refused = await gql('mutation { create_versions_item(data: { key: "draft", collection: "tags", item: "1" }) { id } }');
      expect(restRefused.statusCode).toBe(422);
      expect([refused.statusCode, codeOf(refused), refused.json().errors[0].message]).toEqual([200, 'UNPROCESSABLE_CONTENT', restRefused.json().errors[0].message]);
    });
  });

  describe('auth', () => {
    const LOGIN = 'mutation L($email: String!, $password: String!, $mode: auth_mode) { auth_login(email: $email, password: $password, mode: $mode) { access_token refresh_token expires } }';
    const REFRESH = 'mutation R($token: String, $mode: auth_mode) { auth_refresh(refresh_token: $token, mode: $mode) { access_token refresh_token expires } }';
    const LOGOUT = 'mutation O($token: String, $mode: auth_mode) { auth_logout(refresh_token: $token, mode: $mode) }';
    type Tokens = { access_token: string | null; refresh_token: string | null; expires: string };

    it('auth_login hands out tokens that work as Bearer on /graphql, expires as REST (milliseconds, as a BigInt string)', async () => {
      const tokens = dataOf(await gql(LOGIN, { email: 'viewer@example.org', password: PASSWORD }, null)).auth_login as Tokens;
      const restLogin = (await server.inject({ method: 'POST', url: '/auth/login', payload: { email: 'viewer@example.org', password: PASSWORD } })).json().data;
      expect(tokens.expires).toBe(String(restLogin.expires));
      expect(tokens.refresh_token).toMatch(/^\S{32,}$/);
      const asViewer = await server.inject({ method: 'POST', url: '/graphql', headers: { authorization: `Bearer ${tokens.access_token}` }, payload: { query: '{ articles(sort: ["id"]) { title } }' } });
      expect(asViewer.json()).toEqual({ data: { articles: (await rest('GET', '/items/articles?fields=title&sort=id', viewer)).json().data } });
      expect(asViewer.json().data.articles).toHaveLength(1);
      const asAdmin = await server.inject({ method: 'POST', url: '/graphql', headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, payload: { query: '{ articles(sort: ["id"]) { title } }' } });
      expect(asAdmin.json().data.articles).toContainEqual({ title: 'Secret draft' });
    });

    it('a wrong password or an unknown email: INVALID_CREDENTIALS with HTTP 200, the same error as REST', async () => {
      for (const email of ['editor@example.org', 'nobody@example.org']) {
        const refused = await gql(LOGIN, { email, password: 'wrong password' }, null);
        const restRefused = await server.inject({ method: 'POST', url: '/auth/login', payload: { email, password: 'wrong password' } });
        expect(restRefused.statusCode).toBe(401);
        expect(refused.statusCode).toBe(200);
        expect(refused.json().data).toEqual({ auth_login: null });
        expect({ message: refused.json().errors[0].message, extensions: refused.json().errors[0].extensions }).toEqual(restRefused.json().errors[0]);
        expect(codeOf(refused)).toBe('INVALID_CREDENTIALS');
      }
      const badEmail = await gql(LOGIN, { email: 'not an email', password: 'x' }, null);
      expect(codeOf(badEmail)).toBe((await server.inject({ method: 'POST', url: '/auth/login', payload: { email: 'not an email', password: 'x' } })).json().errors[0].extensions.code);
    });

    it('failed logins over GraphQL and REST count against one limit', async () => {
      for (let attempt = 0; attempt < 3; attempt++) expect(codeOf(await gql(LOGIN, { email: 'limited@example.org', password: 'wrong' }, null))).toBe('INVALID_CREDENTIALS');
      const restLimited = await server.inject({ method: 'POST', url: '/auth/login', payload: { email: 'limited@example.org', password: PASSWORD } });
      expect([restLimited.statusCode, restLimited.json().errors[0].extensions.code]).toEqual([429, 'REQUESTS_EXCEEDED']);
      expect(codeOf(await gql(LOGIN, { email: 'limited@example.org', password: PASSWORD }, null))).toBe('REQUESTS_EXCEEDED');
    });

    it('auth_refresh rotates (the old refresh token is dead), auth_logout ends the session', async () => {
      const first = dataOf(await gql(LOGIN, { email: 'editor@example.org', password: PASSWORD }, null)).auth_login as Tokens;
      const second = dataOf(await gql(REFRESH, { token: first.refresh_token }, null)).auth_refresh as Tokens;
      expect(second.refresh_token).not.toBe(first.refresh_token);
      expect(dataOf(await gql('{ users_me { email } }', {}, second.access_token)).users_me).toEqual({ email: 'editor@example.org' });
      const reused = await gql(REFRESH, { token: first.refresh_token }, null);
      expect([reused.statusCode, reused.json().data.auth_refresh, codeOf(reused)]).toEqual([200, null, 'INVALID_CREDENTIALS']);

      const other = dataOf(await gql(LOGIN, { email: 'editor@example.org', password: PASSWORD }, null)).auth_login as Tokens;
      expect(dataOf(await gql(LOGOUT, { token: other.refresh_token }, null)).auth_logout).toBe(true);
      expect(codeOf(await gql(REFRESH, { token: other.refresh_token }, null))).toBe('INVALID_CREDENTIALS');
      // Without a token: REST's refusal.
      const missing = await gql(LOGOUT, {}, null);
      expect(codeOf(missing)).toBe('INVALID_PAYLOAD');
    });

    it('cookie and session modes set, read and clear the same cookies as /auth/*', async () => {
      const { refreshCookie, sessionCookie } = context.settings.auth;
      const cookieOf = (response: LightMyRequestResponse, cookie: string) => response.cookies.find((c) => c.name === cookie);

      const login = await gql(LOGIN, { email: 'editor@example.org', password: PASSWORD, mode: 'cookie' }, null);
      const tokens = dataOf(login).auth_login as Tokens;
      expect(tokens.refresh_token).toBeNull();
      expect(tokens.access_token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
      const refreshSet = cookieOf(login, refreshCookie.name);
      expect(refreshSet).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });

      const refreshed = await gql(REFRESH, { mode: 'cookie' }, null, { cookie: `${refreshCookie.name}=${refreshSet!.value}` });
      expect((dataOf(refreshed).auth_refresh as Tokens).access_token).toMatch(/\./);
      const rotated = cookieOf(refreshed, refreshCookie.name)!;
      expect(rotated.value).not.toBe(refreshSet!.value);

      const out = await gql(LOGOUT, { mode: 'cookie' }, null, { cookie: `${refreshCookie.name}=${rotated.value}` });
      expect(dataOf(out).auth_logout).toBe(true);
      expect(cookieOf(out, refreshCookie.name)?.value).toBe('');
      expect(codeOf(await gql(REFRESH, { mode: 'cookie' }, null, { cookie: `${refreshCookie.name}=${rotated.value}` }))).toBe('INVALID_CREDENTIALS');

      const session = await gql(LOGIN, { email: 'editor@example.org', password: PASSWORD, mode: 'session' }, null);
      expect(dataOf(session).auth_login).toMatchObject({ access_token: null, refresh_token: null });
      const sessionSet = cookieOf(session, sessionCookie.name)!;
      // The session cookie signs its holder in, as REST's does.
      const me = await server.inject({ method: 'GET', url: '/users/me?fields=email', headers: { cookie: `${sessionCookie.name}=${sessionSet.value}` } });
      expect(me.json().data).toEqual({ email: 'editor@example.org' });
    });
  });

  describe('the endpoint', () => {
    it('takes queries over GET, answers a mutation over GET and other methods with 405', async () => {
      const get = await server.inject({ method: 'GET', url: `/graphql/system?query=${encodeURIComponent('{ server_ping }')}` });
      expect(get.json()).toEqual({ data: { server_ping: 'pong' } });
      const mutation = await server.inject({ method: 'GET', url: `/graphql/system?query=${encodeURIComponent('mutation { auth_logout(refresh_token: "x") }')}` });
      expect([mutation.statusCode, mutation.json().errors[0].extensions, mutation.headers.allow]).toEqual([405, { allowed: ['POST'], current: 'GET', code: 'METHOD_NOT_ALLOWED' }, 'POST']);
      for (const url of ['/graphql', '/graphql/system']) {
        for (const method of ['PUT', 'PATCH', 'DELETE'] as const) {
          const response = await server.inject({ method, url, payload: { query: '{ server_ping }' } });
          expect([response.statusCode, response.json().errors[0].extensions.code, response.headers.allow], `${method} ${url}`).toEqual([405, 'METHOD_NOT_ALLOWED', 'GET, POST']);
        }
      }
    });

    it('validation errors are 400 GRAPHQL_VALIDATION, as on /graphql, with the 5,000 token limit', async () => {
      for (const query of ['{ users_me { no_such_field } }', '{ server_ping ', '{ articles { id } }', 'mutation { auth_login(email: "a@b.c") { expires } }']) {
        const response = await gql(query);
        expect([response.statusCode, codeOf(response)], query).toEqual([400, 'GRAPHQL_VALIDATION']);
      }
      const bomb = await gql(`{ ${Array.from({ length: 3000 }, (_, i) => `a${i}: server_ping`).join(' ')} }`);
      expect([bomb.statusCode, codeOf(bomb)]).toEqual([400, 'GRAPHQL_VALIDATION']);
      // Within the token limit, the root-field bound (GRAPHQL_MAX_ROOT_FIELDS, 25) applies here too.
      const fits = await gql(`{ ${Array.from({ length: 25 }, (_, i) => `a${i}: server_ping`).join(' ')} }`);
      expect(fits.json().data.a24).toBe('pong');
      const wide = await gql(`{ ${Array.from({ length: 1000 }, (_, i) => `a${i}: server_ping`).join(' ')} }`);
      expect([wide.statusCode, codeOf(wide)]).toEqual([400, 'GRAPHQL_VALIDATION']);
      expect(JSON.stringify(wide.json())).toContain('GRAPHQL_MAX_ROOT_FIELDS');
    });
  });
});
