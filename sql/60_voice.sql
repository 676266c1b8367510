-- Voice calls (PLATFORM.md §4, GAME_RULES.md §16): the sessions of inbound and outbound calls, the post-call
-- webhook's events, and the idempotency record of the server tools. The voice edge function calls the entry
-- points below; every rule of a call (who may call, when she picks up, what a call stores) is decided here.

-- One row per call attempt the initiation webhook or the deliver routine saw. An inbound call is keyed by its Twilio
-- call_sid (a repeated initiation finds its row and answers what it answered the first time: case_result); an
-- outbound call gets its call_sid and ElevenLabs conversation id once the outbound-call API answers. Refused inbound
-- calls (unknown caller, not onboarded, unavailable) are kept too, so their repeat is recognised.
create table private.voice_sessions (
  session_id uuid primary key default gen_random_uuid(),
  user_id uuid references public.users (id) on delete cascade,
  direction text not null check (direction in ('inbound', 'outbound')),
  call_sid text unique,
  elevenlabs_conversation_id text unique,
  issued_at timestamptz not null,
  status text not null
    check (status in ('started', 'ended', 'failed', 'unavailable', 'unknown_caller', 'not_onboarded')),
  outbox_id bigint references private.outbox (id) on delete set null,
  case_result jsonb,
  created_at timestamptz not null default now(),
  -- Only an unknown caller has no player; an inbound call always has its call_sid.
  check ((user_id is null) = (status = 'unknown_caller')),
  check (direction = 'outbound' or call_sid is not null)
);
comment on table private.voice_sessions is 'One row per inbound or outbound call attempt: player (null for an unknown caller), direction, Twilio call_sid, ElevenLabs conversation id, token issue time, status, the outbox row of an outbound call, and what the initiation answered.';
create index voice_sessions_user_idx on private.voice_sessions (user_id);
create index voice_sessions_outbox_idx on private.voice_sessions (outbox_id) where outbox_id is not null;

alter table private.voice_sessions enable row level security;
grant select, insert, update, delete on private.voice_sessions to service_role;
create policy "voice_sessions: backend only"
  on private.voice_sessions for select to service_role
  using (true);

-- Every post-call webhook event once per (type, conversation_id): ElevenLabs does not retry by default, so the
-- event is stored before anything else, and a second delivery of it changes nothing.
create table private.voice_events (
  id bigint generated always as identity primary key,
  type text not null,
  conversation_id text not null,
  event_timestamp timestamptz,
  payload jsonb not null default '{}',
  status text not null check (status in ('stored', 'duplicate', 'unmatched', 'ignored')),
  user_id uuid references public.users (id) on delete set null,
  voice_conversation_id uuid references public.conversations (id) on delete set null,
  received_at timestamptz not null default now(),
  unique (type, conversation_id)
);
comment on table private.voice_events is 'Post-call webhook events, once per (type, ElevenLabs conversation id): payload, outcome (stored, unmatched, ignored), the player and the voice conversation it became.';
create index voice_events_user_idx on private.voice_events (user_id) where user_id is not null;
create index voice_events_voice_conversation_idx on private.voice_events (voice_conversation_id)
  where voice_conversation_id is not null;

alter table private.voice_events enable row level security;
grant select, insert, update, delete on private.voice_events to service_role;
create policy "voice_events: backend only"
  on private.voice_events for select to service_role
  using (true);

-- The first response of each write tool call (update_memory), by its idempotency key: a repeat of the call answers
-- the stored response, the same key with another input is refused (IDMIS).
create table private.tool_calls (
  idempotency_key text primary key,
  session_id uuid not null references private.voice_sessions (session_id) on delete cascade,
  tool text not null,
  request_hash text not null,
  response jsonb not null,
  created_at timestamptz not null default now()
);
comment on table private.tool_calls is 'The first response of each idempotent voice tool call, by idempotency key, with the session, tool and a hash of its input.';
create index tool_calls_session_idx on private.tool_calls (session_id);
-- cleanup: tool calls by age.
create index tool_calls_created_idx on private.tool_calls (created_at);

alter table private.tool_calls enable row level security;
grant select, insert, update, delete on private.tool_calls to service_role;
create policy "tool_calls: backend only"
  on private.tool_calls for select to service_role
  using (true);

