-- What a closed conversation leaves behind (PLATFORM.md §6 stages 3 and 4): vice discovery, the call's day in the
-- day counters, her new emotional state (GAME_RULES.md §11) and the persisted passive cooling of the conflict
-- temperature (§9.2 step 1).

-- The per-conversation mark of game.apply_conversation_effects: its row is written in the transaction that applies
-- the effects, so a rerun of the stage finds it and returns the first result instead of applying them again.
create table game.conversation_effects (
  conversation_id uuid primary key references public.conversations (id) on delete cascade,
  user_id uuid not null references public.users (id) on delete cascade,
  effects jsonb not null,
  result jsonb not null,
  applied_at timestamptz not null
);
comment on table game.conversation_effects is 'One row per conversation whose post-conversation effects were applied (or skipped for a finished game): the input, the result returned to every later call, and when.';
create index conversation_effects_user_idx on game.conversation_effects (user_id);

alter table game.conversation_effects enable row level security;
grant select, insert, update, delete on game.conversation_effects to service_role;
create policy "conversation_effects: backend only"
  on game.conversation_effects for select to service_role
  using (true);

-- Stage 3 of the post-conversation job, once per conversation at p_now. p_effects (from the extraction):
-- {tones: [1-3 of the §11 tones], vice_signals?: [{category, confidence, positive}], life_events?: [{arousal,
-- valence, dominance, intimacy}]}; anything else raises 22023 and writes nothing.
--   1. Conflict cooling up to p_now (game.cool_conflict, stage 4's function): done first because the new
--      emotional row records the zone of the cooled temperature.
--   2. Vice discovery: the positive signals for categories not yet discovered (the strongest one per category) go
--      through game.apply_vice_signals, the one home of the threshold (vice_min_confidence), the chapter
--      sensitivity and the starting engagement score. Discovered categories are left alone: the exchanges'
--      analyses already moved them, and the same judgment counted twice would double their weight.
--   3. Day counters. A Telegram conversation changes none: each of its messages was counted in days_played when
--      stored, and the engagement day counters and the day's flag move only in the engagement step of a text
--      exchange (§8.4-8.5), which ran for each of them. A voice call does not step the engagement machine (§16),
--      so it never touches the streaks, the flag or the day counters; but its end is a player interaction (§1),
--      so its local day counts toward days_played and last_interaction_at moves to its end, through
--      game.after_interaction (the one home of that rule, with its last_played_on watermark). When the call's
--      scoring already recorded the interaction this is a no-op.
--   4. Her emotional state at p_now (game.emotional_state) with the conversation's tones and the caller's life
--      events, inserted as a new public.emotional_states row.
-- A player whose game is over or won gets nothing applied (PLATFORM.md §6: the summary stage only). Either way the
-- outcome is marked, and any later call returns the first result with duplicate = true and changes nothing.
-- CVNFD for an unknown conversation; 55000 for one still open.
create or replace function game.apply_conversation_effects(p_conversation_id uuid, p_effects jsonb, p_now timestamptz)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_t jsonb := game.tunables_json();
  v_conversation public.conversations;
  v_user public.users;
  v_after public.users;
  v_first jsonb;
  v_conflict jsonb;
  v_signals jsonb;
  v_vices jsonb;
  v_engagement jsonb;
  v_emotion jsonb;
  v_emotion_id bigint;
  v_result jsonb;
begin
  perform game.check_conversation_effects(p_effects, v_t);
  select * into v_conversation from public.conversations where id = p_conversation_id;
  if not found then
    raise exception 'conversation not found: %', p_conversation_id using errcode = 'CVNFD';
  end if;
  -- The player's lock serialises two runs of the stage, so the second one sees the first one's mark.
  v_user := game.lock_player(v_conversation.user_id);
  select result into v_first from game.conversation_effects where conversation_id = p_conversation_id;
  if found then
    return v_first || jsonb_build_object('duplicate', true);
  end if;
  if v_conversation.status <> 'closed' then
    raise exception 'conversation % is still open', p_conversation_id using errcode = '55000';
  end if;

  if v_user.game_status in ('game_over', 'won') then
    v_result := jsonb_build_object('conversation_id', p_conversation_id, 'applied', false, 'skipped', true,
      'reason', v_user.game_status);
  else
    -- 1. Cooling.
    v_conflict := game.cool_conflict(v_user.id, p_now);

    -- 2. Vice discovery.
    select coalesce(jsonb_agg(s.signal order by s.signal ->> 'category'), '[]') into v_signals
    from (
      select distinct on (sig ->> 'category') sig as signal
      from jsonb_array_elements(coalesce(p_effects -> 'vice_signals', '[]')) sig
      where (sig ->> 'positive')::boolean
        and not exists (select 1 from public.user_vice_preferences p
                        where p.user_id = v_user.id and p.category = sig ->> 'category' and p.discovered_at is not null)
      order by sig ->> 'category', (sig ->> 'confidence')::numeric desc
    ) s;
    v_vices := game.apply_vice_signals(v_user.id, v_user.chapter, v_signals, v_t, p_now);

    -- 3. Day counters: a call's end is an interaction on its local day.
    if v_conversation.platform = 'voice' then
      v_after := game.after_interaction(v_user, v_conversation.ended_at);
      if v_after.days_played <> v_user.days_played
         or v_after.last_interaction_at is distinct from v_user.last_interaction_at then
        update public.users
        set last_interaction_at = v_after.last_interaction_at, days_played = v_after.days_played,
            last_played_on = v_after.last_played_on, updated_at = p_now
        where id = v_user.id;
      end if;
    else
      v_after := v_user;
    end if;
    v_engagement := jsonb_build_object('platform', v_conversation.platform,
      'day_counted', v_after.days_played > v_user.days_played, 'days_played', v_after.days_played,
      'last_played_on', v_after.last_played_on, 'last_interaction_at', v_after.last_interaction_at);

    -- 4. Her emotional state.
    v_emotion := game.emotional_state(v_user.id, p_now,
      array(select jsonb_array_elements_text(p_effects -> 'tones')), coalesce(p_effects -> 'life_events', '[]'));
    insert into public.emotional_states (user_id, arousal, valence, dominance, intimacy, conflict_state,
      conversation_id, recorded_at)
    values (v_user.id, (v_emotion ->> 'arousal')::numeric, (v_emotion ->> 'valence')::numeric,
      (v_emotion ->> 'dominance')::numeric, (v_emotion ->> 'intimacy')::numeric, v_conflict ->> 'zone',
      p_conversation_id, p_now)
    returning id into v_emotion_id;

    v_result := jsonb_build_object('conversation_id', p_conversation_id, 'applied', true, 'skipped', false,
      'conflict', v_conflict, 'vices', v_vices, 'engagement', v_engagement,
      'emotional_state', v_emotion || jsonb_build_object('id', v_emotion_id, 'conflict_state', v_conflict ->> 'zone'));
  end if;

  insert into game.conversation_effects (conversation_id, user_id, effects, result, applied_at)
  values (p_conversation_id, v_user.id, p_effects, v_result, p_now);
  return v_result || jsonb_build_object('duplicate', false);
end
$$;
comment on function game.apply_conversation_effects(uuid, jsonb, timestamptz) is 'Post-conversation stage 3 (PLATFORM.md §6), once per conversation: conflict cooling to p_now, vice discovery from positive signals, a call''s day in days_played, a new emotional_states row (GAME_RULES.md §11); finished games skipped; a rerun returns the first result. 22023, CVNFD, 55000.';
revoke execute on function game.apply_conversation_effects(uuid, jsonb, timestamptz) from public;
grant execute on function game.apply_conversation_effects(uuid, jsonb, timestamptz) to service_role;

-- Stage 4: persists the passive cooling of the conflict temperature up to p_now (GAME_RULES.md §9.2 step 1; the
-- formula is game.cooled_temperature). At or below the breakup temperature above_90_since is cleared; below
-- crisis_reset_below the consecutive crises reset (§9.2 step 6, §9.3). Cooling only lowers the temperature, so
-- the breakup rules, which need it above 90 for 48 h, are left to the next exchange. Lazy cooling makes a skipped
-- write harmless, so nothing is written unless a value changes, and a p_now at or before the last update changes
-- nothing: cooling to the same now twice is one cooling. Finished games are left as they are.
-- Returns {temperature_before, temperature, zone, consecutive_crises, above_90_since, changed, skipped}.
create or replace function game.cool_conflict(p_user_id uuid, p_now timestamptz)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_t jsonb := game.tunables_json();
  v_user public.users := game.lock_player(p_user_id);
  v_state game.conflict_state;
  v_cooled numeric;
  v_crises int;
  v_above_90_since timestamptz;
  v_changed boolean := false;
begin
  if v_user.game_status in ('game_over', 'won') then
    return jsonb_build_object('skipped', true, 'reason', v_user.game_status, 'changed', false);
  end if;
  select * into v_state from game.conflict_state where user_id = p_user_id for no key update;
  if not found then
    -- Provisioning creates the row; a player without one has never been heated.
    return jsonb_build_object('temperature_before', 0, 'temperature', 0, 'zone', game.conflict_zone(0, v_t),
      'consecutive_crises', 0, 'above_90_since', null, 'changed', false, 'skipped', false);
  end if;
  v_cooled := v_state.temperature;
  v_crises := v_state.consecutive_crises;
  v_above_90_since := v_state.above_90_since;
  if v_state.updated_at is null or p_now > v_state.updated_at then
    v_cooled := game.cooled_temperature(v_state, v_t, p_now);
    if v_cooled <= (v_t ->> 'breakup_temperature')::numeric then
      v_above_90_since := null;
    end if;
    if v_cooled < (v_t ->> 'crisis_reset_below')::numeric then
      v_crises := 0;
    end if;
    v_changed := v_cooled <> v_state.temperature or v_crises <> v_state.consecutive_crises
      or v_above_90_since is distinct from v_state.above_90_since;
    if v_changed then
      update game.conflict_state
      set temperature = v_cooled, updated_at = p_now, consecutive_crises = v_crises, above_90_since = v_above_90_since
      where user_id = p_user_id;
    end if;
  end if;
  return jsonb_build_object('temperature_before', v_state.temperature, 'temperature', v_cooled,
    'zone', game.conflict_zone(v_cooled, v_t), 'consecutive_crises', v_crises, 'above_90_since', v_above_90_since,
    'changed', v_changed, 'skipped', false);
end
$$;
comment on function game.cool_conflict(uuid, timestamptz) is 'Post-conversation stage 4 (PLATFORM.md §6): persists passive cooling of the conflict temperature to p_now (0.5 per hour, floor 0), clearing above_90_since at <= 90 and the crises below 50; rerunning to the same now changes nothing. PNFND.';
revoke execute on function game.cool_conflict(uuid, timestamptz) from public;
grant execute on function game.cool_conflict(uuid, timestamptz) to service_role;

-- Her emotional state with the player at p_now (GAME_RULES.md §11). Each dimension starts at emotion_neutral and
-- adds: the time-of-day band and the weekday rule of her Berlin time; the life events' impacts (each dimension's
-- total limited to +-emotion_events_limit); the tones' rows (each total limited to +-emotion_tone_limit; a tone
-- named twice counts once); the chapter modifier; valence (score/100 - 0.5) x emotion_score_valence_factor. Then
-- each is clamped to 0..1 with 4 decimals. Unknown tones, not 1-3 of them, or malformed events raise 22023.
-- Returns {arousal, valence, dominance, intimacy, parts: {each term's deltas}, berlin_hour, berlin_weekday,
-- chapter, score}.
create or replace function game.emotional_state(p_user_id uuid, p_now timestamptz, p_tones text[],
  p_life_events jsonb default '[]')
returns jsonb
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  v_t jsonb := game.tunables_json();
  -- Nikita lives in Berlin: her day, and so her mood's clock, is Berlin's whatever the player's timezone.
  v_berlin timestamp := p_now at time zone 'Europe/Berlin';
  v_hour int := extract(hour from v_berlin)::int;
  v_weekday int := extract(isodow from v_berlin)::int;
  v_user public.users;
  v_days jsonb;
  v_parts jsonb;
  v_result jsonb := '{}'::jsonb;
  v_dimension text;
begin
  select * into v_user from public.users where id = p_user_id;
  if not found then
    raise exception 'player not found: %', p_user_id using errcode = 'PNFND';
  end if;
  -- Mon-Fri: the weekday row, Friday the fri row as well; Sat-Sun: the weekend row.
  v_days := case
    when v_weekday = 5 then jsonb_build_array(v_t -> 'emotion_weekday' -> 'weekday', v_t -> 'emotion_weekday' -> 'fri')
    when v_weekday < 5 then jsonb_build_array(v_t -> 'emotion_weekday' -> 'weekday')
    else jsonb_build_array(v_t -> 'emotion_weekday' -> 'weekend') end;
  v_parts := jsonb_build_object(
    'time_of_day', game.emotion_deltas(jsonb_build_array(
      (select b.value from jsonb_each(v_t -> 'emotion_time_of_day') b
       where b.key::int <= v_hour order by b.key::int desc limit 1)), null),
    'weekday', game.emotion_deltas(v_days, null),
    'life_events', game.emotion_deltas(game.emotion_life_events(p_life_events),
      (v_t ->> 'emotion_events_limit')::numeric),
    'tones', game.emotion_deltas(game.emotion_tones(p_tones, v_t), (v_t ->> 'emotion_tone_limit')::numeric),
    'chapter', game.emotion_deltas(jsonb_build_array(v_t -> 'emotion_chapter' -> (v_user.chapter - 1)), null),
    'score', game.emotion_deltas(jsonb_build_array(jsonb_build_object('valence',
      (v_user.relationship_score / 100 - 0.5) * (v_t ->> 'emotion_score_valence_factor')::numeric)), null));
  foreach v_dimension in array array['arousal', 'valence', 'dominance', 'intimacy'] loop
    v_result := v_result || jsonb_build_object(v_dimension, round(greatest(0, least(1,
      (v_t ->> 'emotion_neutral')::numeric
      + (select sum((p.value ->> v_dimension)::numeric) from jsonb_each(v_parts) p))), (v_t ->> 'value_scale')::int));
  end loop;
  return v_result || jsonb_build_object('parts', v_parts, 'berlin_hour', v_hour,
    'berlin_weekday', lower(to_char(v_berlin, 'Dy')), 'chapter', v_user.chapter, 'score', v_user.relationship_score);
end
$$;
comment on function game.emotional_state(uuid, timestamptz, text[], jsonb) is 'Her emotional state at p_now (GAME_RULES.md §11): neutral + Berlin time-of-day and weekday base + life events (+-0.3) + tones (+-0.4) + chapter + score term, clamped 0..1. PNFND; 22023 for bad tones or events.';
revoke execute on function game.emotional_state(uuid, timestamptz, text[], jsonb) from public;
grant execute on function game.emotional_state(uuid, timestamptz, text[], jsonb) to service_role;

-- Raises 22023 naming the first problem unless p_effects has the shape game.apply_conversation_effects takes.
create or replace function game.check_conversation_effects(p_effects jsonb, p_tunables jsonb)
returns void
language plpgsql
immutable
security invoker
set search_path = ''
as $$
declare
  v_item jsonb;
begin
  if jsonb_typeof(p_effects) is distinct from 'object' then
    raise exception 'effects must be a JSON object' using errcode = '22023';
  end if;
  if jsonb_typeof(p_effects -> 'tones') is distinct from 'array' then
    raise exception 'effects.tones must be an array of 1-3 tones' using errcode = '22023';
  end if;
  perform game.emotion_tones(array(select jsonb_array_elements_text(p_effects -> 'tones')), p_tunables);
  if p_effects ? 'vice_signals' and jsonb_typeof(p_effects -> 'vice_signals') <> 'null' then
    if jsonb_typeof(p_effects -> 'vice_signals') <> 'array' then
      raise exception 'effects.vice_signals must be an array' using errcode = '22023';
    end if;
    for v_item in select jsonb_array_elements(p_effects -> 'vice_signals') loop
      if jsonb_typeof(v_item) <> 'object' or not (coalesce(v_item ->> 'category', '') = any (game.vice_categories())) then
        raise exception 'unknown vice category: %', coalesce(v_item ->> 'category', v_item::text) using errcode = '22023';
      elsif jsonb_typeof(v_item -> 'confidence') is distinct from 'number'
            or (v_item ->> 'confidence')::numeric not between 0 and 1 then
        raise exception 'effects.vice_signals[].confidence must be a number in 0..1' using errcode = '22023';
      elsif jsonb_typeof(v_item -> 'positive') is distinct from 'boolean' then
        raise exception 'effects.vice_signals[].positive must be a boolean' using errcode = '22023';
      end if;
    end loop;
  end if;
  perform game.emotion_life_events(p_effects -> 'life_events');
end
$$;
comment on function game.check_conversation_effects(jsonb, jsonb) is 'Validates the input of game.apply_conversation_effects (tones, vice_signals, life_events); raises 22023 naming the first problem.';
revoke execute on function game.check_conversation_effects(jsonb, jsonb) from public;
grant execute on function game.check_conversation_effects(jsonb, jsonb) to service_role;

-- The §11 tone rows of a conversation's 1-3 tones, each tone once; 22023 for an unknown tone or a count outside 1-3.
create or replace function game.emotion_tones(p_tones text[], p_tunables jsonb)
returns jsonb
language plpgsql
immutable
security invoker
set search_path = ''
as $$
declare
  v_unknown text;
begin
  if coalesce(cardinality(p_tones), 0) not between 1 and 3 then
    raise exception 'a conversation has 1-3 tones, got %', coalesce(cardinality(p_tones), 0) using errcode = '22023';
  end if;
  select t into v_unknown from unnest(p_tones) t where t is null or not (p_tunables -> 'emotion_tone' ? t) limit 1;
  if found then
    raise exception 'unknown tone: %', coalesce(v_unknown, 'null') using errcode = '22023',
      hint = 'Tones: ' || (select string_agg(k, ', ') from jsonb_object_keys(p_tunables -> 'emotion_tone') k) || '.';
  end if;
  return (select jsonb_agg(p_tunables -> 'emotion_tone' -> t order by t) from (select distinct unnest(p_tones) t) d);
end
$$;
comment on function game.emotion_tones(text[], jsonb) is 'The emotion_tone rows of 1-3 conversation tones (GAME_RULES.md §11), each tone once; 22023 for an unknown tone.';
revoke execute on function game.emotion_tones(text[], jsonb) from public;
grant execute on function game.emotion_tones(text[], jsonb) to service_role;

-- The life events' impacts as given ([] when null); 22023 unless an array of objects whose dimensions are numbers.
create or replace function game.emotion_life_events(p_life_events jsonb)
returns jsonb
language plpgsql
immutable
security invoker
set search_path = ''
as $$
begin
  if p_life_events is null or jsonb_typeof(p_life_events) = 'null' then
    return '[]'::jsonb;
  end if;
  if jsonb_typeof(p_life_events) <> 'array'
     or exists (select 1 from jsonb_array_elements(p_life_events) e
                where jsonb_typeof(e) <> 'object'
                   or exists (select 1 from unnest(array['arousal', 'valence', 'dominance', 'intimacy']) d
                              where e ? d and jsonb_typeof(e -> d) <> 'number')) then
    raise exception 'life_events must be an array of {arousal, valence, dominance, intimacy} numbers'
      using errcode = '22023';
  end if;
  return p_life_events;
end
$$;
comment on function game.emotion_life_events(jsonb) is 'Validates life-event impacts for the emotional state: an array of objects with numeric arousal, valence, dominance, intimacy (absent = 0); 22023 otherwise.';
revoke execute on function game.emotion_life_events(jsonb) from public;
grant execute on function game.emotion_life_events(jsonb) to service_role;

-- The per-dimension sum of a list of delta objects (a missing dimension is 0), each limited to +-p_limit when given.
create or replace function game.emotion_deltas(p_rows jsonb, p_limit numeric)
returns jsonb
language sql
immutable
security invoker
set search_path = ''
as $$
  select jsonb_object_agg(d.dimension, case when p_limit is null then d.total
                                            else greatest(-p_limit, least(p_limit, d.total)) end)
  from (
    select dim as dimension,
           coalesce((select sum((r ->> dim)::numeric) from jsonb_array_elements(coalesce(p_rows, '[]')) r
                     where jsonb_typeof(r) = 'object'), 0) as total
    from unnest(array['arousal', 'valence', 'dominance', 'intimacy']) dim
  ) d
$$;
comment on function game.emotion_deltas(jsonb, numeric) is 'Sums delta objects per emotional dimension (arousal, valence, dominance, intimacy), each total limited to +-p_limit when given.';
revoke execute on function game.emotion_deltas(jsonb, numeric) from public;
grant execute on function game.emotion_deltas(jsonb, numeric) to service_role;
