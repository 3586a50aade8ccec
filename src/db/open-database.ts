/**
 * Opens the one database a process uses, as a knex instance speaking
 * PostgreSQL. A postgres:// URL goes through node-postgres; otherwise the
 * embedded PGlite is used through its node-postgres wire adapter, so both
 * paths share knex's own pg client, pg's type parsers and pg's error shape:
 * one dialect, one set of results, whatever the backend.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { DatabaseLockedError } from '../errors/index.ts';

export type DatabaseDriver = 'pg' | 'pglite';

export interface Database {
  readonly knex: Knex;
  readonly driver: DatabaseDriver;
  /** Where the data lives, for messages: the URL without password, `memory://`, or the PGlite directory. */
  readonly location: string;
  /**
   * LISTEN on a channel: the callback gets each NOTIFY payload (after the
   * notifying transaction commits). PostgreSQL uses a dedicated connection
   * that reconnects; PGlite its own listener. Resolves to an unlisten function.
   */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  /**
   * One statement with `$n` parameters, outside any transaction, without
   * knex's builder in the way: the path of every API read. On PostgreSQL
   * the statement is prepared once per connection and shape (named by a
   * hash of its text), so the planner's work is not repeated per request.
   * Like every statement, it is announced on knex's `query` event.
   */
  query<R = Record<string, unknown>>(text: string, values: readonly unknown[]): Promise<{ rows: R[] }>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** postgres:// or postgresql:// → PostgreSQL; `memory://` → in-memory PGlite; absent → PGlite in `dataDir`. */
  url?: string | undefined;
  /** PGlite data directory, used when no URL is given. */
  dataDir?: string | undefined;
  /** Pool size for PostgreSQL (PGlite always has exactly one connection). */
  poolMax?: number;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const { url } = options;
  if (url !== undefined && /^postgres(ql)?:\/\//.test(url)) return openPostgres(url, options.poolMax ?? 10);
  if (url === 'memory://') return openPglite(undefined);
  if (url !== undefined) throw new TypeError(`Unsupported database URL: ${redact(url)}`);
  if (options.dataDir === undefined) throw new TypeError('openDatabase needs a url or a dataDir');
  return openPglite(path.resolve(options.dataDir));
}

function openPostgres(url: string, poolMax: number): Database {
  const knex = knexFactory({
    client: 'pg',
    connection: url,
    pool: { min: 0, max: poolMax },
    acquireConnectionTimeout: 10_000,
  });
  return {
    knex,
    driver: 'pg',
    location: redact(url),
    listen: (channel, onNotify) => listenPostgres(url, channel, onNotify),
    query: directQuery(knex, true),
    close: once(() => knex.destroy()),
  };
}

async function openPglite(dataDir: string | undefined): Promise<Database> {
  let releaseLock = async (): Promise<void> => {};
  if (dataDir !== undefined) {
    await mkdir(path.dirname(dataDir), { recursive: true });
    releaseLock = await lockDataDir(dataDir);
  }
  // Loaded only when used: PGlite is ~100 ms of start-up a PostgreSQL deployment need not pay.
  const [{ PGlite }, { createPgConfig }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite/node-postgres'),
  ]);
  let pglite: InstanceType<typeof PGlite>;
  try {
    pglite = new PGlite(dataDir ?? 'memory://');
    await pglite.waitReady;
  } catch (error) {
    await releaseLock();
    throw error;
  }
  const knex = knexFactory({
    client: 'pg',
    // A fresh wire adapter per knex connection; they all talk to the one PGlite session.
    connection: () => createPgConfig(pglite) as unknown as Knex.PgConnectionConfig,
    // PGlite is a single session: one connection, so a transaction owns it until it ends.
    pool: { min: 0, max: 1 },
    acquireConnectionTimeout: 60_000,
  });
  return {
    knex,
    driver: 'pglite',
    location: dataDir ?? 'memory://',
    // Not prepared: every knex connection is a new adapter onto the same PGlite session, which
    // would still hold statements an earlier adapter prepared (and refuse the name again).
    query: directQuery(knex, false),
    async listen(channel, onNotify) {
      const unlisten = await pglite.listen(channel, onNotify);
      return async () => {
        if (!pglite.closed) await unlisten();
      };
    },
    close: once(async () => {
      await knex.destroy();
      await pglite.close();
      await releaseLock();
    }),
  };
}

