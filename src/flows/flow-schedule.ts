/**
 * Schedule triggers: node-cron times the ticks in every server, and the
 * database decides which server runs each one. Claiming tick T of a flow is
 * one statement on cairn_flow_schedule that moves `last_tick` forward only
 * if it is before T, so with N servers on one database exactly one claim
 * succeeds per tick. The claim also returns the tick claimed before it:
 * ticks of the cron that lie between the two were run by nobody (every
 * server was down), and the claimer reports them as a `missed` run.
 */
import { createTask, parse, type ScheduledTask } from 'node-cron';
import type { Context } from '../context/index.ts';
import type { Flow, Model } from '../model/index.ts';
import { writeRun } from './flow-log.ts';

/** Missed ticks are counted up to this many candidate instants (steps of the cron's finest field, 15 minutes at most); past it the count is a lower bound. */
export const MISSED_TICKS_SCAN_LIMIT = 100_000;

export interface MissedTicks {
  count: number;
  first: string;
  last: string;
  /** The gap was longer than the scan: `count` is at least this many. */
  truncated: boolean;
}

export interface Scheduler {
  /** Schedules the model's active schedule flows (and unschedules the rest). */
  sync(model: Model | null): Promise<void>;
  stop(): Promise<void>;
}

type ScheduleContext = Pick<Context, 'db' | 'logger' | 'instanceId'>;

/** The schedule flows of a model that run. */
export function scheduledFlows(model: Model | null): Flow[] {
  return Object.values(model?.flows ?? {}).filter((flow) => flow.status === 'active' && flow.trigger.type === 'schedule' && typeof flow.trigger.cron === 'string');
}

/**
 * Seconds between two candidate ticks: the finest field of the cron that
 * lists several values, but never coarser than 15 minutes. Ticks are in local
 * time, and across a daylight-saving change a daily 03:00 comes 23 or 25 hours
 * after the previous one: steps of 24 h would land on 04:00 (or 02:00) from
 * then on and count none of the ticks after the change. UTC offsets, and their
 * changes, are whole quarter hours, so steps of 15 minutes from a tick keep its
 * minute and second in every zone and meet every tick (96 candidates a day).
 */
function stepSeconds(cron: string): number {
  const fields = parse(cron);
  if (fields.second.length > 1) return 1;
  if (fields.minute.length > 1) return 60;
  return 900;
}

/** The ticks of `task`'s cron strictly between two claimed ticks (each itself a tick of the cron). */
export function missedBetween(task: Pick<ScheduledTask, 'match'>, cron: string, previous: Date, tick: Date): MissedTicks | null {
  const step = stepSeconds(cron) * 1000;
  let count = 0;
  let first: Date | undefined;
  let last: Date | undefined;
  let scanned = 0;
  for (let at = previous.getTime() + step; at < tick.getTime(); at += step) {
    if (++scanned > MISSED_TICKS_SCAN_LIMIT) {
      // first and last bound the ticks counted; with none found, the span scanned.
      return { count, first: (first ?? new Date(previous.getTime() + step)).toISOString(), last: (last ?? new Date(at - step)).toISOString(), truncated: true };
    }
    const date = new Date(at);
    if (!task.match(date)) continue;
    count += 1;
    first ??= date;
    last = date;
  }
  return count === 0 ? null : { count, first: first!.toISOString(), last: last!.toISOString(), truncated: false };
}

/**
 * Claims `tick` of a flow for this server: true when it is this server's to
 * run. `previous` is the tick claimed before (null on the first claim or
 * after the cron changed).
 */
export async function claimTick(context: ScheduleContext, flow: string, cron: string, tick: Date): Promise<{ claimed: false } | { claimed: true; previous: Date | null }> {
  const { rows } = (await context.db.knex.raw(
    `insert into cairn_flow_schedule as s (flow, cron, last_tick, previous_tick, claimed_by) values (?, ?, ?, null, ?)
     on conflict (flow) do update
       set last_tick = excluded.last_tick,
           previous_tick = case when s.cron = excluded.cron then s.last_tick end,
           cron = excluded.cron,
           claimed_by = excluded.claimed_by
       where s.last_tick < excluded.last_tick
     returning previous_tick`,
    [flow, cron, tick, context.instanceId],
  )) as { rows: { previous_tick: Date | string | null }[] };
  if (rows.length === 0) return { claimed: false };
  const previous = rows[0]!.previous_tick;
  return { claimed: true, previous: previous === null ? null : new Date(previous) };
}

export function createScheduler(context: ScheduleContext, run: (flow: Flow, tick: Date) => Promise<void>): Scheduler {
  const tasks = new Map<string, { cron: string; flow: Flow; task: ScheduledTask }>();
  /** Ticks between their claim and the end of their run: stop() waits for them. */
  const ticking = new Set<Promise<void>>();

  const onTick = async (name: string, date: Date) => {
    const entry = tasks.get(name);
    if (!entry) return;
    const tick = new Date(Math.floor(date.getTime() / 1000) * 1000);
    const claim = await claimTick(context, name, entry.cron, tick);
    if (!claim.claimed) return;
    const missed = claim.previous ? missedBetween(entry.task, entry.cron, claim.previous, tick) : null;
    if (missed) {
      context.logger.warn({ flow: name, ...missed }, `flow "${name}" missed ${missed.truncated ? 'at least ' : ''}${missed.count} scheduled run(s) while no server was running it`);
      const now = new Date();
      await writeRun(context.db.knex, { flow: name, trigger: 'schedule', status: 'missed', accountability: null, steps: [], data: null, error: { message: 'ticks that no server ran', ...missed }, startedAt: now, finishedAt: now, tick: claim.previous, depth: 0 });
    }
    await run(entry.flow, tick);
  };

  return {
    async sync(model) {
      const wanted = new Map(scheduledFlows(model).map((flow) => [flow.name, flow]));
      for (const [name, entry] of tasks) {
        const flow = wanted.get(name);
        if (flow && flow.trigger.cron === entry.cron) {
          entry.flow = flow;
          continue;
        }
        await entry.task.destroy();
        tasks.delete(name);
      }
      for (const [name, flow] of wanted) {
        if (tasks.has(name)) continue;
        const cron = String(flow.trigger.cron);
        const task = createTask(
          cron,
          (tick) => {
            const running: Promise<void> = onTick(name, tick.date)
              .catch((error: unknown) => context.logger.error({ err: error, flow: name }, 'a scheduled tick failed'))
              .finally(() => ticking.delete(running));
            ticking.add(running);
            return running;
          },
          { name: `cairn-flow-${name}` },
        );
        tasks.set(name, { cron, flow, task });
        await task.start();
      }
      // A flow that no longer runs on a schedule starts afresh when it does again: no gap to report.
      await context.db.knex('cairn_flow_schedule').whereNotIn('flow', [...wanted.keys()]).delete();
    },
    async stop() {
      for (const entry of tasks.values()) await entry.task.destroy();
      tasks.clear();
      // A tick claimed just before the stop has moved last_tick: no other server will run it or report it
      // missed, so it runs to its end here, while the database is still open (closeContext closes it next).
      await Promise.allSettled([...ticking]);
    },
  };
}
