-- Engagement (GAME_RULES.md §8): the per-exchange state machine, its day rollover and the calibration score.

-- One engagement step for a text exchange: day rollover, then the exchange's own transition. Called by
-- game.apply_exchange for text exchanges only, inside its transaction, with the player's engagement row as it read
-- it under the player's lock (every writer of the row holds that lock, so the row needs no lock of its own).
-- Returns {state_before, state, multiplier, calibration, inputs, transitions, game_over_kind}.
create or replace function game.step_engagement(p_user public.users, p_state public.engagement_state,
  p_language jsonb, p_tunables jsonb, p_now timestamptz)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_state public.engagement_state := p_state;
  v_before text;
  v_inputs jsonb;
  v_score numeric;
  v_today date := (p_now at time zone p_user.timezone)::date;
  v_gap int;
  v_day date;
  v_game_over text;
  v_fired boolean;
  v_guard int := 0;
begin
  v_before := v_state.state;
  v_inputs := game.engagement_inputs(p_user, p_language, p_tunables, p_now);
  if (v_inputs ->> 'text_messages')::int = 0 then
    -- No text message in the window: the step is skipped.
    return jsonb_build_object('state_before', v_before, 'state', v_state.state, 'multiplier', v_state.multiplier,
      'skipped', true, 'inputs', v_inputs);
  end if;
  v_score := (v_inputs ->> 'calibration')::numeric;

  -- Day rollover (§8.5): the first step on a new local day.
  if v_state.step_day is not null and v_today > v_state.step_day then
    v_gap := v_today - v_state.step_day;
    -- 1. The previous step day, by its flag.
    case v_state.step_day_flag
      when 'clingy' then
        v_state.clingy_days := v_state.clingy_days + 1; v_state.distant_days := 0; v_state.non_clingy_days := 0;
      when 'neglect' then
        v_state.distant_days := v_state.distant_days + 1; v_state.clingy_days := 0;
        v_state.non_clingy_days := v_state.non_clingy_days + 1;
      else
        v_state.clingy_days := 0; v_state.distant_days := 0; v_state.non_clingy_days := v_state.non_clingy_days + 1;
    end case;
    -- 2. Each local day in between: a neglect day when the player sent no text message that day.
    for v_day in select generate_series(v_state.step_day + 1, v_today - 1, interval '1 day')::date loop
      if exists (select 1 from public.messages m join public.conversations c on c.id = m.conversation_id
                 where m.user_id = p_user.id and m.role = 'player' and c.platform = 'telegram'
                   and (m.created_at at time zone p_user.timezone)::date = v_day) then
        v_state.clingy_days := 0; v_state.distant_days := 0; v_state.non_clingy_days := v_state.non_clingy_days + 1;
      else
        v_state.distant_days := v_state.distant_days + 1; v_state.clingy_days := 0;
        v_state.non_clingy_days := v_state.non_clingy_days + 1;
      end if;
    end loop;
    -- 3. Days from the previous step day through yesterday spent out of zone.
    v_state.out_of_zone_days := case when v_state.state = 'out_of_zone' then v_state.out_of_zone_days + v_gap else 0 end;
    -- 4. Day transitions until none fires (first listed wins).
    loop
      v_fired := true;
      if v_state.state = 'clingy' and v_state.clingy_days >= (p_tunables ->> 'clingy_to_out_days')::int then
        v_state := game.engagement_transition(v_state, 'out_of_zone', 'clingy days', p_tunables, p_now);
      elsif v_state.state = 'distant' and v_state.distant_days >= (p_tunables ->> 'distant_to_out_days')::int then
        v_state := game.engagement_transition(v_state, 'out_of_zone', 'distant days', p_tunables, p_now);
      elsif v_state.state = 'drifting' and v_state.clingy_days >= (p_tunables ->> 'clingy_entry_days')::int then
        v_state := game.engagement_transition(v_state, 'clingy', 'clingy days', p_tunables, p_now);
      elsif v_state.state = 'drifting' and v_state.distant_days >= (p_tunables ->> 'distant_entry_days')::int then
        v_state := game.engagement_transition(v_state, 'distant', 'distant days', p_tunables, p_now);
      elsif v_state.state = 'clingy' and v_state.non_clingy_days >= (p_tunables ->> 'clingy_exit_days')::int then
        v_state := game.engagement_transition(v_state, 'drifting', 'non-clingy days', p_tunables, p_now);
      else
        v_fired := false;
      end if;
      v_guard := v_guard + 1;
      exit when not v_fired or v_guard >= 10;
    end loop;
    -- 5. Engagement game over (§8.6), applied by the caller in its order of checks.
    v_game_over := case
      when v_state.clingy_days >= (p_tunables ->> 'game_over_clingy_days')::int then 'clingy'
      when v_state.distant_days >= (p_tunables ->> 'game_over_distant_days')::int then 'distant'
      when v_state.out_of_zone_days >= (p_tunables ->> 'game_over_out_of_zone_days')::int then 'out_of_zone'
    end;
  end if;

  -- The exchange's own step (§8.4): streaks with this score, then at most one transition.
  v_state.calibration_score := v_score;
  v_state.high_streak := case when v_score >= (p_tunables ->> 'in_zone_entry_score')::numeric then v_state.high_streak + 1 else 0 end;
  v_state.low_streak := case when v_score < (p_tunables ->> 'drift_score')::numeric then v_state.low_streak + 1 else 0 end;
  v_state.recovery_streak := case when v_score >= (p_tunables ->> 'recovery_score')::numeric then v_state.recovery_streak + 1 else 0 end;
  if v_state.state = 'calibrating' and v_state.high_streak >= (p_tunables ->> 'in_zone_entry_streak')::int then
    v_state := game.engagement_transition(v_state, 'in_zone', 'high calibration streak', p_tunables, p_now);
  elsif v_state.state = 'calibrating' and v_state.low_streak >= (p_tunables ->> 'drift_streak')::int then
    v_state := game.engagement_transition(v_state, 'drifting', 'low calibration streak', p_tunables, p_now);
  elsif v_state.state = 'in_zone' and v_score < (p_tunables ->> 'in_zone_exit_below')::numeric then
    v_state := game.engagement_transition(v_state, 'drifting', 'calibration dropped', p_tunables, p_now);
  elsif v_state.state = 'drifting' and v_state.recovery_streak >= (p_tunables ->> 'drifting_recovery_streak')::int then
    v_state := game.engagement_transition(v_state, 'in_zone', 'recovered', p_tunables, p_now);
  elsif v_state.state = 'distant' and not (v_inputs ->> 'neglecting')::boolean then
    v_state := game.engagement_transition(v_state, 'drifting', 'not neglecting', p_tunables, p_now);
  elsif v_state.state = 'out_of_zone' and v_state.recovery_streak >= (p_tunables ->> 'out_of_zone_recovery_streak')::int then
    v_state := game.engagement_transition(v_state, 'calibrating', 'recovered from out of zone', p_tunables, p_now);
    v_state.clingy_days := 0; v_state.distant_days := 0; v_state.non_clingy_days := 0; v_state.out_of_zone_days := 0;
  end if;

  v_state.step_day := v_today;
  v_state.step_day_flag := case
    when (v_inputs ->> 'clingy')::boolean then 'clingy'
    when (v_inputs ->> 'neglecting')::boolean then 'neglect'
    else 'good' end;
  v_state.updated_at := p_now;
  update public.engagement_state set
    state = v_state.state, multiplier = v_state.multiplier, calibration_score = v_state.calibration_score,
    high_streak = v_state.high_streak, low_streak = v_state.low_streak, recovery_streak = v_state.recovery_streak,
    clingy_days = v_state.clingy_days, distant_days = v_state.distant_days, non_clingy_days = v_state.non_clingy_days,
    out_of_zone_days = v_state.out_of_zone_days, step_day = v_state.step_day, step_day_flag = v_state.step_day_flag,
    updated_at = v_state.updated_at
  where user_id = p_user.id;

  return jsonb_build_object('state_before', v_before, 'state', v_state.state, 'multiplier', v_state.multiplier,
    'calibration', v_score, 'inputs', v_inputs, 'game_over_kind', v_game_over, 'skipped', false);
