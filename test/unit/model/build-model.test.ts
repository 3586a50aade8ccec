/** The Model built from the template: normalisation, relations, and a canonical form that does not depend on key order. */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSchemaValidator, loadConfig, workingTreeSource } from '../../../src/config/index.ts';
import { canonicalJson, modelHash, type Model } from '../../../src/model/index.ts';
import { TEMPLATE_DIR } from '../../../src/cli/commands/init.ts';

const validator = createSchemaValidator();

async function load(dir: string, environment?: string) {
  return loadConfig({ source: workingTreeSource(dir), validator, environment });
}

describe('the template model', () => {
  let model: Model;
  beforeAll(async () => {
    const result = await load(TEMPLATE_DIR);
    expect(result.diagnostics).toEqual([]);
    model = result.model!;
  });

  it('fills in defaults and decides column types', () => {
    const articles = model.collections.articles!;
    expect(articles.primaryKey).toEqual({ field: 'id', type: 'integer', dbType: 'integer' });
    expect(articles.versioning).toBe(true);
    expect(articles.accountability).toBe('all');
    expect(articles.fields.title).toMatchObject({ type: 'string', dbType: 'varchar(200)', required: true, nullable: false, maxLength: 200 });
    expect(articles.fields.status).toMatchObject({ dbType: 'varchar(255)', default: 'draft', enum: ['draft', 'published', 'archived'] });
    expect(articles.fields.body).toMatchObject({ type: 'text', dbType: 'text', required: false, nullable: true });
    expect(articles.fields.published_at!.dbType).toBe('timestamptz');
    expect(articles.fields.date_created).toMatchObject({ special: 'date-created' });
  });

  it('links relations: m2o typed like the target key, o2m to its m2o, m2m through a generated junction', () => {
    const articles = model.collections.articles!;
    expect(articles.fields.author).toMatchObject({ dbType: 'integer', relation: { kind: 'm2o', related: 'authors' } });
    expect(articles.fields.comments).toMatchObject({ dbType: null, relation: { kind: 'o2m', related: 'comments', foreignKey: 'article' } });
    expect(articles.fields.tags!.relation).toEqual({
      kind: 'm2m',
      related: 'tags',
      junction: 'articles_tags',
      sourceField: 'articles_id',
      targetField: 'tags_id',
      generated: true,
    });
    const junction = model.collections.articles_tags!;
    expect(junction.junction).toBe(true);
    expect(junction.fields.articles_id).toMatchObject({ required: true, relation: { kind: 'm2o', related: 'articles', onDelete: 'cascade' } });
    expect(junction.fields.tags_id).toMatchObject({ relation: { kind: 'm2o', related: 'tags', onDelete: 'cascade' } });
  });

  it('keeps access rules and flows as plain data', () => {
    expect(model.roles.editor).toMatchObject({ parent: 'viewer', policies: ['editor'] });
    expect(Object.values(model.policies).filter((p) => p.public).map((p) => p.name)).toEqual(['public']);
    const flow = model.flows['notify-on-publish']!;
    expect(flow.trigger.type).toBe('event');
    expect(flow.operations[0]!.type).toBe('condition');
    expect(model.extensions.slugify).toMatchObject({ type: 'hook', entry: 'index.js' });
  });

  it('has canonical JSON with sorted keys and a sha-256 hash', () => {
    const json = canonicalJson(model);
    expect(json.endsWith('\n')).toBe(true);
    expect(Object.keys(JSON.parse(json))).toEqual(Object.keys(JSON.parse(json)).sort());
    expect(modelHash(model)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('determinism', () => {
  let copy: string;
  beforeAll(async () => {
    copy = await mkdtemp(path.join(os.tmpdir(), 'cairn-model-'));
  });
  afterAll(() => rm(copy, { recursive: true, force: true }));

  it('gives byte-identical canonical JSON and the same hash on every load', async () => {
    const first = await load(TEMPLATE_DIR);
    const second = await load(TEMPLATE_DIR);
    expect(canonicalJson(second.model)).toBe(canonicalJson(first.model));
    expect(second.hash).toBe(first.hash);
  });

  it('does not depend on the order of keys in any file (20 seeded shuffles)', async () => {
    const reference = (await load(TEMPLATE_DIR)).hash;
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const shuffle = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(shuffle);
      if (value === null || typeof value !== 'object') return value;
      const entries = Object.entries(value).map(([k, v]) => [k, shuffle(v)] as const);
      for (let i = entries.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [entries[i], entries[j]] = [entries[j]!, entries[i]!];
      }
      return Object.fromEntries(entries);
    };
    const files = (await workingTreeSource(TEMPLATE_DIR).listFiles()).filter((f) => f.endsWith('.yaml'));
    for (let round = 0; round < 20; round++) {
      await rm(copy, { recursive: true, force: true });
      await cp(TEMPLATE_DIR, copy, { recursive: true, dereference: true });
      for (const file of files) {
        const text = await readFile(path.join(TEMPLATE_DIR, file), 'utf8');
        await writeFile(path.join(copy, file), stringify(shuffle(parse(text))));
      }
      expect((await load(copy)).hash).toBe(reference);
    }
  });

  it('changes the hash when the model changes, and with an environment overlay', async () => {
    const base = (await load(TEMPLATE_DIR)).hash;
    const production = await load(TEMPLATE_DIR, 'production');
    expect(production.diagnostics).toEqual([]);
    expect(production.hash).not.toBe(base);
    const notify = production.model!.flows['notify-on-publish']!.operations.find((op) => op.type === 'request')!;
    expect(String(notify.options.url)).toContain('PROD_PUBLISH_HOOK_URL');
  });
});
