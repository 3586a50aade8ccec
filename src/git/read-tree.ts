/**
 * Reads files straight out of a git repository's object database, without a
 * checkout: which commit a ref names, which files a commit holds, what a file
 * says. Config can then come from any branch, tag or commit while the working
 * tree holds something else (a pull request's head, the last applied commit).
 *
 * What a commit "holds" is what a checkout of it would show to Cairn's
 * working-tree reader, so both config sources agree:
 * - symlinks are followed inside the tree, to files and to directories; one
 *   that is absolute, climbs out of the root, dangles or loops is left out;
 * - submodules (gitlinks) are left out, as a working tree leaves out nested
 *   repositories;
 * - `node_modules/` is left out, as in the working tree.
 */
import fs from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { Errors, expandOid, readBlob, readObject, readTree, resolveRef } from 'isomorphic-git';
import {
  ConfigPathOutsideRootError,
  ConfigSourceNotFoundError,
  GitRefAmbiguousError,
  GitRefNotFoundError,
  GitRepositoryNotFoundError,
} from '../errors/index.ts';

/** Folder names never read, at any depth (the same set as the working-tree source). */
const SKIPPED_NAMES: ReadonlySet<string> = new Set(['.git', 'node_modules']);
/** Symlinks followed while resolving one path before giving up, as Linux's ELOOP limit. */
const MAX_SYMLINK_HOPS = 40;
/** Annotated tags can point at tags; git itself gives up peeling long before this. */
const MAX_TAG_DEPTH = 16;

export interface ResolveCommitOptions {
  /** A working tree holding `.git`, or a bare repository. */
  dir: string;
  /** A branch, tag, `HEAD`, any `refs/…` name, or a full or abbreviated (4+ digits) commit id. */
  ref: string;
  /** isomorphic-git's cache; pass the same object to every call on one repository. */
  cache: object;
}

export interface CommitTreeOptions {
  dir: string;
  /** A full commit id, as `resolveCommit` returns it. */
  commit: string;
  cache: object;
}

export interface ReadBlobTextOptions extends CommitTreeOptions {
  /** POSIX path relative to the repository root. */
  path: string;
}

/** One commit's files, with its trees read once and kept, so listing then reading every file costs one read per object. */
export interface CommitTree {
  readonly commit: string;
  /** Every file path, POSIX, relative, sorted (see the module header for what counts). */
  listFiles(): Promise<string[]>;
  /** A file's content as UTF-8 text. */
  readText(path: string): Promise<string>;
}

/**
 * The git directory of `dir`. isomorphic-git wants `gitdir` alone for a bare
 * repository; every read here passes `gitdir` only, so both kinds take one path.
 */
export async function findGitdir(dir: string): Promise<string> {
  const dotGit = path.join(dir, '.git');
  const info = await stat(dotGit).catch(() => undefined);
  if (info?.isDirectory()) return dotGit;
  if (info?.isFile()) {
    // A submodule checkout: `.git` is a file naming the real git directory.
    const match = /^gitdir:\s*(.+?)\s*$/m.exec(await readFile(dotGit, 'utf8'));
    if (match?.[1] !== undefined) return path.resolve(dir, match[1]);
  }
  const [head, objects] = await Promise.all([
    stat(path.join(dir, 'HEAD')).catch(() => undefined),
    stat(path.join(dir, 'objects')).catch(() => undefined),
  ]);
  if (head?.isFile() && objects?.isDirectory()) return dir;
  throw new GitRepositoryNotFoundError({ dir });
}

/** The full id of the commit `ref` names; annotated tags are peeled to their commit. */
export async function resolveCommit({ dir, ref, cache }: ResolveCommitOptions): Promise<string> {
  const gitdir = await findGitdir(dir);
  let oid: string | undefined;
  if (/^[0-9a-f]{40}$/i.test(ref)) {
    // As in git, 40 hex digits are an object id even if a branch has that name.
    oid = ref.toLowerCase();
  } else if (isValidRefName(ref)) {
    oid = await resolveNamedRef(gitdir, ref);
    if (oid === undefined && /^[0-9a-f]{4,39}$/i.test(ref)) oid = await expandAbbreviation({ gitdir, dir, ref, cache });
  }
  const commit = oid === undefined ? undefined : await peelToCommit(gitdir, oid, cache);
  if (commit === undefined) throw new GitRefNotFoundError({ ref, dir });
  return commit;
}

export async function openCommitTree({ dir, commit, cache }: CommitTreeOptions): Promise<CommitTree> {
  return commitTree(await findGitdir(dir), commit, cache);
}

