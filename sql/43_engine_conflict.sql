-- Conflict temperature, zones and the Gottman ratio (GAME_RULES.md §9).

-- Conflict temperature and crisis bookkeeping (GAME_RULES.md §9). The Gottman counts are those of score_history's
-- scored exchanges in the window ending at gottman_through, kept so an exchange reads only the rows that entered or
-- left the window since (an active player's week is hundreds of rows); null gottman_through means count afresh.
create table game.conflict_state (
  user_id uuid primary key references public.users (id) on delete cascade,
  temperature numeric(7, 4) not null default 0 check (temperature between 0 and 100),
  updated_at timestamptz,
  consecutive_crises integer not null default 0 check (consecutive_crises >= 0),
  above_90_since timestamptz,
  gottman_through timestamptz,
  gottman_positives integer not null default 0,
  gottman_negatives integer not null default 0
);
comment on table game.conflict_state is 'Per player: conflict temperature as of updated_at (cooling is applied lazily), consecutive crises, since when it has been above the breakup temperature, and the Gottman counts of the window ending at gottman_through.';

alter table game.conflict_state enable row level security;
grant select, insert, update, delete on game.conflict_state to service_role;
create policy "conflict_state: backend only"
  on game.conflict_state for select to service_role
  using (true);

-- One exchange's conflict update, called by game.apply_exchange for text and voice exchanges inside its
-- transaction, with the player's conflict row as it read it under the player's lock (every writer of the row holds
-- that lock, so the row needs no lock of its own). p_delta is the exchange's score delta. Returns
-- {temperature_before (cooled), zone_before, temperature, zone, polarity, positives, negatives, consecutive_crises,
-- crisis, breakup}.
create or replace function game.step_conflict(p_user public.users, p_state game.conflict_state, p_delta numeric,
  p_behaviors jsonb, p_repair jsonb, p_tunables jsonb, p_now timestamptz)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_state game.conflict_state := p_state;
  v_window interval := make_interval(days => (p_tunables ->> 'gottman_window')::int);
  v_cooled numeric;
  v_zone_before text;
  v_in_conflict boolean;
  v_polarity text := case when p_delta > 0 then 'positive' when p_delta < 0 then 'negative' else 'none' end;
  v_quality text := case when coalesce((p_repair ->> 'attempted')::boolean, false) then p_repair ->> 'quality' end;
  v_positives int;
  v_negatives int;
  v_target numeric;
  v_ratio numeric;
  v_score_term numeric := 0;
  v_horsemen_term numeric := 0;
  v_gottman_term numeric := 0;
  v_temperature numeric;
  v_crisis boolean := false;
  v_breakup text;
begin
  -- 1. Passive cooling; the zone before heating comes from the cooled value.
  v_cooled := game.cooled_temperature(v_state, p_tunables, p_now);
  v_zone_before := game.conflict_zone(v_cooled, p_tunables);
  v_in_conflict := v_zone_before in ('hot', 'critical');
  if v_cooled <= (p_tunables ->> 'breakup_temperature')::numeric then
    v_state.above_90_since := null;
  end if;

  -- 3. A repair with a quality cools and counts as positive; steps 4-5 are skipped.
  if v_quality is not null then
    v_polarity := 'positive';
  end if;

  -- 2. Gottman counts over scored exchanges in (now - 7 d, now] of this game, this one included.
  v_positives := v_state.gottman_positives;
  v_negatives := v_state.gottman_negatives;
  if v_state.gottman_through is null or v_state.gottman_through < p_user.game_started_at
     or p_now < v_state.gottman_through or p_now - v_state.gottman_through >= v_window then
    -- Counted afresh: a new game, a clock that went back (a call scored after later texts), or a week's silence.
    -- The counts kept are then those of the window ending at p_now, whatever came after it is counted as entering.
    select count(*) filter (where h.event_details ->> 'polarity' = 'positive'),
           count(*) filter (where h.event_details ->> 'polarity' = 'negative')
    into v_positives, v_negatives
    from public.score_history h
    where h.user_id = p_user.id and h.event_type in ('exchange', 'voice_call')
      and h.recorded_at > p_now - v_window and h.recorded_at <= p_now and h.recorded_at >= p_user.game_started_at;
  elsif p_now > v_state.gottman_through then
    -- The window moved from (through - 7 d, through] to (now - 7 d, now]: the rows that left it, and any that
    -- entered it since (the kept counts already hold the exchange that wrote gottman_through).
    select v_positives
             - count(*) filter (where h.recorded_at <= p_now - v_window and h.event_details ->> 'polarity' = 'positive')
             + count(*) filter (where h.recorded_at > v_state.gottman_through
                                  and h.event_details ->> 'polarity' = 'positive'),
           v_negatives
             - count(*) filter (where h.recorded_at <= p_now - v_window and h.event_details ->> 'polarity' = 'negative')
             + count(*) filter (where h.recorded_at > v_state.gottman_through
                                  and h.event_details ->> 'polarity' = 'negative')
    into v_positives, v_negatives
    from public.score_history h
    where h.user_id = p_user.id and h.event_type in ('exchange', 'voice_call')
      and h.recorded_at >= p_user.game_started_at
      and ((h.recorded_at > v_state.gottman_through - v_window and h.recorded_at <= p_now - v_window)
           or (h.recorded_at > v_state.gottman_through and h.recorded_at <= p_now));
  end if;
  v_positives := v_positives + (v_polarity = 'positive')::int;
  v_negatives := v_negatives + (v_polarity = 'negative')::int;

  if v_quality is not null then
    v_temperature := v_cooled - (p_tunables -> 'repair_cooling' ->> v_quality)::numeric;
    if v_quality in ('excellent', 'good') then
      v_state.consecutive_crises := 0;
    end if;
  else
    -- 4. A negative exchange while critical is a crisis.
    if v_zone_before = 'critical' and p_delta < 0 then
      v_state.consecutive_crises := v_state.consecutive_crises + 1;
      v_crisis := true;
    end if;
    -- 5. Score term + horsemen term + Gottman term.
    if p_delta < 0 then
      v_score_term := (p_tunables ->> 'heat_per_score_drop')::numeric * abs(p_delta)
        + case when abs(p_delta) > (p_tunables ->> 'big_drop_above')::numeric then (p_tunables ->> 'big_drop_bonus')::numeric else 0 end;
    elsif p_delta > 0 then
      v_score_term := -(p_tunables ->> 'cooling_per_score_gain')::numeric * p_delta;
    end if;
    if jsonb_array_length(p_behaviors) > 0 then -- no query for an exchange without tags
      select coalesce(sum((p_tunables -> 'horseman_heat' ->> substr(tag, length('horseman:') + 1))::numeric), 0)
      into v_horsemen_term
      from (select distinct jsonb_array_elements_text(p_behaviors) as tag) tags
      where tag like 'horseman:%';
    end if;
    v_target := case when v_in_conflict then (p_tunables ->> 'gottman_target_conflict')::numeric
                     else (p_tunables ->> 'gottman_target_calm')::numeric end;
    if v_positives = 0 and v_negatives = 0 then
      v_gottman_term := 0;
    elsif v_negatives = 0 then
      v_gottman_term := -(p_tunables ->> 'gottman_cool_base')::numeric;
    else
      v_ratio := v_positives::numeric / v_negatives;
      if v_ratio < v_target then
        v_gottman_term := (p_tunables ->> 'gottman_heat_base')::numeric
          + (p_tunables ->> 'gottman_heat_scale')::numeric * least(1, (v_target - v_ratio) / v_target);
      else
        v_gottman_term := -(p_tunables ->> 'gottman_cool_base')::numeric
          - (p_tunables ->> 'gottman_cool_scale')::numeric * least(1, (v_ratio - v_target) / v_target);
      end if;
    end if;
    v_temperature := v_cooled + v_score_term + v_horsemen_term + v_gottman_term;
  end if;

  -- 6. Clamp, zone, update time; below 50 the crisis count resets.
  v_temperature := round(greatest(0, least(100, v_temperature)), 4);
  if v_temperature < (p_tunables ->> 'crisis_reset_below')::numeric then
    v_state.consecutive_crises := 0;
  end if;
  if v_temperature > (p_tunables ->> 'breakup_temperature')::numeric then
    v_state.above_90_since := coalesce(v_state.above_90_since, p_now);
  else
    v_state.above_90_since := null;
  end if;

  -- Breakup (§9.3).
  if v_state.consecutive_crises >= (p_tunables ->> 'crisis_limit')::int then
    v_breakup := 'crises';
  elsif v_state.above_90_since is not null
        and p_now - v_state.above_90_since > make_interval(hours => (p_tunables ->> 'breakup_duration')::int) then
    v_breakup := 'temperature';
  end if;

  update game.conflict_state
  set temperature = v_temperature, updated_at = p_now, consecutive_crises = v_state.consecutive_crises,
      above_90_since = v_state.above_90_since,
      gottman_through = p_now, gottman_positives = v_positives,
      gottman_negatives = v_negatives
  where user_id = p_user.id;

  return jsonb_build_object(
    'temperature_before', v_cooled, 'zone_before', v_zone_before, 'temperature', v_temperature,
    'zone', game.conflict_zone(v_temperature, p_tunables), 'polarity', v_polarity, 'repair', v_quality,
    'positives', v_positives, 'negatives', v_negatives,
    'terms', jsonb_build_object('score', v_score_term, 'horsemen', v_horsemen_term, 'gottman', round(v_gottman_term, 4)),
    'consecutive_crises', v_state.consecutive_crises, 'crisis', v_crisis, 'breakup', v_breakup);
end
$$;
comment on function game.step_conflict(public.users, game.conflict_state, numeric, jsonb, jsonb, jsonb, timestamptz) is 'The conflict update of one exchange (GAME_RULES.md §9.2-9.3): cooling, Gottman counts, repair bypass, crises, heating terms, zone and breakup.';
revoke execute on function game.step_conflict(public.users, game.conflict_state, numeric, jsonb, jsonb, jsonb, timestamptz) from public;
grant execute on function game.step_conflict(public.users, game.conflict_state, numeric, jsonb, jsonb, jsonb, timestamptz) to service_role;

-- The zone of a temperature.
create or replace function game.conflict_zone(p_temperature numeric, p_tunables jsonb)
returns text
language plpgsql
immutable
security invoker
set search_path = ''
as $$
begin
  return case
    when p_temperature >= (p_tunables ->> 'zone_critical_from')::numeric then 'critical'
    when p_temperature >= (p_tunables ->> 'zone_hot_from')::numeric then 'hot'
    when p_temperature >= (p_tunables ->> 'zone_warm_from')::numeric then 'warm'
    else 'calm' end;
end
$$;
comment on function game.conflict_zone(numeric, jsonb) is 'calm < 25 <= warm < 50 <= hot < 75 <= critical (thresholds from the tunables).';
revoke execute on function game.conflict_zone(numeric, jsonb) from public;
grant execute on function game.conflict_zone(numeric, jsonb) to service_role;

-- The temperature now: passive cooling applied lazily since the last update (readers use the same formula).
create or replace function game.cooled_temperature(p_state game.conflict_state, p_tunables jsonb, p_now timestamptz)
returns numeric
language plpgsql
immutable
security invoker
set search_path = ''
as $$
begin
  return round(greatest(0, p_state.temperature - (p_tunables ->> 'passive_cooling')::numeric
    * greatest(0, extract(epoch from p_now - coalesce(p_state.updated_at, p_now)) / 3600)), 4);
end
$$;
comment on function game.cooled_temperature(game.conflict_state, jsonb, timestamptz) is 'Conflict temperature at p_now after passive cooling since its last update (GAME_RULES.md §9.2 step 1).';
revoke execute on function game.cooled_temperature(game.conflict_state, jsonb, timestamptz) from public;
grant execute on function game.cooled_temperature(game.conflict_state, jsonb, timestamptz) to service_role;
