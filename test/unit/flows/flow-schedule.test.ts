/**
 * The pure half of schedules: which ticks of a cron lie between two claimed
 * ticks (matched by node-cron's own task, as the scheduler does), and which
 * flows of a model are scheduled. The tasks are created but never started:
 * `match` needs no timer, and nothing fires during the test.
 */
import { createTask, type ScheduledTask, type TaskOptions } from 'node-cron';
import { afterEach, describe, expect, it } from 'vitest';
import { MISSED_TICKS_SCAN_LIMIT, missedBetween, scheduledFlows } from '../../../src/flows/index.ts';
import { modelOf } from '../../helpers/models.ts';

const created: ScheduledTask[] = [];
afterEach(async () => {
  for (const task of created.splice(0)) await task.destroy();
});

/** An unstarted task for `cron`; its function fails the test if node-cron ever calls it. */
function taskFor(cron: string, options: TaskOptions = {}): ScheduledTask {
  const task = createTask(
    cron,
    () => {
      throw new Error(`the task for "${cron}" was never started, yet it ran`);
    },
    options,
  );
  created.push(task);
  return task;
}

/** Local time, as the scheduler's tasks read it (mid-January: no daylight-saving change nearby in any zone). */
const local = (day: number, hour: number, minute = 0, second = 0) => new Date(2025, 0, day, hour, minute, second);
const iso = (date: Date) => date.toISOString();

