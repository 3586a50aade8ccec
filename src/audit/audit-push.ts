/**
 * Pushing the audit branch to its remote, off the write path: the writer
 * schedules a push after it commits and moves on. A failed push is logged as
 * a warning and retried with exponential backoff (1 s, 2 s, 4 s … up to
 * 5 minutes); commits made meanwhile go with the next attempt. A push is
 * never forced: a remote that moved elsewhere keeps failing, loudly.
 * isomorphic-git speaks the smart HTTP protocol only (http:// and https://).
 */
import { push } from 'isomorphic-git';
import type { Logger } from '../context/logger.ts';
import { redactUrl } from './audit-config.ts';
import { readHead, type AuditRepository } from './audit-repository.ts';

export interface AuditPusher {
  /** Push `repository`'s branch to `url` soon (now, or with the retry already waiting). */
  schedule(repository: AuditRepository, url: string): void;
  /** Cancels waiting retries and aborts a push in flight. */
  stop(): Promise<void>;
}

export interface AuditPusherOptions {
  logger: Logger;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

interface Target {
  repository: AuditRepository;
  url: string;
  running: Promise<void> | undefined;
  /** Scheduled again while running: push once more after. */
  dirty: boolean;
  attempt: number;
  retry: NodeJS.Timeout | undefined;
  lastPushed: string | null;
}

export function createAuditPusher(options: AuditPusherOptions): AuditPusher {
  const { logger } = options;
  const baseDelayMs = options.baseDelayMs ?? 1000;
  const maxDelayMs = options.maxDelayMs ?? 300_000;
  const targets = new Map<string, Target>();
  const abort = new AbortController();
  let stopped = false;

  const run = (target: Target): void => {
    if (stopped) return;
    if (target.running) {
      target.dirty = true;
      return;
    }
    target.running = pushOnce(target).finally(() => {
      target.running = undefined;
      if (target.dirty && target.retry === undefined) {
        target.dirty = false;
        run(target);
      }
    });
  };

  const pushOnce = async (target: Target): Promise<void> => {
    const { repository, url } = target;
    try {
      const head = await readHead(repository);
      if (head === null || head === target.lastPushed) return;
      // Loaded on first push: most servers never push.
      const { default: http } = await import('isomorphic-git/http/node');
      const result = await push({
        fs: repository.fs,
        http,
        gitdir: repository.gitdir,
        url,
        ref: repository.branch,
        remoteRef: repository.branch,
        cache: repository.cache,
        signal: abort.signal,
      });
      if (!result.ok) throw new Error(result.error ?? 'the remote refused the push');
      const refused = Object.entries(result.refs ?? {}).filter(([, status]) => !status.ok);
      if (refused.length > 0) throw new Error(refused.map(([ref, status]) => `${ref}: ${status.error}`).join('; '));
      target.lastPushed = head;
      target.attempt = 0;
      logger.info({ remote: redactUrl(url), branch: repository.branch, commit: head }, 'audit branch pushed');
    } catch (error) {
      if (stopped) return;
      const delay = Math.min(maxDelayMs, baseDelayMs * 2 ** target.attempt);
      target.attempt += 1;
      target.dirty = false;
      logger.warn(
        { remote: redactUrl(url), branch: repository.branch, err: { message: (error as Error).message }, attempt: target.attempt, retryInMs: delay },
        'could not push the audit branch; will retry',
      );
      target.retry = setTimeout(() => {
        target.retry = undefined;
        run(target);
      }, delay);
      target.retry.unref();
    }
  };

  return {
    schedule(repository, url) {
      const key = `${repository.gitdir}\0${repository.branch}\0${url}`;
      let target = targets.get(key);
      if (target === undefined) {
        target = { repository, url, running: undefined, dirty: false, attempt: 0, retry: undefined, lastPushed: null };
        targets.set(key, target);
      }
      // A retry already waiting will push whatever the branch holds by then.
      if (target.retry === undefined) run(target);
    },
    async stop() {
      stopped = true;
      abort.abort();
      for (const target of targets.values()) {
        clearTimeout(target.retry);
        await target.running?.catch(() => undefined);
      }
    },
  };
}
