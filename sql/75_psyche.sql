-- Her psyche (GAME_RULES.md §12): the state that shapes her tone, guidance and topics. A daily batch writes one state
-- per player per UTC date (Message Batches API, PLATFORM.md §5.1 psyche-submit / psyche-collect); a message that
-- calls for it gets a live generation before her reply (deep or quick, §12.2). Every generation is a row of
-- game.psyche_states, and the latest one by generated_at is current (one read of psyche_states_latest_idx).

create table game.psyche_states (
  id bigint generated always as identity primary key,
  user_id uuid not null references public.users (id) on delete cascade,
  -- The UTC date the state belongs to: the batch's date, or the date of a live generation.
  day date not null,
  state jsonb not null,
  model text not null,
  source text not null check (source in ('batch', 'live')),
  -- The tier of a live generation (deep counts toward the daily cap); none for a batch state.
  tier text check (tier in ('deep', 'quick')),
  generated_at timestamptz not null,
  check ((source = 'live') = (tier is not null))
);
comment on table game.psyche_states is 'Her psyche states (GAME_RULES.md §12.1), one row per generation: the daily batch (one per player and UTC day) and live deep/quick generations; the latest by generated_at is current.';
comment on column game.psyche_states.generated_at is 'When the state was generated from its context: the submission time for a batch state, the turn''s time for a live one.';
-- One batch state per player per UTC day: collect upserts here, by custom_id.
create unique index psyche_states_batch_day_idx on game.psyche_states (user_id, day) where source = 'batch';
-- The current state and the deep generations of a local day: one index range per player.
create index psyche_states_latest_idx on game.psyche_states (user_id, generated_at desc, id desc);

alter table game.psyche_states enable row level security;
grant select, insert, update, delete on game.psyche_states to service_role;
create policy "psyche_states: backend only"
  on game.psyche_states for select to service_role
  using (true);

-- One Message Batches API batch (PLATFORM.md §5.1): the vendor's id, the UTC day it is for and its chunk number
-- within the day (a retry of errored or expired items goes out as a later chunk), and where it stands.
create table private.psyche_batches (
  batch_id text primary key,
  day date not null,
  chunk integer not null check (chunk >= 1),
  status text not null default 'in_progress' check (status in ('in_progress', 'canceling', 'ended', 'collected')),
  request_count integer not null check (request_count between 1 and 10000),
  submitted_at timestamptz not null,
  ended_at timestamptz,
  collected_at timestamptz,
  unique (day, chunk)
);
comment on table private.psyche_batches is 'Psyche batches sent to the Message Batches API: vendor batch id, UTC day, chunk within the day, status (in_progress, canceling, ended, collected once its results are saved).';
create index psyche_batches_open_idx on private.psyche_batches (submitted_at) where status <> 'collected';

alter table private.psyche_batches enable row level security;
grant select, insert, update, delete on private.psyche_batches to service_role;
create policy "psyche_batches: backend only"
  on private.psyche_batches for select to service_role
  using (true);

-- One request per eligible player per UTC day (PLATFORM.md §5.1): pending until claimed, submitting while a run
-- sends it (with a lease), submitted in a batch, then succeeded, or retry once (errored, expired) and failed after.
create table private.psyche_requests (
  id bigint generated always as identity primary key,
  user_id uuid not null references public.users (id) on delete cascade,
  day date not null,
  custom_id text not null unique check (custom_id ~ '^[a-zA-Z0-9_-]{1,64}$'),
  batch_id text references private.psyche_batches (batch_id) on delete set null,
  status text not null default 'pending'
    check (status in ('pending', 'submitting', 'submitted', 'succeeded', 'retry', 'failed')),
  attempts smallint not null default 0 check (attempts between 0 and 2),
  lease_until timestamptz,
  last_error text,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  unique (user_id, day)
);
comment on table private.psyche_requests is 'The daily psyche request of a player (GAME_RULES.md §12.2): custom_id <user_id>_<yyyymmdd>, its batch, status and attempts (an errored or expired item is retried once for the same day).';
create index psyche_requests_batch_idx on private.psyche_requests (batch_id) where batch_id is not null;
create index psyche_requests_due_idx on private.psyche_requests (day, status) where status in ('pending', 'retry', 'submitting');

alter table private.psyche_requests enable row level security;
grant select, insert, update, delete on private.psyche_requests to service_role;
create policy "psyche_requests: backend only"
  on private.psyche_requests for select to service_role
  using (true);

-- ---- Entry points ----

