/**
 * The per-process cache of who a token belongs to: user rows by id and
 * static tokens by hash. A request whose user is cached costs no SQL
 * statement. Every service that changes a user (or its tokens) sends
 * NOTIFY on `cairn_users` with the user's id inside its transaction, so
 * every server drops that user within moments of the commit; the writing
 * process also drops it at once, so a suspended or deleted user's tokens
 * stop working with the very next request.
 */
import type { Knex } from 'knex';
import type { Database } from '../db/index.ts';
import type { Logger } from '../context/logger.ts';

export const USERS_CHANNEL = 'cairn_users';

export interface CachedUser {
  id: string;
  email: string;
  role: string | null;
  policies: string[];
  status: string;
}

export interface CachedStaticToken {
  id: string;
  userId: string;
  /** Epoch ms, or null for a token that never expires. */
  expiresAt: number | null;
  /** When last_used_at was last written (epoch ms), so it is written at most once a minute. */
  touchedAt: number;
}

export interface IdentityCache {
  /** The user, or null when there is no such user. */
  user(id: string): Promise<CachedUser | null>;
  /** The static token with this sha-256 hash, or null. Unknown hashes are not cached. */
  staticToken(hash: string): Promise<CachedStaticToken | null>;
  /** Forget one user (and its static tokens), or everything. */
  invalidate(userId?: string): void;
  /** LISTEN on cairn_users. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Bounds memory: past this many entries a map starts over. */
const MAX_ENTRIES = 10_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Announces, inside `trx`, that these users changed; listeners hear it after commit. */
export async function notifyUsersChanged(trx: Knex | Knex.Transaction, userIds: readonly string[]): Promise<void> {
  for (const id of new Set(userIds)) await trx.raw('select pg_notify(?, ?)', [USERS_CHANNEL, id]);
}

export function createIdentityCache(options: { db: Database; logger: Logger }): IdentityCache {
  const { db, logger } = options;
  const users = new Map<string, CachedUser | null>();
  const tokens = new Map<string, CachedStaticToken>();
  // Bumped by every invalidation: a read that started before one is not stored (it may be stale).
  let generation = 0;
  let unlisten: (() => Promise<void>) | undefined;

  const invalidate = (userId?: string): void => {
    generation++;
    if (userId === undefined || userId === '') {
      users.clear();
      tokens.clear();
      return;
    }
    users.delete(userId);
    for (const [hash, token] of tokens) if (token.userId === userId) tokens.delete(hash);
  };

  return {
    async user(id) {
      if (!UUID.test(id)) return null;
      const cached = users.get(id);
      if (cached !== undefined) return cached;
      const started = generation;
      const { rows } = await db.query<{ id: string; email: string; role: string | null; policies: string[]; status: string }>(
        'select id, email, role, policies, status from cairn_users where id = $1',
        [id],
      );
      const row = rows[0];
      const user = row ? { id: row.id, email: row.email, role: row.role, policies: Array.isArray(row.policies) ? row.policies : [], status: row.status } : null;
      if (generation === started) {
        if (users.size >= MAX_ENTRIES) users.clear();
        users.set(id, user);
      }
      return user;
    },
    async staticToken(hash) {
      const cached = tokens.get(hash);
      if (cached !== undefined) return cached;
      const started = generation;
      const { rows } = await db.query<{ id: string; user_id: string; expires_at: Date | null; last_used_at: Date | null }>(
        'select id, user_id, expires_at, last_used_at from cairn_tokens where token_hash = $1',
        [hash],
      );
      const row = rows[0];
      if (!row) return null;
      const token = { id: row.id, userId: row.user_id, expiresAt: row.expires_at?.getTime() ?? null, touchedAt: row.last_used_at?.getTime() ?? 0 };
      if (generation === started) {
        if (tokens.size >= MAX_ENTRIES) tokens.clear();
        tokens.set(hash, token);
      }
      return token;
    },
    invalidate,
    async start() {
      // '' arrives after the PostgreSQL listener reconnects: notifications may have been missed.
      unlisten = await db.listen(USERS_CHANNEL, (payload) => {
        logger.debug({ user: payload || null }, 'user changed: cache entry dropped');
        invalidate(payload);
      });
    },
    async stop() {
      await unlisten?.();
      unlisten = undefined;
    },
  };
}
