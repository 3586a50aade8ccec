/**
 * Every kind of change, applied for real and verified by introspection: after
 * each apply the live schema is exactly what the model asks for (diffing them
 * finds nothing) and a new plan is empty. Also idempotence on a generated model.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateRepository } from '../../../bench/scenarios/validate.ts';
import { createSchemaValidator, loadConfig, workingTreeSource } from '../../../src/config/index.ts';
import { modelHash, type Model } from '../../../src/model/index.ts';
import { createPlan, desiredState, diff, introspect, planAndApply } from '../../../src/reconcile/index.ts';
import { modelOf } from '../../helpers/models.ts';
import { createTestDatabase, testBackends, type TestDatabase } from '../../helpers/test-databases.ts';

const source = { description: 'test', commit: null, ref: null, environment: null };

const steps: [string, Model][] = [
  [
    'create collections of every key and field type',
    modelOf({
      authors: { fields: { name: { type: 'string', maxLength: 80, required: true }, email: { type: 'string', unique: true } } },
      posts: {
        fields: {
          title: { type: 'string', default: 'untitled' },
          body: { type: 'text' },
          published: { type: 'boolean', default: false },
          views: { type: 'integer', default: 0, index: true },
          big: { type: 'bigInteger' },
          ratio: { type: 'float' },
          price: { type: 'decimal', precision: 10, scale: 2 },
          day: { type: 'date' },
          at: { type: 'time' },
          local: { type: 'dateTime' },
          stamp: { type: 'timestamp', special: 'date-created' },
          meta: { type: 'json' },
          ref: { type: 'uuid', special: 'uuid' },
          secret: { type: 'hash' },
          labels: { type: 'csv' },
          author: { type: 'm2o', related: 'authors' },
          tags: { type: 'm2m', related: 'tags' },
        },
      },
      tags: { primaryKey: { field: 'slug', type: 'string' }, fields: { name: { type: 'string' } } },
      events: { primaryKey: { field: 'id', type: 'uuid' }, fields: { what: { type: 'text' } } },
      counters: { primaryKey: { field: 'id', type: 'bigInteger' }, fields: { n: { type: 'bigInteger' } } },
    }),
  ],
  [
    'add fields, widen, make required, change defaults, add and drop unique and index, change on delete',
    modelOf({
      authors: { fields: { name: { type: 'string', maxLength: 200, required: true }, email: { type: 'string' }, bio: { type: 'text' } } },
      posts: {
        fields: {
          title: { type: 'string', default: 'new', required: true, unique: true },
          body: { type: 'text' },
          published: { type: 'boolean', default: true },
          views: { type: 'bigInteger', default: 0 },
          big: { type: 'bigInteger', index: true },
          ratio: { type: 'float' },
          price: { type: 'decimal', precision: 12, scale: 2 },
          day: { type: 'date' },
          at: { type: 'time' },
          local: { type: 'timestamp' },
          stamp: { type: 'timestamp', special: 'date-created' },
          meta: { type: 'json', default: { draft: true } },
          ref: { type: 'uuid', special: 'uuid' },
          secret: { type: 'hash' },
          labels: { type: 'csv', default: ['a', 'b c'] },
          author: { type: 'm2o', related: 'authors', onDelete: 'cascade' },
          tags: { type: 'm2m', related: 'tags' },
        },
      },
      tags: { primaryKey: { field: 'slug', type: 'string' }, fields: { name: { type: 'string' } } },
      events: { primaryKey: { field: 'id', type: 'uuid' }, fields: { what: { type: 'text' } } },
      counters: { primaryKey: { field: 'id', type: 'bigInteger' }, fields: { n: { type: 'bigInteger' } } },
    }),
  ],
  [
    'rename a collection and a field, drop a relation, a field, an m2m and a collection',
    modelOf({
      writers: { renamedFrom: 'authors', fields: { full_name: { type: 'string', maxLength: 200, required: true, renamedFrom: 'name' }, email: { type: 'string' } } },
      posts: {
        fields: {
          title: { type: 'string', default: 'new', required: true, unique: true },
          body: { type: 'text' },
          views: { type: 'bigInteger', default: 0 },
          writer: { type: 'integer' },
        },
      },
      counters: { primaryKey: { field: 'id', type: 'bigInteger' }, fields: { n: { type: 'bigInteger' } } },
    }),
  ],
];

describe.each(testBackends)('every change kind on $name', ({ name }) => {
  let database: TestDatabase;
  afterEach(() => database.drop());

  it('leaves the live schema exactly as each model asks, step after step', async () => {
    database = await createTestDatabase(name, { migrated: true });
    for (const [label, model] of steps) {
      const everything = ['authors', 'tags', 'events', 'posts_tags', 'posts.published', 'posts.ratio', 'posts.price', 'posts.day', 'posts.at', 'posts.local', 'posts.stamp', 'posts.meta', 'posts.ref', 'posts.secret', 'posts.labels', 'posts.author', 'posts.big', 'authors.bio', 'writers.bio', 'posts.tags'];
      const { report, plan } = await planAndApply({ db: database.db, model, modelHash: modelHash(model), source, appliedBy: 'test', allowDestructive: everything });
      expect(plan!.blockers, label).toEqual([]);
      expect(report.status, label).toBe('applied');
      const { state } = await introspect(database.db, { schema: 'public' });
      const wanted = desiredState(model);
      const left = diff({ desired: wanted, actual: state, managed: wanted, model });
      expect(left.changes, label).toEqual([]);
      expect(left.unmanaged, label).toEqual({ tables: [], columns: [] });
      expect((await createPlan({ db: database.db, model, modelHash: modelHash(model), source })).changes, label).toEqual([]);
    }
  });

  it('is idempotent on a generated model (40 collections × 12 fields with relations)', async () => {
    database = await createTestDatabase(name, { migrated: true });
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cairn-generated-'));
    try {
      await generateRepository(dir, { collections: 40, fields: 12 });
      const loaded = await loadConfig({ source: workingTreeSource(dir), validator: createSchemaValidator() });
      expect(loaded.diagnostics).toEqual([]);
      const model = loaded.model!;
      const { report } = await planAndApply({ db: database.db, model, modelHash: loaded.hash!, source, appliedBy: 'test' });
      expect(report.status).toBe('applied');
      const again = await createPlan({ db: database.db, model, modelHash: loaded.hash!, source });
      expect(again.changes).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
