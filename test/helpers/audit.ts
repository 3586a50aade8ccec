/** The audit repository in tests: applying a model that points it somewhere, queueing outbox rows as a promote does, and the git CLI. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import type { Database } from '../../src/db/index.ts';
import { modelHash, type Model } from '../../src/model/index.ts';
import { planAndApply } from '../../src/reconcile/index.ts';
import { templateModel } from './template.ts';

const run = promisify(execFile);

/** The template model with its `audit:` section changed (the repository in a temporary directory). */
export async function templateWithAudit(audit: Partial<Model['project']['audit']>): Promise<Model> {
  const { model } = await templateModel();
  return { ...model, project: { ...model.project, audit: { ...model.project.audit, ...audit } } };
}

/** Applies the template with that audit section, as `cairn apply` would. */
export async function applyTemplateWithAudit(db: Database, audit: Partial<Model['project']['audit']>): Promise<Model> {
  const model = await templateWithAudit(audit);
  const { report } = await planAndApply({ db, model, modelHash: modelHash(model), source: { description: 'template', commit: null, ref: null, environment: null }, appliedBy: 'test' });
  expect(report.status).toBe('applied');
  return model;
}

export interface QueuedRow {
  action?: 'promote' | 'delete';
  collection?: string;
  item: string;
  content?: Record<string, unknown> | null;
  author_name?: string;
  author_email?: string;
  message?: string;
  trailers?: Record<string, string>;
  created_at?: string;
  /** An explicit id (overriding the identity), to stage rows that become visible out of order. */
  id?: number;
}

/** Inserts an outbox row as the promote's transaction does (and NOTIFYs); returns its id. */
export async function queueOutboxRow(db: Database, row: QueuedRow): Promise<string> {
  const action = row.action ?? 'promote';
  const values = {
    ...(row.id === undefined ? {} : { id: row.id }),
    action,
    collection: row.collection ?? 'articles',
    item: row.item,
    content: action === 'delete' ? null : JSON.stringify(row.content ?? { id: Number(row.item) }),
    author_name: row.author_name ?? 'Ada Lovelace',
    author_email: row.author_email ?? 'ada@example.org',
    message: row.message ?? `${action === 'delete' ? 'Delete' : 'Promote'} ${row.collection ?? 'articles'}/${row.item}`,
    trailers: JSON.stringify(row.trailers ?? { 'Cairn-Version': 'v-1', 'Cairn-Revision': '12', 'Cairn-Activity': '34', 'Cairn-Config-Commit': '' }),
    ...(row.created_at === undefined ? {} : { created_at: row.created_at }),
  };
  let id: string;
  if (row.id === undefined) {
    const [inserted] = (await db.knex('cairn_audit_outbox').insert(values).returning('id')) as { id: string }[];
    id = String(inserted!.id);
  } else {
    const columns = Object.keys(values);
    await db.knex.raw(
      `insert into cairn_audit_outbox (${columns.map((c) => `"${c}"`).join(', ')}) overriding system value values (${columns.map(() => '?').join(', ')})`,
      Object.values(values) as never[],
    );
    id = String(row.id);
  }
  await db.knex.raw("select pg_notify('cairn_audit', '')");
  return id;
}

/** The git CLI on a bare repository; throws on a non-zero exit. */
export async function git(gitdir: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('git', ['--git-dir', gitdir, ...args], { env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: '/nonexistent' } });
  return stdout;
}

export interface LoggedCommit {
  sha: string;
  authorName: string;
  authorEmail: string;
  authorTime: number;
  committerName: string;
  committerEmail: string;
  message: string;
}

/** `git log` of the branch, newest first, parsed. */
export async function gitLog(gitdir: string, ...args: string[]): Promise<LoggedCommit[]> {
  const out = await git(gitdir, 'log', '--format=%H%x00%an%x00%ae%x00%at%x00%cn%x00%ce%x00%B%x01', ...(args.length > 0 ? args : ['main']));
  return out
    .split('\x01')
    .map((entry) => entry.replace(/^\n/, ''))
    .filter((entry) => entry !== '')
    .map((entry) => {
      const [sha, authorName, authorEmail, authorTime, committerName, committerEmail, message] = entry.split('\x00');
      return { sha: sha!, authorName: authorName!, authorEmail: authorEmail!, authorTime: Number(authorTime), committerName: committerName!, committerEmail: committerEmail!, message: message! };
    });
}

/** The Cairn-Outbox trailer of each commit, newest first. */
export function outboxIds(commits: LoggedCommit[]): string[] {
  return commits.map((commit) => /^Cairn-Outbox: (\d+)$/m.exec(commit.message)?.[1] ?? '?');
}

/** `git fsck --strict`: resolves to its output when the repository is clean, throws otherwise. */
export async function fsck(gitdir: string): Promise<string> {
  const { stdout, stderr } = await run('git', ['--git-dir', gitdir, 'fsck', '--strict', '--no-dangling'], { env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: '/nonexistent' } });
  const output = `${stdout}${stderr}`;
  if (/error|warning|missing|broken/i.test(output)) throw new Error(`git fsck complained:\n${output}`);
  return output;
}
