/**
 * The flow engine over HTTP, on both databases: event flows in action and
 * filter mode (payload change, cancel, delete refused), webhook flows sync
 * and async, manual flows with their checks, trigger-flow and its depth
 * limit, item operations as the trigger's or a role's permissions, requests
 * to a local HTTP server (and to a closed port), `$env` redaction, and
 * failures that are logged, never a crashed server or a half-written item.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../../src/api/index.ts';
import type { Context } from '../../../src/context/index.ts';
import { createUser } from '../../helpers/auth.ts';
import { modelOf } from '../../helpers/models.ts';
import { createTestContext, serveModel } from '../../helpers/test-context.ts';
import { testBackends, type TestDatabase } from '../../helpers/test-databases.ts';

const ADMIN = 'flow-tests-admin-token-0123456789';
const VIEWER = 'flow-tests-viewer-token-0123456789';
const HOOK_SECRET = 'hook-secret-value-42';

type Row = Record<string, unknown>;

/** A local webhook target: records what it receives, answers by path. */
async function startTarget(): Promise<{ server: Server; url: string; received: { path: string; body: string; headers: IncomingMessage['headers'] }[] }> {
  const received: { path: string; body: string; headers: IncomingMessage['headers'] }[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      received.push({ path: request.url ?? '', body, headers: request.headers });
      if (request.url?.startsWith('/fail')) return void response.writeHead(503, { 'content-type': 'application/json' }).end('{"down":true}');
      if (request.url?.startsWith('/big')) return void response.writeHead(200, { 'content-type': 'text/plain' }).end('x'.repeat(4096));
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, echo: body === '' ? null : JSON.parse(body) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

/** A port nobody listens on: opened, then closed. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

function flowsModel(target: string, closed: number) {
  const log = (key: string, message: string, more: Row = {}) => ({ key, type: 'log', message, ...more });
  return modelOf(
    {
      notes: { fields: { title: { type: 'string' }, status: { type: 'string' }, slug: { type: 'string' } } },
      secrets: { fields: { value: { type: 'string' } } },
      audit_log: { fields: { message: { type: 'text' }, note: { type: 'integer' } } },
    },
    {
      policies: [{ policy: 'viewer', permissions: { notes: { read: { fields: '*', filter: { status: { _eq: 'published' } } } } } }],
      roles: [{ role: 'viewer', policies: ['viewer'] }],
      flows: [
        // action: after the commit, writes an audit row with $full.
        {
          flow: 'audit-notes',
          trigger: { type: 'event', mode: 'action', events: ['items.create', 'items.update'], collections: ['notes'] },
          operations: [
            { key: 'record', type: 'item-create', collection: 'audit_log', permissions: '$full', payload: { message: '{{ $trigger.event }} {{ $trigger.key }} by {{ $accountability.user }}', note: '{{ $trigger.keys[0] }}' } },
          ],
        },
        // filter: slugs the title, refuses "forbidden" titles with a condition.
        {
          flow: 'slug-notes',
          trigger: { type: 'event', mode: 'filter', events: ['items.create'], collections: ['notes'], return: 'slugged' },
          operations: [
            { key: 'allowed', type: 'condition', filter: { $trigger: { payload: { title: { _nstarts_with: 'forbidden' } } } }, resolve: 'slugged' },
            { key: 'slugged', type: 'transform', json: { title: '{{ $trigger.payload.title }}', status: '{{ $trigger.payload.status }}', slug: 'slug-{{ $trigger.payload.title }}' } },
          ],
        },
        // filter on delete: a throw with its own code refuses deleting published notes.
        {
          flow: 'keep-published',
          trigger: { type: 'event', mode: 'filter', events: ['items.delete'], collections: ['notes'] },
          operations: [
            { key: 'load', type: 'item-read', collection: 'notes', permissions: '$full', keys: '{{ $trigger.keys }}', query: { fields: ['status'], filter: { status: { _eq: 'published' } } }, resolve: 'any' },
            { key: 'any', type: 'condition', filter: { load: { _empty: true } }, reject: 'refuse' },
            { key: 'refuse', type: 'throw', message: 'Published notes stay', code: 'FORBIDDEN', status: 403 },
          ],
        },
        // webhook, sync: echoes through a request and returns the transform.
        {
          flow: 'echo',
          trigger: { type: 'webhook', method: 'POST' },
          operations: [
            { key: 'send', type: 'request', method: 'POST', url: `${target}/echo?key={{ $env.HOOK_KEY }}`, headers: { 'x-api-key': '{{ $env.HOOK_KEY }}' }, body: { name: '{{ $trigger.body.name }}' }, resolve: 'answer' },
            { key: 'answer', type: 'transform', json: { status: '{{ send.status }}', echoed: '{{ send.data.echo.name }}', query: '{{ $trigger.query.q }}' } },
          ],
        },
        {
          flow: 'later',
          trigger: { type: 'webhook', method: 'GET', async: true },
          operations: [{ key: 'nap', type: 'sleep', milliseconds: 50, resolve: 'done' }, log('done', 'slept')],
        },
        {
          flow: 'upstream-down',
          trigger: { type: 'webhook', method: 'GET' },
          operations: [{ key: 'send', type: 'request', url: `${target}/fail`, reject: 'report' }, log('report', 'upstream answered {{ $last.status }}')],
        },
        { flow: 'unreachable', trigger: { type: 'webhook' }, operations: [{ key: 'send', type: 'request', url: `http://127.0.0.1:${closed}/closed` }] },
        { flow: 'too-big', trigger: { type: 'webhook' }, operations: [{ key: 'send', type: 'request', url: `${target}/big` }] },
        { flow: 'typo', trigger: { type: 'webhook' }, operations: [log('say', 'value: {{ $trigeer.query.x }}')] },
        // item operations as the caller ($trigger) and as a role.
        { flow: 'read-secrets', trigger: { type: 'webhook' }, operations: [{ key: 'read', type: 'item-read', collection: 'secrets', query: { fields: ['value'] } }] },
        { flow: 'read-as-viewer', trigger: { type: 'webhook' }, operations: [{ key: 'read', type: 'item-read', collection: 'notes', permissions: 'viewer', query: { fields: ['title'], sort: ['id'] } }] },
        // manual
        {
          flow: 'publish',
          trigger: { type: 'manual', collections: ['notes'] },
          operations: [{ key: 'publish', type: 'item-update', collection: 'notes', keys: '{{ $trigger.body.keys }}', payload: { status: 'published' } }],
        },
        // trigger-flow, and a loop that the depth limit stops.
        { flow: 'outer', trigger: { type: 'webhook' }, operations: [{ key: 'call', type: 'trigger-flow', flow: 'double', payload: [1, 2, 3], iterationMode: 'serial' }] },
        { flow: 'double', trigger: { type: 'flow' }, operations: [{ key: 'twice', type: 'transform', json: { doubled: '{{ $trigger }}{{ $trigger }}' } }] },
        { flow: 'loop-start', trigger: { type: 'webhook' }, operations: [{ key: 'call', type: 'trigger-flow', flow: 'loop', payload: 0 }] },
        { flow: 'loop', trigger: { type: 'flow' }, operations: [{ key: 'again', type: 'trigger-flow', flow: 'loop', payload: 1 }] },
        { flow: 'off', status: 'inactive', trigger: { type: 'webhook' }, operations: [log('x', 'never')] },
      ],
    },
  );
}

describe.each(testBackends)('flows on $name', ({ name }) => {
  let context: Context;
  let database: TestDatabase;
  let server: FastifyInstance;
  let target: Awaited<ReturnType<typeof startTarget>>;
  let closed: number;

  beforeAll(async () => {
    target = await startTarget();
    ({ context, database } = await createTestContext(name, { env: { ADMIN_TOKEN: ADMIN, HOOK_KEY: HOOK_SECRET, FLOWS_MAX_DEPTH: '4', FLOWS_REQUEST_MAX_BYTES: '1024' } }));
    closed = await closedPort();
    await serveModel(context, flowsModel(target.url, closed));
    await createUser(context, { email: 'viewer@example.org', role: 'viewer', token: VIEWER });
    server = buildServer(context);
    await server.ready();
  });
  afterAll(async () => {
    await context.flows.idle();
    await server.close();
    await database.drop();
    await new Promise((resolve) => target.server.close(resolve));
  });

  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown, token: string | null = ADMIN) =>
    server.inject({ method, url, headers: token ? { authorization: `Bearer ${token}` } : {}, ...(payload === undefined ? {} : { payload: payload as object }) });
  const runs = (flow: string) => database.db.knex('cairn_flow_runs').where({ flow }).orderBy('id').select('*') as Promise<Row[]>;
  const adminId = async () => ((await database.db.knex('cairn_users').where({ email: 'admin@example.com' }).first('id')) as { id: string }).id;

  it('runs a filter flow before the write (its return value is the item) and an action flow after it', async () => {
    const created = await call('POST', '/items/notes', { title: 'hello', status: 'draft' });
    expect(created.statusCode).toBe(200);
    expect(created.json().data).toMatchObject({ title: 'hello', status: 'draft', slug: 'slug-hello' });
    await context.flows.idle();
    const key = created.json().data.id as number;
    expect(await database.db.knex('audit_log').where({ note: key }).select('message')).toEqual([{ message: `notes.items.create ${key} by ${await adminId()}` }]);
    const [run] = await runs('audit-notes');
    expect(run).toMatchObject({ trigger: 'event', status: 'resolved', depth: 0, accountability: { user: await adminId(), role: 'administrator' } });
    expect((run!.steps as Row[]).map((step) => [step.key, step.status])).toEqual([['record', 'resolve']]);
  });

  it('refuses the write when a filter flow fails, with the error the flow raised, and writes nothing', async () => {
    const before = await database.db.knex('notes').count({ n: '*' });
    const refused = await call('POST', '/items/notes', { title: 'forbidden words' });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().errors[0].extensions).toMatchObject({ code: 'FAILED_VALIDATION', field: '$trigger.payload.title', type: '_nstarts_with' });
    expect(await database.db.knex('notes').count({ n: '*' })).toEqual(before);
    const [failed] = (await runs('slug-notes')).filter((run) => run.status === 'failed');
    expect(failed!.error).toMatchObject({ code: 'FAILED_VALIDATION' });
  });

  it('lets a delete filter refuse a delete with the code and status its throw names', async () => {
    const published = (await call('POST', '/items/notes', { title: 'kept', status: 'published' })).json().data.id as number;
    const draft = (await call('POST', '/items/notes', { title: 'gone', status: 'draft' })).json().data.id as number;
    const refused = await call('DELETE', `/items/notes/${published}`);
    expect([refused.statusCode, refused.json().errors[0]]).toEqual([403, { message: 'Published notes stay', extensions: { flow: 'keep-published', operation: 'refuse', code: 'FORBIDDEN' } }]);
    expect(await database.db.knex('notes').where({ id: published }).select('title')).toEqual([{ title: 'kept' }]);
    expect((await call('DELETE', `/items/notes/${draft}`)).statusCode).toBe(204);
  });

  it('answers a sync webhook with its return value, sending the request with $env, and logs it with $env redacted', async () => {
    const answer = await call('POST', '/flows/trigger/echo?q=search', { name: 'Ada' }, null);
    expect([answer.statusCode, answer.json()]).toEqual([200, { status: 200, echoed: 'Ada', query: 'search' }]);
    const sent = target.received.find((request) => request.path.startsWith('/echo'))!;
    expect([sent.path, sent.headers['x-api-key'], JSON.parse(sent.body)]).toEqual([`/echo?key=${HOOK_SECRET}`, HOOK_SECRET, { name: 'Ada' }]);
    const [run] = await runs('echo');
    expect(run).toMatchObject({ trigger: 'webhook', status: 'resolved', accountability: { user: null, role: null } });
    const logged = JSON.stringify(run);
    expect(logged).not.toContain(HOOK_SECRET);
    expect(logged).toContain('**********');
    expect((run!.steps as Row[])[0]!.options).toMatchObject({ url: `${target.url}/echo?key=**********`, headers: { 'x-api-key': '**********' } });
  });

  it('answers an async webhook 202 at once and runs it in the background', async () => {
    const answer = await call('GET', '/flows/trigger/later', undefined, null);
    expect([answer.statusCode, answer.body]).toEqual([202, '']);
    await context.flows.idle();
    expect((await runs('later')).map((run) => run.status)).toEqual(['resolved']);
  });

  it('refuses unknown, inactive and wrong-method flows with FORBIDDEN', async () => {
    for (const [method, url] of [['GET', '/flows/trigger/nope'], ['GET', '/flows/trigger/off'], ['GET', '/flows/trigger/echo'], ['POST', '/flows/trigger/later'], ['GET', '/flows/trigger/double']] as const) {
      const answer = await call(method, url);
      expect([url, answer.statusCode, answer.json().errors[0].extensions.code]).toEqual([url, 403, 'FORBIDDEN']);
    }
  });

  it('takes the reject path of a request answering 503 with the answer in $last, and fails clearly on a closed port, a body too large and a template typo', async () => {
    const handled = await call('GET', '/flows/trigger/upstream-down');
    expect([handled.statusCode, handled.json()]).toEqual([200, 'upstream answered 503']);
    const unreachable = await call('GET', '/flows/trigger/unreachable');
    expect(unreachable.statusCode).toBe(400);
    expect(unreachable.json().errors[0]).toMatchObject({ extensions: { code: 'FLOW_FAILED', flow: 'unreachable' } });
    expect(unreachable.json().errors[0].message).toContain(`GET http://127.0.0.1:${closed}/closed failed: ECONNREFUSED`);
    const big = await call('GET', '/flows/trigger/too-big');
    expect(big.json().errors[0].message).toMatch(/more than FLOWS_REQUEST_MAX_BYTES \(1024 bytes\)/);
    const typo = await call('GET', '/flows/trigger/typo?x=1');
    expect(typo.json().errors[0].message).toMatch(/reads "\$trigeer", which is not in the data chain/);
    expect((await runs('typo'))[0]).toMatchObject({ status: 'failed', error: { message: expect.stringContaining('$trigeer') } });
    expect((await call('GET', '/server/ping', undefined, null)).body).toBe('pong');
  });

  it("runs item operations with the trigger's permissions by default, or a role's", async () => {
    await call('POST', '/items/secrets', { value: 'classified' });
    const asAdmin = await call('GET', '/flows/trigger/read-secrets');
    expect(asAdmin.json()).toEqual([{ value: 'classified' }]);
    const asViewer = await call('GET', '/flows/trigger/read-secrets', undefined, VIEWER);
    expect([asViewer.statusCode, asViewer.json().errors[0].extensions.code]).toEqual([403, 'FORBIDDEN']);
    const asPublic = await call('GET', '/flows/trigger/read-secrets', undefined, null);
    expect(asPublic.statusCode).toBe(403);
    const viewerRole = await call('GET', '/flows/trigger/read-as-viewer', undefined, null);
    expect(viewerRole.json()).toEqual([{ title: 'kept' }]);
  });

  it('runs a manual flow for a signed-in caller on keys it may read, and refuses anything else', async () => {
    const draft = (await call('POST', '/items/notes', { title: 'to publish', status: 'draft' })).json().data.id as number;
    const asViewer = await call('POST', '/flows/trigger/publish', { collection: 'notes', keys: [draft] }, VIEWER);
    expect([asViewer.statusCode, asViewer.json().errors[0].message]).toEqual([403, expect.stringContaining('permission to read every item')]);
    for (const body of [{ collection: 'secrets', keys: [1] }, { collection: 'notes', keys: [] }, { collection: 'notes' }]) {
      expect((await call('POST', '/flows/trigger/publish', body)).statusCode).toBe(403);
    }
    expect((await call('POST', '/flows/trigger/publish', { collection: 'notes', keys: [draft] }, null)).statusCode).toBe(403);
    const done = await call('POST', '/flows/trigger/publish', { collection: 'notes', keys: [draft] });
    expect([done.statusCode, done.json()]).toEqual([200, [draft]]);
    expect(await database.db.knex('notes').where({ id: draft }).first('status')).toEqual({ status: 'published' });
  });

  it('starts flows from flows, serially over a list, and stops a loop at FLOWS_MAX_DEPTH', async () => {
    const outer = await call('GET', '/flows/trigger/outer');
    expect(outer.json()).toEqual([{ doubled: '11' }, { doubled: '22' }, { doubled: '33' }]);
    expect((await runs('double')).map((run) => run.depth)).toEqual([1, 1, 1]);
    const loop = await call('GET', '/flows/trigger/loop-start');
    expect(loop.statusCode).toBe(400);
    expect(loop.json().errors[0].message).toMatch(/past FLOWS_MAX_DEPTH \(4\)/);
    const loopRuns = await runs('loop');
    expect(loopRuns.map((run) => run.depth)).toEqual([4, 3, 2, 1]);
    expect(loopRuns.every((run) => run.status === 'failed')).toBe(true);
  });

  it('serves /flows and /operations from the model in Directus shapes, the run log to admins only, and refuses writes', async () => {
    const flows = await call('GET', '/flows?filter[trigger][_eq]=webhook&fields=id,options&sort=id&limit=2');
    expect(flows.json().data).toEqual([
      { id: 'echo', options: { method: 'POST' } },
      { id: 'later', options: { method: 'GET', async: true } },
    ]);
    const operations = await call('GET', '/operations?filter[flow][_eq]=keep-published&fields=id,type,resolve,reject&sort=position_x');
    expect(operations.json().data).toEqual([
      { id: 'keep-published:load', type: 'item-read', resolve: 'keep-published:any', reject: null },
      { id: 'keep-published:any', type: 'condition', resolve: null, reject: 'keep-published:refuse' },
      { id: 'keep-published:refuse', type: 'throw', resolve: null, reject: null },
    ]);
    const viewerFlows = await call('GET', '/flows?fields=id,operations', undefined, VIEWER);
    expect(viewerFlows.json().data).toEqual([{ id: 'publish', operations: [] }]);
    expect((await call('GET', '/operations', undefined, VIEWER)).json().data).toEqual([]);
    const log = await call('GET', '/flow-runs?filter[flow][_eq]=echo&fields=flow,status,steps&meta=total_count');
    expect(log.statusCode).toBe(200);
    expect(log.json().meta.total_count).toBeGreaterThan(0);
    expect((await call('GET', '/flow-runs', undefined, VIEWER)).statusCode).toBe(403);
    for (const [method, url] of [['POST', '/flows'], ['PATCH', '/flows/echo'], ['DELETE', '/operations/echo:send']] as const) {
      const refused = await call(method, url, {});
      expect([refused.statusCode, refused.json().errors[0].message]).toEqual([403, expect.stringContaining('config git repository')]);
    }
  });
});
