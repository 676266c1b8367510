-- Balance simulator fixtures, loaded into the simulation's database only (never a migration): the synthetic players
-- of a run, and one function per simulated hour that feeds that hour's messages through the engine's own turn SQL,
-- so a simulated hour costs one round trip instead of one per call. No game rule lives here: every decision is a
-- game.* call; this file only replays what a Telegram turn would call, in the order it would call it.
create schema if not exists sim;

-- The synthetic players of each run: which persona plays them (the driver's draws decide what they send).
create table if not exists sim.players (
  run text not null,
  idx integer not null,
  user_id uuid not null unique,
  persona text not null,
  timezone text not null,
  primary key (run, idx)
);
comment on table sim.players is 'Synthetic players of a simulation run: index, persona, timezone.';

-- Engine calls that raised inside a simulated hour: kept, never hidden (the test expects none).
create table if not exists sim.errors (
  run text not null,
  user_id uuid not null,
  at timestamptz not null,
  step text not null,
  sqlstate text not null,
  message text not null
);
comment on table sim.errors is 'Engine errors met while replaying a run''s messages.';

-- game.complete_onboarding without the row triggers: the timezone check scans pg_timezone_names (about 18 ms a
-- player, minutes for 10,000), and the simulator's zones are a fixed list of valid names. Everything else is the
-- real onboarding.
create or replace function sim.onboard(p_user_id uuid, p_profile jsonb, p_now timestamptz)
returns jsonb
language sql
volatile
set search_path = ''
set session_replication_role = replica
as $$
  select game.complete_onboarding(p_user_id, p_profile, p_now)
$$;
comment on function sim.onboard(uuid, jsonb, timestamptz) is 'Onboards a synthetic player (timezones from a valid list, so the per-row timezone check is skipped).';

-- Creates p_count players through auth.users (the provisioning trigger runs) and onboards each at p_now with its
-- persona's timezone and darkness. p_players: [{idx, persona, timezone, darkness}].
create or replace function sim.create_players(p_run text, p_players jsonb, p_now timestamptz)
returns integer
language plpgsql
volatile
set search_path = ''
as $$
declare
  v_p record;
  v_id uuid;
  v_count integer := 0;
begin
  for v_p in select * from jsonb_to_recordset(p_players) as x(idx int, persona text, timezone text, darkness int) order by idx loop
    insert into auth.users (email, created_at, updated_at)
    values ('sim-' || p_run || '-' || v_p.idx || '@players.test', p_now, p_now)
    returning id into v_id;
    perform sim.onboard(v_id, jsonb_build_object('display_name', 'Sim ' || v_p.idx,
      'timezone', v_p.timezone, 'darkness', v_p.darkness), p_now);
    insert into sim.players (run, idx, user_id, persona, timezone) values (p_run, v_p.idx, v_id, v_p.persona, v_p.timezone);
    v_count := v_count + 1;
  end loop;
  return v_count;
end
$$;
comment on function sim.create_players(text, jsonb, timestamptz) is 'Synthetic players signed up and onboarded at p_now.';

-- Her message as the delivery job stores it once sent: an outbox row (marked sent) and game.store_nikita_message.
-- Only her boss opening needs the outbox row (its delivery starts the encounter''s phases); her other lines are stored
-- without one, which store_nikita_message accepts, to keep the run light.
create or replace function sim.her_message(p_user_id uuid, p_text text, p_at timestamptz, p_opening_fight uuid)
returns void
language plpgsql
volatile
set search_path = ''
as $$
declare
  v_outbox bigint;
begin
  if p_opening_fight is not null then
    insert into private.outbox (dedupe_key, user_id, kind, text, payload, due_at, status, sent_at)
    values ('sim:boss:' || p_opening_fight || ':opening', p_user_id, 'boss', p_text,
      jsonb_build_object('boss_fight_id', p_opening_fight, 'boss_line', 'opening', 'last_part', true), p_at, 'sent', p_at)
    returning id into v_outbox;
  end if;
  perform game.store_nikita_message(p_user_id, v_outbox, p_text, p_at);
end
$$;
comment on function sim.her_message(uuid, text, timestamptz, uuid) is 'Stores her line as a delivered message (with an outbox row for a boss opening).';

-- One player message, replayed as a Telegram turn: game.begin_turn decides (rate limits, stored, route); an exchange
-- is scored with game.apply_exchange and the persona's analysis, her reply stored after the delay the engine gave
-- (and her opening 2 s after it when a boss fight started); a boss reply goes through game.boss_turn and, when the
-- judge runs, game.resolve_boss with the persona's verdict. After a game over the player comes back only when the
-- persona's draw says so (p_back): game.reset_player first, as /start does. Returns the route taken.
create or replace function sim.player_message(p_run text, p_user_id uuid, p_update_id bigint, p_at timestamptz,
  p_length int, p_analysis jsonb, p_verdict jsonb, p_draw numeric, p_back boolean)
returns text
language plpgsql
volatile
set search_path = ''
as $$
declare
  v_status text;
  v_plan jsonb;
  v_result jsonb;
  v_step jsonb;
  v_due timestamptz;
  v_event jsonb;
  v_step_name text := 'begin_turn';
begin
  select game_status into v_status from public.users where id = p_user_id;
  if v_status = 'game_over' then
    if not p_back then
      return 'away';
    end if;
    v_step_name := 'reset_player';
    perform game.reset_player(p_user_id, p_at);
  elsif v_status = 'won' then
    return 'away';
  end if;
  v_step_name := 'begin_turn';
  v_plan := game.begin_turn(p_user_id, p_update_id, repeat('m', p_length), p_at);
  if v_plan ->> 'route' = 'exchange' then
    v_step_name := 'apply_exchange';
    v_result := game.apply_exchange(p_user_id, p_analysis, p_at, 'telegram', (v_plan ->> 'conversation_id')::uuid,
      p_draw);
    v_due := p_at + make_interval(secs => coalesce((v_result ->> 'reply_delay_seconds')::numeric, 0));
    perform sim.her_message(p_user_id, 'her reply', v_due, null);
    for v_event in select e from jsonb_array_elements(v_result -> 'events') e where e ->> 'type' = 'boss_started' loop
      perform sim.her_message(p_user_id, 'her opening', v_due + make_interval(secs =>
        coalesce((v_event ->> 'opening_delay_seconds')::numeric, 2)), (v_event ->> 'boss_fight_id')::uuid);
    end loop;
  elsif v_plan ->> 'route' = 'boss' then
    v_step_name := 'boss_turn';
    v_step := game.boss_turn(p_user_id, p_at);
    if (v_step ->> 'judge_now')::boolean then
      v_step_name := 'resolve_boss';
      perform game.resolve_boss(p_user_id, p_verdict, p_at);
    elsif v_step ->> 'her_reply' <> 'none' then
      perform sim.her_message(p_user_id, 'her boss line', p_at, null);
    end if;
  end if;
  return v_plan ->> 'route';
exception when others then
  insert into sim.errors (run, user_id, at, step, sqlstate, message) values (p_run, p_user_id, p_at, v_step_name, sqlstate, sqlerrm);
  return 'error';
end
$$;
comment on function sim.player_message(text, uuid, bigint, timestamptz, int, jsonb, jsonb, numeric, boolean) is 'Replays one player message as a Telegram turn through the engine; errors are recorded in sim.errors.';

-- The messages of one simulated hour, in time order (ties by update id, so a run replays identically). p_messages:
-- [{u: user id, n: update id, t: time, l: length, a: analysis, v: verdict, z: N(0,1) draw, b: comes back}].
-- Returns {route: count}.
create or replace function sim.play_messages(p_run text, p_messages jsonb)
returns jsonb
language plpgsql
volatile
set search_path = ''
as $$
declare
  v_m record;
  v_routes jsonb := '{}'::jsonb;
  v_route text;
begin
  for v_m in select * from jsonb_to_recordset(p_messages)
               as x(u uuid, n bigint, t timestamptz, l int, a jsonb, v jsonb, z numeric, b boolean)
             order by t, n loop
    v_route := sim.player_message(p_run, v_m.u, v_m.n, v_m.t, v_m.l, v_m.a, v_m.v, v_m.z, v_m.b);
    v_routes := jsonb_set(v_routes, array[v_route], to_jsonb(coalesce((v_routes ->> v_route)::int, 0) + 1));
  end loop;
  return v_routes;
end
$$;
comment on function sim.play_messages(text, jsonb) is 'Replays a batch of player messages in time order; returns the count per route.';

-- The scheduled jobs at the end of a simulated hour, in the order the hourly cron runs them: boss timeouts, decay,
-- idle conversations.
-- Players whose score moved during the hour's decay while they were in a boss fight (GAME_RULES.md §7: no decay
-- during an encounter); kept for the test, which expects none. Decay's history is one row per player per UTC day,
-- so this is checked around each run rather than read back from the rows.
create table if not exists sim.decay_in_boss (
  user_id uuid not null,
  at timestamptz not null,
  score_before numeric not null,
  score_after numeric
);
comment on table sim.decay_in_boss is 'Boss-fight players whose score the hourly decay changed (the invariant: none).';

