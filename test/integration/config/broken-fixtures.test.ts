/**
 * The corpus of broken config repositories. test/fixtures/base-repo is valid;
 * each test/fixtures/broken/<case>/ is one mistake: its files/ copied over the
 * base repository, the paths in case.json's `remove` deleted, and loading it
 * (with case.json's `env`, if any) must give exactly the diagnostics its
 * `expect` lists — code, file, line and column, in order — and nothing else.
 * A new folder is a new test.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSchemaValidator, loadConfig, workingTreeSource } from '../../../src/config/index.ts';
import { DIAGNOSTIC_CODES, type DiagnosticCode } from '../../../src/model/index.ts';
import { CAIRN_BIN } from '../../helpers/cairn-process.ts';

const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));
const BASE_REPO = path.join(FIXTURES, 'base-repo');
const BROKEN = path.join(FIXTURES, 'broken');

interface Expected {
  code: DiagnosticCode;
  file: string;
  line: number;
  col: number;
}

interface BrokenCase {
  name: string;
  mistake: string;
  env?: string;
  remove?: string[];
  expect: Expected[];
}

const cases: BrokenCase[] = readdirSync(BROKEN, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort()
  .map((name) => ({ name, ...(JSON.parse(readFileSync(path.join(BROKEN, name, 'case.json'), 'utf8')) as Omit<BrokenCase, 'name'>) }));

const validator = createSchemaValidator();
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'cairn-broken-'));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

/** The base repository with the case's files laid over it and its `remove` paths deleted. */
async function buildRepository(brokenCase: BrokenCase, dir = path.join(scratch, brokenCase.name)): Promise<string> {
  await cp(BASE_REPO, dir, { recursive: true });
  const files = path.join(BROKEN, brokenCase.name, 'files');
  if (existsSync(files)) await cp(files, dir, { recursive: true });
  for (const removed of brokenCase.remove ?? []) await rm(path.join(dir, removed), { recursive: true });
  return dir;
}

function load(dir: string, environment?: string) {
  return loadConfig({ source: workingTreeSource(dir), validator, environment });
}

function runCairn(args: string[]): Promise<{ exitCode: number | null; stdout: string; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CAIRN_BIN, ...args], { env: { ...process.env, NO_COLOR: '1' } }, (error, stdout, stderr) => {
      const exitCode = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ exitCode, stdout, output: `${stdout}${stderr}` });
    });
  });
}

describe('the base repository', () => {
  it.each([undefined, 'staging'])('is valid (environment %s)', async (environment) => {
    const result = await load(BASE_REPO, environment);
    expect(result.diagnostics).toEqual([]);
    expect(result.model).toBeDefined();
  });
});

describe('broken repositories', () => {
  it.each(cases.map((brokenCase) => [brokenCase.name, brokenCase] as const))('%s', async (_name, brokenCase) => {
    expect(brokenCase.mistake.trim()).not.toBe('');
    expect(brokenCase.expect.length).toBeGreaterThan(0);
    const dir = await buildRepository(brokenCase);
    const result = await load(dir, brokenCase.env);
    expect(result.diagnostics.map(({ code, file, line, col }) => ({ code, file, line, col }))).toEqual(brokenCase.expect);
    for (const diagnostic of result.diagnostics) expect(diagnostic.message).toMatch(/^[^\r\n]*\S[^\r\n]*$/);
    expect(result.model).toBeUndefined();
  });

  it('has at least 40 cases covering at least 30 distinct diagnostic codes', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    const codes = new Set(cases.flatMap((brokenCase) => brokenCase.expect.map((expected) => expected.code)));
    for (const code of codes) expect(Object.keys(DIAGNOSTIC_CODES)).toContain(code);
    expect(codes.size).toBeGreaterThanOrEqual(30);
  });
});

describe('cairn validate on a broken repository', () => {
  const brokenCase = cases.find((candidate) => candidate.name.endsWith('unknown-property-typo'))!;
  let dir: string;
  beforeAll(async () => {
    dir = await buildRepository(brokenCase, path.join(scratch, `cli-${brokenCase.name}`));
  });

  it('exits 1 and prints each problem under its file as line:col', async () => {
    const [first] = brokenCase.expect;
    const { exitCode, output } = await runCairn(['validate', dir]);
    expect(exitCode).toBe(1);
    expect(output).toMatch(new RegExp(`^${first!.file}$`, 'm'));
    expect(output).toMatch(new RegExp(`^\\s+${first!.line}:${first!.col}\\s+error\\s.*\\s${first!.code}$`, 'm'));
  });

  it('prints JSON with valid: false and the same diagnostics with --json', async () => {
    const { exitCode, stdout } = await runCairn(['validate', dir, '--json']);
    expect(exitCode).toBe(1);
    const report = JSON.parse(stdout) as { valid: boolean; diagnostics: Expected[] };
    expect(report.valid).toBe(false);
    expect(report.diagnostics.map(({ code, file, line, col }) => ({ code, file, line, col }))).toEqual(brokenCase.expect);
  });
});
