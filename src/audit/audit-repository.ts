/**
 * The bare audit repository, written without a working tree: blobs and trees
 * go straight into the object database (isomorphic-git's writeBlob /
 * writeTree / writeCommit) and the branch moves the way git moves it — the
 * new id written to `refs/heads/<branch>.lock`, then renamed over the ref.
 * Holding that lock file is what makes "read the head, commit on top of it,
 * move the branch" one step even if two writers ever ran at once.
 *
 * A change rewrites only the trees on its path (root, `content/`,
 * `content/<collection>/`), so the cost of a commit does not grow with the
 * history, and nothing here walks it.
 */
import nodeFs from 'node:fs';
import { mkdir, open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Errors, init, readBlob, readCommit, readTree, resolveRef, writeBlob, writeCommit, writeTree, type PromiseFsClient, type TreeEntry } from 'isomorphic-git';

/** A lock file older than this is taken to be left by a writer that died (a commit takes milliseconds). */
const STALE_LOCK_MS = 10_000;

/** The promise-based fs isomorphic-git is given: node's, with writes made atomic (temp file, then rename). */
export type GitFs = PromiseFsClient;

export interface AuditRepository {
  readonly gitdir: string;
  readonly branch: string;
  readonly fs: GitFs;
  /** isomorphic-git's cache (pack indexes), shared by every call on this repository. */
  readonly cache: object;
}

export interface GitIdentity {
  name: string;
  email: string;
  /** Seconds since the epoch. */
  timestamp: number;
}

export interface CommitInfo {
  oid: string;
  tree: string;
  parents: string[];
  author: GitIdentity;
  committer: GitIdentity;
  message: string;
}

/**
 * node's fs for isomorphic-git, with two changes: a file is written to a
 * temporary name and renamed into place, so a process killed mid-write never
 * leaves a truncated object behind (isomorphic-git skips objects that exist);
 * and `observe`, when given, hears every call (tests count them).
 */