/** Every file path in a commit (see the module header for what counts as a file). */
export async function listTreeFiles(options: CommitTreeOptions): Promise<string[]> {
  return (await openCommitTree(options)).listFiles();
}

/** One file of a commit as UTF-8 text; a symlink inside the tree reads as the file it points to. */
export async function readBlobText(options: ReadBlobTextOptions): Promise<string> {
  return (await openCommitTree(options)).readText(options.path);
}

/**
 * Git's own lookup order (gitrevisions(7)), spelled out rather than left to
 * isomorphic-git, whose first guess is the file `<gitdir>/<ref>`: that would
 * let a "ref" such as `packed-refs` or `objects/…` be read as a ref.
 */
async function resolveNamedRef(gitdir: string, ref: string): Promise<string | undefined> {
  const candidates = ref.startsWith('refs/')
    ? [ref]
    : [
        ...(/^[A-Z][A-Z_]*$/.test(ref) ? [ref] : []),
        `refs/${ref}`,
        `refs/tags/${ref}`,
        `refs/heads/${ref}`,
        `refs/remotes/${ref}`,
        `refs/remotes/${ref}/HEAD`,
      ];
  for (const candidate of candidates) {
    try {
      return await resolveRef({ fs, gitdir, ref: candidate });
    } catch (error) {
      if (!isGitError(error, Errors.NotFoundError.code)) throw error;
    }
  }
  return undefined;
}

