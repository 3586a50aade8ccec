/**
 * The published history of one item: the commits of the audit repository
 * that changed `content/<collection>/<key>.json`, newest first, as
 * `git log -- <path>` lists them, and the structured difference of that file
 * between two commits.
 *
 * The outbox table is the index (its rows name the item and record each
 * commit's id), so reading an item's history reads that item's commits only,
 * never the whole history; git stays the record: each commit is read from the
 * repository, and one that does not change the file (a promote that changed
 * nothing) is left out, as git log leaves it out.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Database } from '../db/index.ts';
import { ForbiddenError, GitRefNotFoundError, InvalidQueryError } from '../errors/index.ts';
import { resolveCommit } from '../git/index.ts';
import type { Model } from '../model/index.ts';
import type { ModelStore } from '../context/model-store.ts';
import { contentPath, contentPathParts } from './audit-content.ts';
import { auditSettingsOf } from './audit-config.ts';
import { auditRepositoryExists, blobAt, createGitFs, readCommitInfo, readFileAt, type AuditRepository } from './audit-repository.ts';
import { parseCommitMessage } from './commit-message.ts';

export interface AuditHistoryEntry {
  sha: string;
  author: { name: string; email: string; date: string };
  /** When Cairn committed it. */
  date: string;
  /** The subject (first line) of the message. */
  message: string;
  trailers: Record<string, string>;
}

export interface JsonDiff {
  /** Fields only the newer side has, with their values. */
  added: Record<string, unknown>;
  /** Fields only the older side has, with their values. */
  removed: Record<string, unknown>;
  changed: Record<string, { from: unknown; to: unknown }>;
}

export interface AuditDiff extends JsonDiff {
  /** null: compared with no file (the item's first commit). */
  from: string | null;
  to: string;
}

export interface AuditHistory {
  collection: string;
  key: string;
  /** The file's path in the repository. */
  path: string;
  commits: AuditHistoryEntry[];
  diff: AuditDiff | null;
}

export interface AuditRange {
  /** Compare from this commit (full or abbreviated id); default: the item's commit before `to`. */
  from?: string | undefined;
  /** Compare to this commit; default: the item's newest commit. */
  to?: string | undefined;
}

export interface ReadAuditHistoryOptions extends AuditRange {
  db: Database;
  model: Model;
  collection: string;
  key: string;
  /** Resolves a relative repository path (default: the working directory). */
  cwd?: string;
}

/** The history as the applied model of `context` places the repository. */
export async function auditHistory(context: { db: Database; models: ModelStore }, collection: string, key: string, range: AuditRange = {}): Promise<AuditHistory> {
  const applied = context.models.current() ?? (await context.models.reload());
  if (!applied) throw new ForbiddenError({});
  return readAuditHistory({ db: context.db, model: applied.model, collection, key, ...range });
}

export async function readAuditHistory(options: ReadAuditHistoryOptions): Promise<AuditHistory> {
  const { db, model, collection, key } = options;
  // As everywhere in the API, a collection that does not exist looks like one you may not read.
  if (!Object.hasOwn(model.collections, collection)) throw new ForbiddenError({});
  for (const [name, value] of [['from', options.from], ['to', options.to]] as const) {
    if (value !== undefined && !/^[0-9a-f]{4,40}$/i.test(value)) throw new InvalidQueryError({ reason: `"${name}" must be a commit id (4 to 40 hex digits)` });
  }
  const settings = auditSettingsOf(model, options.cwd);
  const parts = contentPathParts(collection, key);
  const history: AuditHistory = { collection, key, path: contentPath(collection, key), commits: [], diff: null };
  const wantsDiff = options.from !== undefined || options.to !== undefined;
  if (!(await auditRepositoryExists(settings.gitdir))) {
    if (wantsDiff) throw new GitRefNotFoundError({ ref: options.to ?? options.from!, dir: settings.gitdir });
    return history;
  }
  const repository: AuditRepository = { gitdir: settings.gitdir, branch: settings.branch, fs: createGitFs(), cache: {} };

  const rows = (await db.knex('cairn_audit_outbox')
    .where({ collection, item: key })
    .whereNotNull('commit_sha')
    .orderBy([{ column: 'committed_at', order: 'desc' }, { column: 'id', order: 'desc' }])
    .select('commit_sha')) as { commit_sha: string }[];
  const seen = new Set<string>();
  for (const { commit_sha: sha } of rows) {
    if (seen.has(sha)) continue;
    seen.add(sha);
    const commit = await readCommitInfo(repository, sha).catch(() => null);
    // A commit the repository does not hold (a repository replaced since) is no part of its history.
    if (commit === null) continue;
    const blob = await blobAt(repository, sha, parts);
    const before = commit.parents[0] === undefined ? null : await blobAt(repository, commit.parents[0], parts);
    if (blob === before) continue;
    const { subject, trailers } = parseCommitMessage(commit.message);
    history.commits.push({
      sha,
      author: { name: commit.author.name, email: commit.author.email, date: isoDate(commit.author.timestamp) },
      date: isoDate(commit.committer.timestamp),
      message: subject,
      trailers,
    });
  }

  if (wantsDiff) {
    const cache = repository.cache;
    const to = options.to === undefined ? history.commits[0]?.sha : await resolveCommit({ dir: settings.gitdir, ref: options.to, cache });
    if (to === undefined) throw new InvalidQueryError({ reason: `${history.path} has no history to compare` });
    let from: string | null;
    if (options.from !== undefined) from = await resolveCommit({ dir: settings.gitdir, ref: options.from, cache });
    else {
      const index = history.commits.findIndex((entry) => entry.sha === to);
      from = index === -1 ? null : (history.commits[index + 1]?.sha ?? null);
    }
    const [older, newer] = await Promise.all([from === null ? null : readJsonAt(repository, from, parts), readJsonAt(repository, to, parts)]);
    history.diff = { from, to, ...jsonDiff(older, newer) };
  }
  return history;
}

/** Field by field: what `to` added, what it removed, and what changed. A missing file counts as an empty object. */
export function jsonDiff(from: unknown, to: unknown): JsonDiff {
  const older = asObject(from);
  const newer = asObject(to);
  const diff: JsonDiff = { added: {}, removed: {}, changed: {} };
  for (const field of Object.keys(newer).sort()) {
    if (!Object.hasOwn(older, field)) diff.added[field] = newer[field];
    else if (!isDeepStrictEqual(older[field], newer[field])) diff.changed[field] = { from: older[field], to: newer[field] };
  }
  for (const field of Object.keys(older).sort()) if (!Object.hasOwn(newer, field)) diff.removed[field] = older[field];
  return diff;
}

function asObject(value: unknown): Record<string, unknown> {
  if (value === null || value === undefined) return {};
  if (typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  return { '': value };
}

async function readJsonAt(repository: AuditRepository, commit: string, parts: readonly string[]): Promise<unknown> {
  const file = await readFileAt(repository, commit, parts);
  return file === null ? null : (JSON.parse(file.text) as unknown);
}

function isoDate(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}
