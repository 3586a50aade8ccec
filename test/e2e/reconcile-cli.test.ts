/** cairn plan / apply / drift / status as CI runs them: real processes, exit codes, plan files. */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEMPLATE_DIR } from '../../src/cli/commands/init.ts';
import { runCairn } from '../helpers/cairn-process.ts';
import { createPgliteDataDir, createPostgresDatabaseUrl, testBackends } from '../helpers/test-databases.ts';

describe.each(testBackends)('reconciler commands on $name', ({ name }) => {
  let root: string;
  let repo: string;
  let env: Record<string, string>;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'cairn-reconcile-cli-'));
    repo = path.join(root, 'repo');
    await cp(TEMPLATE_DIR, repo, { recursive: true, dereference: true });
    if (name === 'postgres') {
      const database = await createPostgresDatabaseUrl();
      env = { DATABASE_URL: database.url, CAIRN_DATA_DIR: path.join(root, 'state'), LOG_LEVEL: 'warn' };
      cleanup = database.drop;
    } else {
      const { root: dataRoot, dataDir } = await createPgliteDataDir();
      env = { CAIRN_DATA_DIR: path.dirname(dataDir), LOG_LEVEL: 'warn' };
      cleanup = () => rm(dataRoot, { recursive: true, force: true });
    }
  });
  afterAll(async () => {
    await cleanup();
    await rm(root, { recursive: true, force: true });
  });

  it('plan exits 2 with changes pending and writes markdown for a pull request', async () => {
    const result = await runCairn(['plan', repo, '--format', 'markdown'], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('### Cairn plan');
    expect(result.stdout).toContain('| + | create collection articles');
    expect(result.stdout).toContain('<details><summary>SQL</summary>');
  });

  it('apply refuses to run unattended without --auto-approve', async () => {
    const result = await runCairn(['apply', repo], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/cairn: CONFIRMATION_REQUIRED: /);
  });

  it('applies exactly a saved plan, after which plan exits 0 and drift finds nothing', async () => {
    const planFile = path.join(root, 'plan.json');
    expect((await runCairn(['plan', repo, '--out', planFile], env)).code).toBe(2);
    const applied = await runCairn(['apply', '--plan', planFile], env);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/Apply complete: \d+ steps/);
    expect((await runCairn(['plan', repo], env)).code).toBe(0);
    expect((await runCairn(['drift', repo], env)).code).toBe(0);
    const status = JSON.parse((await runCairn(['status', '--json'], env)).stdout);
    expect(status).toMatchObject({ drifted: false, applied: { appliedBy: expect.any(String) } });

    // The same plan again is stale: the database moved (it was applied).
    const again = await runCairn(['apply', '--plan', planFile], env);
    expect(again.code).toBe(1);
    expect(again.stdout).toContain('The database changed since this plan was made; plan again.');
  });

  it('refuses a plan file whose model was edited', async () => {
    const planFile = path.join(root, 'plan-edited.json');
    await writeFile(path.join(repo, 'collections', 'notes.yaml'), 'collection: notes\nfields:\n  body: { type: text }\n');
    await runCairn(['plan', repo, '--out', planFile], env);
    const saved = JSON.parse(await readFile(planFile, 'utf8'));
    saved.model.project.name = 'tampered';
    await writeFile(planFile, JSON.stringify(saved));
    const result = await runCairn(['apply', '--plan', planFile], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^cairn: PLAN_FILE_INVALID: /);
  });

  it('reports unapplied repository changes as drift (exit 2), then applies them', async () => {
    expect((await runCairn(['drift', repo], env)).code).toBe(2);
    const applied = await runCairn(['apply', repo, '--auto-approve'], env);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('+ create collection notes');
    expect((await runCairn(['drift', repo], env)).code).toBe(0);
  });

  it('exits 1 with the refusal when a destructive change is not allowed', async () => {
    await rm(path.join(repo, 'collections', 'notes.yaml'));
    const refused = await runCairn(['plan', repo], env);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('needs --allow-destructive notes');
    expect((await runCairn(['apply', repo, '--auto-approve', '--allow-destructive', 'notes'], env)).code).toBe(0);
  });

  it('exits 1 on an invalid repository, printing its problems', async () => {
    await writeFile(path.join(repo, 'roles', 'broken.yaml'), 'role: broken\npolicies: [nope]\n');
    const result = await runCairn(['plan', repo], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('CONFIG_UNKNOWN_POLICY');
    expect(result.stderr).toMatch(/cairn: CONFIG_INVALID: /);
    await rm(path.join(repo, 'roles', 'broken.yaml'));
  });
});
