-- Engine configuration: every game constant as a row of game.tunables (the rows are sql/data/tunables.sql).

create table game.tunables (
  name text primary key check (name ~ '^[a-z0-9_]+$'),
  value jsonb not null,
  unit text not null,
  meaning text not null
);
comment on table game.tunables is 'Every game constant of GAME_RULES.md §20 that public.chapters does not hold: one row per name; per-chapter values are arrays (chapter 1 first). Designers tune the game with an UPDATE.';

alter table game.tunables enable row level security;
grant select, insert, update, delete on game.tunables to service_role;
create policy "tunables: backend only"
  on game.tunables for select to service_role
  using (true);

-- The tunables as one JSON object, rebuilt by a trigger whenever a tunable changes: every engine call reads
-- them, and aggregating 190 rows per call would cost more than the rule it serves. Derived, never edited.
create table game.tunables_snapshot (
  id boolean primary key default true check (id),
  value jsonb not null
);
comment on table game.tunables_snapshot is 'game.tunables as one JSON object {name: value}, maintained by a trigger on game.tunables; read by game.tunables_json().';

alter table game.tunables_snapshot enable row level security;
grant select on game.tunables_snapshot to service_role;
create policy "tunables_snapshot: backend only"
  on game.tunables_snapshot for select to service_role
  using (true);

-- All tunables as one JSON object, read once per engine call. This body reads the snapshot; the trigger below
-- replaces it with one that returns the snapshot as a literal, so a call neither queries nor decompresses 12 KB of
-- JSON: the literal is parsed once, into the function's cached plan.
create or replace function game.tunables_json()
returns jsonb
language plpgsql
stable
security invoker
set search_path = ''
as $$
begin
  -- `|| '{}'` hands back a decompressed copy: the stored value is toasted, and a toasted jsonb would be
  -- decompressed again on every ->> the caller makes (about 8 µs each, dozens per exchange).
  return coalesce((select value || '{}'::jsonb from game.tunables_snapshot), '{}'::jsonb);
end
$$;
comment on function game.tunables_json() is 'Every tunable as one JSON object {name: value}; engine functions read it once per call. Recompiled with the values as a literal whenever a tunable changes.';
revoke execute on function game.tunables_json() from public;
grant execute on function game.tunables_json() to service_role;

-- Rebuilds the snapshot, then replaces game.tunables_json() with a function returning it as a literal. SECURITY
-- DEFINER: whoever may change a tunable (service_role) must be able to write the snapshot and recompile, and only the
-- owner of a function may replace it.
create or replace function game.refresh_tunables_snapshot()
returns trigger
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  -- The upsert holds the snapshot's row lock to the end of the transaction, so two writers of the tunables compile
  -- one after the other (two concurrent CREATE OR REPLACE of one function would fail).
  insert into game.tunables_snapshot (id, value)
  select true, coalesce(jsonb_object_agg(name, value), '{}'::jsonb) from game.tunables
  on conflict (id) do update set value = excluded.value;
  execute format($f$create or replace function game.tunables_json()
returns jsonb
language plpgsql
stable
security invoker
set search_path = ''
as $body$
begin
  return %L::jsonb;
end
$body$
$f$, (select value from game.tunables_snapshot)::text);
  return null;
end
$$;
comment on function game.refresh_tunables_snapshot() is 'Trigger: after any change to game.tunables, rebuilds game.tunables_snapshot and compiles it into game.tunables_json() as a literal.';
revoke execute on function game.refresh_tunables_snapshot() from public;

create trigger tunables_refresh_snapshot
  after insert or update or delete or truncate on game.tunables
  for each statement execute function game.refresh_tunables_snapshot();
