import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DIAGNOSTIC_CODES } from '../../../src/model/index.ts';

const docs = readFileSync(new URL('../../../docs/config-errors.md', import.meta.url), 'utf8');
const documented = [...docs.matchAll(/^\|\s*`(CONFIG_[A-Z_]+)`\s*\|/gm)].map((m) => m[1]!);

describe('config diagnostic codes', () => {
  it('are documented in docs/config-errors.md, exactly', () => {
    expect([...documented].sort()).toEqual(Object.keys(DIAGNOSTIC_CODES).sort());
  });

  it('are well-formed and explained', () => {
    for (const [code, meaning] of Object.entries(DIAGNOSTIC_CODES)) {
      expect(code).toMatch(/^CONFIG_[A-Z_]+$/);
      expect(meaning.length).toBeGreaterThan(15);
    }
  });
});
