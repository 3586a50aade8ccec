/** Golden renderings of one plan with every kind of line: text (plain and coloured), markdown, JSON. */
import { describe, expect, it } from 'vitest';
import { desiredState, diff, renderApplyText, renderPlanJson, renderPlanMarkdown, renderPlanText, type Plan } from '../../../src/reconcile/index.ts';
import { modelOf } from '../../helpers/models.ts';

const before = modelOf({
  notes: { fields: { body: { type: 'string', maxLength: 50 }, old: { type: 'text' } } },
  gone: { fields: { x: { type: 'integer' } } },
});
const after = modelOf({
  memos: { renamedFrom: 'notes', fields: { body: { type: 'string', maxLength: 20, required: true }, tag: { type: 'string', unique: true } } },
  people: { fields: { name: { type: 'string' }, memo: { type: 'm2o', related: 'memos' } } },
});
const live = desiredState(before);
live.tables.legacy = { name: 'legacy', columns: {}, primaryKey: null, uniques: {}, foreignKeys: {}, indexes: {} };
const result = diff({ desired: desiredState(after), actual: live, managed: desiredState(before), model: after });
// Counts as the live data checks would fill them in.
for (const change of result.changes) for (const check of change.checks) check.count = check.meaning === 'at-stake' ? 12 : 3;

const plan: Plan = {
  version: 1,
  schema: 'public',
  source: { description: '/repo@main (abc1234)', commit: 'abc1234def5678', ref: 'main', environment: 'production' },
  modelHash: 'f'.repeat(64),
  baseHash: 'e'.repeat(64),
  changes: result.changes,
  steps: result.steps,
  unmanaged: result.unmanaged,
  blockers: [
    { change: 'field.alter:memos.body', code: 'DATA_CHECK_FAILED', message: 'change field memos.body: 3 rows in the way' },
    { change: 'collection.drop:gone', code: 'DESTRUCTIVE_NOT_ALLOWED', message: 'drop collection gone and all its rows (12 rows at stake) needs --allow-destructive gone' },
  ],
};

describe('plan renderings', () => {
  it('text', async () => {
    await expect(renderPlanText(plan, { color: false })).toMatchFileSnapshot('../../fixtures/golden/plan.txt');
    expect(renderPlanText(plan, { color: true })).toContain('\u001b[31m-\u001b[0m drop collection gone');
  });

  it('markdown', async () => {
    await expect(renderPlanMarkdown(plan)).toMatchFileSnapshot('../../fixtures/golden/plan.md');
  });

  it('json round-trips to the same plan', async () => {
    const json = renderPlanJson(plan);
    await expect(json).toMatchFileSnapshot('../../fixtures/golden/plan.json');
    expect(JSON.parse(json)).toEqual(plan);
  });

  it('says so when there is nothing to do', () => {
    const empty: Plan = { ...plan, changes: [], steps: [], blockers: [], unmanaged: { tables: [], columns: [] } };
    expect(renderPlanText(empty, { color: false })).toBe('No changes. The database matches the configuration.\n');
    expect(renderPlanMarkdown(empty)).toContain('No changes. The database matches the configuration.');
  });

  it('apply reports', () => {
    expect(renderApplyText({ status: 'applied', steps: [], durationMs: 42, configId: '7' }, { color: false })).toBe('Apply complete: 0 steps in 42 ms.\n');
    expect(renderApplyText({ status: 'unchanged', steps: [], durationMs: 1, configId: null }, { color: false })).toContain('Nothing to apply');
  });
});