export function createGitFs(observe?: (operation: string, target: string) => void): GitFs {
  const base = nodeFs.promises as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  const promises: Record<string, (...args: never[]) => Promise<unknown>> = {};
  for (const name of ['readFile', 'mkdir', 'rmdir', 'unlink', 'stat', 'lstat', 'readdir', 'readlink', 'symlink', 'rm']) {
    promises[name] = async (...args: unknown[]) => {
      observe?.(name, String(args[0]));
      return base[name]!(...args);
    };
  }
  promises.writeFile = (async (file: string, data: Uint8Array | string, options?: unknown) => {
    observe?.('writeFile', file);
    const temporary = `${file}.tmp-${randomBytes(6).toString('hex')}`;
    try {
      await nodeFs.promises.writeFile(temporary, data, options as nodeFs.WriteFileOptions);
      await rename(temporary, file);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }) as never;
  return { promises } as unknown as GitFs;
}

/** The repository at `gitdir`, created (bare, HEAD on `branch`) when there is none yet. */
export async function openAuditRepository(options: { gitdir: string; branch: string; fs?: GitFs }): Promise<AuditRepository> {
  const repository: AuditRepository = { gitdir: options.gitdir, branch: options.branch, fs: options.fs ?? createGitFs(), cache: {} };
  const exists = await stat(path.join(options.gitdir, 'HEAD')).then(() => true, () => false);
  if (!exists) {
    await mkdir(options.gitdir, { recursive: true });
    await init({ fs: repository.fs, dir: options.gitdir, gitdir: options.gitdir, bare: true, defaultBranch: options.branch });
  }
  return repository;
}

/** Whether a repository exists at `gitdir` (readers never create one). */
export async function auditRepositoryExists(gitdir: string): Promise<boolean> {
  return stat(path.join(gitdir, 'HEAD')).then((info) => info.isFile(), () => false);
}

/** The commit the branch points at; null before the first commit. */
export async function readHead(repository: AuditRepository): Promise<string | null> {
  try {
    return await resolveRef({ fs: repository.fs, gitdir: repository.gitdir, ref: `refs/heads/${repository.branch}` });
  } catch (error) {
    if ((error as { code?: string }).code === Errors.NotFoundError.code) return null;
    throw error;
  }
}

export async function readCommitInfo(repository: AuditRepository, oid: string): Promise<CommitInfo> {
  const { commit } = await readCommit({ fs: repository.fs, gitdir: repository.gitdir, oid, cache: repository.cache });
  const identity = (who: typeof commit.author): GitIdentity => ({ name: who.name, email: who.email, timestamp: who.timestamp });
  return { oid, tree: commit.tree, parents: commit.parent, author: identity(commit.author), committer: identity(commit.committer), message: commit.message };
}

/** The blob id and text of a file in a commit (or a tree), or null when the commit does not hold it. */
export async function readFileAt(repository: AuditRepository, commitOrTree: string, parts: readonly string[]): Promise<{ oid: string; text: string } | null> {
  const oid = await blobAt(repository, commitOrTree, parts);
  if (oid === null) return null;
  const { blob } = await readBlob({ fs: repository.fs, gitdir: repository.gitdir, oid, cache: repository.cache });
  return { oid, text: new TextDecoder().decode(blob) };
}

/** The blob id at a path, reading one tree per path segment. */
export async function blobAt(repository: AuditRepository, commitOrTree: string, parts: readonly string[]): Promise<string | null> {
  let tree = commitOrTree;
  for (const [index, part] of parts.entries()) {
    const entries = await treeEntries(repository, tree);
    const entry = entries.find((candidate) => candidate.path === part);
    const last = index === parts.length - 1;
    if (entry === undefined || entry.type !== (last ? 'blob' : 'tree')) return null;
    tree = entry.oid;
  }
  return tree;
}

export interface ChangeCommit {
  /** The commit this one follows; null for the first. */
  parent: string | null;
  /** Folders then file name, e.g. ['content', 'articles', '12.json']. */
  parts: readonly string[];
  /** The file's new text, or null to remove it. */
  content: string | null;
  author: GitIdentity;
  committer: GitIdentity;
  message: string;
}

/**
 * Writes the objects of a commit that changes one file of `parent`'s tree and
 * returns its id. The branch is not moved (see withBranchLock). Folders left
 * empty by a removal are dropped, as git itself never stores empty folders.
 */
export async function writeChangeCommit(repository: AuditRepository, change: ChangeCommit): Promise<string> {
  const { fs, gitdir } = repository;
  const parentTree = change.parent === null ? null : (await readCommitInfo(repository, change.parent)).tree;
  const blob = change.content === null ? null : await writeBlob({ fs, gitdir, blob: Buffer.from(change.content, 'utf8') });
  const tree = (await rewriteTree(repository, parentTree, change.parts, blob, true))!;
  const person = (who: GitIdentity) => ({ name: who.name, email: who.email, timestamp: who.timestamp, timezoneOffset: 0 });
  return writeCommit({
    fs,
    gitdir,
    commit: {
      tree,
      parent: change.parent === null ? [] : [change.parent],
      author: person(change.author),
      committer: person(change.committer),
      message: change.message,
    },
  });
}

async function rewriteTree(repository: AuditRepository, tree: string | null, parts: readonly string[], blob: string | null, root: boolean): Promise<string | null> {
  const [name, ...rest] = parts;
  const existing = tree === null ? [] : await treeEntries(repository, tree);
  const entries = existing.filter((entry) => entry.path !== name);
  if (rest.length === 0) {
    if (blob !== null) entries.push({ mode: '100644', path: name!, oid: blob, type: 'blob' });
  } else {
    const child = existing.find((entry) => entry.path === name && entry.type === 'tree');
    const next = await rewriteTree(repository, child?.oid ?? null, rest, blob, false);
    if (next !== null) entries.push({ mode: '040000', path: name!, oid: next, type: 'tree' });
  }
  if (entries.length === 0 && !root) return null;
  return writeTree({ fs: repository.fs, gitdir: repository.gitdir, tree: entries });
}

async function treeEntries(repository: AuditRepository, oid: string): Promise<TreeEntry[]> {
  return (await readTree({ fs: repository.fs, gitdir: repository.gitdir, oid, cache: repository.cache })).tree;
}

export interface BranchLock {
  /** The branch's commit when the lock was taken (null: no commit yet). */
  readonly head: string | null;
  /** Points the branch at `oid` and releases the lock (git's rename of the lock file over the ref). */
  update(oid: string): Promise<void>;
}

/**
 * Runs `work` holding `refs/heads/<branch>.lock`, created exclusively as git
 * does, so no other writer (Cairn or git) moves the branch meanwhile. A lock
 * left by a process that died is taken over once it is STALE_LOCK_MS old.
 */
export async function withBranchLock<T>(repository: AuditRepository, work: (lock: BranchLock) => Promise<T>): Promise<T> {
  const refFile = path.join(repository.gitdir, 'refs', 'heads', ...repository.branch.split('/'));
  const lockFile = `${refFile}.lock`;
  await mkdir(path.dirname(refFile), { recursive: true });
  const handle = await takeLock(lockFile);
  let released = false;
  try {
    const head = await readHead(repository);
    return await work({
      head,
      async update(oid) {
        await handle.writeFile(`${oid}\n`);
        await handle.sync();
        await handle.close();
        await rename(lockFile, refFile);
        released = true;
      },
    });
  } finally {
    if (!released) {
      await handle.close().catch(() => undefined);
      await rm(lockFile, { force: true });
    }
  }
}

async function takeLock(lockFile: string): Promise<FileHandle> {
  try {
    return await open(lockFile, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const info = await stat(lockFile).catch(() => undefined);
    if (info !== undefined && Date.now() - info.mtimeMs < STALE_LOCK_MS) {
      throw new Error(`The audit branch is locked by another writer (${lockFile}); retrying later`);
    }
    await rm(lockFile, { force: true });
    return open(lockFile, 'wx');
  }
}
