/** Drift: manual changes to the database and unapplied repository changes are reported as the changes apply would make. */
import { afterEach, describe, expect, it } from 'vitest';
import { modelHash } from '../../../src/model/index.ts';
import { detectDrift, planAndApply } from '../../../src/reconcile/index.ts';
import { modelOf } from '../../helpers/models.ts';
import { createTestDatabase, testBackends, type TestDatabase } from '../../helpers/test-databases.ts';


describe.each(testBackends)('drift on $name', ({ name }) => {
  let database: TestDatabase;
  afterEach(() => database.drop());
  const model = modelOf({ notes: { fields: { body: { type: 'text', required: true }, n: { type: 'integer', default: 1 } } } }, { roles: [{ role: 'reader', policies: [] }] });

  it('reports nothing before any apply but the pending repository, and nothing after it', async () => {
    database = await createTestDatabase(name, { migrated: true });
    const before = await detectDrift({ db: database.db, repository: model });
    expect(before.applied).toBeNull();
    expect(before.pending!.map((c) => c.id)).toEqual(['collection.create:notes']);
    await planAndApply({ db: database.db, model, modelHash: modelHash(model), source: { description: 't', commit: null, ref: null, environment: null }, appliedBy: 'test' });
    const after = await detectDrift({ db: database.db, repository: model });
    expect(after).toMatchObject({ drifted: false, live: [], pending: [], unmanagedColumns: [] });
    expect(after.applied).toMatchObject({ modelHash: modelHash(model), appliedBy: 'test' });
  });

  it('reports manual ALTER TABLE, added columns and edited config rows', async () => {
    database = await createTestDatabase(name, { migrated: true });
    await planAndApply({ db: database.db, model, modelHash: modelHash(model), source: { description: 't', commit: null, ref: null, environment: null }, appliedBy: 'test' });
    await database.db.knex.raw('alter table notes alter column body drop not null');
    await database.db.knex.raw('alter table notes alter column n set default 5');
    await database.db.knex.raw('alter table notes add column sneaky text');
    await database.db.knex('cairn_roles').where({ name: 'reader' }).update({ note: 'edited by hand' });
    const report = await detectDrift({ db: database.db });
    expect(report.drifted).toBe(true);
    expect(report.live.map((c) => c.description).sort()).toEqual(['change field notes.body: not null', 'change field notes.n: default 5 → 1', 'role reader: note "edited by hand" → none']);
    expect(report.unmanagedColumns).toEqual(['notes.sneaky']);
    expect(report.pending).toBeNull();
  });

  it('reports repository changes not applied yet', async () => {
    database = await createTestDatabase(name, { migrated: true });
    await planAndApply({ db: database.db, model, modelHash: modelHash(model), source: { description: 't', commit: null, ref: null, environment: null }, appliedBy: 'test' });
    const next = modelOf({ notes: { fields: { body: { type: 'text', required: true }, n: { type: 'integer', default: 1 }, extra: { type: 'boolean' } } } }, { roles: [{ role: 'reader', policies: [] }] });
    const report = await detectDrift({ db: database.db, repository: next });
    expect(report.live).toEqual([]);
    expect(report.pending!.map((c) => c.id)).toEqual(['field.add:notes.extra']);
    expect(report.drifted).toBe(true);
  });
});
