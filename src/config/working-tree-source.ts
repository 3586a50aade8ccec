/**
 * Config read from a directory on disk: the working tree a developer edits
 * and `cairn validate` checks before anything is committed. Every call reads
 * the disk afresh; nothing is cached, so an edit shows up on the next read.
 *
 * Symlinks are followed, to files and to directories, as an editor would, but
 * only while they stay inside the root: config never reads a file that is not
 * part of the repository. A nested repository (a folder with its own `.git`,
 * such as a submodule checkout) is left out, as git leaves it out of a commit.
 */
import type { Dirent } from 'node:fs';
import { lstat, readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { ConfigPathOutsideRootError, ConfigSourceNotFoundError } from '../errors/index.ts';
import type { ConfigSource } from './source.ts';

/** Folder names never read, at any depth (the same set as the git source). */
const SKIPPED_NAMES: ReadonlySet<string> = new Set(['.git', 'node_modules']);

export function workingTreeSource(dir: string): ConfigSource {
  return {
    description: dir,
    commit: undefined,
    ref: undefined,
    async listFiles() {
      const root = await realRoot(dir);
      const files: string[] = [];
      await walk({ root, real: root, logical: '', walking: new Set([root]), files });
      return files.sort();
    },
    async readText(requested) {
      if (escapesRoot(requested)) throw new ConfigPathOutsideRootError({ path: requested });
      const root = await realRoot(dir);
      // Not path.join: `..` must be taken after symlinks are resolved, as the kernel (and the git source) does.
      const real = await realpath(`${root}${path.sep}${requested}`).catch(() => undefined);
      if (real === undefined) throw new ConfigSourceNotFoundError({ path: requested });
      if (!isInside(root, real)) throw new ConfigPathOutsideRootError({ path: requested });
      const readable = !hasSkippedPart(requested.split('/')) && (await isReadablePlace(root, real));
      if (!readable || !(await stat(real)).isFile()) throw new ConfigSourceNotFoundError({ path: requested });
      return readFile(real, 'utf8');
    },
  };
}

interface Walk {
  /** The root, symlinks resolved. */
  root: string;
  /** The directory being read, symlinks resolved. */
  real: string;
  /** Its path as the caller sees it: POSIX, relative, through symlinks. */
  logical: string;
  /** Real directories on the way down; meeting one again means a symlink loop. */
  walking: Set<string>;
  files: string[];
}

async function walk({ root, real, logical, walking, files }: Walk): Promise<void> {
  const entries: Dirent[] = await readdir(real, { withFileTypes: true });
  for (const entry of entries) {
    if (SKIPPED_NAMES.has(entry.name)) continue;
    const childLogical = logical === '' ? entry.name : `${logical}/${entry.name}`;
    let childReal = path.join(real, entry.name);
    let kind = entry.isFile() ? 'file' : entry.isDirectory() ? 'directory' : 'other';
    if (entry.isSymbolicLink()) {
      const target = await followLink(root, childReal);
      if (target === undefined) continue;
      [kind, childReal] = [target.kind, target.real];
    }
    if (kind === 'file') files.push(childLogical);
    if (kind !== 'directory' || walking.has(childReal) || (await exists(path.join(childReal, '.git')))) continue;
    walking.add(childReal);
    await walk({ root, real: childReal, logical: childLogical, walking, files });
    walking.delete(childReal);
  }
}

/** Where a symlink leads, if that is a file or directory config may read; dangling, looping and escaping links lead nowhere. */
async function followLink(root: string, link: string): Promise<{ kind: 'file' | 'directory'; real: string } | undefined> {
  const real = await realpath(link).catch(() => undefined);
  if (real === undefined || !isInside(root, real) || !(await isReadablePlace(root, real))) return undefined;
  const info = await stat(real);
  if (info.isFile()) return { kind: 'file', real };
  if (info.isDirectory()) return { kind: 'directory', real };
  return undefined;
}

/** A real path inside the root that is not under a skipped folder or inside a nested repository. */
async function isReadablePlace(root: string, real: string): Promise<boolean> {
  const parts = path.relative(root, real).split(path.sep).filter((part) => part !== '');
  if (hasSkippedPart(parts)) return false;
  for (let depth = 1; depth < parts.length; depth++) {
    if (await exists(path.join(root, ...parts.slice(0, depth), '.git'))) return false;
  }
  return true;
}

async function realRoot(dir: string): Promise<string> {
  const root = await realpath(path.resolve(dir)).catch(() => undefined);
  if (root === undefined || !(await stat(root)).isDirectory()) throw new ConfigSourceNotFoundError({ path: dir });
  return root;
}

function escapesRoot(posixPath: string): boolean {
  const normal = path.posix.normalize(posixPath);
  return path.isAbsolute(posixPath) || path.posix.isAbsolute(normal) || normal === '..' || normal.startsWith('../');
}

function isInside(root: string, real: string): boolean {
  const relative = path.relative(root, real);
  return relative === '' || (relative.split(path.sep)[0] !== '..' && !path.isAbsolute(relative));
}

function hasSkippedPart(parts: string[]): boolean {
  return parts.some((part) => SKIPPED_NAMES.has(part));
}

function exists(file: string): Promise<boolean> {
  return lstat(file).then(() => true, () => false);
}
