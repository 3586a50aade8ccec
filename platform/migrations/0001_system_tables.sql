-- Cairn's system tables. The config (roles, policies, flows, extensions) is
-- not stored here as editable rows: it lives in the config repository and
-- every apply records the whole model in cairn_config.

-- One row per successful apply of a config repository.
create table cairn_config (
  id            bigint generated always as identity primary key,
  model         jsonb       not null,             -- canonical model JSON
  model_hash    text        not null,
  plan_hash     text,
  source_commit text,                             -- git commit of the config repository
  source_ref    text,
  applied_by    text,                             -- who ran the apply (CLI user, CI job)
  applied_at    timestamptz not null default now(),
  duration_ms   integer
);
create index cairn_config_applied_at_idx on cairn_config (applied_at desc);

create table cairn_users (
  id          uuid primary key default gen_random_uuid(),
  email       text        not null,
  password    text,                               -- argon2id hash, never the password
  first_name  text,
  last_name   text,
  role        text,                               -- a role name from the applied config
  policies    jsonb       not null default '[]',  -- policy names granted to the user directly
  status      text        not null default 'active' check (status in ('active', 'suspended', 'invited')),
  last_access timestamptz,
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now()
);
-- Emails are unique whatever their case.
create unique index cairn_users_email_key on cairn_users (lower(email));
create index cairn_users_role_idx on cairn_users (role);

-- Refresh tokens. Rotation keeps the family so reuse of a rotated token revokes them all.
create table cairn_sessions (
  token_hash  text primary key,                   -- sha-256 of the refresh token
  user_id     uuid        not null references cairn_users (id) on delete cascade,
  family      uuid        not null,
  expires_at  timestamptz not null,
  rotated_at  timestamptz,                        -- set when replaced; a rotated token is dead
  ip          text,
  user_agent  text,
  origin      text,
  created_at  timestamptz not null default now()
);
create index cairn_sessions_user_idx on cairn_sessions (user_id);
create index cairn_sessions_family_idx on cairn_sessions (family);
create index cairn_sessions_expires_idx on cairn_sessions (expires_at);

-- Static tokens, stored hashed.
create table cairn_tokens (
  id           uuid primary key default gen_random_uuid(),
  token_hash   text        not null unique,
  user_id      uuid        not null references cairn_users (id) on delete cascade,
  name         text,
  expires_at   timestamptz,
  last_used_at timestamptz,
  created_at   timestamptz not null default now()
);
create index cairn_tokens_user_idx on cairn_tokens (user_id);

create table cairn_activity (
  id          bigint generated always as identity primary key,
  action      text        not null,               -- create, update, delete, version_save, login, run, ...
  "user"      uuid references cairn_users (id) on delete set null,   -- named as Directus names it
  "timestamp" timestamptz not null default now(),
  ip          text,
  user_agent  text,
  origin      text,
  collection  text        not null,
  item        text        not null,               -- primary key as text, whatever its type
  comment     text
);
create index cairn_activity_item_idx on cairn_activity (collection, item);
create index cairn_activity_timestamp_idx on cairn_activity ("timestamp");

create table cairn_versions (
  id           uuid primary key default gen_random_uuid(),
  key          text        not null,
  name         text,
  collection   text        not null,
  item         text        not null,
  hash         text,                              -- hash of the main item when the version was made
  delta        jsonb,
  created_at   timestamptz not null default now(),
  created_by   uuid references cairn_users (id) on delete set null,
  updated_at   timestamptz,
  updated_by   uuid references cairn_users (id) on delete set null,
  constraint cairn_versions_key_unique unique (collection, item, key)
);

create table cairn_revisions (
  id          bigint generated always as identity primary key,
  activity    bigint      not null references cairn_activity (id) on delete cascade,
  collection  text        not null,
  item        text        not null,
  data        jsonb,                              -- full snapshot after the change
  delta       jsonb,                              -- what the change set
  parent      bigint references cairn_revisions (id) on delete set null,  -- nested writes
  version     uuid references cairn_versions (id) on delete set null
);
create index cairn_revisions_activity_idx on cairn_revisions (activity);
create index cairn_revisions_item_idx on cairn_revisions (collection, item);
create index cairn_revisions_parent_idx on cairn_revisions (parent);
create index cairn_revisions_version_idx on cairn_revisions (version);

create table cairn_flow_runs (
  id             bigint generated always as identity primary key,
  flow           text        not null,
  trigger        text        not null,
  status         text        not null default 'running' check (status in ('running', 'resolved', 'rejected', 'failed')),
  accountability jsonb,
  steps          jsonb       not null default '[]',
  data           jsonb,
  error          jsonb,
  started_at     timestamptz not null default now(),
  finished_at    timestamptz,
  duration_ms    integer
);
create index cairn_flow_runs_flow_idx on cairn_flow_runs (flow, started_at desc);
