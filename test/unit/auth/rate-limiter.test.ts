import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../../src/auth/index.ts';
import { parseDuration } from '../../../src/context/index.ts';

describe('createRateLimiter', () => {
  it('allows `points` per key per window, then refuses until the window ends', () => {
    let now = 1_000;
    const limiter = createRateLimiter({ points: 2, windowMs: 100, now: () => now });
    expect([limiter.consume('a'), limiter.consume('a'), limiter.consume('a')]).toEqual([true, true, false]);
    expect(limiter.exhausted('a')).toBe(true);
    expect(limiter.consume('b')).toBe(true);
    now += 100;
    expect(limiter.exhausted('a')).toBe(false);
    expect(limiter.consume('a')).toBe(true);
    limiter.reset('b');
    expect(limiter.exhausted('b')).toBe(false);
  });
});

describe('parseDuration', () => {
  it('reads milliseconds and units', () => {
    expect(['900000', '15m', '7d', '1.5h', '30s', '500ms', '1w'].map(parseDuration)).toEqual([900_000, 900_000, 604_800_000, 5_400_000, 30_000, 500, 604_800_000]);
    expect(['', 'soon', '-5m', '5 years'].map(parseDuration)).toEqual([undefined, undefined, undefined, undefined]);
  });
});
