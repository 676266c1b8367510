-- Whole-player actions: the reset after a game (GAME_RULES.md §19), call availability (§16), the /status line.

-- /start after game over or victory: a new game at p_now. Vices, darkness, timezone, memory and all history
-- are kept. Any other status changes nothing ({"reset": false}).
create or replace function game.reset_player(p_user_id uuid, p_now timestamptz)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_t jsonb := game.tunables_json();
  v_user public.users := game.lock_player(p_user_id);
  v_engagement public.engagement_state;
  v_start numeric := (v_t ->> 'metric_start')::numeric;
  v_score numeric;
begin
  if v_user.game_status not in ('game_over', 'won') then
    return jsonb_build_object('reset', false, 'game_status', v_user.game_status, 'chapter', v_user.chapter);
  end if;
  select * into v_engagement from public.engagement_state where user_id = p_user_id for no key update;
  v_score := game.score_of(v_t, v_start, v_start, v_start, v_start);

  update public.users set
    relationship_score = v_score, chapter = 1, boss_attempts = 0, game_status = 'active', game_over_reason = null,
    cool_down_until = null, boss_fight_started_at = null, vulnerability_exchanges = 0, days_played = 0,
    last_played_on = null, game_started_at = p_now, last_interaction_at = p_now, decay_through = p_now,
    decay_day = null, decay_day_amount = 0, last_decay_warning_at = null,
    intimacy = v_start, passion = v_start, trust = v_start, secureness = v_start, metrics_updated_at = p_now
  where id = p_user_id;
  if v_engagement.state <> 'calibrating' then
    perform game.engagement_transition(v_engagement, 'calibrating', 'reset', v_t, p_now);
  end if;
  update public.engagement_state set
    state = 'calibrating', multiplier = (v_t ->> 'multiplier_calibrating')::numeric, calibration_score = null,
    high_streak = 0, low_streak = 0, recovery_streak = 0, clingy_days = 0, distant_days = 0, non_clingy_days = 0,
    out_of_zone_days = 0, step_day = null, step_day_flag = null, updated_at = p_now
  where user_id = p_user_id;
  update game.conflict_state set temperature = 0, updated_at = p_now, consecutive_crises = 0, above_90_since = null,
    gottman_through = null, gottman_positives = 0, gottman_negatives = 0
  where user_id = p_user_id;
  update game.boss_fights set phase = 'resolved', resolved_at = p_now where user_id = p_user_id and phase <> 'resolved';

  perform game.write_history(p_user_id, v_score, 1, 'game_reset', jsonb_build_object(
    'score', v_user.relationship_score, 'chapter', v_user.chapter, 'game_status', v_user.game_status,
    'game_over_reason', v_user.game_over_reason, 'boss_attempts', v_user.boss_attempts,
    'metrics', jsonb_build_object('intimacy', v_user.intimacy, 'passion', v_user.passion,
      'trust', v_user.trust, 'secureness', v_user.secureness),
    'events', '[]'::jsonb), null, p_now);
  return jsonb_build_object('reset', true, 'game_status', 'active', 'chapter', 1, 'score', v_score,
    'game_started_at', p_now, 'previous', jsonb_build_object('game_status', v_user.game_status,
      'chapter', v_user.chapter, 'score', v_user.relationship_score));
end
$$;
comment on function game.reset_player(uuid, timestamptz) is 'The reset after game over or victory (GAME_RULES.md §19): chapter 1, metrics 50, counters cleared, history kept, one game_reset row; a no-op otherwise.';
revoke execute on function game.reset_player(uuid, timestamptz) from public;
grant execute on function game.reset_player(uuid, timestamptz) to service_role;

-- Does she pick up a call requested at p_now? p_roll in [0, 1) is drawn by the caller so this is deterministic.
-- Returns {available, reason, chapter, probability}.
create or replace function game.voice_availability(p_user_id uuid, p_now timestamptz, p_roll numeric)
returns jsonb
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  v_t jsonb := game.tunables_json();
  v_user public.users;
  v_last_call_end timestamptz;
  v_p numeric;
  v_reason text;
begin
  if p_roll is null or p_roll < 0 or p_roll >= 1 then
    raise exception 'roll must be in [0, 1), got %', p_roll using errcode = '22023';
  end if;
  select * into v_user from public.users where id = p_user_id;
  if not found then
    raise exception 'player not found: %', p_user_id using errcode = 'PNFND';
  end if;
  v_p := (v_t -> 'voice_accept' ->> (v_user.chapter - 1))::numeric;
  select max(ended_at) into v_last_call_end from public.conversations
  where user_id = p_user_id and platform = 'voice' and ended_at <= p_now;
  v_reason := case
    when v_user.game_status in ('game_over', 'won') then v_user.game_status
    when v_user.game_status = 'boss_fight' then null
    when v_last_call_end is not null
         and p_now < v_last_call_end + make_interval(mins => (v_t ->> 'voice_cooldown')::int) then 'cooldown'
    when p_roll >= v_p then 'busy' end;
  return jsonb_build_object('available', v_reason is null, 'reason', v_reason, 'chapter', v_user.chapter,
    'probability', case when v_user.game_status = 'boss_fight' then 1 else v_p end);
end
$$;
comment on function game.voice_availability(uuid, timestamptz, numeric) is 'Call availability (GAME_RULES.md §16): refused when finished or within 5 min of the last call, always in a boss fight, else roll < p(chapter).';
revoke execute on function game.voice_availability(uuid, timestamptz, numeric) from public;
grant execute on function game.voice_availability(uuid, timestamptz, numeric) to service_role;

-- What /status shows: the chapter's name and a vague band from the score's distance to the boss threshold,
-- never a number. Bands are the status_bands tunable.
create or replace function game.player_status(p_user_id uuid, p_now timestamptz)
returns jsonb
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  v_user public.users;
  v_chapter public.chapters;
  v_band text;
begin
  select * into v_user from public.users where id = p_user_id;
  if not found then
    raise exception 'player not found: %', p_user_id using errcode = 'PNFND';
  end if;
  select * into v_chapter from public.chapters where chapter = v_user.chapter;
  if v_user.game_status in ('active', 'boss_fight') then
    select b ->> 'band' into v_band
    from jsonb_array_elements(game.tunables_json() -> 'status_bands') with ordinality as bands(b, n)
    where b ->> 'below' is null or v_user.relationship_score < (b ->> 'below')::numeric * v_chapter.boss_threshold
    order by n limit 1;
  end if;
  return jsonb_build_object('chapter', v_user.chapter, 'chapter_name', v_chapter.name, 'band', v_band,
    'game_status', v_user.game_status, 'onboarding_status', v_user.onboarding_status, 'as_of', p_now);
end
$$;
comment on function game.player_status(uuid, timestamptz) is 'The /status line: chapter, chapter name, a vague band (status_bands tunable), status and onboarding status.';
revoke execute on function game.player_status(uuid, timestamptz) from public;
grant execute on function game.player_status(uuid, timestamptz) to service_role;
