-- Scoring an exchange (GAME_RULES.md §3): the analyzer's judgment checked, every consequence in one transaction.

-- Scores one exchange (text or voice call) for a player at p_now, in the order of §3.3. With p_reply_draw (Z ~ N(0, 1),
-- drawn by a text turn) the result also carries reply_delay_seconds, her reply's delay after this exchange
-- (game.reply_delay: an exchange that starts a boss fight gets an immediate reply), so a turn needs one call.
create or replace function game.apply_exchange(p_user_id uuid, p_analysis jsonb, p_now timestamptz,
  p_source text default 'telegram', p_conversation_id uuid default null, p_reply_draw numeric default null)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_t jsonb := game.tunables_json();
  v_read record;
  v_user public.users;
  v_after public.users;
  v_chapter public.chapters;
  v_engagement_row public.engagement_state;
  v_conflict_row game.conflict_state;
  v_state text;
  v_events jsonb := '[]'::jsonb;
  v_timeout jsonb;
  v_behaviors jsonb := coalesce(p_analysis -> 'behaviors', '[]');
  v_raw jsonb := p_analysis -> 'deltas';
  v_deltas numeric[];
  v_applied numeric[];
  v_new numeric[];
  v_warmth numeric := 0;
  v_multiplier numeric;
  v_cap numeric;
  v_score_before numeric;
  v_score_after numeric;
  v_delta numeric;
  v_conflict jsonb;
  v_engagement jsonb;
  v_vices jsonb;
  v_reason text;
  v_status text;
