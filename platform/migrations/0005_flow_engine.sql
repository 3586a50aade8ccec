-- The flow engine. A run is written once, when it ends: resolved, failed,
-- or `missed` (a report of schedule ticks that no server ran, because every
-- server was down). A schedule run names its tick.
alter table cairn_flow_runs drop constraint cairn_flow_runs_status_check;
alter table cairn_flow_runs add constraint cairn_flow_runs_status_check check (status in ('running', 'resolved', 'failed', 'missed'));
alter table cairn_flow_runs add column tick timestamptz;
alter table cairn_flow_runs add column depth integer not null default 0;
create index cairn_flow_runs_started_idx on cairn_flow_runs (started_at);

-- One row per scheduled flow: the last tick a server claimed. Claiming tick
-- T is one statement that moves `last_tick` forward only if it is before T,
-- so with N servers exactly one of them runs each tick; `previous_tick` is
-- where it was, so the claimer sees ticks that nobody ran in between.
create table cairn_flow_schedule (
  flow          text        primary key,
  cron          text        not null,
  last_tick     timestamptz not null,
  previous_tick timestamptz,
  claimed_by    text        not null
);
