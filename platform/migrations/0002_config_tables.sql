-- Roles, policies, permissions, flows and extensions, materialised from the
-- applied model by `cairn apply` (in the same transaction as the schema), so
-- a SQL user can join against them. They are config: edit the repository,
-- not these rows; `cairn drift` reports rows changed by hand.

create table cairn_roles (
  name   text primary key,
  note   text,
  parent text
);

create table cairn_policies (
  name         text primary key,
  note         text,
  public       boolean not null default false,
  admin_access boolean not null default false,
  app_access   boolean not null default false,
  ip_access    jsonb                              -- list of IPs/CIDRs, null = anywhere
);

-- Which policies a role has (Directus's directus_access, for roles).
create table cairn_access (
  role   text    not null,
  policy text    not null,
  sort   integer not null,
  primary key (role, policy)
);
create index cairn_access_policy_idx on cairn_access (policy);

create table cairn_permissions (
  policy     text  not null,
  collection text  not null,
  action     text  not null check (action in ('create', 'read', 'update', 'delete')),
  fields     jsonb not null,                      -- ["*"] or a list of field names
  filter     jsonb,
  validation jsonb,
  presets    jsonb,
  primary key (policy, collection, action)
);
create index cairn_permissions_collection_idx on cairn_permissions (collection, action);

create table cairn_flows (
  name       text primary key,
  status     text  not null,
  definition jsonb not null                       -- the flow as the model has it
);

create table cairn_extensions (
  name       text primary key,
  type       text  not null,
  definition jsonb not null
);

-- Built into every project (config cannot declare them): the administrator
-- role and its policy with full access. Present from the start, so a plan
-- before the first apply does not list them.
insert into cairn_roles (name, note, parent) values ('administrator', 'Built in: full access', null);
insert into cairn_policies (name, note, public, admin_access, app_access, ip_access)
  values ('administrator', 'Built in: full access', false, true, true, null);
insert into cairn_access (role, policy, sort) values ('administrator', 'administrator', 0);
