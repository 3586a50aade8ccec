/**
 * A fixed-window counter per key, in memory: what the login limits use.
 * It lives in the context, so the limits are per server process (N servers
 * behind a balancer allow N times as many attempts). No timers: expired
 * windows are swept when the map grows.
 */
export interface RateLimiter {
  /** Whether `key` has used up its points in the current window (consumes nothing). */
  exhausted(key: string): boolean;
  /** Uses one point; false when the key had none left. */
  consume(key: string): boolean;
  reset(key: string): void;
}

const SWEEP_AT = 10_000;

export function createRateLimiter(options: { points: number; windowMs: number; now?: () => number }): RateLimiter {
  const { points, windowMs } = options;
  const now = options.now ?? Date.now;
  const windows = new Map<string, { used: number; resetAt: number }>();
  const current = (key: string) => {
    const entry = windows.get(key);
    if (entry === undefined || entry.resetAt <= now()) return undefined;
    return entry;
  };
  return {
    exhausted: (key) => (current(key)?.used ?? 0) >= points,
    consume(key) {
      if (windows.size >= SWEEP_AT) for (const [k, entry] of windows) if (entry.resetAt <= now()) windows.delete(k);
      const entry = current(key);
      if (entry === undefined) {
        windows.set(key, { used: 1, resetAt: now() + windowMs });
        return true;
      }
      if (entry.used >= points) return false;
      entry.used++;
      return true;
    },
    reset: (key) => void windows.delete(key),
  };
}