-- Her current psyche state: the latest generation, else the default state of §12.1 (source 'default').
-- Returns {state, source, tier, model, generated_at}. PNFND.
create or replace function game.current_psyche(p_user_id uuid)
returns jsonb
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  v_row game.psyche_states;
begin
  if not exists (select 1 from public.users where id = p_user_id) then
    raise exception 'player not found: %', p_user_id using errcode = 'PNFND';
  end if;
  select * into v_row from game.psyche_states
  where user_id = p_user_id order by generated_at desc, id desc limit 1;
  if not found then
    return jsonb_build_object('state', game.default_psyche(), 'source', 'default', 'tier', null, 'model', null,
      'generated_at', null);
  end if;
  return jsonb_build_object('state', v_row.state, 'source', v_row.source, 'tier', v_row.tier, 'model', v_row.model,
    'generated_at', v_row.generated_at);
end
$$;
comment on function game.current_psyche(uuid) is 'Her current psyche state (GAME_RULES.md §12.1): the latest generation, else the default state. PNFND.';
revoke execute on function game.current_psyche(uuid) from public;
grant execute on function game.current_psyche(uuid) to service_role;

-- The per-message tier (GAME_RULES.md §12.2), decided before her reply to p_message at p_now:
-- deep: status boss_fight, the previous scored exchange carried a horseman tag, or a crisis phrase; at most
--   psyche_deep_daily_max deep generations per player per local day, then quick instead;
-- quick: the first player message of the local day (none earlier than p_now that day), one score change (an exchange,
--   a call or a decay application) since the last generation that lowered the score by more than
--   psyche_quick_score_drop, or an emotional phrase;
-- cached otherwise, and always for a player who is not eligible (GAME_RULES.md §12.2: active or boss_fight, onboarded).
-- Phrases match as case-insensitive substrings (typographic apostrophes read as plain ones). PNFND.
create or replace function game.psyche_tier(p_user_id uuid, p_message text, p_now timestamptz)
returns text
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  v_t jsonb := game.tunables_json();
  v_user public.users;
  v_text text := replace(replace(lower(coalesce(p_message, '')), chr(8217), ''''), chr(8216), '''');
  v_day_start timestamptz;
  v_last timestamptz;
  v_deep boolean;
  v_deep_today int;
begin
  select * into v_user from public.users where id = p_user_id;
  if not found then
    raise exception 'player not found: %', p_user_id using errcode = 'PNFND';
  end if;
  if not game.psyche_eligible(v_user) then
    return 'cached';
  end if;
  v_day_start := ((p_now at time zone v_user.timezone)::date)::timestamp at time zone v_user.timezone;
  v_deep := v_user.game_status = 'boss_fight'
    or coalesce((
      select exists (select 1 from jsonb_array_elements_text(coalesce(h.event_details -> 'tags', '[]'::jsonb)) tag
                     where tag like 'horseman:%')
      from public.score_history h
      where h.user_id = p_user_id and h.event_type in ('exchange', 'voice_call') and h.recorded_at <= p_now
      order by h.recorded_at desc, h.id desc limit 1), false)
    or game.psyche_phrase_in(v_text, v_t -> 'psyche_crisis_phrases');
  if v_deep then
    select count(*) into v_deep_today from game.psyche_states s
    where s.user_id = p_user_id and s.tier = 'deep' and s.generated_at >= v_day_start and s.generated_at <= p_now;
    if v_deep_today < (v_t ->> 'psyche_deep_daily_max')::int then
      return 'deep';
    end if;
    return 'quick';
  end if;
  if not exists (select 1 from public.messages m
                 where m.user_id = p_user_id and m.role = 'player'
                   and m.created_at >= v_day_start and m.created_at < p_now) then
    return 'quick';
  end if;
  select max(s.generated_at) into v_last from game.psyche_states s
  where s.user_id = p_user_id and s.generated_at <= p_now;
  if exists (select 1 from public.score_history h
             where h.user_id = p_user_id and h.event_type in ('exchange', 'voice_call', 'decay')
               and h.recorded_at > coalesce(v_last, v_user.game_started_at) and h.recorded_at <= p_now
               and (h.event_details ->> 'score_before')::numeric - h.score > (v_t ->> 'psyche_quick_score_drop')::numeric)
     or game.psyche_phrase_in(v_text, v_t -> 'psyche_emotional_phrases') then
    return 'quick';
  end if;
  return 'cached';
end
$$;
comment on function game.psyche_tier(uuid, text, timestamptz) is 'The psyche tier for a player message at p_now (GAME_RULES.md §12.2): deep (capped per local day, then quick), quick or cached. PNFND.';
revoke execute on function game.psyche_tier(uuid, text, timestamptz) from public;
grant execute on function game.psyche_tier(uuid, text, timestamptz) to service_role;

-- What a generation is made from (GAME_RULES.md §12.2), at p_now, over (p_now - psyche_batch_window h, p_now]: the
-- player (name, chapter, status, score, local time), her current state, up to 20 score_history rows (newest first,
-- with each change and its tags), up to 10 closed conversations (summary, tone), up to 10 of her life events whose
-- slot began in the window, her circle (the people of those events and how they feel to her, §13.1), and the
-- field limits. The same context feeds the batch and a live generation. PNFND.
create or replace function game.psyche_context(p_user_id uuid, p_now timestamptz)
returns jsonb
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  v_t jsonb := game.tunables_json();
  v_user public.users;
  v_from timestamptz;
  v_events jsonb;
begin
  select * into v_user from public.users where id = p_user_id;
  if not found then
    raise exception 'player not found: %', p_user_id using errcode = 'PNFND';
  end if;
  v_from := p_now - make_interval(hours => (v_t ->> 'psyche_batch_window')::int);
  select coalesce(jsonb_agg(e.j order by e.starts_at desc, e.ordinal desc), '[]'::jsonb) into v_events
  from (
    select l.ordinal, s.starts_at, jsonb_build_object('date', l.event_date, 'time_of_day', l.time_of_day,
             'domain', l.domain, 'event_type', l.event_type, 'description', l.description, 'people', to_jsonb(l.people),
             'importance', l.importance, 'emotional_impact', l.emotional_impact) as j
    from public.life_events l
    cross join lateral (select (l.event_date + (case l.time_of_day when 'morning' then time '06:00'
                                  when 'afternoon' then time '12:00' when 'evening' then time '17:00'
                                  else time '21:00' end)) at time zone 'Europe/Berlin' as starts_at) s
    where l.user_id = p_user_id
      and l.event_date between (v_from at time zone 'Europe/Berlin')::date - 1 and (p_now at time zone 'Europe/Berlin')::date
      and s.starts_at > v_from and s.starts_at <= p_now
    order by s.starts_at desc, l.ordinal desc
    limit (v_t -> 'psyche_batch_inputs' ->> 'events')::int
  ) e;
  return jsonb_build_object(
    'player', jsonb_build_object('display_name', v_user.display_name, 'chapter', v_user.chapter,
      'chapter_name', (select c.name from public.chapters c where c.chapter = v_user.chapter),
      'game_status', v_user.game_status, 'score', v_user.relationship_score,
      'local_time', to_char(p_now at time zone v_user.timezone, 'Dy DD Mon HH24:MI')),
    'current', game.current_psyche(p_user_id),
    'score_history', coalesce((
      select jsonb_agg(jsonb_build_object('at', h.recorded_at, 'event_type', h.event_type, 'score', h.score,
               'change', h.score - (h.event_details ->> 'score_before')::numeric,
               'tags', coalesce(h.event_details -> 'tags', '[]'::jsonb)) order by h.recorded_at desc, h.id desc)
      from (select * from public.score_history
            where user_id = p_user_id and recorded_at > v_from and recorded_at <= p_now
            order by recorded_at desc, id desc
            limit (v_t -> 'psyche_batch_inputs' ->> 'score_rows')::int) h), '[]'::jsonb),
    'conversations', coalesce((
      select jsonb_agg(jsonb_build_object('ended_at', c.ended_at, 'platform', c.platform, 'summary', c.summary,
               'tone', c.emotional_tone) order by c.ended_at desc)
      from (select * from public.conversations
            where user_id = p_user_id and status = 'closed' and ended_at > v_from and ended_at <= p_now
            order by ended_at desc
            limit (v_t -> 'psyche_batch_inputs' ->> 'conversations')::int) c), '[]'::jsonb),
    'life_events', v_events,
    -- §13.1: an event's valence impact > 0.1 makes its people feel positive to her, < -0.1 negative; the latest
    -- event a person was in decides.
    'circle', coalesce((
      select jsonb_agg(jsonb_build_object('name', p.name, 'feeling', p.feeling) order by p.name)
      from (select distinct on (person) person as name,
                   case when (ev ->> 'valence')::numeric > 0.1 then 'positive'
                        when (ev ->> 'valence')::numeric < -0.1 then 'negative' else 'neutral' end as feeling
            from jsonb_array_elements(v_events) with ordinality as x(j, n)
            cross join lateral jsonb_array_elements_text(x.j -> 'people') as person
            cross join lateral (select x.j -> 'emotional_impact' as ev) i
            order by person, x.n) p), '[]'::jsonb),
    'limits', game.psyche_limits());
end
$$;
comment on function game.psyche_context(uuid, timestamptz) is 'The context of a psyche generation at p_now (GAME_RULES.md §12.2): player, current state, score rows, closed conversations, her life events and circle in the batch window, field limits. PNFND.';
revoke execute on function game.psyche_context(uuid, timestamptz) from public;
grant execute on function game.psyche_context(uuid, timestamptz) to service_role;

-- Saves a live generation (a deep or quick tier before her reply) at p_now, validated by game.check_psyche_state
-- (22023 naming the problem). Returns the row id; the new state is current from p_now.
create or replace function game.save_psyche_state(p_user_id uuid, p_state jsonb, p_model text, p_tier text,
  p_now timestamptz)
returns bigint
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_id bigint;
begin
  if p_tier is null or p_tier not in ('deep', 'quick') then
    raise exception 'psyche tier must be deep or quick, not %', coalesce(p_tier, 'null') using errcode = '22023';
  end if;
  if p_model is null or btrim(p_model) = '' then
    raise exception 'psyche model must be named' using errcode = '22023';
  end if;
  perform game.lock_player(p_user_id);
  insert into game.psyche_states (user_id, day, state, model, source, tier, generated_at)
  values (p_user_id, (p_now at time zone 'UTC')::date, game.check_psyche_state(p_state), p_model, 'live', p_tier, p_now)
  returning id into v_id;
  return v_id;
end
$$;
comment on function game.save_psyche_state(uuid, jsonb, text, text, timestamptz) is 'Stores a live psyche generation (tier deep or quick) at p_now after validating the state; 22023 for a bad state, tier or model. PNFND.';
revoke execute on function game.save_psyche_state(uuid, jsonb, text, text, timestamptz) from public;
grant execute on function game.save_psyche_state(uuid, jsonb, text, text, timestamptz) to service_role;

-- psyche-submit, first step (PLATFORM.md §5.1): at or after psyche_batch_time (UTC) of p_now's UTC date, creates the
-- day's request of every eligible player without one (custom_id <user_id>_<yyyymmdd>), then claims up to p_limit of
-- the day's pending and retry requests (and submitting ones whose run died: lease over) with a lease, and returns each
-- with its context. Before the batch time, and once the day's requests are all out, it returns nothing: resubmitting
-- is a no-op.
create or replace function game.claim_psyche_requests(p_now timestamptz, p_limit integer,
  p_lease_seconds integer default 300)
returns table (user_id uuid, custom_id text, day date, attempts smallint, context jsonb)
language plpgsql
volatile
security invoker
set search_path = ''
as $$
#variable_conflict use_column
declare
  v_t jsonb := game.tunables_json();
  v_day date := (p_now at time zone 'UTC')::date;
begin
  if p_limit is null or p_limit < 1 or p_limit > 10000 then
    raise exception 'psyche batch size must be 1..10000, not %', p_limit using errcode = '22023';
  end if;
  if (p_now at time zone 'UTC')::time < (v_t ->> 'psyche_batch_time')::time then
    return;
  end if;
  insert into private.psyche_requests (user_id, day, custom_id, created_at, updated_at)
  select u.id, v_day, u.id::text || '_' || to_char(v_day, 'YYYYMMDD'), p_now, p_now
  from public.users u
  where u.game_status in ('active', 'boss_fight') and u.onboarding_status = 'completed'
  on conflict do nothing;
  return query
  with due as (
    select r.id from private.psyche_requests r
    join public.users u on u.id = r.user_id
    where r.day = v_day
      and (r.status in ('pending', 'retry') or (r.status = 'submitting' and r.lease_until <= p_now))
      and game.psyche_eligible(u)
    order by r.id
    limit p_limit
    for update of r skip locked
  ), claimed as (
    update private.psyche_requests r
    set status = 'submitting', lease_until = p_now + make_interval(secs => p_lease_seconds), updated_at = p_now
    from due where r.id = due.id
    returning r.user_id, r.custom_id, r.day, r.attempts
  )
  select c.user_id, c.custom_id, c.day, c.attempts, game.psyche_context(c.user_id, p_now) from claimed c;
end
$$;
comment on function game.claim_psyche_requests(timestamptz, integer, integer) is 'psyche-submit: creates the day''s missing requests (from psyche_batch_time UTC) and claims up to p_limit due ones with a lease, each with its context.';
revoke execute on function game.claim_psyche_requests(timestamptz, integer, integer) from public;
grant execute on function game.claim_psyche_requests(timestamptz, integer, integer) to service_role;

-- psyche-submit, last step: the vendor accepted the batch p_batch_id with p_custom_ids. Records it as the day's next
-- chunk and marks those requests submitted in it (one more attempt each). Returns the chunk.
create or replace function game.record_psyche_batch(p_batch_id text, p_custom_ids text[], p_now timestamptz)
returns integer
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_day date := (p_now at time zone 'UTC')::date;
  v_chunk int;
begin
  if p_batch_id is null or btrim(p_batch_id) = '' then
    raise exception 'psyche batch id is empty' using errcode = '22023';
  end if;
  if coalesce(cardinality(p_custom_ids), 0) = 0 then
    raise exception 'psyche batch % has no requests', p_batch_id using errcode = '22023';
  end if;
  select min(r.day) into v_day from private.psyche_requests r where r.custom_id = any (p_custom_ids);
  if v_day is null then
    raise exception 'psyche batch %: unknown custom ids', p_batch_id using errcode = '22023';
  end if;
  -- Chunks of one day are numbered in order; concurrent runs take turns here.
  perform pg_advisory_xact_lock(hashtext('psyche_batches'), hashtext(v_day::text));
  select coalesce(max(b.chunk), 0) + 1 into v_chunk from private.psyche_batches b where b.day = v_day;
  insert into private.psyche_batches (batch_id, day, chunk, request_count, submitted_at)
  values (p_batch_id, v_day, v_chunk, cardinality(p_custom_ids), p_now);
  update private.psyche_requests
  set status = 'submitted', batch_id = p_batch_id, attempts = attempts + 1, lease_until = null, updated_at = p_now
  where custom_id = any (p_custom_ids) and status = 'submitting';
  return v_chunk;
end
$$;
comment on function game.record_psyche_batch(text, text[], timestamptz) is 'psyche-submit: records an accepted batch as the day''s next chunk and marks its requests submitted.';
revoke execute on function game.record_psyche_batch(text, text[], timestamptz) from public;
grant execute on function game.record_psyche_batch(text, text[], timestamptz) to service_role;

-- psyche-submit: the vendor could not be reached; the claimed requests go back to wait for the next run.
create or replace function game.release_psyche_requests(p_custom_ids text[], p_error text, p_now timestamptz)
returns integer
language sql
volatile
security invoker
set search_path = ''
as $$
  with released as (
    update private.psyche_requests
    set status = case when attempts = 0 then 'pending' else 'retry' end, lease_until = null,
        last_error = left(p_error, 500), updated_at = p_now
    where custom_id = any (p_custom_ids) and status = 'submitting'
    returning 1
  )
  select count(*)::int from released
$$;
comment on function game.release_psyche_requests(text[], text, timestamptz) is 'psyche-submit: puts claimed requests back (pending, or retry after an attempt) when the batch could not be created.';
revoke execute on function game.release_psyche_requests(text[], text, timestamptz) from public;
grant execute on function game.release_psyche_requests(text[], text, timestamptz) to service_role;

-- psyche-collect: the batches not yet collected, oldest first.
create or replace function game.open_psyche_batches()
returns table (batch_id text, day date, chunk integer, status text)
language sql
stable
security invoker
set search_path = ''
as $$
  select b.batch_id, b.day, b.chunk, b.status from private.psyche_batches b
  where b.status <> 'collected' order by b.submitted_at, b.batch_id
$$;
comment on function game.open_psyche_batches() is 'psyche-collect: the batches whose results are not yet saved.';
revoke execute on function game.open_psyche_batches() from public;
grant execute on function game.open_psyche_batches() to service_role;

-- psyche-collect: the vendor's processing status of a batch (in_progress, canceling, ended) as polled at p_now.
create or replace function game.note_psyche_batch(p_batch_id text, p_status text, p_now timestamptz)
returns void
language plpgsql
volatile
security invoker
set search_path = ''
as $$
begin
  if p_status is null or p_status not in ('in_progress', 'canceling', 'ended') then
    raise exception 'psyche batch status must be in_progress, canceling or ended, not %', coalesce(p_status, 'null')
      using errcode = '22023';
  end if;
  update private.psyche_batches
  set status = p_status, ended_at = case when p_status = 'ended' then coalesce(ended_at, p_now) end
  where batch_id = p_batch_id and status <> 'collected';
end
$$;
comment on function game.note_psyche_batch(text, text, timestamptz) is 'psyche-collect: records a batch''s polled processing status.';
revoke execute on function game.note_psyche_batch(text, text, timestamptz) from public;
grant execute on function game.note_psyche_batch(text, text, timestamptz) to service_role;

-- psyche-collect: saves results of the ended batch p_batch_id, in any order and any number of calls. p_results:
-- [{custom_id, outcome: succeeded|errored|expired|canceled|invalid, state?, model, message_id?, usage?:
-- {input_tokens, output_tokens, cache_read_tokens, cache_write_tokens}, error?}]. A request is settled once: the
-- first result for a submitted request of this batch counts, a repeat is skipped. A succeeded item upserts the day's
-- batch state (an invalid state counts as an error); an error goes back to retry once for the same day, then fails
-- and the previous state stays in use. Each settled item writes one ledger row at batch prices.
-- Returns {succeeded, retry, failed, skipped}.
create or replace function game.save_psyche_results(p_batch_id text, p_results jsonb, p_now timestamptz)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_batch private.psyche_batches;
  v_item jsonb;
  v_request private.psyche_requests;
  v_outcome text;
  v_state jsonb;
  v_error text;
  v_counts jsonb := '{"succeeded": 0, "retry": 0, "failed": 0, "skipped": 0}'::jsonb;
  v_key text;
begin
  select * into v_batch from private.psyche_batches where batch_id = p_batch_id;
  if not found then
    raise exception 'psyche batch % is unknown', p_batch_id using errcode = '22023';
  end if;
  if jsonb_typeof(p_results) is distinct from 'array' then
    raise exception 'psyche results must be an array' using errcode = '22023';
  end if;
  for v_item in select value from jsonb_array_elements(p_results) loop
    select * into v_request from private.psyche_requests
    where custom_id = v_item ->> 'custom_id' and batch_id = p_batch_id and status = 'submitted'
    for update;
    if not found then
      v_counts := jsonb_set(v_counts, '{skipped}', to_jsonb((v_counts ->> 'skipped')::int + 1));
      continue;
    end if;
    v_outcome := v_item ->> 'outcome';
    v_error := v_item ->> 'error';
    if v_outcome = 'succeeded' then
      begin
        v_state := game.check_psyche_state(v_item -> 'state');
      exception when sqlstate '22023' then
        v_outcome := 'invalid';
        v_error := sqlerrm;
      end;
    end if;
    if v_outcome = 'succeeded' then
      insert into game.psyche_states (user_id, day, state, model, source, generated_at)
      values (v_request.user_id, v_request.day, v_state, coalesce(v_item ->> 'model', 'unknown'), 'batch',
              v_batch.submitted_at)
      on conflict (user_id, day) where source = 'batch' do update
        set state = excluded.state, model = excluded.model, generated_at = excluded.generated_at;
      update private.psyche_requests set status = 'succeeded', last_error = null, updated_at = p_now
      where id = v_request.id;
      v_key := 'succeeded';
    else
      v_key := game.psyche_request_failed(v_request, coalesce(v_outcome, 'errored') || coalesce(': ' || v_error, ''),
        p_now);
    end if;
    v_counts := jsonb_set(v_counts, array[v_key], to_jsonb((v_counts ->> v_key)::int + 1));
    insert into private.llm_calls (user_id, purpose, model, request_id, input_tokens, output_tokens,
      cache_read_tokens, cache_write_tokens, batch, status, error, cost_usd, created_at)
    select v_request.user_id, 'psyche_batch', coalesce(v_item ->> 'model', 'unknown'),
           coalesce(v_item ->> 'message_id', v_request.custom_id), u.input, u.output, u.cache_read, u.cache_write,
           true, case v_outcome when 'succeeded' then 'ok' when 'invalid' then 'invalid' else 'error' end,
           case when v_outcome <> 'succeeded' then left(coalesce(v_outcome, 'errored') || coalesce(': ' || v_error, ''), 500) end,
           private.llm_cost(coalesce(v_item ->> 'model', 'unknown'), u.input, u.output, u.cache_read, u.cache_write, true),
           p_now
    from (select coalesce((v_item #>> '{usage,input_tokens}')::int, 0) as input,
                 coalesce((v_item #>> '{usage,output_tokens}')::int, 0) as output,
                 coalesce((v_item #>> '{usage,cache_read_tokens}')::int, 0) as cache_read,
                 coalesce((v_item #>> '{usage,cache_write_tokens}')::int, 0) as cache_write) u;
  end loop;
  return v_counts;
end
$$;
comment on function game.save_psyche_results(text, jsonb, timestamptz) is 'psyche-collect: settles batch results by custom_id once each (state upserted per player and day, errors retried once), with a ledger row at batch prices.';
revoke execute on function game.save_psyche_results(text, jsonb, timestamptz) from public;
grant execute on function game.save_psyche_results(text, jsonb, timestamptz) to service_role;

-- psyche-collect: every result of the ended batch is saved. A request of it that got no result counts as expired;
-- the batch is collected. Returns {retry, failed}.
create or replace function game.finish_psyche_batch(p_batch_id text, p_now timestamptz)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_request private.psyche_requests;
  v_counts jsonb := '{"retry": 0, "failed": 0}'::jsonb;
  v_key text;
begin
  for v_request in select * from private.psyche_requests
                   where batch_id = p_batch_id and status = 'submitted' order by id for update loop
    v_key := game.psyche_request_failed(v_request, 'expired: no result in the batch', p_now);
    v_counts := jsonb_set(v_counts, array[v_key], to_jsonb((v_counts ->> v_key)::int + 1));
  end loop;
  update private.psyche_batches set status = 'collected', ended_at = coalesce(ended_at, p_now), collected_at = p_now
  where batch_id = p_batch_id;
  return v_counts;
end
$$;
comment on function game.finish_psyche_batch(text, timestamptz) is 'psyche-collect: marks a batch collected; its requests without a result count as expired (retried once).';
revoke execute on function game.finish_psyche_batch(text, timestamptz) from public;
grant execute on function game.finish_psyche_batch(text, timestamptz) to service_role;

-- ---- Helpers ----

-- The default state of GAME_RULES.md §12.1.
create or replace function game.default_psyche()
returns jsonb
language sql
stable
security invoker
set search_path = ''
as $$
  select jsonb_build_object(
    'attachment_activation', 'secure',
    'defense_mode', 'open',
    'behavioral_guidance', 'Stay warm and curious; let the player lead.',
    'internal_monologue', 'Someone new. Keep an open mind.',
    'vulnerability_level', (game.tunables_json() ->> 'psyche_vulnerability_default')::numeric,
    'emotional_tone', 'warm',
    'topics_to_encourage', jsonb_build_array('getting to know each other'),
    'topics_to_avoid', '[]'::jsonb)
$$;
comment on function game.default_psyche() is 'Her default psyche state (GAME_RULES.md §12.1).';
revoke execute on function game.default_psyche() from public;
grant execute on function game.default_psyche() to service_role;

-- The field limits of a state (GAME_RULES.md §20), for the generation's schema and for check_psyche_state.
create or replace function game.psyche_limits()
returns jsonb
language sql
stable
security invoker
set search_path = ''
as $$
  select jsonb_build_object('guidance_max', (t ->> 'psyche_guidance_max')::int,
    'monologue_max', (t ->> 'psyche_monologue_max')::int, 'topics_max', (t ->> 'psyche_topics_max')::int,
    'topic_max', (t ->> 'psyche_topic_max')::int)
  from game.tunables_json() t
$$;
comment on function game.psyche_limits() is 'The psyche state''s field limits from the tunables: guidance, monologue and topic lengths, topics per list.';
revoke execute on function game.psyche_limits() from public;
grant execute on function game.psyche_limits() to service_role;

-- A psyche state checked against GAME_RULES.md §12.1: an object of the eight fields (a missing field takes its
-- default, an unknown one is refused), enums, 0..1, non-empty trimmed texts and topics within the tunables' lengths.
-- Returns the state with its defaults filled in; raises 22023 naming the field and the problem.
create or replace function game.check_psyche_state(p_state jsonb)
returns jsonb
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  v_limits jsonb := game.psyche_limits();
  v_state jsonb;
  v_key text;
  v_list text;
  v_text text;
  v_max int;
  v_topic jsonb;
begin
  if jsonb_typeof(p_state) is distinct from 'object' then
    raise exception 'psyche state must be a JSON object' using errcode = '22023';
  end if;
  select string_agg(k, ', ' order by k) into v_key from jsonb_object_keys(p_state) k
  where k not in (select jsonb_object_keys(game.default_psyche()));
  if v_key is not null then
    raise exception 'psyche state has unknown fields: %', v_key using errcode = '22023';
  end if;
  v_state := game.default_psyche() || jsonb_strip_nulls(p_state);
  if v_state ->> 'attachment_activation' is null or jsonb_typeof(v_state -> 'attachment_activation') <> 'string'
     or v_state ->> 'attachment_activation' not in ('secure', 'anxious', 'avoidant', 'disorganized') then
    raise exception 'attachment_activation must be secure, anxious, avoidant or disorganized' using errcode = '22023';
  end if;
  if jsonb_typeof(v_state -> 'defense_mode') <> 'string'
     or v_state ->> 'defense_mode' not in ('open', 'guarded', 'deflecting', 'withdrawing') then
    raise exception 'defense_mode must be open, guarded, deflecting or withdrawing' using errcode = '22023';
  end if;
  if jsonb_typeof(v_state -> 'emotional_tone') <> 'string'
     or v_state ->> 'emotional_tone' not in ('playful', 'serious', 'warm', 'distant', 'volatile') then
    raise exception 'emotional_tone must be playful, serious, warm, distant or volatile' using errcode = '22023';
  end if;
  if jsonb_typeof(v_state -> 'vulnerability_level') <> 'number'
     or (v_state ->> 'vulnerability_level')::numeric not between 0 and 1 then
    raise exception 'vulnerability_level must be a number in 0..1' using errcode = '22023';
  end if;
  foreach v_key in array array['behavioral_guidance', 'internal_monologue'] loop
    v_max := (v_limits ->> case v_key when 'behavioral_guidance' then 'guidance_max' else 'monologue_max' end)::int;
    if jsonb_typeof(v_state -> v_key) <> 'string' then
      raise exception '% must be text', v_key using errcode = '22023';
    end if;
    v_text := btrim(v_state ->> v_key);
    if v_text = '' or char_length(v_text) > v_max then
      raise exception '% must be 1..% characters, not %', v_key, v_max, char_length(v_text) using errcode = '22023';
    end if;
    v_state := jsonb_set(v_state, array[v_key], to_jsonb(v_text));
  end loop;
  foreach v_list in array array['topics_to_encourage', 'topics_to_avoid'] loop
    if jsonb_typeof(v_state -> v_list) <> 'array' then
      raise exception '% must be a list', v_list using errcode = '22023';
    end if;
    if jsonb_array_length(v_state -> v_list) > (v_limits ->> 'topics_max')::int then
      raise exception '% holds at most % topics, not %', v_list, v_limits ->> 'topics_max',
        jsonb_array_length(v_state -> v_list) using errcode = '22023';
    end if;
    for v_topic in select value from jsonb_array_elements(v_state -> v_list) loop
      if jsonb_typeof(v_topic) <> 'string' or btrim(v_topic #>> '{}') = ''
         or char_length(btrim(v_topic #>> '{}')) > (v_limits ->> 'topic_max')::int then
        raise exception '% must hold non-empty texts of at most % characters', v_list, v_limits ->> 'topic_max'
          using errcode = '22023';
      end if;
    end loop;
    v_state := jsonb_set(v_state, array[v_list], (
      select coalesce(jsonb_agg(to_jsonb(btrim(t)) order by n), '[]'::jsonb)
      from jsonb_array_elements_text(v_state -> v_list) with ordinality as x(t, n)));
  end loop;
  return v_state;
end
$$;
comment on function game.check_psyche_state(jsonb) is 'Validates a psyche state against GAME_RULES.md §12.1 (defaults for missing fields, lengths from the tunables); returns it normalized or raises 22023 naming the problem.';
revoke execute on function game.check_psyche_state(jsonb) from public;
grant execute on function game.check_psyche_state(jsonb) to service_role;

-- Who gets a psyche (GAME_RULES.md §12.2): a playable game (active or boss_fight) after onboarding.
create or replace function game.psyche_eligible(p_user public.users)
returns boolean
language sql
immutable
security invoker
set search_path = ''
as $$
  select p_user.game_status in ('active', 'boss_fight') and p_user.onboarding_status = 'completed'
$$;
comment on function game.psyche_eligible(public.users) is 'Whether a player gets psyche generations: active or boss_fight, onboarding completed.';
revoke execute on function game.psyche_eligible(public.users) from public;
grant execute on function game.psyche_eligible(public.users) to service_role;

-- Whether the (lowercased) text contains one of the phrases, as a substring (GAME_RULES.md §12.2).
create or replace function game.psyche_phrase_in(p_text text, p_phrases jsonb)
returns boolean
language sql
immutable
security invoker
set search_path = ''
as $$
  select exists (select 1 from jsonb_array_elements_text(coalesce(p_phrases, '[]'::jsonb)) p
                 where strpos(p_text, lower(p)) > 0)
$$;
comment on function game.psyche_phrase_in(text, jsonb) is 'True when the lowercased text contains one of the phrases (case-insensitive substring match, GAME_RULES.md §12.2).';
revoke execute on function game.psyche_phrase_in(text, jsonb) from public;
grant execute on function game.psyche_phrase_in(text, jsonb) to service_role;

-- An errored, expired or invalid item: back to retry for the same day after its first attempt, failed after the
-- second (the previous state stays in use). Returns 'retry' or 'failed'.
create or replace function game.psyche_request_failed(p_request private.psyche_requests, p_error text,
  p_now timestamptz)
returns text
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_status text := case when p_request.attempts < 2 then 'retry' else 'failed' end;
begin
  update private.psyche_requests set status = v_status, last_error = left(p_error, 500), updated_at = p_now
  where id = p_request.id;
  return v_status;
end
$$;
comment on function game.psyche_request_failed(private.psyche_requests, text, timestamptz) is 'A psyche request whose item errored or expired: retry once for the same day, then failed.';
revoke execute on function game.psyche_request_failed(private.psyche_requests, text, timestamptz) from public;
grant execute on function game.psyche_request_failed(private.psyche_requests, text, timestamptz) to service_role;
