/**
 * Turns a freshly written config repository into a git repository with one
 * commit, for `cairn init`: history starts with the files Cairn wrote, so
 * the first `cairn apply` already has a commit to record.
 */
import fs from 'node:fs';
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { add, commit, init } from 'isomorphic-git';
import { GitRepositoryExistsError } from '../errors/index.ts';

export interface GitAuthor {
  name: string;
  email: string;
}

export interface InitRepositoryOptions {
  /** The directory whose files become the first commit; it holds `.git` afterwards. */
  dir: string;
  message: string;
  author: GitAuthor;
}

/** Creates the repository on branch `main`, commits every file in `dir`, and returns the commit id. */
export async function initRepository({ dir, message, author }: InitRepositoryOptions): Promise<string> {
  // isomorphic-git's init leaves an existing repository alone, and the commit would then land on someone's history.
  if (await lstat(path.join(dir, '.git')).then(() => true, () => false)) throw new GitRepositoryExistsError({ dir });
  for (const value of [author.name, author.email]) {
    // git fsck rejects an ident with these, and the commit could not be read back.
    if (value.trim() === '' || /[<>\n]/.test(value)) throw new TypeError(`Invalid git author: ${JSON.stringify(author)}`);
  }
  const cache = {};
  await init({ fs, dir, defaultBranch: 'main' });
  // `.` adds the whole tree as `git add .` does: `.git` is never added, and a `.gitignore` in the template is honoured.
  await add({ fs, dir, filepath: '.', cache });
  return commit({ fs, dir, message, author, cache });
}
