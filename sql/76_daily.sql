-- Her daily summary of each player's day (GAME_RULES.md §17) and the hourly cleanup by age (PLATFORM.md §5.2).
-- public.daily_summaries lives with the scores (14_scores.sql); this file holds what the daily-summaries job calls:
-- which player-dates are due, the inputs of one day, and the save (with the fallback text), plus game.cleanup.
-- Every date is the player's local date (their timezone; UTC until set), so a day runs from local midnight to
-- local midnight whatever the offset.

-- The player-dates whose summary is due at p_now, for at most p_limit players (oldest due date first), each with
-- all of its due dates: local dates that have ended, had at least one conversation (started on that date) and
-- have no summary yet, going back at most summary_catch_up_days days (a player away from the job longer than that
-- loses the older days). A date also waits while one of its conversations is still open or its post-conversation
-- job has not finished (pending, running or retry), so her summary reads every conversation's summary and tone.
-- Players whose game is over or won are included: a summary of a finished day is harmless and completes the
-- portal's history (only proactive messages, psyche and life events stop for them).
create or replace function game.due_daily_summaries(p_now timestamptz, p_limit integer)
returns table (user_id uuid, date date)
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  v_days integer := (game.tunables_json() ->> 'summary_catch_up_days')::integer;
begin
  if p_limit is null or p_limit <= 0 then
    raise exception 'due_daily_summaries: the limit must be positive, not %', p_limit using errcode = '22023';
  end if;
  return query
  with recent as (
    -- Local offsets lie within a day of UTC, so two extra days cover the oldest local date that can be due.
    select c.user_id, (c.started_at at time zone u.timezone)::date as day,
           (p_now at time zone u.timezone)::date as today,
           c.status = 'open' or exists (select 1 from private.conversation_jobs j
             where j.conversation_id = c.id and j.status in ('pending', 'running', 'retry')) as unsettled
    from public.conversations c
    join public.users u on u.id = c.user_id
    where c.started_at >= p_now - make_interval(days => v_days + 2) and c.started_at < p_now
  ),
  due as (
    select r.user_id, r.day
    from recent r
    where r.day < r.today and r.day >= r.today - v_days
      and not exists (select 1 from public.daily_summaries s where s.user_id = r.user_id and s.date = r.day)
    group by r.user_id, r.day
    having not bool_or(r.unsettled)
  ),
  players as (
    select d.user_id, min(d.day) as first_day from due d group by d.user_id
    order by min(d.day), d.user_id
    limit p_limit
  )
  select d.user_id, d.day from due d join players p on p.user_id = d.user_id
  order by p.first_day, d.user_id, d.day;
end
$$;
comment on function game.due_daily_summaries(timestamptz, integer) is 'Player-dates due for a daily summary at p_now (GAME_RULES.md §17): ended local dates with a conversation and no summary, at most summary_catch_up_days back, whose conversations are closed and processed; at most p_limit players, every due date of each.';
revoke execute on function game.due_daily_summaries(timestamptz, integer) from public;
grant execute on function game.due_daily_summaries(timestamptz, integer) to service_role;

-- What her summary of one local date is written from (GAME_RULES.md §17): the numbers (daily_summary_numbers),
-- the day's conversations (time, platform, summary, tone), the threads left open and the thoughts she had that
-- day, her chapter as "N/5", and the rules of the answer (sentences, key moments, tones, lengths). Read-only: the
-- save computes the numbers again, so what is stored never depends on what a caller passed along.
create or replace function game.daily_summary_inputs(p_user_id uuid, p_date date)
returns jsonb
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  v_t jsonb := game.tunables_json();
  v_items integer := (v_t ->> 'summary_input_items')::integer;
  v_user public.users;
  v_from timestamptz;
  v_to timestamptz;
  v_numbers jsonb;