describe('missedBetween', () => {
  it('needs no started task: match works on a task node-cron has not scheduled', () => {
    const task = taskFor('*/15 * * * *');
    expect(task.getStatus()).toBe('stopped');
    expect([task.match(local(13, 10, 15)), task.match(local(13, 10, 16)), task.match(local(13, 10, 15, 1))]).toEqual([true, false, false]);
  });

  it('counts the seconds between two ticks of an every-second cron', () => {
    const cron = '* * * * * *';
    const previous = local(13, 10, 0, 0);
    expect(missedBetween(taskFor(cron), cron, previous, local(13, 10, 0, 10))).toEqual({
      count: 9,
      first: iso(local(13, 10, 0, 1)),
      last: iso(local(13, 10, 0, 9)),
      truncated: false,
    });
  });

  it('counts quarter hours, written with five fields or six', () => {
    for (const cron of ['*/15 * * * *', '0 */15 * * * *', '0 0,15,30,45 * * * *']) {
      expect(missedBetween(taskFor(cron), cron, local(13, 10), local(13, 11)), cron).toEqual({
        count: 3,
        first: iso(local(13, 10, 15)),
        last: iso(local(13, 10, 45)),
        truncated: false,
      });
    }
  });

  it('counts days of a daily cron, written with five fields or six', () => {
    for (const cron of ['0 3 * * *', '0 0 3 * * *']) {
      expect(missedBetween(taskFor(cron), cron, local(10, 3), local(15, 3)), cron).toEqual({
        count: 4,
        first: iso(local(11, 3)),
        last: iso(local(14, 3)),
        truncated: false,
      });
    }
  });

  it('counts only the instants the cron matches: weekdays across a weekend', () => {
    // 2025-01-10 is a Friday, 2025-01-14 a Tuesday.
    const cron = '0 9 * * 1-5';
    expect(missedBetween(taskFor(cron), cron, local(10, 9), local(14, 9))).toEqual({ count: 1, first: iso(local(13, 9)), last: iso(local(13, 9)), truncated: false });
  });

  it('is null when the ticks follow each other', () => {
    const cases: [string, Date, Date][] = [
      ['* * * * * *', local(13, 10, 0, 0), local(13, 10, 0, 1)],
      ['*/10 * * * * *', local(13, 10, 0, 50), local(13, 10, 1, 0)],
      ['*/15 * * * *', local(13, 10, 45), local(13, 11)],
      ['0 0 3 * * *', local(13, 3), local(14, 3)],
      ['0 9 * * 1-5', local(10, 9), local(13, 9)],
    ];
    for (const [cron, previous, tick] of cases) expect(missedBetween(taskFor(cron), cron, previous, tick), cron).toBeNull();
  });

  it('counts the ticks of a daily cron across daylight-saving changes (ticks are local time)', () => {
    // Europe/Berlin: 03:00 is 02:00Z in winter, 01:00Z in summer; the clocks went forward on 2025-03-30, back on 2025-10-26.
    const cron = '0 3 * * *';
    const berlin = taskFor(cron, { timezone: 'Europe/Berlin' });
    expect(missedBetween(berlin, cron, new Date('2025-03-25T02:00:00Z'), new Date('2025-04-05T01:00:00Z'))).toEqual({
      count: 10,
      first: '2025-03-26T02:00:00.000Z',
      last: '2025-04-04T01:00:00.000Z',
      truncated: false,
    });
    expect(missedBetween(berlin, cron, new Date('2025-10-20T01:00:00Z'), new Date('2025-10-30T02:00:00Z'))).toEqual({
      count: 9,
      first: '2025-10-21T01:00:00.000Z',
      last: '2025-10-29T02:00:00.000Z',
      truncated: false,
    });
  });

  it('meets every tick where the offset, or its change, is not whole hours', () => {
    // Lord Howe Island moves its clocks by 30 minutes (+11:00 to +10:30 on 2025-04-06); Kathmandu is +05:45.
    const cron = '0 3 * * *';
    expect(missedBetween(taskFor(cron, { timezone: 'Australia/Lord_Howe' }), cron, new Date('2025-03-31T16:00:00Z'), new Date('2025-04-09T16:30:00Z'))).toEqual({
      count: 8,
      first: '2025-04-01T16:00:00.000Z',
      last: '2025-04-08T16:30:00.000Z',
      truncated: false,
    });
    const nineThirty = '30 9 * * *';
    expect(missedBetween(taskFor(nineThirty, { timezone: 'Asia/Kathmandu' }), nineThirty, new Date('2025-01-10T03:45:00Z'), new Date('2025-01-13T03:45:00Z'))).toMatchObject({ count: 2, truncated: false });
  });

  it('counts an hour that the clocks go back over twice, as node-cron runs it twice', () => {
    // 2025-10-26 in Berlin: 02:00 CEST (00:00Z), then 02:00 CET (01:00Z).
    const cron = '0 * * * *';
    expect(missedBetween(taskFor(cron, { timezone: 'Europe/Berlin' }), cron, new Date('2025-10-25T22:00:00Z'), new Date('2025-10-26T05:00:00Z'))).toEqual({
      count: 6,
      first: '2025-10-25T23:00:00.000Z',
      last: '2025-10-26T04:00:00.000Z',
      truncated: false,
    });
  });

  it('stops counting past MISSED_TICKS_SCAN_LIMIT candidates and says the count is a lower bound', () => {
    const cron = '* * * * * *';
    const previous = local(13, 0);
    const second = (n: number) => new Date(previous.getTime() + n * 1000);
    expect(missedBetween(taskFor(cron), cron, previous, second(2 * MISSED_TICKS_SCAN_LIMIT))).toEqual({
      count: MISSED_TICKS_SCAN_LIMIT,
      first: iso(second(1)),
      last: iso(second(MISSED_TICKS_SCAN_LIMIT)),
      truncated: true,
    });
    // Exactly at the limit the scan is complete.
    expect(missedBetween(taskFor(cron), cron, previous, second(MISSED_TICKS_SCAN_LIMIT + 1))).toMatchObject({ count: MISSED_TICKS_SCAN_LIMIT, truncated: false });
  });
});

describe('scheduledFlows', () => {
  const log = [{ key: 'say', type: 'log', message: 'tick' }];

  it('keeps the active flows with a schedule trigger', () => {
    const model = modelOf(
      { notes: { fields: { title: { type: 'string' } } } },
      {
        flows: [
          { flow: 'every-second', trigger: { type: 'schedule', cron: '* * * * * *' }, operations: log },
          { flow: 'nightly', status: 'active', trigger: { type: 'schedule', cron: '0 3 * * *' }, operations: log },
          { flow: 'paused', status: 'inactive', trigger: { type: 'schedule', cron: '* * * * * *' }, operations: log },
          { flow: 'on-create', trigger: { type: 'event', mode: 'action', events: ['items.create'], collections: ['notes'] }, operations: log },
          { flow: 'hook', trigger: { type: 'webhook' }, operations: log },
        ],
      },
    );
    expect(
      scheduledFlows(model)
        .map((flow) => [flow.name, flow.trigger.cron])
        .sort(),
    ).toEqual([
      ['every-second', '* * * * * *'],
      ['nightly', '0 3 * * *'],
    ]);
  });

  it('is empty without a model or without schedule flows', () => {
    expect(scheduledFlows(null)).toEqual([]);
    expect(scheduledFlows(modelOf({ notes: { fields: { title: { type: 'string' } } } }))).toEqual([]);
  });
});
