/** Promotes and the audit repository: N concurrent promotes of different items each become exactly one commit. */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Context } from '../../../src/context/index.ts';
import { compareVersion, createItems, createVersions, promoteVersion, saveToVersion, type Accountability } from '../../../src/services/index.ts';
import { accountabilityAs } from '../../helpers/accountability.ts';
import { applyTemplateWithAudit } from '../../helpers/audit.ts';
import { createTestContext } from '../../helpers/test-context.ts';
import { testBackends, type TestDatabase } from '../../helpers/test-databases.ts';

const run = promisify(execFile);
const PROMOTES = 8;

describe.each(testBackends)('promotes into the audit repository on $name', ({ name }) => {
  let context: Context;
  let database: TestDatabase;
  let root: string;
  // Promotes are committed in their author's name: a real user (an admin without one is refused).
  let admin: Accountability;

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'cairn-promotes-'));
    ({ context, database } = await createTestContext(name));
    const model = await applyTemplateWithAudit(context.db, { repository: path.join(root, 'audit.git') });
    await context.models.reload();
    const [user] = (await context.db.knex('cairn_users').insert({ email: 'grace@example.org', first_name: 'Grace', last_name: 'Hopper', role: 'administrator' }).returning('id')) as { id: string }[];
    admin = accountabilityAs(model, { role: 'administrator', user: user!.id });
  });
  afterAll(async () => {
    await database.drop();
    await rm(root, { recursive: true, force: true });
  });

  it('commits every one of N concurrent promotes exactly once, each file as promoted, and git fsck is clean', async () => {
    const keys = (await createItems({ context, accountability: admin, collection: 'articles', items: Array.from({ length: PROMOTES }, (_, i) => ({ title: `Item ${i}` })) })) as number[];
    const versions = await Promise.all(
      keys.map(async (key) => {
        const [id] = await createVersions({ context, accountability: admin, items: [{ key: 'next', name: `Next ${key}`, collection: 'articles', item: key }] });
        await saveToVersion({ context, accountability: admin, id: id!, payload: { title: `Item ${key}, promoted` } });
        return { id: id!, key, mainHash: (await compareVersion({ context, accountability: admin, id: id! })).mainHash };
      }),
    );
    await Promise.all(versions.map((version) => promoteVersion({ context, accountability: admin, id: version.id, mainHash: version.mainHash })));
    const report = await context.audit.runOnce();
    expect(report).toMatchObject({ status: 'done', committed: PROMOTES });
    expect((await context.audit.runOnce()).committed).toBe(0);

    const gitDir = ['--git-dir', path.join(root, 'audit.git')];
    const subjects = (await run('git', [...gitDir, 'log', '--format=%s'])).stdout.trim().split('\n');
    const authors = (await run('git', [...gitDir, 'log', '--format=%an <%ae>'])).stdout.trim().split('\n');
    expect(new Set(authors)).toEqual(new Set(['Grace Hopper <grace@example.org>']));
    expect(subjects.sort()).toEqual(versions.map((v) => `Promote articles/${v.key} from version "Next ${v.key}"`).sort());
    for (const version of versions) {
      const file = JSON.parse((await run('git', [...gitDir, 'show', `main:content/articles/${version.key}.json`])).stdout) as Record<string, unknown>;
      expect(file).toMatchObject({ id: version.key, title: `Item ${version.key}, promoted` });
    }
    await run('git', [...gitDir, 'fsck', '--strict']);
    const pending = await context.db.knex('cairn_audit_outbox').whereNull('commit_sha').count({ n: '*' });
    expect(Number(pending[0]!.n)).toBe(0);
  });
});
