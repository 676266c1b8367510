-- Her life (GAME_RULES.md §13, PLATFORM.md §5.1 life-sim, §6 stage 5): once per Berlin date, SQL plans her day
-- (how many events, their slots, the routine, the arcs that open, resolve or go on, her mood and its lean, the
-- seeds and her recent events) from draws the caller passes in; the summary model writes the events from the plan;
-- SQL validates and stores them with the arc changes, her feelings towards the people involved and the
-- ('life-sim', '<user_id>:<date>') mark, in one transaction. The tables are in 16_life_events.sql.

-- Plans her day for the player at p_now: the Berlin date of p_now and everything the events of that date are
-- written from. p_draws holds the day's randomness, each draw in [0, 1): {count, slots, arc_open, arc_kind,
-- arc_resolve: [one per active arc], arc_outcome: [one per active arc]} (active arcs in the order opened_on, id);
-- a missing or out-of-range draw raises 22023 naming it.
--   count: life_events_min + floor(count x (max - min + 1)) events (3-5).
--   slots: the events' slots in order (morning, afternoon, evening, night): 4 events take one slot each; 3 drop the
--     slot floor(slots x 4); 5 put two events in that slot.
--   arcs: each arc active at the start of the day resolves when arc_resolve[i] < min(arc_resolve_cap,
--     days_active / (arc_resolve_factor x typical days)), days_active = the date - opened_on; its outcome is the
--     first whose cumulative weight exceeds arc_outcome[i] x the total weight. With fewer than arc_max_active arcs
--     active at the start of the day, one opens when arc_open < arc_open_chance: the kind floor(arc_kind x n) of
--     the n kinds not active, in the table's order.
--   routine: the life_routine row of the ISO weekday; work "off" is a day off, when no work event may happen.
--   mood: 0.5 + the sum of the impacts of her events of the life_mood_window dates before this one, each dimension
--     clamped to 0..1; lean negative below life_mood_negative_below valence, positive above
--     life_mood_positive_above, mixed otherwise.
--   recent: her last life_recent_events events of the life_recent_window dates before this one, newest first.
-- Returns {user_id, date, due, reason?, ...}: due = false (reason done, not_onboarded, game_over or won) when the
-- day is already generated or she has no day with this player; nothing is written either way. PNFND.
create or replace function game.plan_life_day(p_user_id uuid, p_now timestamptz, p_draws jsonb)
returns jsonb
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  v_t jsonb := game.tunables_json();
  v_user public.users;
  v_date date := game.berlin_date(p_now);
  v_min int := (v_t ->> 'life_events_min')::int;
  v_max int := (v_t ->> 'life_events_max')::int;
  v_weekday int := extract(isodow from v_date)::int;
  v_routine jsonb := v_t -> 'life_routine' -> v_weekday::text;
  v_day_off boolean;
  v_therapy boolean;
  v_count int;
  v_active jsonb;
  v_continuing jsonb := '[]'::jsonb;
  v_resolving jsonb := '[]'::jsonb;
  v_opened jsonb;
  v_available jsonb;
  v_arc jsonb;
  v_kind jsonb;
  v_days int;
  v_chance numeric;
  v_draw numeric;
  v_i int := 0;
  v_open_draw numeric;
  v_outcome_draw numeric;
  v_kind_draw numeric;
  v_slots_draw numeric;
  v_mood jsonb;
  v_recent jsonb;