begin
  select * into v_user from public.users where id = p_user_id;
  if not found then
    raise exception 'player not found: %', p_user_id using errcode = 'PNFND';
  end if;
  v_from := p_date::timestamp at time zone v_user.timezone;
  v_to := (p_date + 1)::timestamp at time zone v_user.timezone;
  v_numbers := game.daily_summary_numbers(p_user_id, v_from, v_to);
  return v_numbers || jsonb_build_object(
    'user_id', p_user_id,
    'date', p_date,
    'display_name', v_user.display_name,
    'game_status', v_user.game_status,
    'chapter', format('%s/%s', v_numbers ->> 'chapter', (select max(c.chapter) from public.chapters c)),
    'conversations', (
      select coalesce(jsonb_agg(jsonb_build_object('at', to_char(c.started_at at time zone v_user.timezone, 'HH24:MI'),
               'platform', c.platform, 'summary', c.summary, 'tone', c.emotional_tone) order by c.started_at), '[]')
      from (select * from public.conversations c
            where c.user_id = p_user_id and c.started_at >= v_from and c.started_at < v_to
            order by c.started_at limit v_items) c),
    'threads', (
      select coalesce(jsonb_agg(jsonb_build_object('type', t.type, 'content', t.content) order by t.created_at), '[]')
      from (select * from game.conversation_threads t
            where t.user_id = p_user_id and t.created_at >= v_from and t.created_at < v_to
            order by t.created_at limit v_items) t),
    'thoughts', (
      select coalesce(jsonb_agg(jsonb_build_object('type', t.type, 'content', t.content) order by t.created_at), '[]')
      from (select * from game.thoughts t
            where t.user_id = p_user_id and t.created_at >= v_from and t.created_at < v_to
            order by t.created_at limit v_items) t),
    'rules', jsonb_build_object(
      'sentences', v_t -> 'summary_sentences',
      'key_moments', v_t -> 'summary_key_moments',
      'summary_max_chars', v_t -> 'summary_max_chars',
      'key_moment_max_chars', v_t -> 'summary_key_moment_max_chars',
      'tones', to_jsonb(game.summary_tones())));
end
$$;
comment on function game.daily_summary_inputs(uuid, date) is 'The inputs of one player''s daily summary of local date p_date (GAME_RULES.md §17): score_start, score_end, decay_applied, conversations_count, chapter "N/5", the day''s conversations, threads and thoughts, and the answer''s rules.';
revoke execute on function game.daily_summary_inputs(uuid, date) from public;
grant execute on function game.daily_summary_inputs(uuid, date) to service_role;

-- Saves the summary of a player's local date once (GAME_RULES.md §17); a second save of the same date changes
-- nothing and returns the stored row ({saved: false}). p_summary is the model's answer {summary, key_moments,
-- emotional_tone}, checked here (DSBAD when invalid: a summary of 1..summary_max_chars characters, key moments
-- within summary_key_moments of 1..summary_key_moment_max_chars characters each, one of the six tones); null when
-- no summary could be generated, which saves the fallback: "We talked N time(s) today." (time or times by N), no
-- key moments, tone neutral. The numbers are computed here from score_history and conversations. DSBAD too for a
-- date that has not ended at p_now in the player's timezone, or one without a conversation.
create or replace function game.save_daily_summary(p_user_id uuid, p_date date, p_summary jsonb, p_now timestamptz)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_user public.users;
  v_numbers jsonb;
  v_count integer;
  v_checked jsonb;
  v_fallback boolean := p_summary is null or jsonb_typeof(p_summary) = 'null';
  v_row public.daily_summaries;
  v_saved boolean := false;