/** check-ref-format's rules, which also keep a ref from naming a file outside `refs/`. */
function isValidRefName(ref: string): boolean {
  if (ref === '' || ref === '@' || ref.endsWith('/') || ref.endsWith('.') || ref.endsWith('.lock')) return false;
  if (ref.includes('..') || ref.includes('@{') || /[\x00-\x20\x7f~^:?*[\\]/.test(ref)) return false;
  return ref.split('/').every((part) => part !== '' && !part.startsWith('.'));
}

async function expandAbbreviation(options: { gitdir: string; dir: string; ref: string; cache: object }): Promise<string | undefined> {
  const { gitdir, dir, ref, cache } = options;
  try {
    return await expandOid({ fs, gitdir, oid: ref.toLowerCase(), cache });
  } catch (error) {
    if (isGitError(error, Errors.NotFoundError.code)) return undefined;
    if (!isGitError(error, Errors.AmbiguousError.code)) throw error;
    const matches = ((error as { data?: { matches?: string[] } }).data?.matches ?? []).slice().sort();
    // Where a commit is expected git prefers the one commit among the matches (core.disambiguate=commit-ish).
    const commits: string[] = [];
    for (const match of matches) if ((await peelToCommit(gitdir, match, cache)) === match) commits.push(match);
    if (commits.length === 1) return commits[0];
    throw new GitRefAmbiguousError({ ref, dir, matches });
  }
}

/** The commit an object id stands for: itself, or what a chain of annotated tags points at. Undefined for trees, blobs, missing ids. */
async function peelToCommit(gitdir: string, oid: string, cache: object): Promise<string | undefined> {
  let current = oid;
  for (let depth = 0; depth < MAX_TAG_DEPTH; depth++) {
    let object;
    try {
      object = await readObject({ fs, gitdir, oid: current, cache, format: 'parsed' });
    } catch (error) {
      if (isGitError(error, Errors.NotFoundError.code)) return undefined;
      throw error;
    }
    if (object.type === 'commit') return current;
    // Parsed tags come back as TagObject; the check also narrows away the raw-bytes shape.
    if (object.type !== 'tag' || !('object' in object.object)) return undefined;
    current = object.object.object;
  }
  return undefined;
}

type TreeItem = { kind: 'blob' | 'tree' | 'link' | 'gitlink'; oid: string };
type Resolved =
  | { kind: 'blob'; real: string; oid: string }
  | { kind: 'tree'; real: string }
  | { kind: 'missing' }
  | { kind: 'outside' };

function commitTree(gitdir: string, commit: string, cache: object): CommitTree {
  // Keyed by real directory path ('' is the root); each tree object is read once per CommitTree.
  const directories = new Map<string, Promise<Map<string, TreeItem> | undefined>>();
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true }); // keep a BOM, as fs.readFile(…, 'utf8') does

  function entriesOf(real: string): Promise<Map<string, TreeItem> | undefined> {
    let entries = directories.get(real);
    if (entries === undefined) {
      entries = loadEntries(real);
      directories.set(real, entries);
    }
    return entries;
  }

  async function loadEntries(real: string): Promise<Map<string, TreeItem> | undefined> {
    let oid = commit;
    if (real !== '') {
      const slash = real.lastIndexOf('/');
      const item = (await entriesOf(real.slice(0, Math.max(slash, 0))))?.get(real.slice(slash + 1));
      if (item?.kind !== 'tree') return undefined;
      oid = item.oid;
    }
    const { tree } = await readTree({ fs, gitdir, oid, cache });
    return new Map(tree.map((entry) => [entry.path, { kind: itemKind(entry.mode), oid: entry.oid }]));
  }

  async function blobText(oid: string): Promise<string> {
    const { blob } = await readBlob({ fs, gitdir, oid, cache });
    return decoder.decode(blob);
  }

  /**
   * Resolves a path the way the kernel would in a checkout: component by
   * component, a symlink's target read relative to the directory holding it,
   * `..` taken against the real (already resolved) directory.
   */
  async function resolve(start: string): Promise<Resolved> {
    if (start.startsWith('/')) return { kind: 'outside' };
    const pending = start.split('/');
    const real: string[] = [];
    let hops = 0;
    while (pending.length > 0) {
      const part = pending.shift()!;
      if (part === '' || part === '.') continue;
      if (part === '..') {
        if (real.length === 0) return { kind: 'outside' };
        real.pop();
        continue;
      }
      const item = (await entriesOf(real.join('/')))?.get(part);
      if (item === undefined || item.kind === 'gitlink') return { kind: 'missing' };
      if (item.kind === 'tree') {
        real.push(part);
      } else if (item.kind === 'link') {
        if (++hops > MAX_SYMLINK_HOPS) return { kind: 'missing' };
        const target = await blobText(item.oid);
        if (target.startsWith('/')) return { kind: 'outside' };
        pending.unshift(...target.split('/'));
      } else {
        // Anything after a file, even a trailing slash, is "not a directory" to the kernel.
        if (pending.length > 0) return { kind: 'missing' };
        return { kind: 'blob', real: [...real, part].join('/'), oid: item.oid };
      }
    }
    return { kind: 'tree', real: real.join('/') };
  }

  async function walk(real: string, logical: string, walking: Set<string>, files: string[]): Promise<void> {
    for (const [name, item] of (await entriesOf(real)) ?? []) {
      if (SKIPPED_NAMES.has(name) || item.kind === 'gitlink') continue;
      const childReal = real === '' ? name : `${real}/${name}`;
      const childLogical = logical === '' ? name : `${logical}/${name}`;
      const target: Resolved =
        item.kind === 'link' ? await resolve(childReal)
        : item.kind === 'tree' ? { kind: 'tree', real: childReal }
        : { kind: 'blob', real: childReal, oid: item.oid };
      if (target.kind === 'missing' || target.kind === 'outside' || hasSkippedPart(target.real)) continue;
      if (target.kind === 'blob') files.push(childLogical);
      // A directory already being walked is an ancestor reached again through a symlink: walking it would never end.
      else if (!walking.has(target.real)) {
        walking.add(target.real);
        await walk(target.real, childLogical, walking, files);
        walking.delete(target.real);
      }
    }
  }

  return {
    commit,
    async listFiles() {
      const files: string[] = [];
      await walk('', '', new Set(['']), files);
      return files.sort();
    },
    async readText(requested) {
      // Refused on sight, like the working tree does, even where a missing folder on the way would stop resolution first.
      const resolved = escapesRoot(requested) ? { kind: 'outside' as const } : await resolve(requested);
      if (resolved.kind === 'outside') throw new ConfigPathOutsideRootError({ path: requested });
      if (resolved.kind !== 'blob' || hasSkippedPart(requested) || hasSkippedPart(resolved.real)) {
        throw new ConfigSourceNotFoundError({ path: requested });
      }
      return blobText(resolved.oid);
    },
  };
}

function itemKind(mode: string): TreeItem['kind'] {
  if (mode === '040000') return 'tree';
  if (mode === '120000') return 'link';
  if (mode === '160000') return 'gitlink';
  return 'blob';
}

function escapesRoot(posixPath: string): boolean {
  const normal = path.posix.normalize(posixPath);
  return path.posix.isAbsolute(normal) || normal === '..' || normal.startsWith('../');
}

function hasSkippedPart(posixPath: string): boolean {
  return posixPath.split('/').some((part) => SKIPPED_NAMES.has(part));
}

function isGitError(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