-- The initiation webhook (PLATFORM.md §4.3), while the phone rings: who is calling and whether she picks up.
-- Keyed by p_call_sid: a repeat returns the stored result unchanged (the same session, the same case), whatever
-- the roll. Otherwise the caller is found by users.phone = p_caller (E.164) and the call is one of four cases:
-- unknown (no such phone), not_onboarded, unavailable (game.voice_availability: finished game, 5 min after a call,
-- the chapter's odds against p_roll) or available (a new started session; session_id and issued_at go into the
-- token). Every case stores a session row under the call_sid, with the case as its status. Returns {case,
-- session_id (null unless available), user_id, direction, issued_at, issued_at_epoch, player, availability,
-- voice_prompt, last_summary} (game.voice_call_context).
create or replace function game.start_voice_session(p_caller text, p_call_sid text, p_now timestamptz, p_roll numeric)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_stored jsonb;
  v_user public.users;
  v_case text;
  v_availability jsonb;
  v_context jsonb;
  v_session_id uuid := gen_random_uuid();
  v_result jsonb;
begin
  if nullif(trim(p_call_sid), '') is null then
    raise exception 'start_voice_session: a call_sid is required' using errcode = '22023';
  end if;
  if p_now is null then
    raise exception 'start_voice_session: p_now is required' using errcode = '22023';
  end if;
  if p_roll is null or p_roll < 0 or p_roll >= 1 then
    raise exception 'roll must be in [0, 1), got %', p_roll using errcode = '22023';
  end if;

  select s.case_result into v_stored from private.voice_sessions s where s.call_sid = p_call_sid;
  if found then
    return v_stored;
  end if;

  if nullif(trim(p_caller), '') is not null then
    select * into v_user from public.users u where u.phone = p_caller;
  end if;
  if v_user.id is null then
    v_case := 'unknown';
  elsif v_user.onboarding_status <> 'completed' then
    v_case := 'not_onboarded';
  else
    v_availability := game.voice_availability(v_user.id, p_now, p_roll);
    v_case := case when (v_availability ->> 'available')::boolean then 'available' else 'unavailable' end;
  end if;
  if v_user.id is not null then
    v_context := game.voice_call_context(v_user, p_now);
  end if;

  v_result := jsonb_build_object(
    'case', v_case,
    'session_id', case when v_case = 'available' then v_session_id end,
    'user_id', v_user.id,
    'direction', 'inbound',
    'issued_at', p_now,
    'issued_at_epoch', floor(extract(epoch from p_now))::bigint,
    'player', v_context -> 'player',
    'availability', v_availability,
    'voice_prompt', v_context -> 'voice_prompt',
    'last_summary', v_context -> 'last_summary');
  insert into private.voice_sessions (session_id, user_id, direction, call_sid, issued_at, status, case_result, created_at)
  values (v_session_id, v_user.id, 'inbound', p_call_sid, p_now,
    case v_case when 'available' then 'started' when 'unknown' then 'unknown_caller' else v_case end, v_result, p_now)
  on conflict (call_sid) do nothing;
  if not found then
    -- The same call_sid's initiation committed first: its answer is the answer.
    select s.case_result into v_stored from private.voice_sessions s where s.call_sid = p_call_sid;
    return v_stored;
  end if;
  return v_result;
end
$$;
comment on function game.start_voice_session(text, text, timestamptz, numeric) is 'The initiation webhook''s decision (PLATFORM.md §4.3), once per call_sid: unknown, not_onboarded, unavailable (game.voice_availability) or available with a new session; returns the case, session, player block, availability, voice prompt and last summary.';
revoke execute on function game.start_voice_session(text, text, timestamptz, numeric) from public;
grant execute on function game.start_voice_session(text, text, timestamptz, numeric) to service_role;

-- A proactive call (PLATFORM.md §4.5), at dial time: a new outbound session (status started) for the outbox row,
-- with what the call needs: the player block, her voice ready prompt, the last summary, and the phone to dial.
-- Her own call is not subject to the availability roll. Returns the shape of game.start_voice_session's available
-- case (direction outbound, availability null) plus phone and outbox_id. PNFND for an unknown player.
create or replace function game.start_outbound_session(p_user_id uuid, p_outbox_id bigint, p_now timestamptz)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_user public.users;
  v_context jsonb;
  v_session_id uuid := gen_random_uuid();
  v_result jsonb;