create or replace function sim.end_hour(p_now timestamptz)
returns jsonb
language plpgsql
volatile
set search_path = ''
as $$
declare
  v_boss jsonb := game.expire_boss_fights(p_now);
  v_decay jsonb;
begin
  insert into sim.decay_in_boss (user_id, at, score_before)
  select u.id, p_now, u.relationship_score from public.users u where u.game_status = 'boss_fight';
  v_decay := game.apply_decay(p_now);
  update sim.decay_in_boss b set score_after = u.relationship_score
  from public.users u where b.at = p_now and b.score_after is null and u.id = b.user_id;
  delete from sim.decay_in_boss b where b.at = p_now and b.score_after = b.score_before;
  return jsonb_build_object('boss', v_boss, 'decay', v_decay, 'idle', game.close_idle_conversations(p_now));
end
$$;
comment on function sim.end_hour(timestamptz) is 'Hourly jobs at p_now: expire_boss_fights, apply_decay (noting any boss-fight player it moved), close_idle_conversations.';

-- Every player of a run with what happened to them: the facts the report aggregates per persona. p_start is the
-- simulation's start; days are counted from it.
create or replace function sim.player_facts(p_run text, p_start timestamptz, p_days int)
returns table (idx int, persona text, user_id uuid, chapter_by jsonb, won_day numeric, game_overs jsonb,
  engagement_state text, crises int, decay_lost numeric, daily_scores jsonb, final_score numeric, final_chapter int,
  game_status text, messages bigint)
