/** Plan and apply against real databases: the template from scratch, idempotence, refusals, renames that keep data, stale plans. */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TEMPLATE_DIR } from '../../../src/cli/commands/init.ts';
import { createSchemaValidator, loadConfig, workingTreeSource } from '../../../src/config/index.ts';
import { modelHash, type Model } from '../../../src/model/index.ts';
import { applyPlan, createPlan, introspect, planAndApply, readAppliedConfig, type Plan } from '../../../src/reconcile/index.ts';
import { modelOf } from '../../helpers/models.ts';
import { createTestDatabase, testBackends, type TestDatabase } from '../../helpers/test-databases.ts';

const source = { description: 'test', commit: null, ref: null, environment: null };


let template: Model;
beforeAll(async () => {
  const loaded = await loadConfig({ source: workingTreeSource(TEMPLATE_DIR), validator: createSchemaValidator() });
  template = loaded.model!;
});

describe.each(testBackends)('plan and apply on $name', ({ name }) => {
  let database: TestDatabase;
  afterEach(() => database.drop());

  const plan = (model: Model, allowDestructive: string[] = []) =>
    createPlan({ db: database.db, model, modelHash: modelHash(model), source, allowDestructive });
  const apply = (planned: Plan, model: Model) => applyPlan({ db: database.db, plan: planned, model, appliedBy: 'test' });

  it('applies the template from scratch, records it, and then plans nothing', async () => {
    database = await createTestDatabase(name, { migrated: true });
    const first = await plan(template);
    expect(first.blockers).toEqual([]);
    expect(first.changes.filter((c) => c.kind === 'collection.create').map((c) => c.target)).toEqual(
      ['articles', 'articles_tags', 'authors', 'categories', 'comments', 'tags'],
    );
    const report = await apply(first, template);
    expect(report.status).toBe('applied');
    expect(report.steps.every((s) => s.status === 'applied')).toBe(true);
    const applied = await readAppliedConfig(database.db.knex);
    expect(applied).toMatchObject({ modelHash: modelHash(template), appliedBy: 'test' });
    expect(modelHash(applied!.model)).toBe(modelHash(template));
    const again = await plan(template);
    expect(again.changes).toEqual([]);
    expect(again.steps).toEqual([]);
  });

  it('refuses a stale plan: the database changed after planning', async () => {
    database = await createTestDatabase(name, { migrated: true });
    const planned = await plan(template);
    await database.db.knex.raw('create table surprise (id int)');
    const report = await apply(planned, template);
    expect(report.status).toBe('refused');
    expect(report.error).toMatchObject({ code: 'PLAN_STALE' });
    expect((await introspect(database.db, { schema: 'public' })).state.tables.articles).toBeUndefined();
  });

  it('renames keep their data, and a second plan is empty', async () => {
    database = await createTestDatabase(name, { migrated: true });
    const v1 = modelOf({ notes: { fields: { body: { type: 'text' } } } });
    await apply(await plan(v1), v1);
    await database.db.knex('notes').insert([{ body: 'kept' }, { body: 'also kept' }]);
    const v2 = modelOf({ memos: { renamedFrom: 'notes', fields: { content: { type: 'text', renamedFrom: 'body' } } } });
    const renaming = await plan(v2);
    expect(renaming.changes.map((c) => c.kind)).toEqual(['collection.rename', 'field.rename']);
    expect((await apply(renaming, v2)).status).toBe('applied');
    expect(await database.db.knex('memos').orderBy('id').pluck('content')).toEqual(['kept', 'also kept']);
    expect((await plan(v2)).changes).toEqual([]);
  });

  it('runs data checks against the names as they are before the plan renames them', async () => {
    database = await createTestDatabase(name, { migrated: true });
    const v1 = modelOf({ notes: { fields: { body: { type: 'string', maxLength: 50 } } } });
    await apply(await plan(v1), v1);
    await database.db.knex('notes').insert([{ body: 'x'.repeat(30) }, { body: null }]);
    const v2 = modelOf({ memos: { renamedFrom: 'notes', fields: { content: { type: 'string', maxLength: 20, required: true, renamedFrom: 'body' } } } });
    const planned = await plan(v2);
    const alter = planned.changes.find((c) => c.kind === 'field.alter')!;
    expect(alter.checks.map((c) => c.count)).toEqual([1, 1]);
    expect(planned.blockers.map((b) => b.code)).toEqual(['DATA_CHECK_FAILED', 'DATA_CHECK_FAILED']);
  });

  it('refuses destructive steps unless allowed by target, and counts what is at stake', async () => {
    database = await createTestDatabase(name, { migrated: true });
    const v1 = modelOf({ notes: { fields: { body: { type: 'text' }, extra: { type: 'text' } } } });
    await apply(await plan(v1), v1);
    await database.db.knex('notes').insert([{ body: 'a', extra: 'x' }, { body: 'b' }]);
    const v2 = modelOf({ notes: { fields: { body: { type: 'text' } } } });
    const refused = await plan(v2);
    expect(refused.blockers).toEqual([
      { change: 'field.drop:notes.extra', code: 'DESTRUCTIVE_NOT_ALLOWED', message: 'drop field notes.extra and its values (1 row at stake) needs --allow-destructive notes.extra' },
    ]);
    expect((await apply(refused, v2)).status).toBe('refused');
    const allowed = await plan(v2, ['notes.extra']);
    expect(allowed.blockers).toEqual([]);
    expect((await apply(allowed, v2)).status).toBe('applied');
    expect(Object.keys((await introspect(database.db, { schema: 'public' })).state.tables.notes!.columns)).toEqual(['id', 'body']);
  });

  it('refuses NOT NULL over nulls, UNIQUE over duplicates and a foreign key over orphans, with counts', async () => {
    database = await createTestDatabase(name, { migrated: true });
    const v1 = modelOf({ people: { fields: { email: { type: 'string' }, team: { type: 'integer' } } }, teams: { fields: { name: { type: 'string' } } } });
    await apply(await plan(v1), v1);
    await database.db.knex('people').insert([{ email: 'a@x' }, { email: 'a@x' }, { email: null, team: 99 }]);
    const v2 = modelOf({
      people: { fields: { email: { type: 'string', required: true, unique: true }, team: { type: 'm2o', related: 'teams' } } },
      teams: { fields: { name: { type: 'string' } } },
    });
    const planned = await plan(v2);
    expect(planned.blockers.map((b) => [b.code, b.message])).toEqual([
      ['DATA_CHECK_FAILED', 'change field people.email: not null: 1 row in the way'],
      ['DATA_CHECK_FAILED', 'make people.email unique: 1 row in the way'],
      ['DATA_CHECK_FAILED', 'people.team references teams (on delete set null): 1 row in the way'],
    ]);
  });

  it('materialises roles, policies and permissions, and describes permission changes field by field', async () => {
    database = await createTestDatabase(name, { migrated: true });
    await planAndApply({ db: database.db, model: template, modelHash: modelHash(template), source, appliedBy: 'test' });
    const access = await database.db.knex('cairn_access').orderBy(['role', 'policy']).select('role', 'policy');
    expect(access).toEqual([
      { role: 'administrator', policy: 'administrator' },
      { role: 'editor', policy: 'editor' },
      { role: 'viewer', policy: 'viewer' },
    ]);
    const editorUpdate = await database.db.knex('cairn_permissions').where({ policy: 'editor', collection: 'articles', action: 'update' }).first();
    expect(editorUpdate.fields).toContain('status');

    const changed = structuredClone(template);
    const update = changed.policies.editor!.permissions.find((p) => p.collection === 'articles' && p.action === 'update')!;
    update.fields = [...update.fields.filter((f) => f !== 'status'), 'views'];
    const planned = await plan(changed);
    expect(planned.changes.map((c) => c.description)).toEqual([
      'policy editor gains update on articles.views; policy editor loses update on articles.status',
    ]);
    expect((await apply(planned, changed)).status).toBe('applied');
    expect((await plan(changed)).changes).toEqual([]);

    // A row changed by hand is put back by the next apply.
    await database.db.knex('cairn_policies').where({ name: 'viewer' }).update({ admin_access: true });
    const repair = await plan(changed);
    expect(repair.changes.map((c) => c.description)).toEqual(['policy viewer: admin access true → false']);
  });

  it('converges on defaults of every type, lists with quotes and spaces included', async () => {
    database = await createTestDatabase(name, { migrated: true });
    const v1 = modelOf({
      defaults: {
        fields: {
          tags: { type: 'csv', default: ['x', 'y z', 'q"uote', 'back\\slash'] },
          empty: { type: 'csv', default: [] },
          meta: { type: 'json', default: { a: [1, 2], b: 'c' } },
          label: { type: 'string', default: "it's" },
          price: { type: 'decimal', precision: 8, scale: 2, default: 9.5 },
          count: { type: 'integer', default: -3 },
          flag: { type: 'boolean', default: false },
          day: { type: 'date', default: '2024-02-29' },
          created: { type: 'timestamp', special: 'date-created' },
          ref: { type: 'uuid', special: 'uuid' },
        },
      },
    });
    expect((await apply(await plan(v1), v1)).status).toBe('applied');
    expect((await plan(v1)).changes).toEqual([]);
    const [row] = await database.db.knex('defaults').insert({}).returning(['tags', 'label', 'count']);
    expect(row).toEqual({ tags: ['x', 'y z', 'q"uote', 'back\\slash'], label: "it's", count: -3 });
  });

  it('never plans "drop everything" for an empty config', async () => {
    database = await createTestDatabase(name, { migrated: true });
    const v1 = modelOf({ notes: { fields: { body: { type: 'text' } } } });
    await apply(await plan(v1), v1);
    const nothing = modelOf({});
    const planned = await plan(nothing, ['notes']);
    expect(planned.blockers.map((b) => b.code)).toContain('EMPTY_CONFIG');
  });

  it('leaves tables it did not create alone', async () => {
    database = await createTestDatabase(name, { migrated: true });
    await database.db.knex.raw('create table legacy (id int primary key, x text)');
    const v1 = modelOf({ notes: { fields: { body: { type: 'text' } } } });
    const planned = await plan(v1);
    expect(planned.unmanaged).toEqual({ tables: ['legacy'], columns: [] });
    expect(planned.changes.filter((c) => c.kind.startsWith('collection.')).map((c) => c.target)).toEqual(['notes']);
  });
});