begin
  if p_now is null then
    raise exception 'start_outbound_session: p_now is required' using errcode = '22023';
  end if;
  select * into v_user from public.users u where u.id = p_user_id;
  if not found then
    raise exception 'player not found: %', p_user_id using errcode = 'PNFND';
  end if;
  v_context := game.voice_call_context(v_user, p_now);
  v_result := jsonb_build_object(
    'case', 'available',
    'session_id', v_session_id,
    'user_id', v_user.id,
    'direction', 'outbound',
    'issued_at', p_now,
    'issued_at_epoch', floor(extract(epoch from p_now))::bigint,
    'player', v_context -> 'player',
    'availability', null,
    'voice_prompt', v_context -> 'voice_prompt',
    'last_summary', v_context -> 'last_summary',
    'phone', v_user.phone,
    'outbox_id', p_outbox_id);
  insert into private.voice_sessions (session_id, user_id, direction, issued_at, status, outbox_id, case_result, created_at)
  values (v_session_id, v_user.id, 'outbound', p_now, 'started', p_outbox_id, v_result, p_now);
  return v_result;
end
$$;
comment on function game.start_outbound_session(uuid, bigint, timestamptz) is 'A new outbound voice session for an outbox call row (PLATFORM.md §4.5) with the player block, voice prompt, last summary and phone; PNFND.';
revoke execute on function game.start_outbound_session(uuid, bigint, timestamptz) from public;
grant execute on function game.start_outbound_session(uuid, bigint, timestamptz) to service_role;

-- What the outbound-call API answered ({conversation_id, callSid}), stored on the session so the post-call webhook
-- finds the player by either. A null argument keeps what is stored. Returns game.voice_session's shape, or null
-- when the session does not exist.
create or replace function private.set_session_call(p_session_id uuid, p_call_sid text, p_elevenlabs_conversation_id text)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
begin
  update private.voice_sessions s
  set call_sid = coalesce(nullif(p_call_sid, ''), s.call_sid),
      elevenlabs_conversation_id = coalesce(nullif(p_elevenlabs_conversation_id, ''), s.elevenlabs_conversation_id)
  where s.session_id = p_session_id;
  return game.voice_session(p_session_id);
end
$$;
comment on function private.set_session_call(uuid, text, text) is 'Stores the call_sid and ElevenLabs conversation id the outbound-call API answered on a voice session (nulls keep what is stored).';
revoke execute on function private.set_session_call(uuid, text, text) from public;
grant execute on function private.set_session_call(uuid, text, text) to service_role;

-- A dial that surely placed no call (refused, rate limited, unreachable API): its session is failed, so its token
-- names no live call; a retry of the outbox row mints a fresh one. A session that already ended stays ended.
create or replace function private.fail_outbound_session(p_session_id uuid)
returns void
language sql
volatile
security invoker
set search_path = ''
as $$
  update private.voice_sessions s set status = 'failed'
  where s.session_id = p_session_id and s.direction = 'outbound' and s.status = 'started'
$$;
comment on function private.fail_outbound_session(uuid) is 'Fails an outbound session whose dial surely placed no call (a retry mints a new one).';
revoke execute on function private.fail_outbound_session(uuid) from public;
grant execute on function private.fail_outbound_session(uuid) to service_role;

-- The post-call webhook's durable step (PLATFORM.md §4.4), one transaction. The event is stored once per (type,
-- conversation_id); a second delivery answers {status: duplicate} and changes nothing. post_call_transcription
-- becomes a closed voice conversation with its messages and a pending post-conversation job
-- (private.store_voice_call); call_initiation_failure fails the session and its outbox row
-- (private.fail_voice_call); post_call_audio and any other type are kept as ignored (audio without its base64
-- body). p_token_user_id and p_token_session_id are those of a validly signed secret__signed_token (expiry
-- ignored), or null. Never raises for an unknown player: that is {status: unmatched}. Returns {status,
-- conversation_id, user_id, event_id}.
create or replace function game.record_post_call(p_type text, p_conversation_id text, p_event_timestamp timestamptz,
  p_payload jsonb, p_token_user_id uuid, p_token_session_id uuid, p_call_sid text, p_now timestamptz)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_event_id bigint;
  v_payload jsonb := coalesce(p_payload, '{}');
  v_outcome jsonb;
