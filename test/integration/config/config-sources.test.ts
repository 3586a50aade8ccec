/**
 * The ConfigSource contract: a working tree and every way of naming a commit
 * (branch, tags, ids, HEAD) in loose, packed and bare repositories made by
 * the git CLI must list the same files and read the same text.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitRefSource, workingTreeSource, type ConfigSource } from '../../../src/config/index.ts';

/** Plain files of the fixture repository, by path. */
const FILES: Record<string, string> = {
  'cairn.yaml': 'project: demo\n',
  'collections/articles.yaml': 'collection: articles\nfields:\n  title: { type: string }\n',
  'collections/nested/deep/tags.yaml': 'collection: tags\n',
  'docs/café.md': 'Grüße aus Köln — 東京 🚀 naïve\n',
  'empty.yaml': '',
  'bom.yaml': '\uFEFFcollection: with_bom\n',
  'extensions/slugify/index.js': 'export default (s) => s.toLowerCase();\n',
  // Never listed: dependencies are not config, on disk or committed.
  'node_modules/left-pad/index.js': 'module.exports = 1;\n',
};

/** Symlinks of the fixture: path → target. Only the first two stay inside the root and lead somewhere. */
const LINKS: Record<string, string> = {
  'links/articles.yaml': '../collections/articles.yaml',
  'links/collections': '../collections',
  'links/outside.txt': '../../outside.txt',
  'links/dangling.yaml': 'nowhere.yaml',
  'links/root': '..',
  'links/into-node-modules.js': '../node_modules/left-pad/index.js',
};

/** What every source must return: path → text. */
const EXPECTED: Record<string, string> = Object.fromEntries(
  Object.entries({
    ...FILES,
    'links/articles.yaml': FILES['collections/articles.yaml']!,
    'links/collections/articles.yaml': FILES['collections/articles.yaml']!,
    'links/collections/nested/deep/tags.yaml': FILES['collections/nested/deep/tags.yaml']!,
  }).filter(([file]) => !file.startsWith('node_modules/')),
);

const FIXED_DATE = '2024-05-01T12:00:00Z';

function git(cwd: string, ...args: string[]): string {
  return execFileSync(
    'git',
    ['-c', 'user.name=Fixture', '-c', 'user.email=fixture@example.com', '-c', 'gc.auto=0', '-c', 'core.autocrlf=false', ...args],
    {
      cwd,
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'pipe'],
      // Fixed dates make every repository built from the fixture have the same commit ids.
      env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_DATE: FIXED_DATE, GIT_COMMITTER_DATE: FIXED_DATE },
    },
  ).trim();
}

async function writeFixture(dir: string): Promise<void> {
  for (const [file, content] of Object.entries(FILES)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), content);
  }
  await chmod(path.join(dir, 'extensions/slugify/index.js'), 0o755);
  await mkdir(path.join(dir, 'links'));
  for (const [file, target] of Object.entries(LINKS)) await symlink(target, path.join(dir, file));
  // A nested repository: a gitlink in the commit, a folder with its own .git on disk. Neither source lists it.
  const nested = path.join(dir, 'vendor/theme');
  await mkdir(nested, { recursive: true });
  await writeFile(path.join(nested, 'theme.yaml'), 'theme: dark\n');
  git(nested, 'init', '-q', '-b', 'main');
  git(nested, 'add', '.');
  git(nested, 'commit', '-q', '-m', 'theme');
}

/** A repository made by the git CLI from the fixture, tagged; `pack` leaves no loose objects or refs. */
async function makeRepository(dir: string, pack: boolean): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFixture(dir);
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'Fixture');
  git(dir, 'tag', '-a', 'v1', '-m', 'Version 1');
  git(dir, 'tag', '-a', 'v1-signed-off', 'v1', '-m', 'A tag of a tag');
  git(dir, 'tag', 'light');
  if (pack) git(dir, 'gc', '-q', '--aggressive', '--prune=now');
}

