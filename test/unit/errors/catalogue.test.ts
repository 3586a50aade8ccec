import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { catalogue, InvalidPayloadError, isCairnError, RouteNotFoundError } from '../../../src/errors/index.ts';

const docs = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
/** Rows of the docs table: | `CODE` | status | ... */
const documented = new Map(
  [...docs.matchAll(/^\|\s*`([A-Z_]+)`\s*\|\s*(\d{3})\s*\|/gm)].map((match) => [match[1]!, Number(match[2])]),
);

describe('error catalogue', () => {
  it('has unique, well-formed codes with client or server statuses', () => {
    const codes = catalogue.map((error) => error.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const error of catalogue) {
      expect(error.code).toMatch(/^[A-Z][A-Z_]+$/);
      expect(error.status).toBeGreaterThanOrEqual(400);
      expect(error.status).toBeLessThan(600);
      expect(error.summary.length).toBeGreaterThan(10);
    }
  });

  it('documents every code with its status in docs/errors.md, and nothing else', () => {
    for (const error of catalogue) expect(documented.get(error.code), error.code).toBe(error.status);
    expect([...documented.keys()].sort()).toEqual(catalogue.map((error) => error.code).sort());
  });

  it('builds messages from typed details and keeps the details', () => {
    const error = new InvalidPayloadError({ reason: 'Body is not JSON' });
    expect(error.message).toBe('Invalid payload. Body is not JSON.');
    expect(error.code).toBe('INVALID_PAYLOAD');
    expect(error.status).toBe(400);
    expect(error.details).toEqual({ reason: 'Body is not JSON' });
    expect(isCairnError(error)).toBe(true);
    expect(isCairnError(new Error('plain'))).toBe(false);
    expect(new RouteNotFoundError({ path: '/x' }).message).toBe("Route /x doesn't exist.");
  });
});