begin
  if nullif(trim(p_type), '') is null or nullif(trim(p_conversation_id), '') is null then
    raise exception 'record_post_call: the event type and conversation id are required' using errcode = '22023';
  end if;
  if p_now is null then
    raise exception 'record_post_call: p_now is required' using errcode = '22023';
  end if;
  if p_type = 'post_call_audio' then
    -- Not enabled; if it arrives anyway, the recording itself is not kept.
    v_payload := v_payload #- '{data,full_audio}';
  end if;

  insert into private.voice_events (type, conversation_id, event_timestamp, payload, status, received_at)
  values (p_type, p_conversation_id, p_event_timestamp, v_payload,
    case when p_type in ('post_call_transcription', 'call_initiation_failure') then 'stored' else 'ignored' end, p_now)
  on conflict (type, conversation_id) do nothing
  returning id into v_event_id;
  if v_event_id is null then
    return jsonb_build_object('status', 'duplicate', 'conversation_id', null, 'user_id', null,
      'event_id', (select e.id from private.voice_events e where e.type = p_type and e.conversation_id = p_conversation_id));
  end if;

  v_outcome := case p_type
    when 'post_call_transcription' then private.store_voice_call(p_conversation_id,
      coalesce(p_event_timestamp, p_now), v_payload, p_token_user_id, p_token_session_id, p_call_sid, p_now)
    when 'call_initiation_failure' then private.fail_voice_call(p_conversation_id, v_payload, p_token_session_id,
      p_call_sid)
    else jsonb_build_object('status', 'ignored', 'conversation_id', null, 'user_id', null) end;

  update private.voice_events e
  set status = v_outcome ->> 'status', user_id = (v_outcome ->> 'user_id')::uuid,
      voice_conversation_id = (v_outcome ->> 'conversation_id')::uuid
  where e.id = v_event_id;
  return v_outcome || jsonb_build_object('event_id', v_event_id);
end
$$;
comment on function game.record_post_call(text, text, timestamptz, jsonb, uuid, uuid, text, timestamptz) is 'The post-call webhook''s durable step (PLATFORM.md §4.4): the event once per (type, conversation id); a transcription becomes a closed voice conversation with messages and a job, an initiation failure fails the session and outbox row, anything else is ignored. {status: stored|duplicate|unmatched|ignored, conversation_id, user_id, event_id}.';
revoke execute on function game.record_post_call(text, text, timestamptz, jsonb, uuid, uuid, text, timestamptz) from public;
grant execute on function game.record_post_call(text, text, timestamptz, jsonb, uuid, uuid, text, timestamptz) to service_role;

-- Before a write tool runs (PLATFORM.md §4.2): the stored response when the key was seen with the same input (a
-- repeat answers it again), null when the key is new, IDMIS when the key was used with another input (another
-- request hash, session or tool).
create or replace function private.tool_call_replay(p_key text, p_session_id uuid, p_tool text, p_request_hash text)
returns jsonb
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  v_call private.tool_calls;
begin
  select * into v_call from private.tool_calls c where c.idempotency_key = p_key;
  if not found then
    return null;
  end if;
  if v_call.request_hash is distinct from p_request_hash or v_call.session_id is distinct from p_session_id
     or v_call.tool is distinct from p_tool then
    raise exception 'idempotency key % was reused with different input', p_key using errcode = 'IDMIS',
      detail = format('first used by tool %s in session %s', v_call.tool, v_call.session_id);
  end if;
  return v_call.response;
end
$$;
comment on function private.tool_call_replay(text, uuid, text, text) is 'The stored response of a tool call key with the same input, null for a new key; IDMIS when the key was used with another input.';
revoke execute on function private.tool_call_replay(text, uuid, text, text) from public;
grant execute on function private.tool_call_replay(text, uuid, text, text) to service_role;

-- After a write tool ran: stores its response under the key unless one is stored already, and returns the stored
-- one, so two concurrent first calls of the same key answer the same (the later insert waits for the earlier and
-- then reads it). IDMIS when the stored call had another input.
create or replace function private.save_tool_call(p_key text, p_session_id uuid, p_tool text, p_request_hash text,
  p_response jsonb)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
