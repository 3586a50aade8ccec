/**
 * The single writer that turns `cairn_audit_outbox` rows into commits of the
 * audit repository. Every server runs one; a PostgreSQL advisory lock lets
 * one at a time do a round, so across N servers the rows are committed by one
 * writer, in id order. It wakes on NOTIFY cairn_audit (sent by the
 * transaction that inserts a row) and on a poll interval, so a lost
 * notification only delays a commit.
 *
 * Rows are committed in batches (the rows one query returns): one commit per
 * row, chained in id order, the branch moved once to the last, then the
 * batch's rows marked in one statement — a commit costs its objects, not a
 * ref update, an fsync and a database round trip.
 *
 * Exactly once, across crashes: rows are committed first and marked (their
 * commit_sha) after, so a crash in between leaves the branch holding commits
 * the database does not know; a crash before the branch moved leaves only
 * unreachable objects, and the rows pending. Each round that has work
 * starts with a repair: from the branch head back to the first commit the database knows
 * (the row named by its `Cairn-Outbox` trailer records that very commit),
 * every commit whose row is still pending — same id, same message, the
 * message being a pure function of the row — gets its row marked instead of
 * being committed again. Normally that is one commit read and one lookup by
 * primary key. Then the pending rows are committed on top of the head the
 * repair saw; if the branch moved meanwhile (another writer, which the
 * advisory lock should make impossible), the round stops and the next one
 * repairs again.
 */
import type { Knex } from 'knex';
import type { Logger } from '../context/logger.ts';
import type { ModelStore } from '../context/model-store.ts';
import { ADVISORY_LOCK_CLASS, type Database } from '../db/index.ts';
import { canonicalContent, contentPathParts } from './audit-content.ts';
import { auditSettingsOf, resolveRemoteUrl, type AuditSettings } from './audit-config.ts';
import { createAuditPusher } from './audit-push.ts';
import {
  auditRepositoryExists,
  createCommitChain,
  openAuditRepository,
  readCommitInfo,
  readHead,
  withBranchLock,
  type AuditRepository,
  type GitFs,
} from './audit-repository.ts';
import { formatCommitMessage, OUTBOX_TRAILER, parseCommitMessage } from './commit-message.ts';

/** NOTIFY channel the promote's transaction signals on. */
export const AUDIT_CHANNEL = 'cairn_audit';
/** pg_advisory lock objid of the writer (class ADVISORY_LOCK_CLASS; 1 migrations, 2 reconcile). */
export const AUDIT_WRITER_LOCK_ID = 3;
/** Who commits: the author is the promoting user, the committer is Cairn. */
export const AUDIT_COMMITTER = { name: 'Cairn', email: 'cairn@localhost' } as const;

export interface OutboxRow {
  id: string;
  action: 'promote' | 'delete';
  collection: string;
  item: string;
  content: unknown;
  author_name: string;
  author_email: string;
  message: string;
  trailers: Record<string, unknown> | null;
  created_at: Date | string;
}

export interface RoundReport {
  /** done: this writer held the lock and worked; busy: another writer holds it; no-model: nothing applied yet; stopped. */
  status: 'done' | 'busy' | 'no-model' | 'stopped';
  /** Rows committed in this round. */
  committed: number;
  /** Rows found already committed (a crash between commit and mark) and marked. */
  repaired: number;
}

export interface OutboxWriter {
  /** LISTEN, start polling and run a first round. */
  start(): Promise<void>;
  /** Stop waking up, let the batch in progress finish (the rows committed so far, marked), stop pushing. */
  stop(): Promise<void>;
  /** A round now (after the one running, if any): commit what is pending if this writer gets the lock. */
  runOnce(): Promise<RoundReport>;
}

export interface OutboxWriterOptions {
  db: Database;
  models: ModelStore;
  logger: Logger;
  /** Test/diagnostic fault hook: sleep this long after moving the branch for a batch, before marking its rows. */
  pauseAfterCommitMs?: number;
  pollIntervalMs?: number;
  /** Rows read per query: the batch that is committed with one move of the branch and marked with one statement. */
  batchSize?: number;
  /** Resolves a relative repository path (default: the process's working directory). */
  cwd?: string;
  /** The fs isomorphic-git uses (tests observe it). */
  fs?: GitFs;
  /** Backoff of push retries. */
  pushBaseDelayMs?: number;
}