end
$$;
comment on function game.step_engagement(public.users, public.engagement_state, jsonb, jsonb, timestamptz) is 'The engagement step of a text exchange (GAME_RULES.md §8.4-8.6): day rollover, day transitions, engagement game-over kind, then the exchange transition.';
revoke execute on function game.step_engagement(public.users, public.engagement_state, jsonb, jsonb, timestamptz) from public;
grant execute on function game.step_engagement(public.users, public.engagement_state, jsonb, jsonb, timestamptz) to service_role;

-- Moves the state machine to p_to: resets the three streaks, sets the multiplier, writes the history row.
create or replace function game.engagement_transition(p_state public.engagement_state, p_to text, p_reason text,
  p_tunables jsonb, p_now timestamptz)
returns public.engagement_state
language plpgsql
volatile
security invoker
set search_path = ''
as $$
begin
  insert into public.engagement_history (user_id, from_state, to_state, reason, calibration_score, created_at)
  values (p_state.user_id, p_state.state, p_to, p_reason, p_state.calibration_score, p_now);
  p_state.state := p_to;
  p_state.multiplier := (p_tunables ->> ('multiplier_' || p_to))::numeric;
  p_state.high_streak := 0;
  p_state.low_streak := 0;
  p_state.recovery_streak := 0;
  return p_state;