begin
  insert into private.tool_calls (idempotency_key, session_id, tool, request_hash, response)
  values (p_key, p_session_id, p_tool, p_request_hash, p_response)
  on conflict (idempotency_key) do nothing;
  return private.tool_call_replay(p_key, p_session_id, p_tool, p_request_hash);
end
$$;
comment on function private.save_tool_call(text, uuid, text, text, jsonb) is 'Stores a tool call''s first response under its idempotency key (on conflict nothing) and returns the stored response; IDMIS on another input.';
revoke execute on function private.save_tool_call(text, uuid, text, text, jsonb) from public;
grant execute on function private.save_tool_call(text, uuid, text, text, jsonb) to service_role;

-- A voice session as the tools check it (the token's session must exist and be its player's): {session_id, user_id,
-- direction, status, issued_at, call_sid, elevenlabs_conversation_id}, or null.
create or replace function game.voice_session(p_session_id uuid)
returns jsonb
language sql
stable
security invoker
set search_path = ''
as $$
  select jsonb_build_object('session_id', s.session_id, 'user_id', s.user_id, 'direction', s.direction,
    'status', s.status, 'issued_at', s.issued_at, 'call_sid', s.call_sid,
    'elevenlabs_conversation_id', s.elevenlabs_conversation_id)
  from private.voice_sessions s
  where s.session_id = p_session_id
$$;
comment on function game.voice_session(uuid) is 'A voice session (player, direction, status, issue time, call ids) for the tools'' token check, or null.';
revoke execute on function game.voice_session(uuid) from public;
grant execute on function game.voice_session(uuid) to service_role;

-- Helpers.

-- The part of the day at a local time (PLATFORM.md §4.3 time_of_day): morning 05-12, afternoon 12-17, evening
-- 17-21, night 21-05.
create or replace function game.time_of_day(p_local timestamp)
returns text
language sql
immutable
security invoker
set search_path = ''
as $$
  select case
    when extract(hour from p_local) >= 5 and extract(hour from p_local) < 12 then 'morning'
    when extract(hour from p_local) >= 12 and extract(hour from p_local) < 17 then 'afternoon'
    when extract(hour from p_local) >= 17 and extract(hour from p_local) < 21 then 'evening'
    else 'night' end
$$;
comment on function game.time_of_day(timestamp) is 'morning (05-12), afternoon (12-17), evening (17-21) or night (21-05) of a local time.';
revoke execute on function game.time_of_day(timestamp) from public;
grant execute on function game.time_of_day(timestamp) to service_role;

-- What a call of the player at p_now starts from: {player: {display_name, chapter, chapter_name, game_status,
-- timezone, local_time (HH24:MI), time_of_day}, voice_prompt (the current voice ready prompt, or null),
-- last_summary (the summary of the latest closed conversation that has one, or null)}.
create or replace function game.voice_call_context(p_user public.users, p_now timestamptz)
returns jsonb
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  v_local timestamp := p_now at time zone p_user.timezone;
begin
  return jsonb_build_object(
    'player', jsonb_build_object('display_name', p_user.display_name, 'chapter', p_user.chapter,
      'chapter_name', (select c.name from public.chapters c where c.chapter = p_user.chapter),
      'game_status', p_user.game_status, 'timezone', p_user.timezone,
      'local_time', to_char(v_local, 'HH24:MI'), 'time_of_day', game.time_of_day(v_local)),
    'voice_prompt', (select r.prompt_text from game.ready_prompts r
                     where r.user_id = p_user.id and r.platform = 'voice' and r.is_current),
    'last_summary', (select c.summary from public.conversations c
                     where c.user_id = p_user.id and c.status = 'closed' and c.summary is not null
                     order by c.started_at desc limit 1));
end
$$;
comment on function game.voice_call_context(public.users, timestamptz) is 'The player block (name, chapter, local time, time of day), current voice ready prompt and last summary a call starts from.';
revoke execute on function game.voice_call_context(public.users, timestamptz) from public;
grant execute on function game.voice_call_context(public.users, timestamptz) to service_role;