describe.runIf(testBackends.some((b) => b.name === 'postgres'))('concurrent applies on postgres', () => {
  const model = modelOf({ notes: { fields: { body: { type: 'text' } } } });
  const hash = modelHash(model);

  it('serialise when planned inside the lock: the second plans against the result of the first', async () => {
    const database = await createTestDatabase('postgres', { migrated: true });
    try {
      const other = await database.reopen();
      const results = await Promise.all(
        [database.db, other].map((db, i) => planAndApply({ db, model, modelHash: hash, source, appliedBy: `applier-${i}` })),
      );
      expect(results.map((r) => r.report.status).sort()).toEqual(['applied', 'unchanged']);
      const second = results.find((r) => r.report.status === 'unchanged')!;
      expect(second.plan!.changes).toEqual([]);
      expect(await database.db.knex('cairn_config').count({ n: '*' })).toEqual([{ n: '1' }]);
    } finally {
      await database.drop();
    }
  });

  it('refuse a reviewed plan that another apply made stale, instead of applying twice', async () => {
    const database = await createTestDatabase('postgres', { migrated: true });
    try {
      const other = await database.reopen();
      const [a, b] = await Promise.all([
        createPlan({ db: database.db, model, modelHash: hash, source }),
        createPlan({ db: other, model, modelHash: hash, source }),
      ]);
      const reports = await Promise.all([
        applyPlan({ db: database.db, plan: a, model, appliedBy: 'a' }),
        applyPlan({ db: other, plan: b, model, appliedBy: 'b' }),
      ]);
      expect(reports.map((r) => r.status).sort()).toEqual(['applied', 'refused']);
      expect(reports.find((r) => r.status === 'refused')!.error).toMatchObject({ code: 'PLAN_STALE' });
      expect(await database.db.knex('cairn_config').count({ n: '*' })).toEqual([{ n: '1' }]);
    } finally {
      await database.drop();
    }
  });
});