begin
  select * into v_user from public.users where id = p_user_id;
  if not found then
    raise exception 'player not found: %', p_user_id using errcode = 'PNFND';
  end if;
  if not game.life_eligible(v_user) then
    return jsonb_build_object('user_id', p_user_id, 'date', v_date, 'due', false,
      'reason', case when v_user.onboarding_status <> 'completed' then 'not_onboarded' else v_user.game_status end);
  end if;
  if exists (select 1 from private.job_marks where job = 'life-sim' and key = game.life_day_key(p_user_id, v_date)) then
    return jsonb_build_object('user_id', p_user_id, 'date', v_date, 'due', false, 'reason', 'done');
  end if;
  if jsonb_typeof(p_draws) is distinct from 'object' then
    raise exception 'draws must be a JSON object' using errcode = '22023';
  end if;

  v_count := v_min + floor(game.life_draw(p_draws, 'count', null) * (v_max - v_min + 1))::int;
  v_slots_draw := game.life_draw(p_draws, 'slots', null);
  v_open_draw := game.life_draw(p_draws, 'arc_open', null);
  v_kind_draw := game.life_draw(p_draws, 'arc_kind', null);
  v_day_off := v_routine ->> 'work' = 'off';
  v_therapy := v_routine ? 'biweekly'
    and extract(week from v_date)::int % 2 = (v_routine -> 'biweekly' ->> 'iso_week_parity')::int;

  -- The arcs active at the start of the day, each resolving or going on.
  select coalesce(jsonb_agg(jsonb_build_object('id', a.id, 'kind', a.kind, 'domain', a.domain,
      'opened_on', a.opened_on, 'days_active', v_date - a.opened_on, 'people', to_jsonb(a.people))
      order by a.opened_on, a.id), '[]')
  into v_active
  from game.life_arcs a where a.user_id = p_user_id and a.status = 'active';
  for v_arc in select value from jsonb_array_elements(v_active) loop
    v_kind := (select k from jsonb_array_elements(v_t -> 'life_arc_kinds') k where k ->> 'kind' = v_arc ->> 'kind');
    v_days := (v_arc ->> 'days_active')::int;
    v_chance := game.life_arc_resolve_chance(v_days, (v_kind ->> 'typical_days')::int, v_t);
    v_draw := game.life_draw(p_draws, 'arc_resolve', v_i);
    v_outcome_draw := game.life_draw(p_draws, 'arc_outcome', v_i);
    v_arc := v_arc || jsonb_build_object('typical_days', (v_kind ->> 'typical_days')::int, 'resolve_chance', v_chance);
    if v_draw < v_chance then
      v_resolving := v_resolving || jsonb_build_array(v_arc || jsonb_build_object(
        'outcome', game.life_arc_outcome(v_kind -> 'outcomes', v_outcome_draw)));
    else
      v_continuing := v_continuing || jsonb_build_array(v_arc);
    end if;
    v_i := v_i + 1;
  end loop;

  -- A new arc, of a kind not already active, while fewer than the most are active.
  if jsonb_array_length(v_active) < (v_t ->> 'arc_max_active')::int
     and v_open_draw < (v_t ->> 'arc_open_chance')::numeric then
    select coalesce(jsonb_agg(k.value order by k.ordinality), '[]') into v_available
    from jsonb_array_elements(v_t -> 'life_arc_kinds') with ordinality k
    where not exists (select 1 from jsonb_array_elements(v_active) a where a ->> 'kind' = k.value ->> 'kind');
    if jsonb_array_length(v_available) > 0 then
      v_kind := v_available -> floor(v_kind_draw * jsonb_array_length(v_available))::int;
      v_opened := jsonb_build_object('kind', v_kind ->> 'kind', 'domain', v_kind ->> 'domain',
        'typical_days', (v_kind ->> 'typical_days')::int);
    end if;
  end if;

  v_mood := game.life_mood(p_user_id, v_date, v_t);

  select coalesce(jsonb_agg(jsonb_build_object('date', r.event_date, 'time_of_day', r.time_of_day, 'domain', r.domain,
      'event_type', r.event_type, 'description', r.description) order by r.event_date desc, r.ordinal desc), '[]')
  into v_recent
  from (
    select e.* from public.life_events e
    where e.user_id = p_user_id
      and e.event_date between v_date - (v_t ->> 'life_recent_window')::int and v_date - 1
    order by e.event_date desc, e.ordinal desc
    limit (v_t ->> 'life_recent_events')::int
  ) r;

  return jsonb_build_object(
    'user_id', p_user_id,
    'date', v_date,
    'due', true,
    'weekday', v_routine ->> 'day',
    'routine', v_routine - 'biweekly',
    'day_off', v_day_off,
    'therapy_today', v_therapy,
    'allowed_domains', case when v_day_off then '["social", "personal"]'::jsonb
                            else '["work", "social", "personal"]'::jsonb end,
    'event_types', v_t -> 'life_event_types',
    'impact_max', v_t -> 'life_impact_max',
    'limits', game.life_event_limits(),
    'count', v_count,
    'slots', to_jsonb(game.life_slots(v_count, v_slots_draw)),
    'mood', v_mood - 'lean',
    'lean', v_mood ->> 'lean',
    'arcs', jsonb_build_object('continuing', v_continuing, 'resolving', v_resolving, 'opened', v_opened),
    'seeds', v_t -> 'life_seeds',
    'recent', v_recent,
    'draws', p_draws);