let root: string;
let loose: string;
let packed: string;
let bare: string;
let commit: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'cairn-config-sources-'));
  await writeFile(path.join(root, 'outside.txt'), 'secret outside the repository\n');
  loose = path.join(root, 'loose');
  packed = path.join(root, 'packed');
  bare = path.join(root, 'bare.git');
  await makeRepository(loose, false);
  await makeRepository(packed, true);
  git(root, 'clone', '-q', '--bare', loose, bare);
  commit = git(loose, 'rev-parse', 'main');
  expect(git(packed, 'rev-parse', 'main')).toBe(commit);
});

afterAll(async () => {
  if (root !== undefined) await rm(root, { recursive: true, force: true });
});

describe('fixture repositories', () => {
  it('are what the cases claim: loose objects only, packed objects only, a bare clone', () => {
    const counts = (dir: string) => Object.fromEntries(git(dir, 'count-objects', '-v').split('\n').map((line) => line.split(': ')));
    expect(counts(loose)['in-pack']).toBe('0');
    expect(counts(packed)['count']).toBe('0');
    expect(git(bare, 'rev-parse', '--is-bare-repository')).toBe('true');
    expect(git(loose, 'ls-tree', 'main', 'vendor/theme')).toMatch(/^160000 commit /);
    expect(git(loose, 'cat-file', '-t', 'v1')).toBe('tag');
  });
});

interface Case {
  name: string;
  open(): Promise<ConfigSource>;
  /** The ref asked for; undefined for the working tree. Known only once the fixture exists, hence a function. */
  ref(): string | undefined;
  dir(): string;
}

const refs = (): { label: string; ref: string }[] => [
  { label: 'branch', ref: 'main' },
  { label: 'annotated tag', ref: 'v1' },
  { label: 'tag of a tag', ref: 'v1-signed-off' },
  { label: 'lightweight tag', ref: 'light' },
  { label: 'full ref name', ref: 'refs/heads/main' },
  { label: 'HEAD', ref: 'HEAD' },
];

const repositories: { kind: string; dir: () => string }[] = [
  { kind: 'loose', dir: () => loose },
  { kind: 'packed', dir: () => packed },
  { kind: 'bare', dir: () => bare },
];

const cases: Case[] = [
  { name: 'working tree', open: async () => workingTreeSource(loose), ref: () => undefined, dir: () => loose },
  ...repositories.flatMap(({ kind, dir }) =>
    [
      ...refs().map(({ label, ref }) => ({ label: `${label} ${ref}`, ref: () => ref })),
      { label: 'full commit id', ref: () => commit },
      { label: 'abbreviated commit id', ref: () => commit.slice(0, 7) },
    ].map(({ label, ref }) => ({ name: `git ${kind}, ${label}`, open: () => gitRefSource({ dir: dir(), ref: ref() }), ref, dir })),
  ),
];

describe.each(cases)('ConfigSource: $name', ({ open, ref, dir }) => {
  let source: ConfigSource;
  beforeAll(async () => {
    source = await open();
  });

  it('says where its files come from', () => {
    const asked = ref();
    if (asked === undefined) {
      expect(source).toMatchObject({ description: loose, commit: undefined, ref: undefined });
      return;
    }
    expect(source.commit).toBe(commit);
    expect(source.ref).toBe(asked);
    expect(source.description).toBe(`${dir()}@${asked} (${commit.slice(0, 7)})`);
  });

  it('lists every file, sorted, through in-root symlinks, without .git, node_modules, nested repositories or escaping links', async () => {
    expect(await source.listFiles()).toEqual(Object.keys(EXPECTED).sort());
  });

  it('reads every listed file as UTF-8 text, byte for byte', async () => {
    for (const file of await source.listFiles()) expect(await source.readText(file), file).toBe(EXPECTED[file]);
  });

  it('reads a path with . and .. that stays inside', async () => {
    expect(await source.readText('collections/nested/../articles.yaml')).toBe(FILES['collections/articles.yaml']);
    expect(await source.readText('./cairn.yaml')).toBe(FILES['cairn.yaml']);
  });

  it('refuses paths outside the root: .., absolute, or through an escaping symlink', async () => {
    for (const outside of ['../outside.txt', '../../etc/passwd', 'collections/../../x', '/etc/passwd', 'links/outside.txt']) {
      await expect(source.readText(outside), outside).rejects.toMatchObject({ code: 'CONFIG_PATH_OUTSIDE_ROOT', details: { path: outside } });
    }
  });

  it('reports a missing file, a folder, a skipped folder or a dangling link as not found', async () => {
    const missing = ['nope.yaml', 'collections', 'collections/articles.yaml/x', 'cairn.yaml/', 'links/dangling.yaml', 'node_modules/left-pad/index.js',
      'links/into-node-modules.js', 'vendor/theme/theme.yaml', '.git/config', ''];
    for (const file of missing) {
      await expect(source.readText(file), file).rejects.toMatchObject({ code: 'CONFIG_SOURCE_NOT_FOUND', details: { path: file } });
    }
  });
});

