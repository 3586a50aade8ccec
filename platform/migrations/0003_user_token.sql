-- The `token` field of a user (Directus's directus_users.token): the static
-- token set through /users is stored hashed in cairn_tokens like any other;
-- this column points at that row, so the API can show whether one is set
-- (as "**********") and a new value replaces exactly that row.
alter table cairn_users add column token uuid references cairn_tokens (id) on delete set null;
create unique index cairn_users_token_key on cairn_users (token);