end
$$;
comment on function game.engagement_transition(public.engagement_state, text, text, jsonb, timestamptz) is 'One engagement state transition: history row, multiplier of the new state, streaks reset (GAME_RULES.md §8.4).';
revoke execute on function game.engagement_transition(public.engagement_state, text, text, jsonb, timestamptz) from public;
grant execute on function game.engagement_transition(public.engagement_state, text, text, jsonb, timestamptz) to service_role;

-- The calibration of one exchange from the player's real messages: inputs, the score and the two flags.
create or replace function game.engagement_inputs(p_user public.users, p_language jsonb, p_tunables jsonb,
  p_now timestamptz)
returns jsonb
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  v_window interval := make_interval(hours => (p_tunables ->> 'engagement_window')::int);
  v_weekday text := lower(to_char(p_now at time zone p_user.timezone, 'Dy'));
  v_actual int;
  v_text_messages int;
  v_calls int;
  v_optimal int;
  v_t_avg numeric;
  v_length numeric;
  v_needy numeric := coalesce((p_language ->> 'needy')::numeric, 0);
  v_distracted numeric := coalesce((p_language ->> 'distracted')::numeric, 0);
  v_frequency numeric;
  v_timing numeric;
  v_length_score numeric;
  v_content numeric;
  v_calibration numeric;
  v_clingy boolean;
  v_neglecting boolean;
