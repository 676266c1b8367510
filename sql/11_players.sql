-- Players: one row per Auth user, their four metrics, their engagement state and its history.

-- Game state is written by game.* functions only; the player may change two settings.
create table public.users (
  id uuid primary key references auth.users (id) on delete cascade,
  telegram_id bigint unique,
  telegram_chat_id bigint,
  phone text unique check (phone ~ '^\+[1-9][0-9]{6,14}$'),
  display_name text check (char_length(display_name) between 1 and 40),
  city text check (char_length(city) <= 120),
  timezone text not null default 'UTC',
  darkness_level smallint check (darkness_level between 1 and 5),
  notifications_enabled boolean not null default true,
  onboarding_status text not null default 'pending' check (onboarding_status in ('pending', 'completed')),
  onboarded_at timestamptz,
  game_started_at timestamptz not null,
  relationship_score numeric(7, 4) not null default 50 check (relationship_score between 0 and 100),
  chapter smallint not null default 1 check (chapter between 1 and 5),
  boss_attempts smallint not null default 0 check (boss_attempts between 0 and 3),
  days_played integer not null default 0 check (days_played >= 0),
  game_status text not null default 'active' check (game_status in ('active', 'boss_fight', 'game_over', 'won')),
  game_over_reason text check (game_over_reason in ('boss', 'decay', 'score', 'engagement', 'conflict')),
  boss_fight_started_at timestamptz,
  cool_down_until timestamptz,
  last_interaction_at timestamptz,
  -- Engine bookkeeping, hidden from players by column grants.
  decay_through timestamptz,
  decay_day date,
  decay_day_amount numeric(9, 4) not null default 0 check (decay_day_amount >= 0),
  last_decay_warning_at timestamptz,
  last_played_on date,
  vulnerability_exchanges integer not null default 0 check (vulnerability_exchanges >= 0),
  telegram_unreachable_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- The four hidden metrics (GAME_RULES.md §2) beside the score they make: every exchange and decay pass rewrites
  -- them with the score, and one row write per player is half what two tables cost. Read as public.user_metrics.
  intimacy numeric(7, 4) not null default 50 check (intimacy between 0 and 100),
  passion numeric(7, 4) not null default 50 check (passion between 0 and 100),
  trust numeric(7, 4) not null default 50 check (trust between 0 and 100),
  secureness numeric(7, 4) not null default 50 check (secureness between 0 and 100),
  metrics_updated_at timestamptz not null default now(),
  check ((game_status = 'game_over') = (game_over_reason is not null))
)
-- Every active player's row is rewritten by each hourly decay pass: free space on each page keeps those
-- updates HOT (no index writes), and the previous versions are pruned before the next pass.
with (fillfactor = 50);
comment on table public.users is 'One row per player (id = auth.users.id): profile, settings and game status. Written by game.* functions; players read their own row and may change timezone and notifications_enabled.';
comment on column public.users.decay_through is 'Decay watermark: time up to which decay has been accounted for (GAME_RULES.md §7.2).';
comment on column public.users.last_played_on is 'The player''s last local date counted in days_played.';
comment on column public.users.decay_day_amount is 'Decay ledger: nominal decay already applied on the UTC day decay_day, for the daily cap.';

-- No index on last_interaction_at: the decay pass reads every player anyway, and an index on a column every exchange
-- moves would make each of those updates write every index of the row instead of a HOT update.

alter table public.users enable row level security;
revoke all on public.users from anon, authenticated;
-- Players see their row minus engine bookkeeping, and may update exactly two settings. The decay watermark and
-- ledger are readable because public.player_stats (80_portal.sql) projects decay from them under the caller's rights.
grant select (id, telegram_id, telegram_chat_id, phone, display_name, city, timezone, darkness_level,
  notifications_enabled, onboarding_status, onboarded_at, game_started_at, relationship_score, chapter,
  boss_attempts, days_played, game_status, game_over_reason, boss_fight_started_at, cool_down_until,
  last_interaction_at, decay_through, decay_day, decay_day_amount, created_at, updated_at, intimacy, passion, trust,
  secureness, metrics_updated_at) on public.users to authenticated;
grant update (timezone, notifications_enabled) on public.users to authenticated;

create policy "users: select own or admin"
  on public.users for select to authenticated
  using (id = (select auth.uid()) or (select public.is_admin()));

create policy "users: update own settings"
  on public.users for update to authenticated
  using (id = (select auth.uid()))
  with check (id = (select auth.uid()));

-- The metrics as the portal reads them (PLATFORM.md §8): one row per player, under the player row's policy
-- (security_invoker). Read only: the engine writes the metrics on public.users.
create view public.user_metrics with (security_invoker = true) as
  select id as user_id, intimacy, passion, trust, secureness, metrics_updated_at as updated_at
  from public.users;
comment on view public.user_metrics is 'The four hidden relationship metrics of a player (0..100); relationship_score is derived from them. Stored on public.users; players read their own.';

revoke all on public.user_metrics from anon, authenticated, service_role;
grant select on public.user_metrics to authenticated, service_role;

create table public.engagement_state (
  user_id uuid primary key references public.users (id) on delete cascade,
  state text not null default 'calibrating'
    check (state in ('calibrating', 'in_zone', 'drifting', 'clingy', 'distant', 'out_of_zone')),
  multiplier numeric(7, 4) not null default 0.9 check (multiplier between 0 and 1),
  calibration_score numeric(7, 4) check (calibration_score between 0 and 1),
  high_streak integer not null default 0 check (high_streak >= 0),
  low_streak integer not null default 0 check (low_streak >= 0),
  recovery_streak integer not null default 0 check (recovery_streak >= 0),
  clingy_days integer not null default 0 check (clingy_days >= 0),
  distant_days integer not null default 0 check (distant_days >= 0),
  non_clingy_days integer not null default 0 check (non_clingy_days >= 0),
  out_of_zone_days integer not null default 0 check (out_of_zone_days >= 0),
  step_day date,
  step_day_flag text check (step_day_flag in ('clingy', 'neglect', 'good')),
  updated_at timestamptz not null default now()
);
comment on table public.engagement_state is 'Engagement state machine per player: state, scoring multiplier, last calibration, streaks and day counters (GAME_RULES.md §8).';