begin
  perform game.check_analysis(p_analysis, v_t);
  if p_source is null or p_source not in ('telegram', 'voice') then
    raise exception 'analysis invalid: source must be telegram or voice' using errcode = 'ANBAD';
  end if;

  -- The player's row locked as game.lock_player locks it, read in one statement with the chapter and the engagement
  -- and conflict rows (which every writer changes only under that lock).
  select u, ch, es, cs into v_read
  from public.users u
  join public.chapters ch on ch.chapter = u.chapter
  left join public.engagement_state es on es.user_id = u.id
  left join game.conflict_state cs on cs.user_id = u.id
  where u.id = p_user_id
  for no key update of u;
  if not found then
    raise exception 'player not found: %', p_user_id using errcode = 'PNFND';
  end if;
  v_user := v_read.u;
  if v_user.onboarding_status <> 'completed' then
    raise exception 'onboarding not complete' using errcode = 'ONBRQ';
  end if;
  if v_user.game_status in ('game_over', 'won') then
    raise exception 'game finished' using errcode = 'GOVER', detail = v_user.game_status;
  end if;
  if p_conversation_id is not null
     and not exists (select 1 from public.conversations where id = p_conversation_id and user_id = p_user_id) then
    raise exception 'conversation not found: %', p_conversation_id using errcode = 'CVNFD';
  end if;
  -- A call is scored once: a replayed post-call or a rerun job finds the conversation scored and changes nothing.
  if p_source = 'voice' and exists (select 1 from public.conversations
                                    where id = p_conversation_id and scored_at is not null) then
    return jsonb_build_object('scored', false, 'duplicate', true, 'score_before', v_user.relationship_score,
      'score_after', v_user.relationship_score, 'delta', 0, 'chapter', v_user.chapter,
      'game_status', v_user.game_status, 'events', '[]'::jsonb);
  end if;
  if v_user.game_status = 'boss_fight' then
    -- A due timeout is applied first (and kept); an encounter still running is not scored.
    v_timeout := game.expire_due_boss_fight(p_user_id, v_t, p_now);
    if v_timeout is null then
      raise exception 'boss fight active' using errcode = 'BOSSA';
    end if;
    v_events := jsonb_build_array(jsonb_build_object('type', 'boss_timeout')) || (v_timeout -> 'events');
    -- A timeout is a FAIL: it changes the player row, never the chapter, the engagement or the conflict row.
    select * into v_user from public.users where id = p_user_id;
    if v_user.game_status <> 'active' then
      return jsonb_build_object('scored', false, 'score_before', v_user.relationship_score,
        'score_after', v_user.relationship_score, 'delta', 0, 'chapter', v_user.chapter,
        'game_status', v_user.game_status, 'events', v_events,
        'reply_delay_seconds', case when p_reply_draw is not null then 0 end);
    end if;
  end if;

  v_chapter := v_read.ch;
  v_engagement_row := v_read.es;
  v_conflict_row := v_read.cs;
  v_state := v_engagement_row.state;
  v_deltas := array[(v_raw ->> 'intimacy')::numeric, (v_raw ->> 'passion')::numeric,
                    (v_raw ->> 'trust')::numeric, (v_raw ->> 'secureness')::numeric];

  -- 1. Warmth bonus on trust for a vulnerability exchange: +2, +1, then 0; at most +10.
  if v_behaviors ? 'vulnerability_exchange' then
    v_warmth := (v_t -> 'warmth_bonus' ->> least(v_user.vulnerability_exchanges, 2))::numeric;
    v_deltas[3] := least(v_deltas[3] + v_warmth, (v_t ->> 'warmth_bonus_delta_max')::numeric);
    v_user.vulnerability_exchanges := v_user.vulnerability_exchanges + 1;
  end if;
  -- 2. Engagement multiplier (state before this exchange) on positive deltas only. 3. Chapter cap.
  v_multiplier := (v_t ->> ('multiplier_' || v_state))::numeric;
  v_cap := v_chapter.delta_cap;
  -- 4. Add, clamp each metric to 0..100, recompute the score.
  v_new := array[v_user.intimacy, v_user.passion, v_user.trust, v_user.secureness];
  v_applied := array[0, 0, 0, 0]::numeric[];
  for i in 1..4 loop
    v_deltas[i] := round(greatest(-v_cap, least(v_cap,
      case when v_deltas[i] > 0 then v_deltas[i] * v_multiplier else v_deltas[i] end)), (v_t ->> 'value_scale')::int);
    v_applied[i] := greatest((v_t ->> 'metric_min')::numeric, least((v_t ->> 'metric_max')::numeric, v_new[i] + v_deltas[i])) - v_new[i];
    v_new[i] := v_new[i] + v_applied[i];
  end loop;
  v_score_before := v_user.relationship_score;
  v_score_after := game.score_of(v_t, v_new[1], v_new[2], v_new[3], v_new[4]);
  v_delta := v_score_after - v_score_before;

  -- 5. Conflict. 6. Engagement (text only). 7. Vices.
  v_conflict := game.step_conflict(v_user, v_conflict_row, v_delta, v_behaviors, p_analysis -> 'repair', v_t, p_now);
  if p_source = 'telegram' then
    v_engagement := game.step_engagement(v_user, v_engagement_row, p_analysis -> 'language', v_t, p_now);
  end if;
  v_vices := game.apply_vice_signals(p_user_id, v_user.chapter, p_analysis -> 'vice_signals', v_t, p_now);
  -- 8. The interaction, written below with the metrics and the score in one update of the player row.
  v_after := game.after_interaction(v_user, p_now);

  if (v_conflict ->> 'crisis')::boolean then
    v_events := v_events || jsonb_build_object('type', 'warning', 'kind', 'crisis',
      'consecutive_crises', v_conflict -> 'consecutive_crises');
  elsif v_conflict ->> 'zone' = 'critical' and v_conflict ->> 'zone_before' <> 'critical' then
    v_events := v_events || jsonb_build_object('type', 'warning', 'kind', 'conflict_critical');
  end if;
  if v_engagement ->> 'state' is distinct from v_engagement ->> 'state_before'
     and v_engagement ->> 'state' in ('clingy', 'distant', 'out_of_zone') then
    v_events := v_events || jsonb_build_object('type', 'warning', 'kind', 'engagement', 'state', v_engagement ->> 'state');
  end if;

  -- 9. Game over, first match wins: score 0, conflict breakup, engagement.
  v_reason := case
    when v_score_after = 0 then 'score'
    when v_conflict ->> 'breakup' is not null then 'conflict'
    when v_engagement ->> 'game_over_kind' is not null then 'engagement' end;
  v_status := case when v_reason is not null then 'game_over' else 'active' end;
  update public.users
  set relationship_score = v_score_after, vulnerability_exchanges = v_user.vulnerability_exchanges,
      game_status = v_status, game_over_reason = v_reason, last_interaction_at = v_after.last_interaction_at,
      days_played = v_after.days_played, last_played_on = v_after.last_played_on, updated_at = p_now,
      intimacy = v_new[1], passion = v_new[2], trust = v_new[3], secureness = v_new[4], metrics_updated_at = p_now
  where id = p_user_id;
  if v_reason is not null then
    v_events := v_events || jsonb_build_object('type', 'game_over', 'reason', v_reason,
      'kind', coalesce(v_conflict ->> 'breakup', v_engagement ->> 'game_over_kind'));
  -- 10. Boss trigger while still active and not cooling down.
  elsif v_score_after >= v_chapter.boss_threshold and (v_user.cool_down_until is null or v_user.cool_down_until <= p_now) then
    v_events := v_events || game.start_boss(v_user, v_t, p_now);
    v_status := 'boss_fight';
  end if;

  if p_conversation_id is not null then
    update public.conversations set score_delta = coalesce(score_delta, 0) + v_delta,
      scored_at = case when p_source = 'voice' then p_now else scored_at end
    where id = p_conversation_id;
  end if;

  -- 11. The single history row.
  perform game.write_history(p_user_id, v_score_after, v_user.chapter,
    case when p_source = 'voice' then 'voice_call' else 'exchange' end,
    jsonb_build_object(
      'source', p_source, 'raw_deltas', v_raw, 'warmth_bonus', v_warmth,
      'engagement_state', v_state, 'multiplier', v_multiplier, 'chapter_cap', v_cap,
      'applied_deltas', jsonb_build_object('intimacy', v_applied[1], 'passion', v_applied[2], 'trust', v_applied[3], 'secureness', v_applied[4]),
      'score_before', v_score_before, 'tags', v_behaviors, 'repair', p_analysis -> 'repair',
      'polarity', v_conflict ->> 'polarity', 'temperature', v_conflict -> 'temperature', 'vices', v_vices,
      'confidence', p_analysis -> 'confidence', 'conversation_id', p_conversation_id, 'events', v_events),
    p_conversation_id, p_now);

  return jsonb_build_object(
    'scored', true, 'score_before', v_score_before, 'score_after', v_score_after, 'delta', v_delta,
    'metrics', jsonb_build_object('intimacy', v_new[1], 'passion', v_new[2], 'trust', v_new[3], 'secureness', v_new[4]),
    'chapter', v_user.chapter, 'game_status', v_status,
    'engagement_state', coalesce(v_engagement ->> 'state', v_state),
    'temperature', v_conflict -> 'temperature', 'zone', v_conflict ->> 'zone', 'events', v_events,
    'reply_delay_seconds', case when p_reply_draw is not null
      then (game.reply_delay(p_user_id, p_now, p_reply_draw) ->> 'delay_seconds')::numeric end);