describe('git ref source', () => {
  let history: string;
  let first: string;
  beforeAll(async () => {
    history = path.join(root, 'history');
    await mkdir(path.join(history, 'collections'), { recursive: true });
    await writeFile(path.join(history, 'cairn.yaml'), 'version: 1\n');
    await writeFile(path.join(history, 'collections/old.yaml'), 'collection: old\n');
    git(history, 'init', '-q', '-b', 'main');
    git(history, 'add', '.');
    git(history, 'commit', '-q', '-m', 'one');
    first = git(history, 'rev-parse', 'HEAD');
    await writeFile(path.join(history, 'cairn.yaml'), 'version: 2\n');
    git(history, 'rm', '-q', 'collections/old.yaml');
    git(history, 'commit', '-q', '-am', 'two');
    // Uncommitted: only the working tree source may see it.
    await writeFile(path.join(history, 'cairn.yaml'), 'version: 3\n');
  });

  it('reads an old commit as it was, whatever the branch and the working tree say now', async () => {
    const old = await gitRefSource({ dir: history, ref: first });
    expect(await old.listFiles()).toEqual(['cairn.yaml', 'collections/old.yaml']);
    expect(await old.readText('cairn.yaml')).toBe('version: 1\n');
    const main = await gitRefSource({ dir: history, ref: 'main' });
    expect(await main.listFiles()).toEqual(['cairn.yaml']);
    expect(await main.readText('cairn.yaml')).toBe('version: 2\n');
    expect(await workingTreeSource(history).readText('cairn.yaml')).toBe('version: 3\n');
  });

  it('keeps reading the commit it resolved when the branch moves on', async () => {
    const source = await gitRefSource({ dir: history, ref: 'main' });
    const before = source.commit;
    git(history, 'commit', '-q', '-am', 'three');
    expect(git(history, 'rev-parse', 'main')).not.toBe(before);
    expect(source.commit).toBe(before);
    expect(await source.readText('cairn.yaml')).toBe('version: 2\n');
    expect(await (await gitRefSource({ dir: history, ref: 'main' })).readText('cairn.yaml')).toBe('version: 3\n');
  });

  it('rejects a ref that names no commit with GIT_REF_NOT_FOUND', async () => {
    const tree = git(loose, 'rev-parse', 'main^{tree}');
    const blob = git(loose, 'rev-parse', 'main:cairn.yaml');
    const unknown = ['no-such-branch', 'refs/heads/nope', '0'.repeat(40), 'fffffff', tree, blob, '../HEAD', 'main..v1',
      'main~1', 'packed-refs', 'config', 'objects', ''];
    for (const dir of [loose, packed, bare]) {
      for (const ref of unknown) {
        await expect(gitRefSource({ dir, ref }), `${dir} ${ref}`).rejects.toMatchObject({ code: 'GIT_REF_NOT_FOUND', details: { ref, dir } });
      }
    }
  });

  it('rejects a directory that holds no repository with GIT_REPOSITORY_NOT_FOUND', async () => {
    const plain = path.join(root, 'plain');
    await mkdir(plain, { recursive: true });
    for (const dir of [plain, path.join(root, 'missing'), path.join(loose, 'collections')]) {
      await expect(gitRefSource({ dir, ref: 'main' })).rejects.toMatchObject({ code: 'GIT_REPOSITORY_NOT_FOUND', details: { dir } });
    }
  });

  it('resolves an abbreviation shared with blobs to the one commit, and rejects one shared by objects of no commit', async () => {
    const dir = path.join(root, 'ambiguous');
    await mkdir(dir);
    await writeFile(path.join(dir, 'a.yaml'), 'a: 1\n');
    git(dir, 'init', '-q', '-b', 'main');
    git(dir, 'add', '.');
    git(dir, 'commit', '-q', '-m', 'one');
    const head = git(dir, 'rev-parse', 'HEAD');
    const blobId = (text: string) => createHash('sha1').update(`blob ${Buffer.byteLength(text)}\0${text}`).digest('hex');
    // Blobs made to collide on four digits: one with the commit, two with each other.
    const withCommit = findText((text) => blobId(text).startsWith(head.slice(0, 4)));
    const seen = new Map<string, string>();
    const pair = findText((text) => {
      const prefix = blobId(text).slice(0, 4);
      if (prefix === head.slice(0, 4)) return false;
      if (seen.has(prefix)) return true;
      seen.set(prefix, text);
      return false;
    });
    const pairPrefix = blobId(pair).slice(0, 4);
    for (const text of [withCommit, pair, seen.get(pairPrefix)!]) {
      execFileSync('git', ['hash-object', '-w', '--stdin'], { cwd: dir, input: text });
    }
    expect((await gitRefSource({ dir, ref: head.slice(0, 4) })).commit).toBe(head);
    await expect(gitRefSource({ dir, ref: pairPrefix })).rejects.toMatchObject({
      code: 'GIT_REF_AMBIGUOUS',
      details: { ref: pairPrefix, dir, matches: [blobId(pair), blobId(seen.get(pairPrefix)!)].sort() },
    });
  });
});