export function createOutboxWriter(options: OutboxWriterOptions): OutboxWriter {
  const { db, models, logger } = options;
  const pollIntervalMs = options.pollIntervalMs ?? 2000;
  const batchSize = options.batchSize ?? 100;
  const pause = options.pauseAfterCommitMs ?? 0;
  const pusher = createAuditPusher({ logger, ...(options.pushBaseDelayMs === undefined ? {} : { baseDelayMs: options.pushBaseDelayMs }) });
  const repositories = new Map<string, AuditRepository>();
  let stopped = false;
  let started = false;
  let poll: NodeJS.Timeout | undefined;
  let unlisten: (() => Promise<void>) | undefined;
  let chain: Promise<unknown> = Promise.resolve();
  let queued: Promise<RoundReport> | undefined;

  const repositoryFor = async (settings: AuditSettings): Promise<AuditRepository> => {
    const key = `${settings.gitdir}\0${settings.branch}`;
    let repository = repositories.get(key);
    if (repository === undefined) {
      repository = await openAuditRepository({ gitdir: settings.gitdir, branch: settings.branch, ...(options.fs ? { fs: options.fs } : {}) });
      repositories.set(key, repository);
    }
    return repository;
  };

  const round = async (): Promise<RoundReport> => {
    if (stopped) return { status: 'stopped', committed: 0, repaired: 0 };
    const applied = models.current() ?? (await models.reload());
    if (!applied) return { status: 'no-model', committed: 0, repaired: 0 };
    const settings = auditSettingsOf(applied.model, options.cwd);
    const report = await withWriterLock(db, async () => {
      let head: string | null = null;
      // Opened (and created) only when there is something to commit: a server that never promotes leaves no repository behind.
      let repository: AuditRepository | undefined;
      let committed = 0;
      let repaired = 0;
      for (let more = true; more && !stopped; ) {
        const rows = await pendingRows(db.knex, batchSize);
        more = rows.length === batchSize;
        if (rows.length === 0) break;
        if (repository === undefined) {
          repository = await repositoryFor(settings);
          const repair = await repairUnmarkedCommits(db.knex, repository);
          repaired += repair.marked.length;
          for (const mark of repair.marked) logger.info(mark, 'audit row was committed before a crash; marked without a new commit');
          head = repair.head;
          // The repair may have marked some of these rows.
          if (repair.marked.length > 0) {
            more = true;
            continue;
          }
        }
        // The batch's commits, one per row chained in id order, then the branch moved once and the rows marked in one statement.
        const batch = await commitOutboxRows(repository, rows, head, () => stopped);
        if (batch.length === 0) break;
        head = batch.at(-1)!.commit;
        if (pause > 0) {
          logger.warn({ outboxIds: batch.map((mark) => mark.outboxId), commit: head, ms: pause }, 'audit commits written; pausing before marking their outbox rows (CAIRN_AUDIT_PAUSE_AFTER_COMMIT_MS)');
          await new Promise((resolve) => setTimeout(resolve, pause));
        }
        await markCommitted(db.knex, batch);
        committed += batch.length;
      }
      if (committed > 0) logger.debug({ committed, repository: settings.gitdir }, 'audit commits written');
      if (settings.push && settings.remote !== null && (repository !== undefined || (await auditRepositoryExists(settings.gitdir)))) {
        const url = resolveRemoteUrl(settings.remote);
        if (url === undefined) logger.warn({ remote: settings.remote }, 'the audit remote names an unset environment variable; not pushing');
        else pusher.schedule(repository ?? (await repositoryFor(settings)), url);
      }
      return { status: 'done' as const, committed, repaired };
    });
    return report ?? { status: 'busy', committed: 0, repaired: 0 };
  };

  const runOnce = (): Promise<RoundReport> => {
    // A round that has not started yet will see every row there is: join it.
    if (queued) return queued;
    const next = chain.then(() => {
      queued = undefined;
      return round();
    });
    queued = next;
    chain = next.catch(() => undefined);
    return next;
  };

  const wake = (): void => {
    runOnce().catch((error: unknown) => logger.warn({ err: error }, 'the audit writer failed a round; retrying at the next poll'));
  };

  return {
    async start() {
      if (started || stopped) return;
      started = true;
      unlisten = await db.listen(AUDIT_CHANNEL, wake);
      poll = setInterval(wake, pollIntervalMs);
      poll.unref();
      wake();
    },
    async stop() {
      stopped = true;
      clearInterval(poll);
      await unlisten?.();
      unlisten = undefined;
      await chain;
      await pusher.stop();
    },
    runOnce,
  };
}

const OUTBOX_COLUMNS = ['id', 'action', 'collection', 'item', 'content', 'author_name', 'author_email', 'message', 'trailers', 'created_at'] as const;

async function pendingRows(knex: Knex, limit: number): Promise<OutboxRow[]> {
  return (await knex('cairn_audit_outbox')
    .whereNull('commit_sha')
    .orderBy('id')
    .limit(limit)
    .select(...OUTBOX_COLUMNS)) as OutboxRow[];
}


/**
 * One round under the writer lock: a transaction-scoped advisory lock on
 * PostgreSQL (a crash or a lost connection releases it; nothing to clean up).
 * PGlite is a single process's database (its directory is locked), so there
 * is no other writer to exclude, and holding its one connection for a round
 * would stall every request.
 */
async function withWriterLock<T>(db: Database, work: () => Promise<T>): Promise<T | undefined> {
  if (db.driver === 'pglite') return work();
  return db.knex.transaction(async (trx) => {
    const { rows } = (await trx.raw('select pg_try_advisory_xact_lock(?, ?) as locked', [ADVISORY_LOCK_CLASS, AUDIT_WRITER_LOCK_ID])) as { rows: { locked: boolean }[] };
    if (!rows[0]?.locked) return undefined;
    return work();
  });
}