begin
  -- One statement for the three inputs read from the player's messages and calls (each statement of a plpgsql
  -- function costs an executor start and a snapshot):
  -- actual: the player's text messages received in (now - 24 h, now] plus calls ended in that window.
  -- t_avg: for each of her messages answered by a player message received in the window, the time from hers to
  -- that answer (the first player message after hers). One pass over the window's messages gives both.
  -- L: mean length of the player's text messages since her previous message. Her previous message is the first
  -- one walking the player's messages back from p_now (an index scan that stops there), not a max() over the
  -- player's whole history.
  select w.text_messages, w.t_avg,
    (select count(*) from public.conversations c
     where c.user_id = p_user.id and c.platform = 'voice' and c.ended_at > p_now - v_window and c.ended_at <= p_now),
    (select avg(char_length(m.content))
     from public.messages m join public.conversations c on c.id = m.conversation_id and c.platform = 'telegram'
     where m.user_id = p_user.id and m.role = 'player' and m.created_at <= p_now
       and m.created_at > coalesce((
         select n.created_at from public.messages n join public.conversations nc on nc.id = n.conversation_id
         where n.user_id = p_user.id and n.role = 'nikita' and nc.platform = 'telegram' and n.created_at <= p_now
         order by n.created_at desc limit 1
       ), '-infinity'))
  into v_text_messages, v_t_avg, v_calls, v_length
  from (
    select count(*) as text_messages,
      avg(extract(epoch from m.created_at - prev.created_at)) filter (where prev.role = 'nikita') as t_avg
    from public.messages m
    join public.conversations c on c.id = m.conversation_id and c.platform = 'telegram'
    left join lateral (
      select p.role, p.created_at from public.messages p join public.conversations pc on pc.id = p.conversation_id
      where p.user_id = m.user_id and pc.platform = 'telegram' and p.created_at < m.created_at
      order by p.created_at desc, p.id desc limit 1
    ) prev on true
    where m.user_id = p_user.id and m.role = 'player'
      and m.created_at > p_now - v_window and m.created_at <= p_now
  ) w;
  v_actual := v_text_messages + v_calls;
  v_optimal := floor((p_tunables -> 'optimal_messages_base' ->> (p_user.chapter - 1))::numeric
    * (p_tunables -> 'optimal_weekday_modifier' ->> v_weekday)::numeric);
  v_length := coalesce(v_length, 0);

  v_frequency := greatest(0, least(1, 1 - abs(v_actual - v_optimal)::numeric / greatest(v_optimal, 1)));
  v_timing := case
    when v_t_avg is null then 1.0
    when v_t_avg < (p_tunables ->> 'timing_fast_below')::numeric then
      (p_tunables ->> 'timing_fast_floor')::numeric
      + (1 - (p_tunables ->> 'timing_fast_floor')::numeric) * v_t_avg / (p_tunables ->> 'timing_fast_below')::numeric
    when v_t_avg <= (p_tunables ->> 'timing_slow_above')::numeric then 1.0
    else greatest(0, least(1, 1 - (v_t_avg - (p_tunables ->> 'timing_slow_above')::numeric)
      / (p_tunables ->> 'timing_slow_span')::numeric)) end;
  v_length_score := case
    when v_length < (p_tunables ->> 'length_short_below')::numeric then
      0.5 * v_length / (p_tunables ->> 'length_short_below')::numeric
    when v_length < (p_tunables ->> 'length_good_from')::numeric then
      0.5 + 0.5 * (v_length - (p_tunables ->> 'length_short_below')::numeric)
        / ((p_tunables ->> 'length_good_from')::numeric - (p_tunables ->> 'length_short_below')::numeric)
    when v_length <= (p_tunables ->> 'length_good_to')::numeric then 1.0
    else greatest(0, least(1, 1 - (v_length - (p_tunables ->> 'length_good_to')::numeric)
      / (p_tunables ->> 'length_long_span')::numeric)) end;
  v_content := (p_tunables ->> 'content_weight_length')::numeric * v_length_score
    + (p_tunables ->> 'content_weight_language')::numeric * (1 - (v_needy + v_distracted) / 2);
  v_calibration := round(
    (p_tunables ->> 'calibration_weight_frequency')::numeric * v_frequency
    + (p_tunables ->> 'calibration_weight_timing')::numeric * v_timing
    + (p_tunables ->> 'calibration_weight_content')::numeric * v_content, 4);

  -- Undefined t_avg satisfies no timing condition.
  v_clingy := (coalesce(v_t_avg < (p_tunables ->> 'clingy_response_below')::numeric, false)
               and v_needy > (p_tunables ->> 'clingy_needy_above')::numeric)
    or v_actual > (p_tunables ->> 'clingy_frequency_factor')::numeric * v_optimal;
  v_neglecting := coalesce(v_t_avg > (p_tunables ->> 'neglect_response_above')::numeric, false)
    or v_distracted > (p_tunables ->> 'neglect_distracted_above')::numeric
    or v_actual < floor(v_optimal * (p_tunables ->> 'neglect_frequency_factor')::numeric);

  return jsonb_build_object(
    'text_messages', v_text_messages, 'actual', v_actual, 'optimal', v_optimal, 't_avg', round(v_t_avg, 4),
    'length', round(v_length, 4), 'frequency', round(v_frequency, 4), 'timing', round(v_timing, 4),
    'content', round(v_content, 4), 'calibration', v_calibration, 'clingy', v_clingy, 'neglecting', v_neglecting);
end
$$;
comment on function game.engagement_inputs(public.users, jsonb, jsonb, timestamptz) is 'Calibration of one exchange (GAME_RULES.md §8.2-8.3): actual vs optimal messages, response timing, length and language, the score and the clingy/neglecting flags.';
revoke execute on function game.engagement_inputs(public.users, jsonb, jsonb, timestamptz) from public;
grant execute on function game.engagement_inputs(public.users, jsonb, jsonb, timestamptz) to service_role;
