-- The audit trail of published content. A promote (and the delete of an
-- item that was promoted) writes a row here in the same transaction as the
-- change; one writer at a time (advisory lock) turns the rows into commits
-- of the audit git repository, in id order, and records each commit's sha.
-- A row without a sha is pending: after a crash it is committed on restart,
-- or found already committed (its `Cairn-Outbox` trailer) and marked done.
create table cairn_audit_outbox (
  id           bigint generated always as identity primary key,
  action       text        not null check (action in ('promote', 'delete')),
  collection   text        not null,
  item         text        not null,
  content      jsonb,                              -- the item as promoted; null for a delete
  author_name  text        not null,
  author_email text        not null,
  message      text        not null,
  trailers     jsonb       not null default '{}',  -- Cairn-Version, Cairn-Revision, Cairn-Activity, Cairn-Config-Commit
  created_at   timestamptz not null default now(),
  commit_sha   text,                               -- set once committed
  committed_at timestamptz
);
create index cairn_audit_outbox_pending_idx on cairn_audit_outbox (id) where commit_sha is null;
create index cairn_audit_outbox_item_idx on cairn_audit_outbox (collection, item);

-- A version remembers the item's latest revision when it was made: the base
-- of a three-way merge between the version and main as it is now.
alter table cairn_versions add column base_revision bigint references cairn_revisions (id) on delete set null;