end
$$;
comment on function game.plan_life_day(uuid, timestamptz, jsonb) is 'Plans her day (GAME_RULES.md §13) for the Berlin date of p_now from the draws passed in: 3-5 events and their slots, routine and day off, arcs resolving (min(0.9, days/(2 x typical)), weighted outcome), continuing or opening (0.2 when fewer than 3), mood of the last 3 dates and its lean, seeds, recent events. Writes nothing; due = false when done or not eligible. PNFND, 22023.';
revoke execute on function game.plan_life_day(uuid, timestamptz, jsonb) from public;
grant execute on function game.plan_life_day(uuid, timestamptz, jsonb) to service_role;

-- Stores her day: p_plan is what game.plan_life_day returned for p_date, p_events the model's events in the plan's
-- order ([{time_of_day, domain, event_type, description, people, places, emotional_impact, importance, arc?}]).
-- One transaction under the player's lock: a no-op returning duplicate = true when the day's mark exists (a rerun,
-- an overlapping run, the pipeline's on-demand call); nothing for a player who is no longer eligible; otherwise
-- the checks of game.check_life_events (22023 naming the first problem, nothing written), then the arcs the plan
-- resolves and opens, the events (linked to their arc by kind), each arc's people from its first event, her
-- feelings towards the people involved (valence impact > npc_sentiment_threshold positive, < -threshold negative,
-- else neutral; the last event of the day that involves a person decides) and the mark.
-- Returns {saved, duplicate, date, events, opened, resolved, people}. PNFND.
create or replace function game.save_life_day(p_user_id uuid, p_date date, p_plan jsonb, p_events jsonb,
  p_now timestamptz)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_t jsonb := game.tunables_json();
  v_user public.users := game.lock_player(p_user_id);
  v_key text := game.life_day_key(p_user_id, p_date);
  v_arc_ids jsonb := '{}'::jsonb;
  v_arc jsonb;
  v_opened_id bigint;
  v_resolved int := 0;
  v_event jsonb;
  v_ordinal int := 0;
  v_people jsonb;
begin
  if jsonb_typeof(p_plan) is distinct from 'object' or p_plan ->> 'user_id' is distinct from p_user_id::text
     or p_plan ->> 'date' is distinct from p_date::text or (p_plan ->> 'due')::boolean is not true then
    raise exception 'the plan is not a due plan of this player for %', p_date using errcode = '22023';
  end if;
  if exists (select 1 from private.job_marks where job = 'life-sim' and key = v_key) then
    return jsonb_build_object('saved', false, 'duplicate', true, 'date', p_date);
  end if;
  if not game.life_eligible(v_user) then
    return jsonb_build_object('saved', false, 'duplicate', false, 'date', p_date,
      'reason', case when v_user.onboarding_status <> 'completed' then 'not_onboarded' else v_user.game_status end);
  end if;
  perform game.check_life_events(p_plan, p_events, v_t);

  -- The arcs: the plan's resolutions (still active, or the plan is stale), its new arc, and every arc by kind.
  for v_arc in select value from jsonb_array_elements(p_plan -> 'arcs' -> 'resolving') loop
    update game.life_arcs set status = 'resolved', resolved_on = p_date, outcome = v_arc ->> 'outcome', updated_at = p_now
    where id = (v_arc ->> 'id')::bigint and user_id = p_user_id and status = 'active';
    if not found then
      raise exception 'the plan resolves arc % which is not active: plan the day again', v_arc ->> 'id'
        using errcode = '22023';
    end if;
    v_resolved := v_resolved + 1;
    v_arc_ids := v_arc_ids || jsonb_build_object(v_arc ->> 'kind', (v_arc ->> 'id')::bigint);
  end loop;
  for v_arc in select value from jsonb_array_elements(p_plan -> 'arcs' -> 'continuing') loop
    v_arc_ids := v_arc_ids || jsonb_build_object(v_arc ->> 'kind', (v_arc ->> 'id')::bigint);
  end loop;
  if jsonb_typeof(p_plan -> 'arcs' -> 'opened') = 'object' then
    if (select count(*) from game.life_arcs where user_id = p_user_id and status = 'active')
       >= (v_t ->> 'arc_max_active')::int then
      raise exception 'the plan opens an arc but % are active: plan the day again', v_t ->> 'arc_max_active'
        using errcode = '22023';
    end if;
    insert into game.life_arcs (user_id, kind, domain, opened_on, created_at, updated_at)
    values (p_user_id, p_plan -> 'arcs' -> 'opened' ->> 'kind', p_plan -> 'arcs' -> 'opened' ->> 'domain', p_date,
      p_now, p_now)
    returning id into v_opened_id;
    v_arc_ids := v_arc_ids || jsonb_build_object(p_plan -> 'arcs' -> 'opened' ->> 'kind', v_opened_id);
  end if;

  for v_event in select value from jsonb_array_elements(p_events) loop
    v_ordinal := v_ordinal + 1;
    insert into public.life_events (user_id, event_date, ordinal, time_of_day, domain, event_type, description,
      people, places, emotional_impact, importance, arc_id, created_at)
    values (p_user_id, p_date, v_ordinal, v_event ->> 'time_of_day', v_event ->> 'domain', v_event ->> 'event_type',
      btrim(v_event ->> 'description'),
      array(select btrim(p) from jsonb_array_elements_text(coalesce(v_event -> 'people', '[]')) p),
      array(select btrim(p) from jsonb_array_elements_text(coalesce(v_event -> 'places', '[]')) p),
      v_event -> 'emotional_impact', (v_event ->> 'importance')::numeric,
      (v_arc_ids ->> (v_event ->> 'arc'))::bigint, p_now);
  end loop;

  -- An arc keeps the cast of its first event.
  update game.life_arcs a set people = e.people, updated_at = p_now
  from (select distinct on (arc_id) arc_id, people from public.life_events
        where user_id = p_user_id and event_date = p_date and arc_id is not null and cardinality(people) > 0
        order by arc_id, ordinal) e
  where a.id = e.arc_id and a.user_id = p_user_id and cardinality(a.people) = 0;

  -- Her feelings: per person, the last event of the day that involved them.
  with involved as (
    select p.person, e.ordinal, (e.emotional_impact ->> 'valence')::numeric as valence
    from public.life_events e, unnest(e.people) p(person)
    where e.user_id = p_user_id and e.event_date = p_date
  ), latest as (
    select distinct on (person) person, coalesce(valence, 0) as valence, count(*) over (partition by person) as n
    from involved order by person, ordinal desc
  ), upserted as (
    insert into game.life_people as lp (user_id, person, feeling, valence, event_date, events, updated_at)
    select p_user_id, l.person, game.life_feeling(l.valence, v_t), l.valence, p_date, l.n, p_now from latest l
    on conflict (user_id, person) do update
      set feeling = excluded.feeling, valence = excluded.valence, event_date = excluded.event_date,
          events = lp.events + excluded.events, updated_at = excluded.updated_at
    returning lp.person, lp.feeling
  )
  select coalesce(jsonb_agg(jsonb_build_object('person', person, 'feeling', feeling) order by person), '[]')
  into v_people from upserted;

  insert into private.job_marks (job, key, done_at) values ('life-sim', v_key, p_now);
  return jsonb_build_object('saved', true, 'duplicate', false, 'date', p_date, 'events', v_ordinal,
    'opened', v_opened_id, 'resolved', v_resolved, 'people', v_people);
end
$$;
comment on function game.save_life_day(uuid, date, jsonb, jsonb, timestamptz) is 'Stores her day planned by game.plan_life_day: validates the events (22023), resolves and opens the plan''s arcs, inserts the events, sets her feelings towards the people involved and writes the (life-sim, user:date) mark, in one transaction; a no-op once the mark exists. PNFND.';
revoke execute on function game.save_life_day(uuid, date, jsonb, jsonb, timestamptz) from public;
grant execute on function game.save_life_day(uuid, date, jsonb, jsonb, timestamptz) to service_role;

-- The players the life-sim job generates a day for at p_now (PLATFORM.md §5.1): eligible (game.life_eligible),
-- no mark for the Berlin date of p_now, and only once Berlin time has passed the generation time
-- (life_generation_time). p_skip leaves out players a run already failed, so a run never loops on one.
create or replace function game.due_life_players(p_now timestamptz, p_limit integer, p_skip uuid[] default '{}')
returns table (user_id uuid, event_date date)
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  v_t jsonb := game.tunables_json();
  v_date date := game.berlin_date(p_now);
begin
  if p_limit is null or p_limit <= 0 then
    raise exception 'due_life_players: the limit must be positive, not %', p_limit using errcode = '22023';
  end if;
  if (p_now at time zone 'Europe/Berlin')::time < split_part(v_t ->> 'life_generation_time', ' ', 1)::time then
    return;
  end if;
  return query
    select u.id, v_date from public.users u
    where game.life_eligible(u)
      and not (u.id = any (coalesce(p_skip, '{}')))
      and not exists (select 1 from private.job_marks m
                      where m.job = 'life-sim' and m.key = game.life_day_key(u.id, v_date))
    order by u.id
    limit p_limit;
end
$$;
comment on function game.due_life_players(timestamptz, integer, uuid[]) is 'The life-sim job''s players at p_now: active or boss_fight, onboarded, without the day''s mark, once Berlin time is past 04:00; p_skip excluded, at most p_limit.';
revoke execute on function game.due_life_players(timestamptz, integer, uuid[]) from public;
grant execute on function game.due_life_players(timestamptz, integer, uuid[]) to service_role;

-- Her events of the Berlin date of p_now whose slot has begun (morning from 06:00, afternoon 12:00, evening 17:00,
-- night 21:00: life_event_slots), in order: for her emotional state (GAME_RULES.md §11 step 2) and her prompt's
-- inner life. [{ordinal, time_of_day, domain, event_type, description, people, places, emotional_impact,
-- importance}].
create or replace function game.todays_life_events(p_user_id uuid, p_now timestamptz)
returns jsonb
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  v_slots jsonb := game.tunables_json() -> 'life_event_slots';
  v_hour int := extract(hour from p_now at time zone 'Europe/Berlin')::int;
begin
  return (
    select coalesce(jsonb_agg(jsonb_build_object('ordinal', e.ordinal, 'time_of_day', e.time_of_day,
        'domain', e.domain, 'event_type', e.event_type, 'description', e.description, 'people', to_jsonb(e.people),
        'places', to_jsonb(e.places), 'emotional_impact', e.emotional_impact, 'importance', e.importance)
        order by e.ordinal), '[]')
    from public.life_events e
    where e.user_id = p_user_id
      and e.event_date = game.berlin_date(p_now)
      and v_hour >= (v_slots -> e.time_of_day ->> 0)::int);
end
$$;
comment on function game.todays_life_events(uuid, timestamptz) is 'Her events of the Berlin date of p_now whose slot has begun, in order, with their impacts (GAME_RULES.md §11 step 2, her prompt''s inner life).';
revoke execute on function game.todays_life_events(uuid, timestamptz) from public;
grant execute on function game.todays_life_events(uuid, timestamptz) to service_role;

-- Helpers.

-- Her date at p_now: Nikita lives in Berlin, so her days (and their events) follow Berlin time.
create or replace function game.berlin_date(p_now timestamptz)
returns date
language sql
stable
security invoker
set search_path = ''
as $$
  select (p_now at time zone 'Europe/Berlin')::date
$$;
comment on function game.berlin_date(timestamptz) is 'The Europe/Berlin date of p_now (the date of her life events).';
revoke execute on function game.berlin_date(timestamptz) from public;
grant execute on function game.berlin_date(timestamptz) to service_role;

-- Whether she lives a day with this player: onboarding completed and the game playable (active or boss_fight).
create or replace function game.life_eligible(p_user public.users)
returns boolean
language sql
immutable
security invoker
set search_path = ''
as $$
  select p_user.onboarding_status = 'completed' and p_user.game_status in ('active', 'boss_fight')
$$;
comment on function game.life_eligible(public.users) is 'True when the player gets her life events: onboarded, game active or boss_fight (never game_over or won).';
revoke execute on function game.life_eligible(public.users) from public;
grant execute on function game.life_eligible(public.users) to service_role;

-- The job mark key of a player's day: '<user_id>:<yyyy-mm-dd>'.
create or replace function game.life_day_key(p_user_id uuid, p_date date)
returns text
language sql
immutable
security invoker
set search_path = ''
as $$
  select p_user_id::text || ':' || to_char(p_date, 'YYYY-MM-DD')
$$;
comment on function game.life_day_key(uuid, date) is 'The private.job_marks key of the life-sim day of a player: <user_id>:<yyyy-mm-dd>.';
revoke execute on function game.life_day_key(uuid, date) from public;
grant execute on function game.life_day_key(uuid, date) to service_role;

-- A draw of p_draws: p_draws[p_name] (p_index null) or p_draws[p_name][p_index]; 22023 unless a number in [0, 1).
create or replace function game.life_draw(p_draws jsonb, p_name text, p_index integer)
returns numeric
language plpgsql
immutable
security invoker
set search_path = ''
as $$
declare
  v_value jsonb := case when p_index is null then p_draws -> p_name else p_draws -> p_name -> p_index end;
  v_label text := p_name || coalesce('[' || p_index || ']', '');
begin
  if jsonb_typeof(v_value) is distinct from 'number' or (v_value #>> '{}')::numeric < 0
     or (v_value #>> '{}')::numeric >= 1 then
    raise exception 'draws.% must be a number in [0, 1), got %', v_label, coalesce(v_value::text, 'nothing')
      using errcode = '22023';
  end if;
  return (v_value #>> '{}')::numeric;
end
$$;
comment on function game.life_draw(jsonb, text, integer) is 'One random draw of the life plan, by name (and index); 22023 unless a number in [0, 1).';
revoke execute on function game.life_draw(jsonb, text, integer) from public;
grant execute on function game.life_draw(jsonb, text, integer) to service_role;

-- The daily chance an arc resolves after p_days_active days (GAME_RULES.md §13.3).
create or replace function game.life_arc_resolve_chance(p_days_active integer, p_typical_days integer, p_tunables jsonb)
returns numeric
language sql
immutable
security invoker
set search_path = ''
as $$
  select least((p_tunables ->> 'arc_resolve_cap')::numeric,
    greatest(p_days_active, 0)::numeric / ((p_tunables ->> 'arc_resolve_factor')::numeric * p_typical_days))
$$;
comment on function game.life_arc_resolve_chance(integer, integer, jsonb) is 'min(arc_resolve_cap, days_active / (arc_resolve_factor x typical days)): the daily chance an arc resolves.';
revoke execute on function game.life_arc_resolve_chance(integer, integer, jsonb) from public;
grant execute on function game.life_arc_resolve_chance(integer, integer, jsonb) to service_role;

-- The outcome of [[name, weight], ...] that p_draw picks: the first whose cumulative weight exceeds p_draw x the
-- total weight.
create or replace function game.life_arc_outcome(p_outcomes jsonb, p_draw numeric)
returns text
language sql
immutable
security invoker
set search_path = ''
as $$
  with o as (
    select o.value ->> 0 as outcome, sum((o.value ->> 1)::numeric) over (order by o.ordinality) as upto,
           sum((o.value ->> 1)::numeric) over () as total, o.ordinality
    from jsonb_array_elements(p_outcomes) with ordinality o
  )
  select coalesce((select outcome from o where p_draw * total < upto order by ordinality limit 1),
                  (select outcome from o order by ordinality desc limit 1))
$$;
comment on function game.life_arc_outcome(jsonb, numeric) is 'Picks an arc outcome by weight: the first whose cumulative weight exceeds draw x total.';
revoke execute on function game.life_arc_outcome(jsonb, numeric) from public;
grant execute on function game.life_arc_outcome(jsonb, numeric) to service_role;

-- The slots of p_count events in day order: the four slots once each; 3 events leave out slot floor(p_draw x 4),
-- 5 events put two in it.
create or replace function game.life_slots(p_count integer, p_draw numeric)
returns text[]
language sql
immutable
security invoker
set search_path = ''
as $$
  select array_agg(s.slot order by s.n, copy)
  from unnest(array['morning', 'afternoon', 'evening', 'night']) with ordinality s(slot, n),
       generate_series(1, case when s.n - 1 = floor(p_draw * 4) then p_count - 3 else 1 end) copy
$$;
comment on function game.life_slots(integer, numeric) is 'The slots of 3-5 events in day order: each slot once; 3 drop the drawn slot, 5 double it.';
revoke execute on function game.life_slots(integer, numeric) from public;
grant execute on function game.life_slots(integer, numeric) to service_role;

-- Her mood from her life before p_date (GAME_RULES.md §13.1): per dimension 0.5 + the sum of the impacts of her
-- events on the life_mood_window dates before p_date, clamped 0..1; and the lean of the day's generation from the
-- valence. {arousal, valence, dominance, intimacy, lean}.
create or replace function game.life_mood(p_user_id uuid, p_date date, p_tunables jsonb)
returns jsonb
language sql
stable
security invoker
set search_path = ''
as $$
  with m as (
    select d.dimension, round(greatest(0, least(1, 0.5 + coalesce(sum((e.emotional_impact ->> d.dimension)::numeric), 0))),
      (p_tunables ->> 'value_scale')::int) as value
    from unnest(array['arousal', 'valence', 'dominance', 'intimacy']) d(dimension)
    left join public.life_events e
      on e.user_id = p_user_id
     and e.event_date between p_date - (p_tunables ->> 'life_mood_window')::int and p_date - 1
    group by d.dimension
  )
  select jsonb_object_agg(m.dimension, m.value) || jsonb_build_object('lean',
    case when v.value < (p_tunables ->> 'life_mood_negative_below')::numeric then 'negative'
         when v.value > (p_tunables ->> 'life_mood_positive_above')::numeric then 'positive'
         else 'mixed' end)
  from m, (select value from m where dimension = 'valence') v
  group by v.value
$$;
comment on function game.life_mood(uuid, date, jsonb) is 'Her mood from her life events of the 3 Berlin dates before p_date (0.5 + impacts, clamped 0..1) and the lean of the day''s generation (negative < 0.4 valence, positive > 0.6, mixed).';
revoke execute on function game.life_mood(uuid, date, jsonb) from public;
grant execute on function game.life_mood(uuid, date, jsonb) to service_role;

-- Her feeling towards a person from an event's valence impact (npc_sentiment_threshold).
create or replace function game.life_feeling(p_valence numeric, p_tunables jsonb)
returns text
language sql
immutable
security invoker
set search_path = ''
as $$
  select case when p_valence > (p_tunables ->> 'npc_sentiment_threshold')::numeric then 'positive'
              when p_valence < -(p_tunables ->> 'npc_sentiment_threshold')::numeric then 'negative'
              else 'neutral' end
$$;
comment on function game.life_feeling(numeric, jsonb) is 'positive when the valence impact exceeds npc_sentiment_threshold, negative below its negative, neutral otherwise.';
revoke execute on function game.life_feeling(numeric, jsonb) from public;
grant execute on function game.life_feeling(numeric, jsonb) to service_role;

-- Raises 22023 naming the first problem unless p_events are the day p_plan asks for: as many events as the plan's
-- count, each in the plan's slot at its place, a domain the day allows (no work on her days off), a type of its
-- domain, a description of 10-500 characters, at most 8 people and 5 places (names of 1-80 characters), an impact
-- within life_impact_max per dimension (only the four dimensions, numbers), importance 0..1, and an arc (if any)
-- that is one of the plan's arcs.
create or replace function game.check_life_events(p_plan jsonb, p_events jsonb, p_tunables jsonb)
returns void
language plpgsql
immutable
security invoker
set search_path = ''
as $$
declare
  v_limits jsonb := game.life_event_limits();
  v_event jsonb;
  v_i int := 0;
  v_key text;
  v_max int;
  v_value jsonb;
  v_arcs jsonb := coalesce(p_plan -> 'arcs' -> 'continuing', '[]') || coalesce(p_plan -> 'arcs' -> 'resolving', '[]')
    || case when jsonb_typeof(p_plan -> 'arcs' -> 'opened') = 'object'
            then jsonb_build_array(p_plan -> 'arcs' -> 'opened') else '[]' end;
begin
  if jsonb_typeof(p_events) is distinct from 'array' then
    raise exception 'life events must be an array' using errcode = '22023';
  end if;
  if jsonb_array_length(p_events) not between (p_tunables ->> 'life_events_min')::int
                                          and (p_tunables ->> 'life_events_max')::int then
    raise exception 'a day has %-% life events, got %', p_tunables ->> 'life_events_min',
      p_tunables ->> 'life_events_max', jsonb_array_length(p_events) using errcode = '22023';
  end if;
  if jsonb_array_length(p_events) <> (p_plan ->> 'count')::int then
    raise exception 'the plan asks for % life events, got %', p_plan ->> 'count', jsonb_array_length(p_events)
      using errcode = '22023';
  end if;
  for v_event in select value from jsonb_array_elements(p_events) loop
    v_i := v_i + 1;
    if jsonb_typeof(v_event) <> 'object' then
      raise exception 'life event %: must be an object', v_i using errcode = '22023';
    end if;
    if v_event ->> 'time_of_day' is distinct from p_plan -> 'slots' ->> (v_i - 1) then
      raise exception 'life event %: the plan puts it in the % slot, not %', v_i, p_plan -> 'slots' ->> (v_i - 1),
        coalesce(v_event ->> 'time_of_day', 'none') using errcode = '22023';
    end if;
    if not coalesce(p_tunables -> 'life_event_types' ? (v_event ->> 'domain'), false) then
      raise exception 'life event %: unknown domain %', v_i, coalesce(v_event ->> 'domain', 'none') using errcode = '22023';
    end if;
    if not coalesce(p_plan -> 'allowed_domains' ? (v_event ->> 'domain'), false) then
      raise exception 'life event %: no % events on her day off', v_i, v_event ->> 'domain' using errcode = '22023';
    end if;
    if not coalesce(p_tunables -> 'life_event_types' -> (v_event ->> 'domain') ? (v_event ->> 'event_type'), false) then
      raise exception 'life event %: % is not a % event type', v_i, coalesce(v_event ->> 'event_type', 'none'),
        v_event ->> 'domain' using errcode = '22023';
    end if;
    if jsonb_typeof(v_event -> 'description') is distinct from 'string'
       or char_length(btrim(v_event ->> 'description'))
          not between (v_limits ->> 'description_min')::int and (v_limits ->> 'description_max')::int then
      raise exception 'life event %: the description must be %-% characters', v_i, v_limits ->> 'description_min',
        v_limits ->> 'description_max' using errcode = '22023';
    end if;
    foreach v_key in array array['people', 'places'] loop
      v_max := (v_limits ->> (v_key || '_max'))::int;
      if v_event ? v_key and (jsonb_typeof(v_event -> v_key) <> 'array'
         or jsonb_array_length(v_event -> v_key) > v_max
         or exists (select 1 from jsonb_array_elements(v_event -> v_key) n
                    where jsonb_typeof(n) <> 'string'
                       or char_length(btrim(n #>> '{}')) not between 1 and (v_limits ->> 'name_max')::int)) then
        raise exception 'life event %: % must be at most % names of 1-% characters', v_i, v_key, v_max,
          v_limits ->> 'name_max' using errcode = '22023';
      end if;
    end loop;
    if jsonb_typeof(v_event -> 'emotional_impact') is distinct from 'object' then
      raise exception 'life event %: emotional_impact must be an object', v_i using errcode = '22023';
    end if;
    for v_key, v_value in select key, value from jsonb_each(v_event -> 'emotional_impact') loop
      if not (p_tunables -> 'life_impact_max' ? v_key) then
        raise exception 'life event %: emotional_impact has no dimension %', v_i, v_key using errcode = '22023';
      end if;
      if jsonb_typeof(v_value) <> 'number'
         or abs((v_value #>> '{}')::numeric) > (p_tunables -> 'life_impact_max' ->> v_key)::numeric then
        raise exception 'life event %: emotional_impact.% must be a number within +-%', v_i, v_key,
          p_tunables -> 'life_impact_max' ->> v_key using errcode = '22023';
      end if;
    end loop;
    if jsonb_typeof(v_event -> 'importance') is distinct from 'number'
       or (v_event ->> 'importance')::numeric not between 0 and 1 then
      raise exception 'life event %: importance must be a number in 0..1', v_i using errcode = '22023';
    end if;
    if jsonb_typeof(v_event -> 'arc') = 'string'
       and not exists (select 1 from jsonb_array_elements(v_arcs) a where a ->> 'kind' = v_event ->> 'arc') then
      raise exception 'life event %: % is not one of the day''s arcs', v_i, v_event ->> 'arc' using errcode = '22023';
    elsif v_event ? 'arc' and jsonb_typeof(v_event -> 'arc') not in ('string', 'null') then
      raise exception 'life event %: arc must be the kind of one of the day''s arcs or null', v_i using errcode = '22023';
    end if;
  end loop;
end
$$;
comment on function game.check_life_events(jsonb, jsonb, jsonb) is 'Validates a day''s life events against its plan and the §13.1 bounds (count, slots, domains and days off, types, description 10-500, people, places, impact bounds, importance, arcs); raises 22023 naming the first problem.';
revoke execute on function game.check_life_events(jsonb, jsonb, jsonb) from public;
grant execute on function game.check_life_events(jsonb, jsonb, jsonb) to service_role;

-- The shape limits of one life event besides the tunable bounds: its description (GAME_RULES.md §13.1: 10-500
-- characters, as public.life_events checks), and how many people and places it may name, and how long a name.
-- The plan hands them to the model's schema, so both sides check the same numbers.
create or replace function game.life_event_limits()
returns jsonb
language sql
immutable
security invoker
set search_path = ''
as $$
  select '{"description_min": 10, "description_max": 500, "people_max": 8, "places_max": 5, "name_max": 80}'::jsonb
$$;
comment on function game.life_event_limits() is 'The limits of one life event''s text: description 10-500 characters, at most 8 people and 5 places of 1-80 characters.';
revoke execute on function game.life_event_limits() from public;
grant execute on function game.life_event_limits() to service_role;
