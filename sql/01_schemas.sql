-- The schemas we own: `public` (the API), `game` (the engine) and `private` (machinery).

-- `public` is what a player may read, under RLS. `game` holds the engine and hidden per-player state; `private`
-- holds machinery (inbox, outbox, jobs, ledgers). Neither is exposed through the API; only the backend's
-- `service_role` may use them.
create schema if not exists game;
comment on schema game is 'Game engine: rule functions, tunables and hidden per-player state. Not exposed through the API.';
revoke all on schema game from public;
grant usage on schema game to service_role;

create schema if not exists private;
comment on schema private is 'Machinery: Telegram inbox, outbox, job runs, LLM ledger. Not exposed through the API.';
revoke all on schema private from public;
grant usage on schema private to service_role;