describe('working tree source', () => {
  it('rejects a directory that does not exist, or is a file, with CONFIG_SOURCE_NOT_FOUND', async () => {
    for (const dir of [path.join(root, 'missing'), path.join(root, 'outside.txt')]) {
      await expect(workingTreeSource(dir).listFiles()).rejects.toMatchObject({ code: 'CONFIG_SOURCE_NOT_FOUND', details: { path: dir } });
    }
  });

  it('sees edits on the next read', async () => {
    const dir = await mkdtemp(path.join(root, 'edits-'));
    const source = workingTreeSource(dir);
    expect(await source.listFiles()).toEqual([]);
    await writeFile(path.join(dir, 'a.yaml'), 'a: 1\n');
    expect(await source.listFiles()).toEqual(['a.yaml']);
    await writeFile(path.join(dir, 'a.yaml'), 'a: 2\n');
    expect(await source.readText('a.yaml')).toBe('a: 2\n');
  });

});

describe('both sources', () => {
  it('follow symlinks to directories that point at each other without walking forever', async () => {
    const dir = await mkdtemp(path.join(root, 'loops-'));
    await mkdir(path.join(dir, 'a'));
    await mkdir(path.join(dir, 'b'));
    await writeFile(path.join(dir, 'a/a.yaml'), 'a\n');
    await writeFile(path.join(dir, 'b/b.yaml'), 'b\n');
    await symlink('../b', path.join(dir, 'a/to-b'));
    await symlink('../a', path.join(dir, 'b/to-a'));
    git(dir, 'init', '-q', '-b', 'main');
    git(dir, 'add', '.');
    git(dir, 'commit', '-q', '-m', 'loops');
    const expected = ['a/a.yaml', 'a/to-b/b.yaml', 'b/b.yaml', 'b/to-a/a.yaml'];
    expect(await workingTreeSource(dir).listFiles()).toEqual(expected);
    expect(await (await gitRefSource({ dir, ref: 'HEAD' })).listFiles()).toEqual(expected);
  });
});

/** The first of a deterministic series of texts that `accept` takes. */
function findText(accept: (text: string) => boolean): string {
  for (let i = 0; ; i++) {
    const text = `filler ${i}\n`;
    if (accept(text)) return text;
  }
}
