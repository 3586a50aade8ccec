/** Promotes and the audit repository: N concurrent promotes of different items each become exactly one commit. */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Context } from '../../../src/context/index.ts';
import { adminAccountability, compareVersion, createItems, createVersions, promoteVersion, saveToVersion } from '../../../src/services/index.ts';
import { applyTemplateWithAudit } from '../../helpers/audit.ts';
import { createTestContext } from '../../helpers/test-context.ts';
import { testBackends, type TestDatabase } from '../../helpers/test-databases.ts';

const run = promisify(execFile);
const PROMOTES = 8;

describe.each(testBackends)('promotes into the audit repository on $name', ({ name }) => {
  let context: Context;
  let database: TestDatabase;
  let root: string;
  const admin = adminAccountability();

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'cairn-promotes-'));
    ({ context, database } = await createTestContext(name));
    await applyTemplateWithAudit(context.db, { repository: path.join(root, 'audit.git') });
    await context.models.reload();
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
