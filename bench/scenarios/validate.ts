/**
 * validate: `loadConfig` on the template and on a generated repository of
 * 500 collections × 20 fields (m2o chains, o2m back-references, an m2m per
 * ten collections, one policy over everything). The baseline is the least any
 * validator must do: read every file, parse the YAML and run the JSON Schemas.
 */
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { TEMPLATE_DIR } from '../../src/cli/commands/init.ts';
import { createSchemaValidator, FILE_KINDS, loadConfig, SCHEMAS_DIR, workingTreeSource } from '../../src/config/index.ts';
import { Ajv } from 'ajv';
import { classifyPath } from '../../src/config/repository-layout.ts';
import type { Row, Scenario } from '../lib/scenario.ts';

const RUNS = 5;

export async function generateRepository(dir: string, options: { collections: number; fields: number }): Promise<void> {
  await mkdir(path.join(dir, 'collections'), { recursive: true });
  await mkdir(path.join(dir, 'policies'), { recursive: true });
  await writeFile(path.join(dir, 'cairn.yaml'), stringify({ project: 'generated' }));
  const permissions: Record<string, unknown> = {};
  for (let c = 0; c < options.collections; c++) {
    const name = `c${c}`;
    const fields: Record<string, unknown> = {};
    const scalarTypes = ['string', 'text', 'integer', 'boolean', 'timestamp', 'decimal', 'json', 'uuid'];
    for (let f = 0; f < options.fields - 3; f++) fields[`f${f}`] = { type: scalarTypes[f % scalarTypes.length], ...(f % 5 === 0 ? { index: true } : {}) };
    if (c > 0) fields.parent = { type: 'm2o', related: `c${c - 1}` };
    if (c < options.collections - 1) fields.children = { type: 'o2m', related: `c${c + 1}`, foreignKey: 'parent' };
    if (c % 10 === 0) fields.peers = { type: 'm2m', related: `c${(c + 5) % options.collections}` };
    await writeFile(path.join(dir, 'collections', `${name}.yaml`), stringify({ collection: name, fields }));
    permissions[name] = { read: { fields: '*', filter: { f2: { _gt: 0 } } }, update: { fields: ['f0', 'f1'] } };
  }
  await writeFile(path.join(dir, 'policies', 'reader.yaml'), stringify({ policy: 'reader', permissions }));
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

async function baseline(dir: string): Promise<void> {
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
  const validators = Object.fromEntries(
    await Promise.all(FILE_KINDS.map(async (kind) => [kind, ajv.compile(JSON.parse(await readFile(path.join(SCHEMAS_DIR, `${kind}.schema.json`), 'utf8')))] as const)),
  );
  const source = workingTreeSource(dir);
  // Reads in parallel, as loadConfig does, so the comparison is about the work after reading.
  await Promise.all(
    (await source.listFiles()).map(async (file) => {
      const role = classifyPath(file);
      if (role.role === 'base') validators[role.kind]!(parse(await source.readText(file)));
    }),
  );
}

export const validate: Scenario = {
  name: 'validate',
  description: `cairn validate (loadConfig) on the template and on 500 collections × 20 fields, median of ${RUNS}, vs parse + JSON Schema only`,
  async run() {
    const generated = await mkdtemp(path.join(os.tmpdir(), 'cairn-bench-validate-'));
    try {
      await generateRepository(generated, { collections: 500, fields: 20 });
      const rows: Row[] = [];
      for (const [label, dir] of [['template', TEMPLATE_DIR], ['500 × 20 generated', generated]] as const) {
        const cairn: number[] = [];
        const raw: number[] = [];
        let diagnostics = 0;
        for (let i = 0; i < RUNS; i++) {
          cairn.push(
            await timed(async () => {
              const result = await loadConfig({ source: workingTreeSource(dir), validator: createSchemaValidator() });
              diagnostics = result.diagnostics.length;
            }),
          );
          raw.push(await timed(() => baseline(dir)));
        }
        rows.push({
          repository: label,
          'cairn ms': Math.round(median(cairn)),
          'parse + schema ms': Math.round(median(raw)),
          'ratio cairn/raw': (median(cairn) / median(raw)).toFixed(2),
          diagnostics,
        });
      }
      return { scenario: 'validate', settings: { runs: RUNS }, rows, summary: ['cairn includes schema compilation, cross-reference checks and building the model'] };
    } finally {
      await rm(generated, { recursive: true, force: true });
    }
  },
};