-- A finished call's transcript (post_call_transcription). The player: first the signed token's, then the session
-- holding the ElevenLabs conversation id, then the session of the call_sid; none (or an unknown caller's session) is
-- unmatched, and a call she refused (not_onboarded, unavailable) is ignored: nothing was played. Otherwise, on the
-- locked player: the session ends under this conversation id; a closed voice conversation ending at p_ended_at and
-- starting call_duration_secs before (else the last message's time in the call), in the player's chapter, flagged
-- as a boss fight when one is on; its messages in transcript order (user -> player, agent -> nikita, empty ones
-- skipped, each at start + time_in_call_secs); the facts the call's update_memory tool stored, linked to it; a
-- pending job (the pipeline scores a voice call at stage 0); and the call's end as a player interaction.
create or replace function private.store_voice_call(p_conversation_id text, p_ended_at timestamptz, p_payload jsonb,
  p_token_user_id uuid, p_token_session_id uuid, p_call_sid text, p_now timestamptz)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_user_id uuid;
  v_session private.voice_sessions;
  v_user public.users;
  v_transcript jsonb := case when jsonb_typeof(p_payload -> 'data' -> 'transcript') = 'array'
                             then p_payload -> 'data' -> 'transcript' else '[]'::jsonb end;
  v_duration jsonb := p_payload -> 'data' -> 'metadata' -> 'call_duration_secs';
  v_started_at timestamptz;
  v_voice_conversation_id uuid;
begin
  if p_token_user_id is not null then
    select u.id into v_user_id from public.users u where u.id = p_token_user_id;
  end if;
  select * into v_session from private.voice_sessions s where s.session_id = p_token_session_id;
  if v_session.session_id is null then
    select * into v_session from private.voice_sessions s where s.elevenlabs_conversation_id = p_conversation_id;
  end if;
  if v_session.session_id is null and p_call_sid is not null then
    select * into v_session from private.voice_sessions s where s.call_sid = p_call_sid;
  end if;
  if v_user_id is null then
    if v_session.status in ('unavailable', 'not_onboarded') then
      return jsonb_build_object('status', 'ignored', 'conversation_id', null, 'user_id', v_session.user_id);
    end if;
    v_user_id := v_session.user_id;
  elsif v_session.user_id is distinct from v_user_id then
    -- The token names the player; a session of someone else is not this call's.
    v_session := null;
  end if;
  if v_user_id is null then
    return jsonb_build_object('status', 'unmatched', 'conversation_id', null, 'user_id', null);
  end if;

  v_user := game.lock_player(v_user_id);
  v_started_at := p_ended_at - make_interval(secs => coalesce(
    case when jsonb_typeof(v_duration) = 'number' and (v_duration #>> '{}')::numeric >= 0
         then (v_duration #>> '{}')::numeric end,
    (select max((t ->> 'time_in_call_secs')::numeric) from jsonb_array_elements(v_transcript) t
     where jsonb_typeof(t -> 'time_in_call_secs') = 'number'),
    0));

  if v_session.session_id is not null then
    update private.voice_sessions s
    set status = 'ended', elevenlabs_conversation_id = coalesce(s.elevenlabs_conversation_id, p_conversation_id)
    where s.session_id = v_session.session_id;
  end if;

  insert into public.conversations (user_id, platform, status, started_at, last_message_at, ended_at,
    chapter_at_start, is_boss_fight, elevenlabs_conversation_id)
  values (v_user_id, 'voice', 'closed', v_started_at, p_ended_at, p_ended_at, v_user.chapter,
    v_user.game_status = 'boss_fight', p_conversation_id)
  on conflict (elevenlabs_conversation_id) do nothing
  returning id into v_voice_conversation_id;
  if v_voice_conversation_id is null then
    -- Stored already under this conversation id (by another event type's path): the call is not stored twice.
    select c.id into v_voice_conversation_id from public.conversations c
    where c.elevenlabs_conversation_id = p_conversation_id;
    return jsonb_build_object('status', 'stored', 'conversation_id', v_voice_conversation_id, 'user_id', v_user_id);
  end if;

  insert into public.messages (conversation_id, user_id, role, content, time_in_call_secs, created_at)
  select v_voice_conversation_id, v_user_id, case t.line ->> 'role' when 'user' then 'player' else 'nikita' end,
    t.line ->> 'message', t.secs, v_started_at + make_interval(secs => coalesce(t.secs, 0))
  from (select l.line, l.n,
          case when jsonb_typeof(l.line -> 'time_in_call_secs') = 'number'
               then round((l.line ->> 'time_in_call_secs')::numeric, 3) end as secs
        from jsonb_array_elements(v_transcript) with ordinality as l(line, n)) t
  where t.line ->> 'role' in ('user', 'agent') and nullif(trim(t.line ->> 'message'), '') is not null
  order by t.n;

  -- Facts she noted during the call (update_memory) belong to it now; one per fact hash, as the pipeline's own.
  if v_session.session_id is not null then
    update game.memory_facts f set conversation_id = v_voice_conversation_id
    where f.id in (
      select distinct on (m.fact_hash) m.id
      from private.tool_calls c
      join game.memory_facts m on m.id::text = c.response ->> 'fact_id'
      where c.session_id = v_session.session_id and c.tool = 'update_memory'
        and m.user_id = v_user_id and m.conversation_id is null
      order by m.fact_hash, m.created_at);
  end if;

  insert into private.conversation_jobs (conversation_id, user_id, status, next_attempt_at, created_at)
  values (v_voice_conversation_id, v_user_id, 'pending', p_now, p_now)
  on conflict (conversation_id) do nothing;
  perform game.touch_interaction(v_user_id, p_ended_at);
  return jsonb_build_object('status', 'stored', 'conversation_id', v_voice_conversation_id, 'user_id', v_user_id);
end
$$;
comment on function private.store_voice_call(text, timestamptz, jsonb, uuid, uuid, text, timestamptz) is 'Stores a call''s transcript for the resolved player (token, then conversation id, then call_sid): the session ended, a closed voice conversation with its messages, its tool facts linked, a pending job, an interaction; else unmatched or ignored.';
revoke execute on function private.store_voice_call(text, timestamptz, jsonb, uuid, uuid, text, timestamptz) from public;
grant execute on function private.store_voice_call(text, timestamptz, jsonb, uuid, uuid, text, timestamptz) to service_role;

-- A call that never started (call_initiation_failure): its session (the token's, else by ElevenLabs conversation id,
-- else by call_sid) is failed unless it already ended, and its outbox row is failed with the reason; there is no
-- automatic redial. No session found: unmatched.
create or replace function private.fail_voice_call(p_conversation_id text, p_payload jsonb, p_token_session_id uuid,
  p_call_sid text)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_session private.voice_sessions;
  v_reason text := left(coalesce(nullif(p_payload -> 'data' ->> 'failure_reason', ''), 'no reason given'), 1000);
begin
  select * into v_session from private.voice_sessions s where s.session_id = p_token_session_id for update;
  if v_session.session_id is null then
    select * into v_session from private.voice_sessions s where s.elevenlabs_conversation_id = p_conversation_id
    for update;
  end if;
  if v_session.session_id is null and p_call_sid is not null then
    select * into v_session from private.voice_sessions s where s.call_sid = p_call_sid for update;
  end if;
  if v_session.session_id is null then
    return jsonb_build_object('status', 'unmatched', 'conversation_id', null, 'user_id', null);
  end if;
  update private.voice_sessions s
  set status = 'failed', elevenlabs_conversation_id = coalesce(s.elevenlabs_conversation_id, p_conversation_id)
  where s.session_id = v_session.session_id and s.status = 'started';
  if v_session.outbox_id is not null then
    update private.outbox o set status = 'failed', lease_until = null, last_error = 'call initiation failure: ' || v_reason
    where o.id = v_session.outbox_id;
  end if;
  return jsonb_build_object('status', 'stored', 'conversation_id', null, 'user_id', v_session.user_id,
    'session_id', v_session.session_id);
end
$$;
comment on function private.fail_voice_call(text, jsonb, uuid, text) is 'A call_initiation_failure: the session (token, conversation id, call_sid) failed unless ended, its outbox row failed with the reason; unmatched when no session is found.';
revoke execute on function private.fail_voice_call(text, jsonb, uuid, text) from public;
grant execute on function private.fail_voice_call(text, jsonb, uuid, text) to service_role;