/**
 * A dedicated connection for LISTEN (a pooled one would be handed back and
 * lose it). When the connection drops, it reconnects with backoff and keeps
 * listening; notifications sent while it was down are lost, so callers that
 * must not miss one also re-read their state on reconnect (onNotify('')).
 */
async function listenPostgres(url: string, channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>> {
  let client: pg.Client | undefined;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  const reconnect = (attempt: number): void => {
    if (stopped || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      connect().then(
        () => onNotify(''),
        () => reconnect(attempt + 1),
      );
    }, Math.min(30_000, 250 * 2 ** attempt));
  };
  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString: url });
    next.on('notification', (message) => {
      if (message.channel === channel) onNotify(message.payload ?? '');
    });
    const lost = () => {
      if (client !== next) return;
      client = undefined;
      void next.end().catch(() => undefined);
      reconnect(0);
    };
    next.on('error', lost);
    next.on('end', lost);
    await next.connect();
    await next.query(`listen ${pg.escapeIdentifier(channel)}`);
    client = next;
  };
  await connect();
  return async () => {
    stopped = true;
    clearTimeout(retry);
    const current = client;
    client = undefined;
    await current?.end().catch(() => undefined);
  };
}

/** Prepared statements kept per connection before it forgets them all (each costs server memory). */
const PREPARED_PER_CONNECTION = 500;

/** pg's record of the statements a connection has prepared (name → text). */
type PooledClient = pg.Client & { connection: { parsedStatements: Record<string, string> } };

function directQuery(knex: Knex, prepare: boolean): Database['query'] {
  const names = new Map<string, string>();
  const prepared = new WeakMap<PooledClient, number>();
  const nameOf = (text: string): string => {
    let name = names.get(text);
    if (name === undefined) {
      name = `cairn_${createHash('sha1').update(text).digest('base64url')}`;
      // Bounded like the statements themselves: a flood of distinct shapes cannot grow it forever.
      if (names.size >= PREPARED_PER_CONNECTION) names.clear();
      names.set(text, name);
    }
    return name;
  };
  return async <R>(text: string, values: readonly unknown[]) => {
    knex.client.emit('query', { sql: text, bindings: values });
    const client = (await knex.client.acquireConnection()) as PooledClient;
    try {
      if (!prepare) return (await client.query(text, values as unknown[])) as unknown as { rows: R[] };
      const name = nameOf(text);
      if (client.connection.parsedStatements[name] === undefined) {
        const count = (prepared.get(client) ?? 0) + 1;
        if (count > PREPARED_PER_CONNECTION) {
          await client.query('deallocate all');
          client.connection.parsedStatements = {};
          prepared.set(client, 1);
        } else prepared.set(client, count);
      }
      return (await client.query({ name, text, values: values as unknown[] })) as unknown as { rows: R[] };
    } finally {
      await knex.client.releaseConnection(client);
    }
  };
}

/**
 * PGlite has no multi-process protection: two processes on one directory
 * corrupt it. A lock file beside the directory holds the owner's pid; a lock
 * whose process is gone is taken over.
 */
async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const lockFile = `${dataDir}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(lockFile, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => rm(lockFile, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number((await readFile(lockFile, 'utf8').catch(() => '')).trim());
      if (Number.isSafeInteger(pid) && pid > 0 && isAlive(pid)) throw new DatabaseLockedError({ dataDir, pid });
      await rm(lockFile, { force: true });
    }
  }
  throw new DatabaseLockedError({ dataDir, pid: 0 });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** close() may be called by several owners (a failed start-up, then a signal); the work happens once. */
function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= fn());
}

function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
