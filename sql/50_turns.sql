-- A Telegram turn's rules that are not scoring (GAME_RULES.md §14.2, §14.3): what a message does (begin_turn), rate
-- limits and reply timing.

-- Rate limit bookkeeping: when the last refusal of each kind was due, so at most one goes out per window.
create table game.rate_limits (
  user_id uuid primary key references public.users (id) on delete cascade,
  minute_refused_at timestamptz,
  day_refused_on date
);
comment on table game.rate_limits is 'Per player: the last per-minute refusal time and the last local day a per-day refusal went out.';

alter table game.rate_limits enable row level security;
grant select, insert, update, delete on game.rate_limits to service_role;
create policy "rate_limits: backend only"
  on game.rate_limits for select to service_role
  using (true);

-- What a player's Telegram message does, decided once (PLATFORM.md §2.3): the rate limits (a refusal is a value, not
-- an error), the message stored once, then the route: refused, her closing line (game over or won), a boss step, a
-- reply to a boss phase that timed out first (the timeout is applied), or a scored exchange. Returns the context
-- her reply needs, so a turn asks SQL once before the models work:
-- {route, game_status, warning, refusal: {window, retry_after_seconds, send_line} | null, message_id,
--  conversation_id, player: {display_name, chapter, chapter_name, score, local_time}, history: [{role, content}],
--  boss: the step game.boss_step says this reply makes (with judge: {challenge chapter, vices, engagement_state} and
--  answer_after: the due time of her opening when the reply came before it), or the events of a timeout | null}.
-- history for an exchange: the open conversation, oldest first, ending with this message, at most 60 lines and
-- 12,000 characters (the newest line always; the prompt's budget, not a game rule), with the text of updates that
-- failed their last attempt since the chat's last completed one just before this message, so nothing the player
-- said is lost. For a boss step: every message of both sides since the encounter started, across conversations.
-- A message already stored (a turn planned again) was admitted the first time and is not counted again.
create or replace function game.begin_turn(p_user_id uuid, p_update_id bigint, p_text text, p_now timestamptz)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_t jsonb := game.tunables_json();
  v_user public.users := game.lock_player(p_user_id);
  v_verdict jsonb := '{"limited": false}'::jsonb;
  v_stored jsonb;
  v_route text;
  v_refusal jsonb;
  v_boss jsonb;
  v_timeout jsonb;
  v_fight game.boss_fights;
  v_failed jsonb := '[]'::jsonb;
  v_failed_ids bigint[] := '{}'::bigint[];
  v_history jsonb;
begin
  if v_user.onboarding_status <> 'completed' then
    raise exception 'onboarding not complete' using errcode = 'ONBRQ';
  end if;
  if not exists (select 1 from public.messages where telegram_update_id = p_update_id) then
    v_verdict := game.rate_limit_verdict(v_user, v_t, p_now);
  end if;
  -- Every message is stored, refused ones too (GAME_RULES.md §14.3): stored, not scored.
  v_stored := game.store_player_message(p_user_id, p_update_id, p_text, p_now);
  if (v_verdict ->> 'limited')::boolean then
    v_route := 'refused';
    v_refusal := jsonb_build_object('window', v_verdict ->> 'window',
      'retry_after_seconds', (v_verdict ->> 'retry_after_seconds')::numeric, 'send_line', (v_verdict ->> 'refuse')::boolean);
    if (v_verdict ->> 'refuse')::boolean then
      perform game.note_rate_refusal(p_user_id, v_verdict ->> 'window', p_now);
    end if;
  elsif v_user.game_status in ('game_over', 'won') then
    v_route := 'closing';
  elsif v_user.game_status = 'boss_fight' then
    -- A reply after its phase's deadline: the timeout comes first and the reply belongs to no phase.
    v_timeout := game.expire_due_boss_fight(p_user_id, v_t, p_now);
    if v_timeout is not null then
      v_route := 'boss_late';
      v_boss := jsonb_build_object('boss_fight_id', null, 'phase', null, 'her_reply', 'none', 'judge_now', false,
        'early', false, 'resolution_replies', 0, 'timed_out', true,
        'events', jsonb_build_array(jsonb_build_object('type', 'boss_timeout')) || (v_timeout -> 'events'));
    else
      v_route := 'boss';
      select * into v_fight from game.boss_fights where user_id = p_user_id and phase <> 'resolved';
      v_boss := (game.boss_step(v_fight, v_t) - 'phase_starts') || jsonb_build_object(
        'judge', jsonb_build_object('chapter', v_fight.chapter, 'vices', game.top_vices(p_user_id, v_fight.chapter),
          'engagement_state', (select e.state from public.engagement_state e where e.user_id = p_user_id)),
        'answer_after', (select max(o.due_at) from private.outbox o
                         where o.user_id = p_user_id and o.payload ? 'boss_fight_id'
                           and o.payload ->> 'boss_fight_id' = v_fight.id::text and o.payload ->> 'boss_line' = 'opening'));
    end if;
  else
    v_route := 'exchange';
  end if;
  select * into v_user from public.users where id = p_user_id;

  if v_route = 'boss' then
    select coalesce(jsonb_agg(jsonb_build_object('role', r.role, 'content', r.content) order by r.created_at, r.id), '[]')
    into v_history
    from (
      select m.role, m.content, m.created_at, m.id,
             sum(length(m.content)) over (order by m.created_at desc, m.id desc) as used,
             row_number() over (order by m.created_at desc, m.id desc) as n
      from public.messages m
      where m.user_id = p_user_id and m.created_at >= v_fight.started_at and m.time_in_call_secs is null
      order by m.created_at desc, m.id desc
      limit 200
    ) r
    where r.used <= 40000 or r.n = 1;
  else
    select coalesce(jsonb_agg(jsonb_build_object('role', 'player', 'content', u.payload #>> '{message,text}')
             order by u.update_id), '[]'),
           coalesce(array_agg(u.update_id), '{}')
    into v_failed, v_failed_ids
    from private.telegram_updates u
    where u.chat_id = v_user.telegram_chat_id and u.status = 'failed' and u.kind = 'text' and u.update_id < p_update_id
      and u.update_id > coalesce((select max(d.update_id) from private.telegram_updates d
                                  where d.chat_id = v_user.telegram_chat_id and d.status = 'done'), 0);
    select coalesce(jsonb_agg(jsonb_build_object('role', r.role, 'content', r.content) order by r.created_at, r.id), '[]')
    into v_history
    from (
      select m.role, m.content, m.created_at, m.id,
             sum(length(m.content)) over (order by m.created_at desc, m.id desc) as used,
             row_number() over (order by m.created_at desc, m.id desc) as n
      from public.messages m
      where m.conversation_id = (v_stored ->> 'conversation_id')::uuid
        and m.telegram_update_id is distinct from p_update_id
        and not (m.telegram_update_id is not null and m.telegram_update_id = any (v_failed_ids))
      order by m.created_at desc, m.id desc
      limit 59
    ) r
    where r.used + length(p_text) <= 12000;
    v_history := v_history || v_failed || jsonb_build_array(jsonb_build_object('role', 'player', 'content', p_text));
  end if;

  return jsonb_build_object('route', v_route, 'game_status', v_user.game_status,
    'warning', coalesce((v_verdict ->> 'warning')::boolean, false), 'refusal', v_refusal,
    'message_id', (v_stored ->> 'message_id')::bigint, 'conversation_id', v_stored ->> 'conversation_id',
    'player', jsonb_build_object('display_name', v_user.display_name, 'chapter', v_user.chapter,
      'chapter_name', (select c.name from public.chapters c where c.chapter = v_user.chapter),
      'score', v_user.relationship_score, 'local_time', to_char(p_now at time zone v_user.timezone, 'Dy HH24:MI')),
    'history', v_history, 'boss', v_boss);
end
$$;
comment on function game.begin_turn(uuid, bigint, text, timestamptz) is 'A player''s Telegram message at p_now, decided once: rate limits, the message stored, and the route (refused, closing, boss, boss_late, exchange) with the context her reply needs (history, failed messages, the boss step). PNFND, ONBRQ.';
revoke execute on function game.begin_turn(uuid, bigint, text, timestamptz) from public;
grant execute on function game.begin_turn(uuid, bigint, text, timestamptz) to service_role;

-- Checks the player's message received at p_now against the limits. Over a limit it raises RATEL with detail
-- {window, retry_after_seconds, refuse}; under the limits it returns {minute_count, day_count, warning}.
create or replace function game.check_rate_limit(p_user_id uuid, p_now timestamptz)
returns jsonb
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  v_user public.users;
  v_verdict jsonb;
begin
  select * into v_user from public.users where id = p_user_id;
  if not found then
    raise exception 'player not found: %', p_user_id using errcode = 'PNFND';
  end if;
  v_verdict := game.rate_limit_verdict(v_user, game.tunables_json(), p_now);
  if (v_verdict ->> 'limited')::boolean then
    raise exception 'rate limited: %', v_verdict ->> 'window' using errcode = 'RATEL',
      detail = jsonb_build_object('window', v_verdict -> 'window', 'retry_after_seconds', v_verdict -> 'retry_after_seconds',
        'refuse', v_verdict -> 'refuse')::text;
  end if;
  return v_verdict - 'limited';
end
$$;
comment on function game.check_rate_limit(uuid, timestamptz) is 'Rate limits of GAME_RULES.md §14.3 for a message at p_now: RATEL (detail: window, retry_after_seconds, refuse) over 20/min or 500/local day; the 450th message of the day carries a warning.';
revoke execute on function game.check_rate_limit(uuid, timestamptz) from public;
grant execute on function game.check_rate_limit(uuid, timestamptz) to service_role;

-- Records that the refusal for a window went out, so the next message in that window gets none.
create or replace function game.note_rate_refusal(p_user_id uuid, p_window text, p_now timestamptz)
returns void
language sql
volatile
security invoker
set search_path = ''
as $$
  insert into game.rate_limits as r (user_id, minute_refused_at, day_refused_on)
  select p_user_id,
         case when p_window = 'minute' then p_now end,
         case when p_window = 'day' then (p_now at time zone u.timezone)::date end
  from public.users u where u.id = p_user_id
  on conflict (user_id) do update set
    minute_refused_at = coalesce(excluded.minute_refused_at, r.minute_refused_at),
    day_refused_on = coalesce(excluded.day_refused_on, r.day_refused_on)
$$;
comment on function game.note_rate_refusal(uuid, text, timestamptz) is 'Marks the per-minute or per-day refusal as sent at p_now (at most one per window).';
revoke execute on function game.note_rate_refusal(uuid, text, timestamptz) from public;
grant execute on function game.note_rate_refusal(uuid, text, timestamptz) to service_role;

-- Seconds until her reply to a message received at p_now is due (GAME_RULES.md §14.2). p_draw is Z ~ N(0, 1),
-- drawn by the caller. Returns {delay_seconds, new_conversation, momentum}.
create or replace function game.reply_delay(p_user_id uuid, p_now timestamptz, p_draw numeric)
returns jsonb
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  v_t jsonb := game.tunables_json();
  v_user public.users;
  v_baseline numeric;
  v_ewma numeric;
  v_gap numeric;
  v_momentum numeric := 1.0;
  v_new boolean;
  v_delay numeric;
begin
  select * into v_user from public.users where id = p_user_id;
  if not found then
    raise exception 'player not found: %', p_user_id using errcode = 'PNFND';
  end if;
  -- Only a message that opens a new conversation waits; in a boss fight or a finished game she answers at once.
  v_new := v_user.game_status = 'active' and not exists (
    select 1 from public.messages m
    where m.user_id = p_user_id and m.role = 'player' and m.time_in_call_secs is null
      and m.created_at > p_now - make_interval(mins => (v_t ->> 'new_conversation_gap')::int) and m.created_at < p_now);
  if not v_new then
    return jsonb_build_object('delay_seconds', 0, 'new_conversation', false, 'momentum', null);
  end if;

  -- Momentum: EWMA (seeded at the chapter baseline) of the last 10 gaps between the player's messages under 900 s.
  v_baseline := (v_t -> 'momentum_baseline' ->> (v_user.chapter - 1))::numeric;
  v_ewma := v_baseline;
  for v_gap in
    select g from (
      select greatest((v_t ->> 'momentum_gap_floor')::numeric, gap) as g, created_at
      from (
        select created_at, extract(epoch from created_at - lag(created_at) over (order by created_at)) as gap
        from (
          select m.created_at from public.messages m
          where m.user_id = p_user_id and m.role = 'player' and m.time_in_call_secs is null and m.created_at <= p_now
          order by m.created_at desc
          limit 50
        ) recent
      ) gaps
      where gap is not null and gap < (v_t ->> 'momentum_gap_exclude')::numeric
      order by created_at desc
      limit (v_t ->> 'momentum_gaps')::int
    ) kept order by created_at
  loop
    v_ewma := (v_t ->> 'momentum_alpha')::numeric * v_gap + (1 - (v_t ->> 'momentum_alpha')::numeric) * v_ewma;
    v_momentum := null;
  end loop;
  v_momentum := case when v_momentum is null
    then greatest((v_t ->> 'momentum_min')::numeric, least((v_t ->> 'momentum_max')::numeric, v_ewma / v_baseline))
    else 1.0 end;

  v_delay := greatest((v_t ->> 'reply_min_delay')::numeric, floor(least(
    (v_t -> 'reply_cap' ->> (v_user.chapter - 1))::numeric,
    exp((v_t ->> 'reply_lognormal_mu')::numeric + (v_t ->> 'reply_lognormal_sigma')::numeric * p_draw)
      * (v_t -> 'reply_coefficient' ->> (v_user.chapter - 1))::numeric * v_momentum)));
  return jsonb_build_object('delay_seconds', v_delay, 'new_conversation', true, 'momentum', round(v_momentum, 4));
end
$$;
comment on function game.reply_delay(uuid, timestamptz, numeric) is 'Her reply delay (GAME_RULES.md §14.2): 0 inside a conversation, else max(1, floor(min(cap, exp(mu + sigma Z) x coefficient x momentum))).';
revoke execute on function game.reply_delay(uuid, timestamptz, numeric) from public;
grant execute on function game.reply_delay(uuid, timestamptz, numeric) to service_role;

-- The rate-limit verdict for the player's message received at p_now (GAME_RULES.md §14.3), counting it with the
-- messages already stored: {limited, window, retry_after_seconds, refuse, minute_count, day_count, warning}.
-- refuse is true for the first refusal of that window (at most one goes out per window); warning marks the 450th
-- message of the local day. The one home of the rule: check_rate_limit raises it, begin_turn routes on it.
create or replace function game.rate_limit_verdict(p_user public.users, p_tunables jsonb, p_now timestamptz)
returns jsonb
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  v_limits game.rate_limits;
  v_day date := (p_now at time zone p_user.timezone)::date;
  v_minute int;
  v_today int;
  v_oldest timestamptz;
begin
  select * into v_limits from game.rate_limits where user_id = p_user.id;
  -- This message plus the player's stored messages in (now - 60 s, now) and on this local day.
  select 1 + count(*) filter (where m.created_at > p_now - interval '60 seconds'),
         1 + count(*) filter (where (m.created_at at time zone p_user.timezone)::date = v_day),
         min(m.created_at) filter (where m.created_at > p_now - interval '60 seconds')
  into v_minute, v_today, v_oldest
  from public.messages m
  where m.user_id = p_user.id and m.role = 'player' and m.time_in_call_secs is null
    and m.created_at >= least(p_now - interval '60 seconds', (v_day::timestamp at time zone p_user.timezone))
    and m.created_at < p_now;
  if v_today > (p_tunables ->> 'rate_per_day')::int then
    return jsonb_build_object('limited', true, 'window', 'day',
      'retry_after_seconds', ceil(extract(epoch from ((v_day + 1)::timestamp at time zone p_user.timezone) - p_now)),
      'refuse', v_limits.day_refused_on is distinct from v_day, 'minute_count', v_minute, 'day_count', v_today,
      'warning', false);
  end if;
  if v_minute > (p_tunables ->> 'rate_per_minute')::int then
    return jsonb_build_object('limited', true, 'window', 'minute',
      'retry_after_seconds', greatest(1, ceil(extract(epoch from v_oldest + interval '60 seconds' - p_now))),
      'refuse', v_limits.minute_refused_at is null or v_limits.minute_refused_at <= p_now - interval '60 seconds',
      'minute_count', v_minute, 'day_count', v_today, 'warning', false);
  end if;
  return jsonb_build_object('limited', false, 'minute_count', v_minute, 'day_count', v_today,
    'warning', v_today = (p_tunables ->> 'rate_warning_at')::int);
end
$$;
comment on function game.rate_limit_verdict(public.users, jsonb, timestamptz) is 'The rate-limit verdict of GAME_RULES.md §14.3 for a message at p_now, as a value: limited, window, retry_after_seconds, refuse (first refusal of the window), counts, warning (450th of the day).';
revoke execute on function game.rate_limit_verdict(public.users, jsonb, timestamptz) from public;
grant execute on function game.rate_limit_verdict(public.users, jsonb, timestamptz) to service_role;
