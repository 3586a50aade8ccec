/**
 * Where each kind of file lives in a config repository, and what every path
 * of a repository is: a base object file, an environment overlay, a file of
 * an extension bundle, a misplaced YAML file, or something Cairn ignores.
 */
import type { FileKind } from './schema-validator.ts';

export const NAME_KEYS: Record<FileKind, string> = {
  cairn: 'project',
  collection: 'collection',
  policy: 'policy',
  role: 'role',
  flow: 'flow',
  extension: 'extension',
};

const FOLDERS: Record<string, FileKind> = { collections: 'collection', policies: 'policy', roles: 'role', flows: 'flow' };
const YAML = /\.ya?ml$/;

export type PathRole =
  | { role: 'base'; kind: FileKind; stem: string }
  | { role: 'overlay'; environment: string; basePath: string }
  | { role: 'bundle'; extension: string; file: string }
  | { role: 'misplaced' }
  | { role: 'ignored' };

export function classifyPath(path: string): PathRole {
  if (path === 'cairn.yaml' || path === 'cairn.yml') return { role: 'base', kind: 'cairn', stem: 'cairn' };
  const object = /^(collections|policies|roles|flows)\/([^/]+)\.ya?ml$/.exec(path);
  if (object) return { role: 'base', kind: FOLDERS[object[1]!]!, stem: object[2]! };
  const extension = /^extensions\/([^/]+)\/extension\.ya?ml$/.exec(path);
  if (extension) return { role: 'base', kind: 'extension', stem: extension[1]! };
  const bundle = /^extensions\/([^/]+)\/(.+)$/.exec(path);
  if (bundle) return { role: 'bundle', extension: bundle[1]!, file: bundle[2]! };
  const overlay = /^environments\/([^/]+)\/(.+)$/.exec(path);
  if (overlay) {
    const inner = classifyPath(overlay[2]!);
    if (inner.role === 'base') return { role: 'overlay', environment: overlay[1]!, basePath: overlay[2]! };
    return YAML.test(path) ? { role: 'misplaced' } : { role: 'ignored' };
  }
  if (/^(collections|policies|roles|flows|extensions)\//.test(path) && YAML.test(path)) return { role: 'misplaced' };
  return { role: 'ignored' };
}