language sql
stable
set search_path = ''
as $$
  select p.idx, p.persona, p.user_id,
    (select jsonb_build_object(
        'd7', coalesce(max(to_chapter) filter (where day < 7), 1),
        'd14', coalesce(max(to_chapter) filter (where day < 14), 1),
        'd30', coalesce(max(to_chapter) filter (where day < 30), 1))
     from (select case when h.event_details -> 'events' @> '[{"type": "won"}]' then 6
                       else (h.event_details ->> 'to_chapter')::int end as to_chapter,
                  extract(epoch from h.recorded_at - p_start) / 86400 as day
           from public.score_history h
           where h.user_id = p.user_id and h.event_type = 'boss_pass') passes),
    (select min(extract(epoch from h.recorded_at - p_start) / 86400) from public.score_history h
     where h.user_id = p.user_id and h.event_type = 'boss_pass' and h.event_details -> 'events' @> '[{"type": "won"}]'),
    (select coalesce(jsonb_agg(jsonb_build_object('reason', e ->> 'reason',
        'day', floor(extract(epoch from h.recorded_at - p_start) / 86400)) order by h.recorded_at, h.id), '[]')
     from public.score_history h cross join jsonb_array_elements(h.event_details -> 'events') e
     where h.user_id = p.user_id and e ->> 'type' = 'game_over'),
    (select e.state from public.engagement_state e where e.user_id = p.user_id),
    (select count(*)::int from public.score_history h cross join jsonb_array_elements(h.event_details -> 'events') e
     where h.user_id = p.user_id and e ->> 'kind' = 'crisis'),
    (select coalesce(sum((h.event_details ->> 'score_before')::numeric - h.score), 0) from public.score_history h
     where h.user_id = p.user_id and h.event_type = 'decay'),
    (select coalesce(jsonb_agg(coalesce(s.score, game.score_of(t.v, t.m, t.m, t.m, t.m)) order by s.day), '[]')
     from (select d.day, (select h.score from public.score_history h
                          where h.user_id = p.user_id and h.recorded_at < p_start + make_interval(days => d.day + 1)
                          order by h.recorded_at desc, h.id desc limit 1) as score
           from generate_series(0, p_days - 1) d(day)) s
     cross join (select game.tunables_json() as v, (game.tunables_json() ->> 'metric_start')::numeric as m) t),
    u.relationship_score, u.chapter::int, u.game_status,
    (select count(*) from public.messages m where m.user_id = p.user_id and m.role = 'player')
  from sim.players p
  join public.users u on u.id = p.user_id
  where p.run = p_run
  order by p.idx
$$;
comment on function sim.player_facts(text, timestamptz, int) is 'Per player of a run: chapters reached by day 7/14/30 (6 = won), day won, game overs, engagement state, crises, decay lost, score at the end of each day.';