/** Thrown when the branch is not where the writer left it: the round stops, and the next one repairs first. */
export class AuditBranchMovedError extends Error {
  constructor(expected: string | null, actual: string | null) {
    super(`The audit branch moved under the writer (expected ${expected ?? 'no commit'}, found ${actual ?? 'no commit'}); repairing at the next round`);
    this.name = 'AuditBranchMovedError';
  }
}

/**
 * Commits one outbox row on top of `parent`, which must still be the branch
 * head (checked holding the branch's lock file), and returns the commit's id.
 */
export async function commitOutboxRow(repository: AuditRepository, row: OutboxRow, parent: string | null): Promise<string> {
  return (await commitOutboxRows(repository, [row], parent))[0]!.commit;
}

/**
 * Commits outbox rows on top of `parent`, one commit per row in the order
 * given, each on the one before, holding the branch's lock file (`parent`
 * must still be the head); then moves the branch once, to the last of them.
 * `stop` is asked before each row after the first: the rows committed so far
 * are kept and the rest left for later. Returns each row's commit; the rows
 * are not marked (a crash before that is what the repair finds).
 */
export async function commitOutboxRows(repository: AuditRepository, rows: readonly OutboxRow[], parent: string | null, stop: () => boolean = () => false): Promise<CommitMark[]> {
  if (rows.length === 0) return [];
  return withBranchLock(repository, async (lock) => {
    if (lock.head !== parent) throw new AuditBranchMovedError(parent, lock.head);
    const chain = createCommitChain(repository, parent);
    const commits: CommitMark[] = [];
    for (const row of rows) {
      if (commits.length > 0 && stop()) break;
      const seconds = Math.floor(new Date(row.created_at).getTime() / 1000);
      const commit = await chain.commit({
        parts: contentPathParts(row.collection, row.item),
        content: row.action === 'delete' || row.content === null ? null : canonicalContent(row.content),
        author: { name: identityPart(row.author_name, 'unknown'), email: identityPart(row.author_email, 'unknown'), timestamp: seconds },
        committer: { ...AUDIT_COMMITTER, timestamp: Math.floor(Date.now() / 1000) },
        message: outboxMessage(row),
      });
      commits.push({ outboxId: String(row.id), commit });
      // Building a commit awaits nothing slow (its trees are in memory, its writes go on behind it): let requests and those writes run.
      await new Promise((resolve) => setImmediate(resolve));
    }
    await chain.flush();
    await lock.update(chain.head!);
    return commits;
  });
}

/** An outbox row and the commit that holds it. */
export interface CommitMark {
  outboxId: string;
  commit: string;
}

/** Records each row's commit, in one statement; a row marked meanwhile keeps its mark. */
async function markCommitted(knex: Knex, marks: readonly CommitMark[]): Promise<void> {
  await knex.raw(
    `update cairn_audit_outbox as outbox set commit_sha = marks.commit_sha, committed_at = now()
       from unnest(?::bigint[], ?::text[]) as marks (id, commit_sha)
      where outbox.id = marks.id and outbox.commit_sha is null`,
    [marks.map((mark) => mark.outboxId), marks.map((mark) => mark.commit)],
  );
}

/**
 * Finds the commits the database does not know yet — from the branch head
 * back to the first commit whose row records it — and marks each pending row
 * whose commit is among them (same `Cairn-Outbox` id, same message). Commits
 * that match no pending row (a row reused its id after the database was
 * restored from a backup, say) are left alone. Returns the head it started
 * from and what it marked.
 */
export async function repairUnmarkedCommits(knex: Knex, repository: AuditRepository): Promise<{ head: string | null; marked: CommitMark[] }> {
  const head = await readHead(repository);
  const marked: CommitMark[] = [];
  for (let oid = head; oid !== null; ) {
    const commit = await readCommitInfo(repository, oid);
    const id = parseCommitMessage(commit.message).trailers[OUTBOX_TRAILER];
    if (id === undefined || !/^\d{1,18}$/.test(id)) break;
    const row = (await knex('cairn_audit_outbox').where({ id }).first(...OUTBOX_COLUMNS, 'commit_sha')) as (OutboxRow & { commit_sha: string | null }) | undefined;
    if (row?.commit_sha === oid) break;
    // The newest commit of a row is its commit (a row is marked once, by one statement below).
    const matches = row !== undefined && row.commit_sha === null && outboxMessage(row).trim() === commit.message.trim();
    if (matches && !marked.some((mark) => mark.outboxId === id)) marked.push({ outboxId: id, commit: oid });
    oid = commit.parents[0] ?? null;
  }
  if (marked.length > 0) await markCommitted(knex, marked);
  return { head, marked: marked.reverse() };
}

function outboxMessage(row: OutboxRow): string {
  return formatCommitMessage({
    action: row.action,
    collection: row.collection,
    item: row.item,
    message: row.message,
    trailers: row.trailers ?? {},
    outboxId: String(row.id),
  });
}

/** git refuses `<`, `>` and line breaks in a name or email (fsck: badName/badEmail). */
function identityPart(value: string, fallback: string): string {
  const cleaned = value.replace(/[<>\r\n\0]/g, '').trim();
  return cleaned === '' ? fallback : cleaned;
}