begin
  select * into v_user from public.users where id = p_user_id;
  if not found then
    raise exception 'player not found: %', p_user_id using errcode = 'PNFND';
  end if;
  if p_date is null or p_date >= (p_now at time zone v_user.timezone)::date then
    raise exception 'daily summary of %: the day has not ended in %', p_date, v_user.timezone
      using errcode = 'DSBAD', detail = 'day_not_over';
  end if;
  v_numbers := game.daily_summary_numbers(p_user_id, p_date::timestamp at time zone v_user.timezone,
    (p_date + 1)::timestamp at time zone v_user.timezone);
  v_count := (v_numbers ->> 'conversations_count')::integer;
  if v_count = 0 then
    raise exception 'daily summary of %: no conversation on that date', p_date
      using errcode = 'DSBAD', detail = 'no_conversation';
  end if;
  v_checked := case when v_fallback
    then jsonb_build_object('summary', format('We talked %s %s today.', v_count, case when v_count = 1 then 'time' else 'times' end),
           'key_moments', '[]'::jsonb, 'emotional_tone', 'neutral')
    else game.check_daily_summary(p_summary) end;

  insert into public.daily_summaries (user_id, date, score_start, score_end, decay_applied, conversations_count,
    summary_text, key_moments, emotional_tone, created_at)
  values (p_user_id, p_date, (v_numbers ->> 'score_start')::numeric, (v_numbers ->> 'score_end')::numeric,
    (v_numbers ->> 'decay_applied')::numeric, v_count, v_checked ->> 'summary', v_checked -> 'key_moments',
    v_checked ->> 'emotional_tone', p_now)
  on conflict (user_id, date) do nothing
  returning * into v_row;
  if found then
    v_saved := true;
  else
    select * into v_row from public.daily_summaries s where s.user_id = p_user_id and s.date = p_date;
  end if;
  return jsonb_build_object('saved', v_saved, 'fallback', v_saved and v_fallback,
    'summary', to_jsonb(v_row) - 'id' - 'user_id' - 'created_at');
end
$$;
comment on function game.save_daily_summary(uuid, date, jsonb, timestamptz) is 'Saves one player''s summary of an ended local date once (GAME_RULES.md §17), with the numbers computed from history; p_summary null saves the fallback "We talked N time(s) today."; DSBAD for an invalid answer, a day not over or one without a conversation.';
revoke execute on function game.save_daily_summary(uuid, date, jsonb, timestamptz) from public;
grant execute on function game.save_daily_summary(uuid, date, jsonb, timestamptz) to service_role;

-- The hourly cleanup (PLATFORM.md §5.2, cron nikita-cleanup): deletes by age only, at most cleanup_batch_max rows
-- per table per run (a backlog goes over the next runs), each age a tunable, everything compared with p_now:
-- signups still unverified (no player yet) past their expiry (a verified signup is an onboarding in progress and
-- continues after it); link codes past their expiry; voice tool calls older than cleanup_tool_calls_days; job runs
-- started more than cleanup_job_runs_days ago; pg_cron's run log older than cleanup_cron_runs_days; and Auth users
-- older than cleanup_auth_users_hours that never confirmed an email or phone and whose player was never bound to
-- Telegram nor onboarded (abandoned signups; deleting them cascades to their player rows). The inbox and the outbox
-- are history tables with rules of their own: game.apply_retention (sql/35_retention.sql) deletes their old rows.
-- Rows locked by a running transaction are skipped this time. pg_cron runs it as postgres, which owns
-- cron.job_run_details. Returns the rows deleted per table.
create or replace function game.cleanup(p_now timestamptz)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_t jsonb := game.tunables_json();
  v_max integer := (v_t ->> 'cleanup_batch_max')::integer;
  v_signups integer;
  v_codes integer;
  v_tool_calls integer;
  v_job_runs integer;
  v_cron_runs integer;
  v_auth_users integer;