alter table public.engagement_state enable row level security;
revoke all on public.engagement_state from anon, authenticated;
grant select on public.engagement_state to authenticated;

create policy "engagement_state: select own or admin"
  on public.engagement_state for select to authenticated
  using (user_id = (select auth.uid()) or (select public.is_admin()));

create table public.engagement_history (
  id bigint generated always as identity primary key,
  user_id uuid not null references public.users (id) on delete cascade,
  from_state text not null,
  to_state text not null,
  reason text not null,
  calibration_score numeric(7, 4),
  created_at timestamptz not null
);
comment on table public.engagement_history is 'One row per engagement state transition: from, to, reason, calibration score, time.';
create index engagement_history_user_created_idx on public.engagement_history (user_id, created_at desc);

alter table public.engagement_history enable row level security;
revoke all on public.engagement_history from anon, authenticated;
-- Players see the transitions (PLATFORM.md §8.2), plus user_id, which the policy reads.
grant select (user_id, from_state, to_state, reason, created_at) on public.engagement_history to authenticated;

create policy "engagement_history: select own or admin"
  on public.engagement_history for select to authenticated
  using (user_id = (select auth.uid()) or (select public.is_admin()));

-- The player's one write: SECURITY INVOKER, so the column grants, the update policy and the timezone trigger
-- decide what it may change.
create or replace function public.update_settings(
  p_timezone text default null,
  p_notifications_enabled boolean default null
)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_row record;
begin
  update public.users
  set timezone = coalesce(p_timezone, timezone),
      notifications_enabled = coalesce(p_notifications_enabled, notifications_enabled)
  where id = (select auth.uid())
  returning timezone, notifications_enabled into v_row;
  if not found then
    raise exception 'player not found' using errcode = 'PNFND';
  end if;
  return jsonb_build_object('timezone', v_row.timezone, 'notifications_enabled', v_row.notifications_enabled);
end
$$;
comment on function public.update_settings(text, boolean) is 'The signed-in player changes their timezone and/or notification flag; raises TZINV for an unknown zone, PNFND without a player row.';
revoke execute on function public.update_settings(text, boolean) from public, anon;
grant execute on function public.update_settings(text, boolean) to authenticated, service_role;

-- Provisioning: Auth inserts auth.users as its own role, so the trigger function runs as its owner
-- (SECURITY DEFINER) to create the player's rows; nobody may call it directly.
create or replace function game.provision_player()
returns trigger
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  -- The phone is not copied: players share it from Telegram, where it is checked to be their own.
  insert into public.users (id, game_started_at, metrics_updated_at)
  values (new.id, coalesce(new.created_at, now()), coalesce(new.created_at, now()))
  on conflict (id) do nothing;
  insert into public.engagement_state (user_id, updated_at)
  values (new.id, coalesce(new.created_at, now()))
  on conflict (user_id) do nothing;
  insert into game.conflict_state (user_id)
  values (new.id)
  on conflict (user_id) do nothing;
  return new;
end
$$;
comment on function game.provision_player() is 'Trigger on auth.users insert: creates users (metrics 4 x 50) and engagement_state (calibrating). SECURITY DEFINER because Auth inserts as its own role.';
revoke execute on function game.provision_player() from public, anon, authenticated, service_role;

create trigger on_auth_user_created
  after insert on auth.users
  for each row execute function game.provision_player();

-- A timezone must be a name Postgres knows (the same list the portal offers), whoever writes it. The lookup
-- reads every zone Postgres has (pg_timezone_names, about 50 ms), so the triggers below call it only for a zone
-- that needs checking: never for the default 'UTC' that every signup gets, never for an update that leaves the
-- zone as it was (update_settings rewrites it with coalesce).
create or replace function private.check_user_timezone()
returns trigger
language plpgsql
stable
security invoker
set search_path = ''
as $$
begin
  if not exists (select 1 from pg_catalog.pg_timezone_names where name = new.timezone) then
    raise exception 'unknown timezone: %', new.timezone
      using errcode = 'TZINV', hint = 'Use an IANA name such as Europe/Berlin.';
  end if;
  return new;
end
$$;
comment on function private.check_user_timezone() is 'Trigger: rejects a users.timezone that pg_timezone_names does not know (TZINV); called only for a zone other than UTC that is inserted or changed.';
revoke execute on function private.check_user_timezone() from public;

create trigger users_check_timezone_on_insert
  before insert on public.users
  for each row when (new.timezone <> 'UTC')
  execute function private.check_user_timezone();

create trigger users_check_timezone_on_change
  before update of timezone on public.users
  for each row when (new.timezone is distinct from old.timezone and new.timezone <> 'UTC')
  execute function private.check_user_timezone();

create or replace function private.touch_updated_at()
returns trigger
language plpgsql
volatile
security invoker
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end
$$;
comment on function private.touch_updated_at() is 'Trigger: stamps updated_at on every row update (bookkeeping, not a game rule).';
revoke execute on function private.touch_updated_at() from public;

-- Writers that set updated_at themselves (the engine, with its game time) skip the trigger call.
create trigger users_touch_updated_at
  before update on public.users
  for each row when (new.updated_at is not distinct from old.updated_at)
  execute function private.touch_updated_at();
