/**
 * /utils/hash/*, /utils/random/string and /utils/sort/:collection over HTTP:
 * Directus's answers and error codes, and a sort that is an ordinary update
 * as the caller (permissions, activity and revisions, all or nothing).
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildServer } from '../../../src/api/index.ts';
import type { Context } from '../../../src/context/index.ts';
import type { Model } from '../../../src/model/index.ts';
import { bootstrapAdmin } from '../../../src/services/index.ts';
import { createUser } from '../../helpers/auth.ts';
import { modelOf } from '../../helpers/models.ts';
import { createTestContext, serveModel } from '../../helpers/test-context.ts';
import { testBackends, type TestDatabase } from '../../helpers/test-databases.ts';

const PASSWORD = 'correct horse battery';
type Headers = Record<string, string>;

describe.each(testBackends)('/utils on $name', ({ name }) => {
  let context: Context;
  let database: TestDatabase;
  let model: Model;
  let server: FastifyInstance;
  let admin: Headers;
  let sorter: Headers;
  let sorterId: string;
  let reader: Headers;
  let blind: Headers;
  let picky: Headers;

  beforeAll(async () => {
    ({ context, database } = await createTestContext(name));
    model = modelOf(
      {
        steps: { sortField: 'sort', fields: { title: { type: 'string' }, sort: { type: 'integer' } } },
        notes: { fields: { title: { type: 'string' } } },
      },
      {
        policies: [
          { policy: 'sorter', permissions: { steps: { read: { fields: '*' }, update: { fields: ['sort'] } } } },
          { policy: 'reader', permissions: { steps: { read: { fields: '*' } } } },
          { policy: 'blind', permissions: { steps: { read: { fields: ['id', 'title'] }, update: { fields: ['sort'] } } } },
          { policy: 'picky', permissions: { steps: { read: { fields: '*' }, update: { fields: ['sort'], filter: { title: { _neq: 'locked' } } } } } },
        ],
        roles: ['sorter', 'reader', 'blind', 'picky'].map((role) => ({ role, policies: [role] })),
      },
    );
    await serveModel(context, model);
    await bootstrapAdmin(context.db, { email: 'admin@example.org', password: PASSWORD });
    sorterId = await createUser(context, { email: 'sorter@example.org', password: PASSWORD, role: 'sorter' });
    for (const role of ['reader', 'blind', 'picky']) await createUser(context, { email: `${role}@example.org`, password: PASSWORD, role });
    server = buildServer(context);
    await server.ready();
    const login = async (email: string): Promise<Headers> => {
      const response = await server.inject({ method: 'POST', url: '/auth/login', payload: { email, password: PASSWORD } });
      expect(response.statusCode).toBe(200);
      return { authorization: `Bearer ${response.json().data.access_token}` };
    };
    admin = await login('admin@example.org');
    sorter = await login('sorter@example.org');
    reader = await login('reader@example.org');
    blind = await login('blind@example.org');
    picky = await login('picky@example.org');
  });
  afterAll(async () => {
    await server.close();
    await database.drop();
  });

  const call = (method: 'GET' | 'POST', url: string, headers: Headers = {}, payload?: unknown) =>
    server.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
  const failure = (response: { statusCode: number; json(): { errors: { extensions: { code: string } }[] } }) => [response.statusCode, response.json().errors[0]!.extensions.code];

  const steps = () => context.db.knex.withSchema(model.project.schema).table('steps');
  /** The steps table as given: rows [id, sort] (titles "s<id>", or "locked" for ids in `locked`). */
  const seed = async (rows: [number, number | null][], locked: number[] = []) => {
    await steps().delete();
    await steps().insert(rows.map(([id, sort]) => ({ id, sort, title: locked.includes(id) ? 'locked' : `s${id}` })));
  };
  /** id → sort value, as stored. */
  const sortValues = async () => Object.fromEntries(((await steps().select('id', 'sort').orderBy('id')) as { id: number; sort: number | null }[]).map((row) => [row.id, row.sort]));
  /** Ids in their stored order. */
  const order = async () => ((await steps().select('id').orderBy([{ column: 'sort' }, { column: 'id' }])) as { id: number }[]).map((row) => row.id);
  const lastActivity = async () => Number((await context.db.knex('cairn_activity').max('id as id').first())?.id ?? 0);
  const sort = (headers: Headers, body: unknown, collection = 'steps') => call('POST', `/utils/sort/${collection}`, headers, body);

  describe('hashes', () => {
    it('generates an argon2id hash of the string that verifies against it and not against another string, for any caller', async () => {
      const generated = await call('POST', '/utils/hash/generate', {}, { string: 'open sesame' });
      expect(generated.statusCode).toBe(200);
      const hash = generated.json().data as string;
      expect(hash).toMatch(/^\$argon2id\$v=19\$/);
      expect(hash).not.toContain('open sesame');
      // A fresh salt each time.
      expect((await call('POST', '/utils/hash/generate', admin, { string: 'open sesame' })).json().data).not.toBe(hash);

      const right = await call('POST', '/utils/hash/verify', {}, { string: 'open sesame', hash });
      expect([right.statusCode, right.json()]).toEqual([200, { data: true }]);
      const wrong = await call('POST', '/utils/hash/verify', reader, { string: 'open sesame!', hash });
      expect([wrong.statusCode, wrong.json()]).toEqual([200, { data: false }]);
    });

    it('refuses a missing, empty or non-string "string", a missing hash and a hash argon2 cannot read (INVALID_PAYLOAD)', async () => {
      for (const body of [{}, { string: '' }, { string: 42 }, { string: ['a'] }]) {
        expect(failure(await call('POST', '/utils/hash/generate', {}, body)), JSON.stringify(body)).toEqual([400, 'INVALID_PAYLOAD']);
      }
      const missingHash = await call('POST', '/utils/hash/verify', {}, { string: 'x' });
      expect(failure(missingHash)).toEqual([400, 'INVALID_PAYLOAD']);
      expect(missingHash.json().errors[0].message).toBe('Invalid payload. "hash" is required.');
      expect(failure(await call('POST', '/utils/hash/verify', {}, { hash: '$argon2id$v=19$m=19456,t=2,p=1$abc$def' }))).toEqual([400, 'INVALID_PAYLOAD']);
      const malformed = await call('POST', '/utils/hash/verify', {}, { string: 'x', hash: 'not-a-hash' });
      expect(failure(malformed)).toEqual([400, 'INVALID_PAYLOAD']);
      expect(malformed.json().errors[0].message).toBe('Invalid payload. Invalid "hash" or "string".');
    });

    it('fails with a bad token, like every route but ping', async () => {
      const response = await call('POST', '/utils/hash/generate', { authorization: 'Bearer not-a-token' }, { string: 'x' });
      expect(response.statusCode).not.toBe(200);
      expect(response.json().errors[0].extensions.code).toMatch(/^(INVALID_TOKEN|INVALID_CREDENTIALS)$/);
    });
  });

  describe('random strings', () => {
    it('is 32 URL-safe characters by default, fresh each time, for any caller', async () => {
      const first = await call('GET', '/utils/random/string');
      expect(first.statusCode).toBe(200);
      expect(first.json().data).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect((await call('GET', '/utils/random/string', sorter)).json().data).not.toBe(first.json().data);
    });

    it('takes a length from 1 to 500', async () => {
      for (const length of [1, 10, 500]) {
        const response = await call('GET', `/utils/random/string?length=${length}`);
        expect(response.statusCode).toBe(200);
        expect(response.json().data).toMatch(new RegExp(`^[A-Za-z0-9_-]{${length}}$`));
      }
    });

    it('refuses a length that is too long, too short or not a whole number (INVALID_QUERY)', async () => {
      const tooLong = await call('GET', '/utils/random/string?length=501');
      expect(failure(tooLong)).toEqual([400, 'INVALID_QUERY']);
      expect(tooLong.json().errors[0].message).toBe('Invalid query. "length" must be less than or equal to 500.');
      for (const length of ['0', '-3', '1.5', 'abc', '']) {
        expect(failure(await call('GET', `/utils/random/string?length=${length}`)), length).toEqual([400, 'INVALID_QUERY']);
      }
    });
  });

  describe('sort', () => {
    beforeEach(() => seed([[1, 1], [2, 2], [3, 3], [4, 4], [5, 5]]));

    it('moves an item down to the place of another, shifting those between up; answers 200 with no body', async () => {
      const response = await sort(sorter, { item: 2, to: 4 });
      expect([response.statusCode, response.body]).toEqual([200, '']);
      expect(await sortValues()).toEqual({ 1: 1, 2: 4, 3: 2, 4: 3, 5: 5 });
      expect(await order()).toEqual([1, 3, 4, 2, 5]);
    });

    it('moves an item up, shifting those between down; keys may be strings', async () => {
      expect((await sort(sorter, { item: '5', to: '2' })).statusCode).toBe(200);
      expect(await sortValues()).toEqual({ 1: 1, 2: 3, 3: 4, 4: 5, 5: 2 });
      expect(await order()).toEqual([1, 5, 2, 3, 4]);
    });

    it('gives items without a sort value the values after the largest first, then moves', async () => {
      await seed([[1, 2], [2, null], [3, 1], [4, null], [5, 3]]);
      // Normalised: 2 → 4 and 4 → 5; then 4 (at 5) moves to 3's place (1).
      expect((await sort(sorter, { item: 4, to: 3 })).statusCode).toBe(200);
      expect(await sortValues()).toEqual({ 1: 3, 2: 5, 3: 2, 4: 1, 5: 4 });
      expect(await order()).toEqual([4, 3, 1, 5, 2]);
    });

    it('renumbers repeated sort values 1..n (in sort, then key order) before moving', async () => {
      await seed([[1, 7], [2, 7], [3, 9], [4, null]]);
      expect((await sort(admin, { item: 4, to: 2 })).statusCode).toBe(200);
      expect(await sortValues()).toEqual({ 1: 1, 2: 3, 3: 4, 4: 2 });
    });

    it('writes an update activity and revision for each item whose value changed, as the caller, and nothing for the others', async () => {
      const before = await lastActivity();
      expect((await sort(sorter, { item: 2, to: 4 })).statusCode).toBe(200);
      const activity = (await context.db.knex('cairn_activity').where('id', '>', before).orderBy('item').select('action', 'user', 'collection', 'item')) as Record<string, unknown>[];
      expect(activity).toEqual(['2', '3', '4'].map((item) => ({ action: 'update', user: sorterId, collection: 'steps', item })));
      const revisions = (await context.db.knex('cairn_revisions').where('activity', '>', before).orderBy('item').select('item', 'delta', 'data')) as { item: string; delta: unknown; data: Record<string, unknown> }[];
      expect(revisions.map((revision) => [revision.item, revision.delta])).toEqual([['2', { sort: 4 }], ['3', { sort: 2 }], ['4', { sort: 3 }]]);
      expect(revisions[0]!.data).toMatchObject({ id: 2, title: 's2', sort: 4 });
    });

    it('refuses a caller who may not update the sort field, or read it, and the public; nothing changes', async () => {
      const before = await lastActivity();
      for (const [who, headers] of [['reader', reader], ['blind', blind], ['public', {}]] as const) {
        expect(failure(await sort(headers, { item: 2, to: 4 })), who).toEqual([403, 'FORBIDDEN']);
        // Even a move to its own place, which would change nothing.
        expect(failure(await sort(headers, { item: 2, to: 2 })), who).toEqual([403, 'FORBIDDEN']);
      }
      expect(await sortValues()).toEqual({ 1: 1, 2: 2, 3: 3, 4: 4, 5: 5 });
      expect(await lastActivity()).toBe(before);
    });

    it('is all or nothing: one shifted item the caller may not update refuses the whole move', async () => {
      await seed([[1, 1], [2, 2], [3, 3], [4, 4], [5, 5]], [3]);
      const before = await lastActivity();
      expect(failure(await sort(picky, { item: 1, to: 4 }))).toEqual([403, 'FORBIDDEN']);
      expect(await sortValues()).toEqual({ 1: 1, 2: 2, 3: 3, 4: 4, 5: 5 });
      expect(await lastActivity()).toBe(before);
      // Past the locked item the same caller may move.
      expect((await sort(picky, { item: 5, to: 4 })).statusCode).toBe(200);
      expect(await sortValues()).toEqual({ 1: 1, 2: 2, 3: 3, 4: 5, 5: 4 });
    });

    it('refuses an item or target that does not exist, and a collection that does not exist, as FORBIDDEN; nothing changes', async () => {
      const before = await lastActivity();
      for (const body of [{ item: 99, to: 2 }, { item: 2, to: 99 }, { item: 'abc', to: 2 }]) {
        expect(failure(await sort(sorter, body)), JSON.stringify(body)).toEqual([403, 'FORBIDDEN']);
        expect(failure(await sort(admin, body)), JSON.stringify(body)).toEqual([403, 'FORBIDDEN']);
      }
      expect(failure(await sort(admin, { item: 1, to: 2 }, 'nowhere'))).toEqual([403, 'FORBIDDEN']);
      expect(failure(await sort(admin, { item: 1, to: 2 }, 'cairn_users'))).toEqual([403, 'FORBIDDEN']);
      expect(await sortValues()).toEqual({ 1: 1, 2: 2, 3: 3, 4: 4, 5: 5 });
      expect(await lastActivity()).toBe(before);
    });

    it('refuses a collection without a sort field and a malformed body (INVALID_PAYLOAD)', async () => {
      const unsorted = await sort(admin, { item: 1, to: 2 }, 'notes');
      expect(failure(unsorted)).toEqual([400, 'INVALID_PAYLOAD']);
      expect(unsorted.json().errors[0].message).toBe('Invalid payload. Collection "notes" doesn\'t have a sort field.');
      for (const body of [{ item: 1 }, { to: 2 }, { item: true, to: 2 }, { item: 1, to: 2, extra: 1 }, [1, 2]]) {
        expect(failure(await sort(admin, body)), JSON.stringify(body)).toEqual([400, 'INVALID_PAYLOAD']);
      }
      expect(await sortValues()).toEqual({ 1: 1, 2: 2, 3: 3, 4: 4, 5: 5 });
    });
  });
});
