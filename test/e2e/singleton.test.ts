/** Singletons over HTTP: read as defaults until written, PATCH creates then updates, POST and /:id are no routes. */
import { mkdtemp, rm, writeFile, cp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEMPLATE_DIR } from '../../src/cli/commands/init.ts';
import { startCairnServer, type CairnServer } from '../helpers/cairn-process.ts';

const TOKEN = 'admin-token-for-the-singleton-test';

describe('a singleton collection', () => {
  let root: string;
  let server: CairnServer;
  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'cairn-singleton-'));
    const repo = path.join(root, 'repo');
    await cp(TEMPLATE_DIR, repo, { recursive: true, dereference: true });
    await writeFile(path.join(repo, 'collections', 'settings.yaml'), 'collection: settings\nsingleton: true\nfields:\n  site_name: { type: string, default: My blog }\n  per_page: { type: integer, default: 10 }\n');
    server = await startCairnServer({ CAIRN_DATA_DIR: path.join(root, 'state'), ADMIN_TOKEN: TOKEN }, { args: ['--project', repo] });
  });
  afterAll(async () => {
    await server?.stop();
    await rm(root, { recursive: true, force: true });
  });

  const call = async (method: string, url: string, body?: unknown) => {
    const response = await fetch(`${server.url}${url}`, { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return { status: response.status, body: (await response.json()) as { data?: unknown; errors?: { extensions: { code: string } }[] } };
  };

  it('reads as its defaults, then PATCH creates it and updates it', async () => {
    expect((await call('GET', '/items/settings')).body.data).toEqual({ id: null, site_name: 'My blog', per_page: 10 });
    expect((await call('PATCH', '/items/settings', { per_page: 20 })).body.data).toEqual({ id: 1, site_name: 'My blog', per_page: 20 });
    expect((await call('PATCH', '/items/settings', { site_name: 'Renamed' })).body.data).toEqual({ id: 1, site_name: 'Renamed', per_page: 20 });
    expect((await call('GET', '/items/settings?fields=site_name')).body.data).toEqual({ site_name: 'Renamed' });
  });

  it('has no POST and no /:id routes', async () => {
    expect(await call('POST', '/items/settings', { per_page: 1 })).toMatchObject({ status: 404, body: { errors: [{ extensions: { code: 'ROUTE_NOT_FOUND' } }] } });
    expect(await call('PATCH', '/items/settings/1', { per_page: 1 })).toMatchObject({ status: 404, body: { errors: [{ extensions: { code: 'ROUTE_NOT_FOUND' } }] } });
  });
});