begin
  delete from private.telegram_signups s where s.telegram_id in (
    select x.telegram_id from private.telegram_signups x
    where x.user_id is null and x.expires_at <= p_now
    limit v_max for update skip locked);
  get diagnostics v_signups = row_count;

  delete from private.telegram_link_codes l where l.code in (
    select x.code from private.telegram_link_codes x
    where x.expires_at <= p_now
    limit v_max for update skip locked);
  get diagnostics v_codes = row_count;

  delete from private.tool_calls c where c.idempotency_key in (
    select x.idempotency_key from private.tool_calls x
    where x.created_at < p_now - make_interval(days => (v_t ->> 'cleanup_tool_calls_days')::integer)
    limit v_max for update skip locked);
  get diagnostics v_tool_calls = row_count;

  delete from private.job_runs r where r.id in (
    select x.id from private.job_runs x
    where x.started_at < p_now - make_interval(days => (v_t ->> 'cleanup_job_runs_days')::integer)
    limit v_max for update skip locked);
  get diagnostics v_job_runs = row_count;

  delete from cron.job_run_details d where d.runid in (
    select x.runid from cron.job_run_details x
    where x.end_time < p_now - make_interval(days => (v_t ->> 'cleanup_cron_runs_days')::integer)
    limit v_max for update skip locked);
  get diagnostics v_cron_runs = row_count;

  delete from auth.users a where a.id in (
    select x.id from auth.users x
    where x.email_confirmed_at is null and x.phone_confirmed_at is null
      and x.created_at < p_now - make_interval(hours => (v_t ->> 'cleanup_auth_users_hours')::integer)
      and not exists (select 1 from public.users p where p.id = x.id
        and (p.telegram_id is not null or p.onboarding_status <> 'pending' or p.onboarded_at is not null))
    limit v_max for update skip locked);
  get diagnostics v_auth_users = row_count;

  return jsonb_build_object('telegram_signups', v_signups, 'telegram_link_codes', v_codes,
    'tool_calls', v_tool_calls, 'job_runs', v_job_runs, 'cron_job_run_details', v_cron_runs,
    'auth_users', v_auth_users);
end
$$;
comment on function game.cleanup(timestamptz) is 'Hourly deletion by age (PLATFORM.md §5.2): expired unverified signups and link codes, tool calls, job runs, pg_cron run details, abandoned unconfirmed Auth users (the inbox and outbox are game.apply_retention''s); at most cleanup_batch_max rows per table; returns the count per table.';
revoke execute on function game.cleanup(timestamptz) from public;
grant execute on function game.cleanup(timestamptz) to service_role;

-- The numbers of a local day [p_from, p_to) (GAME_RULES.md §17): score_start = the score after the last change
-- before the day began (metric_start, 50, if none: every metric starts there and the weights sum to 1); score_end =
-- after the last change of the day (score_start if none); decay_applied = the sum of the score drops
-- (score_before - score) of the day's decay rows; conversations_count = conversations started that day; chapter =
-- the chapter after the last change up to the day's end (the player's chapter if there was none).
create or replace function game.daily_summary_numbers(p_user_id uuid, p_from timestamptz, p_to timestamptz)
returns jsonb
language sql
stable
security invoker
set search_path = ''
as $$
  select jsonb_build_object(
    'score_start', s.score_start,
    'score_end', coalesce(e.score, s.score_start),
    'chapter', coalesce(e.chapter, s.chapter, (select u.chapter from public.users u where u.id = p_user_id)),
    'decay_applied', (
      select coalesce(sum(greatest(coalesce((h.event_details ->> 'score_before')::numeric - h.score, 0), 0)), 0)
      from public.score_history h
      where h.user_id = p_user_id and h.event_type = 'decay' and h.recorded_at >= p_from and h.recorded_at < p_to),
    'conversations_count', (
      select count(*)::integer from public.conversations c
      where c.user_id = p_user_id and c.started_at >= p_from and c.started_at < p_to))
  from (
    select coalesce(b.score, (game.tunables_json() ->> 'metric_start')::numeric) as score_start, b.chapter
    from (select 1) one
    left join lateral (
      select h.score, h.chapter from public.score_history h
      where h.user_id = p_user_id and h.recorded_at < p_from
      order by h.recorded_at desc, h.id desc limit 1) b on true
  ) s
  left join lateral (
    select h.score, h.chapter from public.score_history h
    where h.user_id = p_user_id and h.recorded_at >= p_from and h.recorded_at < p_to
    order by h.recorded_at desc, h.id desc limit 1) e on true
