/**
 * The bare audit repository, written without a working tree: blobs, trees
 * and commits go straight into the object database as loose objects (written
 * here; isomorphic-git reads them, and creates the repository) and the branch
 * moves the way git moves it — the new id written to
 * `refs/heads/<branch>.lock`, then renamed over the ref. Holding that lock
 * file is what makes "read the head, commit on top of it, move the branch"
 * one step even if two writers ever ran at once.
 *
 * A change rewrites only the trees on its path (root, `content/`,
 * `content/<collection>/`), so the cost of a commit does not grow with the
 * history, and nothing here walks it; it does grow with the number of
 * entries of those trees (a folder's tree is written whole).
 */
import nodeFs from 'node:fs';
import { mkdir, open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { createHash, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { deflate as zlibDeflate, deflateSync } from 'node:zlib';
import path from 'node:path';
import { Errors, init, readBlob, readCommit, readTree, resolveRef, type PromiseFsClient, type TreeEntry } from 'isomorphic-git';

/** A lock file older than this is taken to be left by a writer that died (a batch of commits takes well under a second). */
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
  const chain = createCommitChain(repository, change.parent);
  const oid = await chain.commit(change);
  await chain.flush();
  return oid;
}

/** Commits written one on top of the other, each changing one file (see createCommitChain). */
export interface CommitChain {
  /** The last commit written, or the parent the chain started from. */
  readonly head: string | null;
  /** Makes a commit on top of `head` and returns its id; its objects are written in the background (see flush). */
  commit(change: Omit<ChangeCommit, 'parent'>): Promise<string>;
  /** Resolves once every object of the commits made so far is on disk; rejects if one could not be written. Before moving the branch. */
  flush(): Promise<void>;
}

/**
 * What the writer remembers of a repository between commits: the trees of
 * the last head it wrote (root, `content/`, the folders it changed), in git's
 * order, and that head's tree. Everything is keyed by object id, so it can
 * never be wrong, only missing (then the tree is read); a tree that was
 * replaced is dropped, and the whole memo once it holds more than
 * MEMO_TREES trees and heads (chains left behind by a failed batch, say).
 */
interface TreeMemo {
  trees: Map<string, readonly TreeEntry[]>;
  commitTrees: Map<string, string>;
}

const MEMO_TREES = 64;
const memos = new WeakMap<AuditRepository, TreeMemo>();

function memoOf(repository: AuditRepository): TreeMemo {
  let memo = memos.get(repository);
  if (memo === undefined || memo.trees.size + memo.commitTrees.size > MEMO_TREES) {
    memo = { trees: new Map(), commitTrees: new Map() };
    memos.set(repository, memo);
  }
  return memo;
}

/**
 * Writes commits one after the other starting on `parent`, each changing one
 * file of the one before. The trees on the paths it changes stay in memory
 * (TreeMemo), so a tree it wrote is never read back and the head's tree is
 * known without reading the commit: a batch of commits — and the next batch
 * on the head this one left — reads nothing, and writes a blob, the trees on
 * the file's path and the commit per commit.
 *
 * Objects are hashed as they are made and written behind, all at once
 * (compressed and written in libuv's pool: a file write costs a few thread
 * hand-offs, ~0.3 ms, far more than the syscalls), while the next commit is
 * built; flush waits for the writes, and the branch is moved only after it.
 * A crash before that can leave an object on disk without some object it
 * names: unreachable, so `git fsck` lists it as dangling and nothing else
 * (a later commit that makes the same object writes everything on its own
 * path itself).
 */
export function createCommitChain(repository: AuditRepository, parent: string | null): CommitChain {
  const memo = memoOf(repository);
  let head = parent;
  const queued = new Set<string>();
  let writes: Promise<void>[] = [];
  let failure: { error: unknown } | undefined;

  const writeObject = (type: ObjectType, content: Buffer): string => {
    const { oid, wrapped } = hashObject(type, content);
    if (queued.has(oid)) return oid;
    queued.add(oid);
    // Caught at once (an unhandled rejection would end the process); flush reports it.
    writes.push(storeObject(repository, oid, wrapped).catch((error: unknown) => void (failure ??= { error })));
    return oid;
  };

  const entriesOf = async (oid: string): Promise<readonly TreeEntry[]> => {
    let entries = memo.trees.get(oid);
    if (entries === undefined) {
      // isomorphic-git reads loose and packed objects alike (someone may have run git gc), sorted by name; git's order differs for folders.
      entries = [...(await treeEntries(repository, oid))].sort(compareTreeEntries);
      memo.trees.set(oid, entries);
    }
    return entries;
  };

  const rewrite = async (tree: string | null, parts: readonly string[], blob: string | null, root: boolean): Promise<string | null> => {
    const [name, ...rest] = parts;
    const existing = tree === null ? [] : await entriesOf(tree);
    const entries = existing.filter((entry) => entry.path !== name);
    let added: TreeEntry | undefined;
    if (rest.length === 0) {
      if (blob !== null) added = { mode: '100644', path: name!, oid: blob, type: 'blob' };
    } else {
      const child = existing.find((entry) => entry.path === name && entry.type === 'tree');
      const next = await rewrite(child?.oid ?? null, rest, blob, false);
      if (next !== null) added = { mode: '040000', path: name!, oid: next, type: 'tree' };
    }
    if (added !== undefined) entries.splice(insertionIndex(entries, added), 0, added);
    if (entries.length === 0 && !root) return null;
    const oid = writeObject('tree', treeObject(entries));
    if (tree !== null && tree !== oid) memo.trees.delete(tree);
    memo.trees.set(oid, entries);
    return oid;
  };

  return {
    get head() {
      return head;
    },
    async commit(change) {
      let headTree: string | null = null;
      if (head !== null) {
        headTree = memo.commitTrees.get(head) ?? (await readCommitInfo(repository, head)).tree;
        memo.commitTrees.delete(head);
      }
      const blob = change.content === null ? null : writeObject('blob', Buffer.from(change.content, 'utf8'));
      const tree = (await rewrite(headTree, change.parts, blob, true))!;
      const oid = writeObject('commit', commitObject({ tree, parent: head, author: change.author, committer: change.committer, message: change.message }));
      memo.commitTrees.set(oid, tree);
      head = oid;
      return oid;
    },
    async flush() {
      const pending = writes;
      writes = [];
      await Promise.all(pending);
      if (failure !== undefined) throw failure.error;
    },
  };
}

/** Git's order of tree entries: by name as bytes, a folder's name compared as if it ended in `/`. */
function compareTreeEntries(a: TreeEntry, b: TreeEntry): number {
  return compareBytes(a.type === 'tree' ? `${a.path}/` : a.path, b.type === 'tree' ? `${b.path}/` : b.path);
}

/** UTF-8 byte order; JavaScript's string order (UTF-16 units) is the same unless a surrogate pair is involved. */
function compareBytes(a: string, b: string): number {
  if (/[\uD800-\uDFFF]/.test(a) || /[\uD800-\uDFFF]/.test(b)) return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
  return a < b ? -1 : a > b ? 1 : 0;
}

function insertionIndex(entries: readonly TreeEntry[], entry: TreeEntry): number {
  let low = 0;
  let high = entries.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareTreeEntries(entries[middle]!, entry) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Each entry's bytes in a tree object, made once: an entry object is shared by every version of its tree (they are copied, not rebuilt). */
const encodedEntries = new WeakMap<TreeEntry, Buffer>();

/** A tree object's content: `<mode> <name>\0<20-byte id>` per entry, entries in git's order. */
function treeObject(entries: readonly TreeEntry[]): Buffer {
  return Buffer.concat(
    entries.map((entry) => {
      let encoded = encodedEntries.get(entry);
      if (encoded === undefined) {
        encoded = Buffer.concat([Buffer.from(`${entry.mode === '040000' ? '40000' : entry.mode} ${entry.path}\0`, 'utf8'), Buffer.from(entry.oid, 'hex')]);
        encodedEntries.set(entry, encoded);
      }
      return encoded;
    }),
  );
}

/** A commit object's content, as git (and isomorphic-git's writeCommit) writes it; times in UTC. */
function commitObject(commit: { tree: string; parent: string | null; author: GitIdentity; committer: GitIdentity; message: string }): Buffer {
  const person = (who: GitIdentity) => `${who.name} <${who.email}> ${who.timestamp} +0000`;
  const message = `${commit.message.replace(/\r/g, '').replace(/^\n+/, '').replace(/\n+$/, '')}\n`;
  const parent = commit.parent === null ? '' : `parent ${commit.parent}\n`;
  return Buffer.from(`tree ${commit.tree}\n${parent}author ${person(commit.author)}\ncommitter ${person(commit.committer)}\n\n${message}`, 'utf8');
}

const deflate = promisify(zlibDeflate);
/** Below this size compressing takes microseconds, less than handing it to libuv's pool. */
const SYNC_DEFLATE_BYTES = 16 * 1024;

type ObjectType = 'blob' | 'tree' | 'commit';

/** An object's id and the bytes it is stored as before compression: `<type> <size>\0<content>`. */
function hashObject(type: ObjectType, content: Buffer): { oid: string; wrapped: Buffer } {
  const wrapped = Buffer.concat([Buffer.from(`${type} ${content.length}\0`, 'utf8'), content]);
  return { oid: createHash('sha1').update(wrapped).digest('hex'), wrapped };
}

/**
 * Stores a loose object, `objects/<2>/<38>` holding its zlib-deflated bytes
 * (level 1, as git compresses loose objects: core.looseCompression), unless
 * it is there already; through the repository's fs (temporary name, then
 * rename). This is what isomorphic-git's writeBlob/writeTree/writeCommit do,
 * minus what made them cost about a millisecond an object here: web streams
 * for zlib, WebCrypto, and a tree's entries re-sorted and re-encoded one
 * small buffer at a time.
 */
async function storeObject(repository: AuditRepository, oid: string, wrapped: Buffer): Promise<void> {
  const directory = path.join(repository.gitdir, 'objects', oid.slice(0, 2));
  const file = path.join(directory, oid.slice(2));
  const fs = repository.fs.promises;
  if (await fs.stat(file).then(() => true, () => false)) return;
  const data = wrapped.length < SYNC_DEFLATE_BYTES ? deflateSync(wrapped, { level: 1 }) : await deflate(wrapped, { level: 1 });
  try {
    await fs.writeFile(file, data);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await fs.mkdir(directory, { recursive: true } as never);
    await fs.writeFile(file, data);
  }
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