end
$$;
comment on function game.apply_exchange(uuid, jsonb, timestamptz, text, uuid, numeric) is 'Scores one exchange (GAME_RULES.md §3.3): warmth bonus, multiplier, chapter cap, metrics and score, conflict, engagement, vices, game over, boss trigger, one history row; with p_reply_draw, her reply delay; a voice conversation already scored is not scored again. ANBAD, PNFND, ONBRQ, GOVER, BOSSA, CVNFD.';
revoke execute on function game.apply_exchange(uuid, jsonb, timestamptz, text, uuid, numeric) from public;
grant execute on function game.apply_exchange(uuid, jsonb, timestamptz, text, uuid, numeric) to service_role;

-- Raises ANBAD (with what is wrong) unless p_analysis has the analyzer's shape and ranges. Fields other than
-- deltas may be absent and then mean: no tags, no repair, no signals, language 0/0. Every exchange runs it, so a
-- valid analysis is checked with expressions alone (each query in a plpgsql function costs an executor start);
-- queries run only to name what is wrong, or per vice signal when there are any.
create or replace function game.check_analysis(p_analysis jsonb, p_tunables jsonb)
returns void
language plpgsql
immutable
security invoker
set search_path = ''
as $$
declare
  v_limit numeric := (p_tunables ->> 'analyzer_delta_limit')::numeric;
  v_metric text;
  v_item jsonb;
  v_problem text;
