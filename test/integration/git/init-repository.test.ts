/** `cairn init`'s first commit, checked by the git CLI: a repository git itself accepts, and Cairn can read back. */
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitRefSource, workingTreeSource } from '../../../src/config/index.ts';
import { initRepository } from '../../../src/git/index.ts';

const FILES: Record<string, string> = {
  'cairn.yaml': 'project: demo\n',
  'collections/articles.yaml': 'collection: articles\n',
  'policies/éditeur.yaml': 'policy: éditeur # 編集者\n',
  'empty.yaml': '',
  'extensions/slugify/index.js': 'export default (s) => s;\n',
  '.github/workflows/cairn.yml': 'on: [pull_request]\n',
};

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' },
  }).trim();
}

describe('initRepository', () => {
  let root: string;
  let dir: string;
  let oid: string;

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'cairn-init-repository-'));
    dir = path.join(root, 'config');
    for (const [file, content] of Object.entries(FILES)) {
      await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
      await writeFile(path.join(dir, file), content);
    }
    await chmod(path.join(dir, 'extensions/slugify/index.js'), 0o755);
    oid = await initRepository({
      dir,
      message: 'Initial config from the Cairn template\n\nMade by cairn init.',
      author: { name: 'Ada Lovelace', email: 'ada@example.com' },
    });
  });

  afterAll(async () => {
    if (root !== undefined) await rm(root, { recursive: true, force: true });
  });

  it('makes one commit on main that git fsck --strict accepts', () => {
    expect(oid).toMatch(/^[0-9a-f]{40}$/);
    git(dir, 'fsck', '--strict', '--no-progress');
    expect(git(dir, 'rev-parse', 'HEAD')).toBe(oid);
    expect(git(dir, 'symbolic-ref', 'HEAD')).toBe('refs/heads/main');
    expect(git(dir, 'rev-list', '--count', 'HEAD')).toBe('1');
  });

  it('shows the author and message in git log', () => {
    expect(git(dir, 'log', '--format=%an%n%ae%n%cn%n%s%n%b')).toBe(
      'Ada Lovelace\nada@example.com\nAda Lovelace\nInitial config from the Cairn template\nMade by cairn init.',
    );
  });

  it('commits every file with its mode and leaves a clean working tree and index', () => {
    const tree = git(dir, '-c', 'core.quotepath=false', 'ls-tree', '-r', '--format=%(objectmode) %(path)', 'HEAD').split('\n').sort();
    expect(tree).toEqual(
      Object.keys(FILES)
        .map((file) => `${file === 'extensions/slugify/index.js' ? '100755' : '100644'} ${file}`)
        .sort(),
    );
    expect(git(dir, 'status', '--porcelain')).toBe('');
  });

  it('is read back by the git ref source as the working tree reads it', async () => {
    const source = await gitRefSource({ dir, ref: 'main' });
    expect(source.commit).toBe(oid);
    expect(await source.listFiles()).toEqual(Object.keys(FILES).sort());
    expect(await source.listFiles()).toEqual(await workingTreeSource(dir).listFiles());
    for (const [file, content] of Object.entries(FILES)) expect(await source.readText(file)).toBe(content);
  });

  it('refuses a directory that already is a git repository', async () => {
    await expect(initRepository({ dir, message: 'again', author: { name: 'Ada', email: 'ada@example.com' } })).rejects.toMatchObject({
      code: 'GIT_REPOSITORY_EXISTS',
      details: { dir },
    });
    expect(git(dir, 'rev-list', '--count', 'HEAD')).toBe('1');
  });

  it('refuses an author git could not record', async () => {
    const fresh = await mkdtemp(path.join(root, 'fresh-'));
    await writeFile(path.join(fresh, 'cairn.yaml'), 'project: x\n');
    await expect(initRepository({ dir: fresh, message: 'x', author: { name: 'Eve <evil>', email: 'e@example.com' } })).rejects.toThrow(TypeError);
  });
});
