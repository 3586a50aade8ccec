/**
 * Config read from a git ref or commit instead of the working tree: `cairn
 * plan --ref main`, CI planning a pull request's base, a server loading the
 * commit that was applied. The ref is resolved once, when the source is made,
 * so every file comes from the same commit even if the branch moves meanwhile.
 */
import { openCommitTree, resolveCommit } from '../git/index.ts';
import type { ConfigSource } from './source.ts';

export interface GitRefSourceOptions {
  /** A working tree holding `.git`, or a bare repository. */
  dir: string;
  /** A branch, tag, `HEAD`, `refs/…` name, or a full or abbreviated commit id. */
  ref: string;
  /** isomorphic-git's cache (parsed pack indexes); share one between sources of the same repository. */
  cache?: object | undefined;
}

export async function gitRefSource({ dir, ref, cache = {} }: GitRefSourceOptions): Promise<ConfigSource> {
  const commit = await resolveCommit({ dir, ref, cache });
  const tree = await openCommitTree({ dir, commit, cache });
  return {
    description: `${dir}@${ref} (${commit.slice(0, 7)})`,
    commit,
    ref,
    listFiles: () => tree.listFiles(),
    readText: (path) => tree.readText(path),
  };
}
