/** `cairn init` and `cairn validate` as a user runs them: real processes, a real git repository. */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCairn } from '../helpers/cairn-process.ts';

describe('cairn init, then validate', () => {
  let root: string;
  let repo: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'cairn-init-'));
    repo = path.join(root, 'blog');
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('creates a git repository from the template with one commit and real schema files', async () => {
    const result = await runCairn(['init', repo, '--author', 'Ada Editor', '--email', 'ada@example.org']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Created ${repo}`);
    const log = execFileSync('git', ['log', '--format=%an <%ae>|%s'], { cwd: repo, encoding: 'utf8' }).trim();
    expect(log).toBe('Ada Editor <ada@example.org>|Start from the Cairn template');
    execFileSync('git', ['fsck', '--strict'], { cwd: repo });
    const schema = JSON.parse(await readFile(path.join(repo, '.schemas', 'collection.schema.json'), 'utf8'));
    expect(schema.$schema).toContain('json-schema.org');
    expect(execFileSync('git', ['status', '--porcelain'], { cwd: repo, encoding: 'utf8' })).toBe('');
  });

  it('refuses a directory that is not empty', async () => {
    const result = await runCairn(['init', repo]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^cairn: INIT_TARGET_NOT_EMPTY: /);
  });

  it('validates the new repository, from the working tree and from a git ref, to the same model', async () => {
    const tree = await runCairn(['validate', repo, '--json']);
    expect(tree.code).toBe(0);
    const fromTree = JSON.parse(tree.stdout);
    expect(fromTree).toMatchObject({ valid: true, diagnostics: [] });
    const ref = await runCairn(['validate', repo, '--ref', 'main', '--json']);
    expect(ref.code).toBe(0);
    const fromRef = JSON.parse(ref.stdout);
    expect(fromRef.modelHash).toBe(fromTree.modelHash);
    expect(fromRef.source.commit).toMatch(/^[0-9a-f]{40}$/);
  });

  it('reports a mistake with file:line:col, reads old commits by ref, and applies overlays with --env', async () => {
    const articles = path.join(repo, 'collections', 'articles.yaml');
    const text = await readFile(articles, 'utf8');
    await writeFile(articles, text.replace('related: authors', 'related: autors'));
    const broken = await runCairn(['validate', repo]);
    expect(broken.code).toBe(1);
    const line = text.split('\n').findIndex((l) => l.includes('related: authors')) + 1;
    const col = text.split('\n')[line - 1]!.indexOf('authors') + 1;
    expect(broken.stdout).toContain('collections/articles.yaml');
    expect(broken.stdout).toContain(`${line}:${col}  error  collection "autors" does not exist  CONFIG_UNKNOWN_COLLECTION`);
    expect(broken.stdout).toContain('hint: did you mean "authors"?');

    // The committed version is still valid: --ref reads the commit, not the working tree.
    expect((await runCairn(['validate', repo, '--ref', 'HEAD'])).code).toBe(0);

    const production = JSON.parse((await runCairn(['validate', repo, '--ref', 'HEAD', '--env', 'production', '--json'])).stdout);
    expect(production.valid).toBe(true);
    const base = JSON.parse((await runCairn(['validate', repo, '--ref', 'HEAD', '--json'])).stdout);
    expect(production.modelHash).not.toBe(base.modelHash);
    const unknown = await runCairn(['validate', repo, '--ref', 'HEAD', '--env', 'moon']);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toContain('CONFIG_UNKNOWN_ENVIRONMENT');
  });

  it('answers an unknown ref with a catalogue error, not a stack trace', async () => {
    const result = await runCairn(['validate', repo, '--ref', 'no-such-branch']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^cairn: GIT_REF_NOT_FOUND: /);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