$$;
comment on function game.daily_summary_numbers(uuid, timestamptz, timestamptz) is 'score_start, score_end, decay_applied, conversations_count and chapter of one local day [p_from, p_to) (GAME_RULES.md §17).';
revoke execute on function game.daily_summary_numbers(uuid, timestamptz, timestamptz) from public;
grant execute on function game.daily_summary_numbers(uuid, timestamptz, timestamptz) to service_role;

-- The tones of a daily summary (GAME_RULES.md §17), the list the daily_summaries check allows; the job builds its
-- tool's enum from it (daily_summary_inputs.rules.tones).
create or replace function game.summary_tones()
returns text[]
language sql
immutable
security invoker
set search_path = ''
as $$
  select array['warm', 'playful', 'tense', 'passionate', 'neutral', 'distant']
$$;
comment on function game.summary_tones() is 'The six tones of a daily summary (GAME_RULES.md §17).';
revoke execute on function game.summary_tones() from public;
grant execute on function game.summary_tones() to service_role;

-- Checks the model's answer against the rules of §17 and returns it trimmed; DSBAD (detail: what is wrong) otherwise.
create or replace function game.check_daily_summary(p_summary jsonb)
returns jsonb
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  v_t jsonb := game.tunables_json();
  v_min integer := (v_t -> 'summary_key_moments' ->> 0)::integer;
  v_max integer := (v_t -> 'summary_key_moments' ->> 1)::integer;
  v_text text;
  v_moments jsonb;
  v_moment jsonb;
  v_trimmed jsonb := '[]'::jsonb;
  v_tone text;
begin
  if jsonb_typeof(p_summary) is distinct from 'object' then
    raise exception 'daily summary: an object is expected' using errcode = 'DSBAD', detail = 'not_an_object';
  end if;
  v_text := trim(case when jsonb_typeof(p_summary -> 'summary') = 'string' then p_summary ->> 'summary' end);
  if v_text is null or char_length(v_text) not between 1 and (v_t ->> 'summary_max_chars')::integer then
    raise exception 'daily summary: summary must be text of 1 to % characters', v_t ->> 'summary_max_chars'
      using errcode = 'DSBAD', detail = 'summary';
  end if;
  v_moments := p_summary -> 'key_moments';
  if jsonb_typeof(v_moments) is distinct from 'array' or jsonb_array_length(v_moments) not between v_min and v_max then
    raise exception 'daily summary: key_moments must be a list of % to % items', v_min, v_max
      using errcode = 'DSBAD', detail = 'key_moments';
  end if;
  for v_moment in select jsonb_array_elements(v_moments) loop
    if jsonb_typeof(v_moment) <> 'string' or char_length(trim(v_moment #>> '{}'))
         not between 1 and (v_t ->> 'summary_key_moment_max_chars')::integer then
      raise exception 'daily summary: each key moment must be text of 1 to % characters',
        v_t ->> 'summary_key_moment_max_chars' using errcode = 'DSBAD', detail = 'key_moments';
    end if;
    v_trimmed := v_trimmed || to_jsonb(trim(v_moment #>> '{}'));
  end loop;
  v_tone := case when jsonb_typeof(p_summary -> 'emotional_tone') = 'string' then p_summary ->> 'emotional_tone' end;
  if v_tone is null or not (v_tone = any (game.summary_tones())) then
    raise exception 'daily summary: emotional_tone must be one of %', array_to_string(game.summary_tones(), ', ')
      using errcode = 'DSBAD', detail = 'emotional_tone';
  end if;
  return jsonb_build_object('summary', v_text, 'key_moments', v_trimmed, 'emotional_tone', v_tone);
end
$$;
comment on function game.check_daily_summary(jsonb) is 'Validates a daily summary answer {summary, key_moments, emotional_tone} against GAME_RULES.md §17 and returns it trimmed; raises DSBAD.';
revoke execute on function game.check_daily_summary(jsonb) from public;
grant execute on function game.check_daily_summary(jsonb) to service_role;