begin
  if jsonb_typeof(p_analysis) is distinct from 'object' then
    v_problem := 'analysis must be a JSON object';
  elsif jsonb_typeof(p_analysis -> 'deltas') is distinct from 'object' then
    v_problem := 'deltas must be an object';
  end if;
  if v_problem is null then
    foreach v_metric in array array['intimacy', 'passion', 'trust', 'secureness'] loop
      if jsonb_typeof(p_analysis -> 'deltas' -> v_metric) is distinct from 'number' then
        v_problem := format('deltas.%s must be a number', v_metric);
      elsif abs((p_analysis -> 'deltas' ->> v_metric)::numeric) > v_limit then
        v_problem := format('deltas.%s must be within -%s..%s', v_metric, v_limit, v_limit);
      end if;
      exit when v_problem is not null;
    end loop;
  end if;
  if v_problem is null and (p_analysis -> 'deltas') - array['intimacy', 'passion', 'trust', 'secureness'] <> '{}'::jsonb then
    v_problem := 'deltas has an unknown metric';
  end if;
  if v_problem is null and p_analysis ? 'behaviors' then
    if jsonb_typeof(p_analysis -> 'behaviors') <> 'array' then
      v_problem := 'behaviors must be an array';
    elsif not (p_analysis -> 'behaviors' <@ to_jsonb(game.behavior_tags())) then
      -- Containment holds exactly when every element is one of the tags; the query below only names the culprit.
      select format('unknown behavior: %s', b) into v_problem
      from jsonb_array_elements(p_analysis -> 'behaviors') b
      where jsonb_typeof(b) <> 'string' or not (b #>> '{}' = any (game.behavior_tags()))
      limit 1;
    end if;
  end if;
  if v_problem is null and p_analysis ? 'repair' and jsonb_typeof(p_analysis -> 'repair') <> 'null' then
    if jsonb_typeof(p_analysis -> 'repair') <> 'object'
       or jsonb_typeof(p_analysis -> 'repair' -> 'attempted') is distinct from 'boolean' then
      v_problem := 'repair must be {attempted: boolean, quality}';
    elsif coalesce(p_analysis -> 'repair' ->> 'quality', 'excellent') not in ('excellent', 'good', 'adequate') then
      v_problem := 'repair.quality must be excellent, good, adequate or null';
    end if;
  end if;
  if v_problem is null and p_analysis ? 'vice_signals' then
    if jsonb_typeof(p_analysis -> 'vice_signals') <> 'array' then
      v_problem := 'vice_signals must be an array';
    elsif jsonb_array_length(p_analysis -> 'vice_signals') > 0 then
      for v_item in select jsonb_array_elements(p_analysis -> 'vice_signals') loop
        if jsonb_typeof(v_item) <> 'object' or not (coalesce(v_item ->> 'category', '') = any (game.vice_categories())) then
          v_problem := format('unknown vice category: %s', coalesce(v_item ->> 'category', v_item::text));
        elsif jsonb_typeof(v_item -> 'confidence') is distinct from 'number'
              or (v_item ->> 'confidence')::numeric not between 0 and 1 then
          v_problem := 'vice_signals[].confidence must be a number in 0..1';
        elsif jsonb_typeof(v_item -> 'positive') is distinct from 'boolean' then
          v_problem := 'vice_signals[].positive must be a boolean';
        end if;
        exit when v_problem is not null;
      end loop;
    end if;
  end if;
  if v_problem is null and p_analysis ? 'language' then
    if jsonb_typeof(p_analysis -> 'language') <> 'object' then
      v_problem := 'language must be an object';
    else
      foreach v_metric in array array['needy', 'distracted'] loop
        if p_analysis -> 'language' ? v_metric and (jsonb_typeof(p_analysis -> 'language' -> v_metric) <> 'number'
           or (p_analysis -> 'language' ->> v_metric)::numeric not between 0 and 1) then
          v_problem := format('language.%s must be a number in 0..1', v_metric);
        end if;
        exit when v_problem is not null;
      end loop;
    end if;
  end if;
  if v_problem is null and p_analysis ? 'confidence' and jsonb_typeof(p_analysis -> 'confidence') <> 'null'
     and (jsonb_typeof(p_analysis -> 'confidence') <> 'number' or (p_analysis ->> 'confidence')::numeric not between 0 and 1) then
    v_problem := 'confidence must be a number in 0..1';
  end if;
  if v_problem is not null then
    raise exception 'analysis invalid: %', v_problem using errcode = 'ANBAD';
  end if;
end
$$;
comment on function game.check_analysis(jsonb, jsonb) is 'Validates the analyzer''s judgment (GAME_RULES.md §3.2); raises ANBAD naming the first problem.';
revoke execute on function game.check_analysis(jsonb, jsonb) from public;
grant execute on function game.check_analysis(jsonb, jsonb) to service_role;

-- The analyzer's behaviour tags of GAME_RULES.md §3.2: the engine's one list, read by game.check_analysis. The
-- analyzer's tool schema (functions/_shared/llm/analysis.ts) holds the same list, and a test keeps the two equal.
create or replace function game.behavior_tags()
returns text[]
language sql
immutable
parallel safe
security invoker
set search_path = ''
as $$
  select array['horseman:criticism', 'horseman:contempt', 'horseman:defensiveness', 'horseman:stonewalling',
    'vulnerability_exchange']
$$;
comment on function game.behavior_tags() is 'The analyzer''s behaviour tags (GAME_RULES.md §3.2), the one list the engine checks against.';
revoke execute on function game.behavior_tags() from public;
grant execute on function game.behavior_tags() to service_role;
