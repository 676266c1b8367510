-- Engine configuration and hidden per-player state, plus the small helpers every engine function shares.
-- Rule functions live in the files after this one, one per domain.

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

create or replace function game.refresh_tunables_snapshot()
returns trigger
language plpgsql
volatile
security invoker
set search_path = ''
as $$
begin
  insert into game.tunables_snapshot (id, value)
  select true, coalesce(jsonb_object_agg(name, value), '{}'::jsonb) from game.tunables
  on conflict (id) do update set value = excluded.value;
  return null;
end
$$;
comment on function game.refresh_tunables_snapshot() is 'Trigger: rebuilds game.tunables_snapshot after any change to game.tunables.';
revoke execute on function game.refresh_tunables_snapshot() from public;

create trigger tunables_refresh_snapshot
  after insert or update or delete or truncate on game.tunables
  for each statement execute function game.refresh_tunables_snapshot();

-- All tunables as one JSON object, read once per engine call.
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
comment on function game.tunables_json() is 'Every tunable as one JSON object {name: value}; engine functions read it once per call.';
revoke execute on function game.tunables_json() from public;
grant execute on function game.tunables_json() to service_role;

-- The relationship score from the four metrics (GAME_RULES.md §2): weights from the tunables, 4 decimals.
create or replace function game.score_of(p_tunables jsonb, p_intimacy numeric, p_passion numeric, p_trust numeric,
  p_secureness numeric)
returns numeric
language plpgsql
immutable
security invoker
set search_path = ''
as $$
begin
  return round(
    (p_tunables ->> 'weight_intimacy')::numeric * p_intimacy
    + (p_tunables ->> 'weight_passion')::numeric * p_passion
    + (p_tunables ->> 'weight_trust')::numeric * p_trust
    + (p_tunables ->> 'weight_secureness')::numeric * p_secureness,
    (p_tunables ->> 'value_scale')::int);
end
$$;
comment on function game.score_of(jsonb, numeric, numeric, numeric, numeric) is 'Relationship score = weighted sum of the four metrics (weights and scale from the tunables).';
revoke execute on function game.score_of(jsonb, numeric, numeric, numeric, numeric) from public;
grant execute on function game.score_of(jsonb, numeric, numeric, numeric, numeric) to service_role;

-- Every mutation starts here: the player's row, locked, so one player's mutations never interleave. FOR NO KEY
-- UPDATE rather than FOR UPDATE: rows that merely reference the player (ledger, inbox, history) can still be
-- inserted by other transactions meanwhile, instead of waiting on this one.
create or replace function game.lock_player(p_user_id uuid)
returns public.users
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_user public.users;
begin
  select * into v_user from public.users where id = p_user_id for no key update;
  if not found then
    raise exception 'player not found: %', p_user_id using errcode = 'PNFND';
  end if;
  return v_user;
end
$$;
comment on function game.lock_player(uuid) is 'Locks and returns the player row (raises PNFND); the first step of every per-player mutation.';
revoke execute on function game.lock_player(uuid) from public;
grant execute on function game.lock_player(uuid) to service_role;

-- Conflict temperature and crisis bookkeeping (GAME_RULES.md §9). Gottman counts come from score_history.
create table game.conflict_state (
  user_id uuid primary key references public.users (id) on delete cascade,
  temperature numeric(7, 4) not null default 0 check (temperature between 0 and 100),
  updated_at timestamptz,
  consecutive_crises integer not null default 0 check (consecutive_crises >= 0),
  above_90_since timestamptz
);
comment on table game.conflict_state is 'Per player: conflict temperature as of updated_at (cooling is applied lazily), consecutive crises, and since when it has been above the breakup temperature.';

alter table game.conflict_state enable row level security;
grant select, insert, update, delete on game.conflict_state to service_role;
create policy "conflict_state: backend only"
  on game.conflict_state for select to service_role
  using (true);

-- Boss encounters (GAME_RULES.md §5): one row per encounter; at most one open per player.
create table game.boss_fights (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references public.users (id) on delete cascade,
  chapter smallint not null check (chapter between 1 and 5),
  conversation_id uuid references public.conversations (id) on delete set null,
  phase text not null default 'opening' check (phase in ('opening', 'resolution', 'judging', 'resolved')),
  started_at timestamptz not null,
  phase_started_at timestamptz not null,
  resolution_replies integer not null default 0 check (resolution_replies >= 0),
  outcome text check (outcome in ('PASS', 'PARTIAL', 'FAIL', 'TIMEOUT')),
  verdict jsonb,
  resolved_at timestamptz,
  check ((phase = 'resolved') = (resolved_at is not null))
);
comment on table game.boss_fights is 'Boss encounters: phase (opening, resolution, judging, resolved), phase start for the 24 h timeout, replies in resolution, verdict and applied outcome.';
create unique index boss_fights_one_open_idx on game.boss_fights (user_id) where phase <> 'resolved';
create index boss_fights_user_started_idx on game.boss_fights (user_id, started_at desc);
create index boss_fights_conversation_idx on game.boss_fights (conversation_id) where conversation_id is not null;
-- The hourly timeout sweep: open phases by start time.
create index boss_fights_open_phase_idx on game.boss_fights (phase_started_at) where phase in ('opening', 'resolution');

alter table game.boss_fights enable row level security;
grant select, insert, update, delete on game.boss_fights to service_role;
create policy "boss_fights: backend only"
  on game.boss_fights for select to service_role
  using (true);
