-- Voice calls (PLATFORM.md §4, GAME_RULES.md §16): the initiation's four cases keyed by call_sid, the outbound
-- session, the post-call webhook's durable step (resolution, conversation, messages, job, duplicates, failures),
-- and the idempotency of the write tools.
begin;
select plan(63);

-- Vera: onboarded in Berlin, chapter 2 (she picks up iff roll < 0.40), with a voice ready prompt and summaries.
select tests.create_onboarded_player('vera', '2026-01-05 09:00+00', 'Europe/Berlin') as vera \gset
update public.users set phone = '+4915112345678', chapter = 2 where id = :'vera';
select game.save_ready_prompt(:'vera', 'text', 'her text context', 4, '{}', null, '2026-01-05 10:00+00');
select game.save_ready_prompt(:'vera', 'voice', 'her voice context', 4, '{}', null, '2026-01-05 10:00+00');
insert into public.conversations (user_id, platform, status, started_at, last_message_at, ended_at, chapter_at_start, summary)
values (:'vera', 'telegram', 'closed', '2026-01-05 09:10+00', '2026-01-05 09:20+00', '2026-01-05 09:35+00', 2, 'They met.'),
       (:'vera', 'telegram', 'closed', '2026-01-05 10:10+00', '2026-01-05 10:20+00', '2026-01-05 10:35+00', 2, 'He told her about Lisbon.'),
       (:'vera', 'telegram', 'closed', '2026-01-05 11:10+00', '2026-01-05 11:20+00', '2026-01-05 11:35+00', 2, null);
-- Nina never finished onboarding; Otto's game is over; Tina is in chapter 1 (p = 0.10).
select tests.create_player('nina') as nina \gset
update public.users set phone = '+4915100000001' where id = :'nina';
select tests.create_onboarded_player('otto') as otto \gset
update public.users set phone = '+4915100000002', game_status = 'game_over', game_over_reason = 'decay' where id = :'otto';
select tests.create_onboarded_player('tina') as tina \gset
update public.users set phone = '+4915100000003' where id = :'tina';

-- Local time and the part of the day: morning 05-12, afternoon 12-17, evening 17-21, night 21-05.
select results_eq(
  $$select game.time_of_day(t::timestamp) from unnest(array['2026-01-05 04:59', '2026-01-05 05:00', '2026-01-05 11:59',
    '2026-01-05 12:00', '2026-01-05 16:59', '2026-01-05 17:00', '2026-01-05 20:59', '2026-01-05 21:00']) with ordinality u(t, n)
    order by n$$,
  $$values ('night'), ('morning'), ('morning'), ('afternoon'), ('afternoon'), ('evening'), ('evening'), ('night')$$,
  'time_of_day: the boundaries at 05, 12, 17 and 21');

-- 1. Unknown caller: no session id, no player; the row is kept under the call_sid.
select game.start_voice_session('+19995550000', 'CA-unknown', '2026-01-05 12:00+00', 0.01) as r \gset
select is((:'r'::jsonb) - 'issued_at', jsonb_build_object('case', 'unknown', 'session_id', null, 'user_id', null,
  'direction', 'inbound', 'issued_at_epoch', 1767614400, 'player', null, 'availability', null, 'voice_prompt', null,
  'last_summary', null), 'an unknown number: case unknown, no session id, no player');
select results_eq($$select user_id, direction, status, issued_at from private.voice_sessions where call_sid = 'CA-unknown'$$,
  $$values (null::uuid, 'inbound'::text, 'unknown_caller'::text, '2026-01-05 12:00+00'::timestamptz)$$,
  'its session row: no player, status unknown_caller');

-- 2. Not onboarded.
select game.start_voice_session('+4915100000001', 'CA-nina', '2026-01-05 12:00+00', 0.01) as r \gset
select is(jsonb_build_array(:'r'::jsonb -> 'case', :'r'::jsonb -> 'session_id', :'r'::jsonb ->> 'user_id', :'r'::jsonb -> 'availability'),
  jsonb_build_array('not_onboarded', null, :'nina', null), 'a player still onboarding: case not_onboarded, no session id');
select is((select status from private.voice_sessions where call_sid = 'CA-nina'), 'not_onboarded', 'stored as not_onboarded');

-- 3. Unavailable: a roll at p(chapter 2) = 0.40, game over.
select game.start_voice_session('+4915112345678', 'CA-vera-1', '2026-01-05 12:00+00', 0.40) as r \gset
select is(jsonb_build_array(:'r'::jsonb -> 'case', :'r'::jsonb -> 'session_id', :'r'::jsonb -> 'availability'),
  '["unavailable", null, {"available": false, "reason": "busy", "chapter": 2, "probability": 0.40}]'::jsonb,
  'chapter 2, roll 0.40: unavailable (busy), no session id');
select is(:'r'::jsonb -> 'player', '{"display_name": "Vera", "chapter": 2, "chapter_name": "Intrigue", "game_status": "active",
  "timezone": "Europe/Berlin", "local_time": "13:00", "time_of_day": "afternoon"}'::jsonb,
  'the player block: name, chapter, Berlin local time and part of the day');
select is(:'r'::jsonb -> 'voice_prompt', '"her voice context"'::jsonb, 'the current voice ready prompt, not the text one');
select is(:'r'::jsonb -> 'last_summary', '"He told her about Lisbon."'::jsonb, 'the latest closed conversation''s summary');
select results_eq($$select user_id, status from private.voice_sessions where call_sid = 'CA-vera-1'$$,
  $$values (tests.player('vera'), 'unavailable'::text)$$, 'stored as unavailable');
select game.start_voice_session('+4915100000002', 'CA-otto', '2026-01-05 12:00+00', 0) as r \gset
select is(jsonb_build_array(:'r'::jsonb -> 'case', :'r'::jsonb -> 'availability' -> 'reason'), '["unavailable", "game_over"]',
  'after game over: unavailable whatever the roll');

-- 4. Available: a roll just below 0.40.
select game.start_voice_session('+4915112345678', 'CA-vera-2', '2026-01-05 12:01+00', 0.3999) as avail \gset
select is(jsonb_build_array(:'avail'::jsonb -> 'case', :'avail'::jsonb ->> 'user_id', :'avail'::jsonb -> 'availability' -> 'available',
  :'avail'::jsonb -> 'issued_at_epoch', :'avail'::jsonb -> 'player' ->> 'local_time'),
  jsonb_build_array('available', :'vera', true, 1767614460, '13:01'), 'roll 0.3999: available, issued now');
select results_eq(
  format($$select session_id, user_id, direction, status, issued_at, outbox_id from private.voice_sessions where call_sid = 'CA-vera-2'$$),
  format($$values (%L::uuid, %L::uuid, 'inbound'::text, 'started'::text, '2026-01-05 12:01+00'::timestamptz, null::bigint)$$,
    :'avail'::jsonb ->> 'session_id', :'vera'),
  'a new started inbound session, issued at now, under the returned session id');

-- A repeat of a call_sid: the stored result, the same session, whatever the roll or the time.
select is(game.start_voice_session('+4915112345678', 'CA-vera-2', '2026-01-05 12:01:03+00', 0.99), :'avail'::jsonb,
  'a repeated initiation returns the first answer unchanged');
select is(game.start_voice_session('+4915112345678', 'CA-vera-1', '2026-01-05 12:01:03+00', 0)::jsonb ->> 'case', 'unavailable',
  'a refused call stays refused on its repeat');
select is((select count(*)::int from private.voice_sessions where call_sid in ('CA-vera-1', 'CA-vera-2')), 2,
  'one session row per call_sid');
select throws_ok($$select game.start_voice_session('+4915112345678', null, '2026-01-05 12:00+00', 0.1)$$, '22023', null,
  'an initiation without a call_sid is refused');
select throws_ok($$select game.start_voice_session('+4915112345678', 'CA-x', '2026-01-05 12:00+00', 1)$$, '22023',
  'roll must be in [0, 1), got 1', 'a roll outside [0, 1) is refused');

-- The outbound session for a call row: no roll, the same blocks, the phone to dial.
insert into private.outbox (dedupe_key, user_id, channel, kind, payload, due_at, status)
values ('call:tp-1', :'vera', 'voice', 'call', '{"reason": "miss_you"}', '2026-01-05 15:00+00', 'sending'),
       ('call:tp-2', :'vera', 'voice', 'call', '{}', '2026-01-05 16:00+00', 'sent'),
       ('call:tp-3', :'vera', 'voice', 'call', '{}', '2026-01-05 17:00+00', 'sent');
select game.start_outbound_session(:'vera', (select id from private.outbox where dedupe_key = 'call:tp-1'), '2026-01-05 15:00+00') as out1 \gset
select is(:'out1'::jsonb - 'session_id' - 'issued_at', jsonb_build_object('case', 'available', 'user_id', :'vera', 'direction', 'outbound',
  'issued_at_epoch', 1767625200, 'availability', null, 'voice_prompt', 'her voice context', 'last_summary', 'He told her about Lisbon.',
  'phone', '+4915112345678', 'outbox_id', (select id from private.outbox where dedupe_key = 'call:tp-1'),
  'player', jsonb_build_object('display_name', 'Vera', 'chapter', 2, 'chapter_name', 'Intrigue', 'game_status', 'active',
    'timezone', 'Europe/Berlin', 'local_time', '16:00', 'time_of_day', 'afternoon')),
  'an outbound session: available, the player block, voice prompt, last summary and phone');
select results_eq(format($$select direction, status, call_sid, issued_at, outbox_id from private.voice_sessions where session_id = %L$$,
    :'out1'::jsonb ->> 'session_id'),
  $$values ('outbound'::text, 'started'::text, null::text, '2026-01-05 15:00+00'::timestamptz,
    (select id from private.outbox where dedupe_key = 'call:tp-1'))$$,
  'stored as a started outbound session of the outbox row, no call_sid yet');
select throws_ok(format('select game.start_outbound_session(%L, null, %L)', gen_random_uuid(), '2026-01-05 15:00+00'), 'PNFND', null,
  'an outbound session for an unknown player is PNFND');
select is(private.set_session_call((:'out1'::jsonb ->> 'session_id')::uuid, 'CA-out-1', 'conv-out-1') - 'issued_at',
  jsonb_build_object('session_id', :'out1'::jsonb ->> 'session_id', 'user_id', :'vera', 'direction', 'outbound', 'status', 'started',
    'call_sid', 'CA-out-1', 'elevenlabs_conversation_id', 'conv-out-1'),
  'the outbound-call API''s callSid and conversation id are stored on the session');
select is(game.voice_session((:'out1'::jsonb ->> 'session_id')::uuid) ->> 'elevenlabs_conversation_id', 'conv-out-1',
  'game.voice_session reads them back');
-- A dial that surely placed no call fails its session (a retry mints a new one); an ended session stays ended.
select game.start_outbound_session(:'vera', (select id from private.outbox where dedupe_key = 'call:tp-1'), '2026-01-05 15:01+00') as out1b \gset
select private.fail_outbound_session((:'out1b'::jsonb ->> 'session_id')::uuid);
select is((select status from private.voice_sessions where session_id = (:'out1b'::jsonb ->> 'session_id')::uuid), 'failed',
  'a dial refused: its session failed');
update private.voice_sessions set status = 'ended' where session_id = (:'out1b'::jsonb ->> 'session_id')::uuid;
select private.fail_outbound_session((:'out1b'::jsonb ->> 'session_id')::uuid);
select is((select status from private.voice_sessions where session_id = (:'out1b'::jsonb ->> 'session_id')::uuid), 'ended',
  'an ended session is not failed');
select is(game.voice_session(gen_random_uuid()), null, 'game.voice_session of an unknown session is null');

-- The post-call webhook: Vera's inbound call (CA-vera-2) found by its call_sid. 95 s long, ending 12:10.
create temporary table call_payload as select jsonb_build_object('type', 'post_call_transcription', 'data', jsonb_build_object(
  'conversation_id', 'conv-in-1', 'status', 'done',
  'metadata', jsonb_build_object('call_duration_secs', 95),
  'transcript', jsonb_build_array(
    jsonb_build_object('role', 'user', 'message', 'Hey you', 'time_in_call_secs', 0.5),
    jsonb_build_object('role', 'agent', 'message', 'Hi! Busy day?', 'time_in_call_secs', 2.25),
    jsonb_build_object('role', 'agent', 'message', null, 'time_in_call_secs', 3, 'tool_calls', '[{"tool_name": "get_memory"}]'::jsonb),
    jsonb_build_object('role', 'user', 'message', '   ', 'time_in_call_secs', 4),
    jsonb_build_object('role', 'user', 'message', 'Yes, a long one', 'time_in_call_secs', 6),
    jsonb_build_object('role', 'agent', 'message', 'Tell me everything', 'time_in_call_secs', 8)))) as p;
select game.record_post_call('post_call_transcription', 'conv-in-1', '2026-01-05 12:10+00', (select p from call_payload),
  null, null, 'CA-vera-2', '2026-01-05 12:10:02+00') as pc \gset
select id as conv from public.conversations where elevenlabs_conversation_id = 'conv-in-1' \gset
select is(:'pc'::jsonb - 'event_id', jsonb_build_object('status', 'stored', 'conversation_id', :'conv', 'user_id', :'vera'),
  'a transcription of a known call: stored, with its conversation and player');
select results_eq(format($$select user_id, platform, status, started_at, last_message_at, ended_at, chapter_at_start, is_boss_fight, scored_at
    from public.conversations where id = %L$$, :'conv'),
  $$values (tests.player('vera'), 'voice'::text, 'closed'::text, '2026-01-05 12:08:25+00'::timestamptz, '2026-01-05 12:10+00'::timestamptz,
    '2026-01-05 12:10+00'::timestamptz, 2::smallint, false, null::timestamptz)$$,
  'a closed voice conversation from event time minus the call duration to the event time, in her chapter, not scored yet');
select results_eq(format($$select role, content, time_in_call_secs, created_at from public.messages where conversation_id = %L order by created_at, id$$, :'conv'),
  $$values ('player'::text, 'Hey you'::text, 0.5::numeric, '2026-01-05 12:08:25.5+00'::timestamptz),
           ('nikita', 'Hi! Busy day?', 2.25, '2026-01-05 12:08:27.25+00'),
           ('player', 'Yes, a long one', 6, '2026-01-05 12:08:31+00'),
           ('nikita', 'Tell me everything', 8, '2026-01-05 12:08:33+00')$$,
  'its messages in order: user -> player, agent -> nikita, empty lines skipped, each at start + time in call');
select is((select array_agg(id order by id) = array_agg(id order by created_at) from public.messages where conversation_id = :'conv'), true,
  'the messages are stored in transcript order');
select results_eq(format($$select user_id, status, attempts, next_attempt_at, stages from private.conversation_jobs where conversation_id = %L$$, :'conv'),
  $$values (tests.player('vera'), 'pending'::text, 0, '2026-01-05 12:10:02+00'::timestamptz, '{}'::jsonb)$$,
  'a pending post-conversation job, due at once (stage 0 scores the call)');
select results_eq($$select last_interaction_at, days_played from public.users where id = tests.player('vera')$$,
  $$values ('2026-01-05 12:10+00'::timestamptz, 1)$$, 'the end of the call is a player interaction');
select results_eq($$select status, elevenlabs_conversation_id from private.voice_sessions where call_sid = 'CA-vera-2'$$,
  $$values ('ended'::text, 'conv-in-1'::text)$$, 'the session ended, under its ElevenLabs conversation id');
select results_eq($$select status, user_id, voice_conversation_id, event_timestamp, received_at, payload -> 'data' ->> 'status'
    from private.voice_events where type = 'post_call_transcription' and conversation_id = 'conv-in-1'$$,
  format($$values ('stored'::text, %L::uuid, %L::uuid, '2026-01-05 12:10+00'::timestamptz, '2026-01-05 12:10:02+00'::timestamptz, 'done'::text)$$,
    :'vera', :'conv'),
  'the event is stored with its payload, player and conversation');

-- A replay of the same event: duplicate, nothing changes.
select is(game.record_post_call('post_call_transcription', 'conv-in-1', '2026-01-05 12:10+00', (select p from call_payload),
  null, null, 'CA-vera-2', '2026-01-05 12:11+00') - 'event_id', '{"status": "duplicate", "conversation_id": null, "user_id": null}'::jsonb,
  'the same event again: duplicate');
select results_eq($$select (select count(*)::int from public.conversations where platform = 'voice'),
    (select count(*)::int from public.messages m join public.conversations c on c.id = m.conversation_id where c.platform = 'voice'),
    (select count(*)::int from private.conversation_jobs j join public.conversations c on c.id = j.conversation_id where c.platform = 'voice'),
    (select count(*)::int from private.voice_events)$$,
  $$values (1, 4, 1, 1)$$, 'no second conversation, message, job or event');

-- Five minutes after that call she does not pick up; at five minutes the roll decides again.
select is(game.start_voice_session('+4915112345678', 'CA-vera-4', '2026-01-05 12:14:59+00', 0)::jsonb -> 'availability' ->> 'reason',
  'cooldown', 'within 5 min of the end of her last call: unavailable (cooldown)');
select is(game.start_voice_session('+4915112345678', 'CA-vera-5', '2026-01-05 12:15+00', 0)::jsonb ->> 'case', 'available',
  '5 min after: available again');

-- Resolution, first by the token's player: Tina's session by her token wins over the call_sid of Vera's call.
select game.start_voice_session('+4915100000003', 'CA-tina-1', '2026-01-05 13:00+00', 0.05) as tina_call \gset
select is(game.record_post_call('post_call_transcription', 'conv-tina', '2026-01-05 13:05+00',
    '{"data": {"transcript": [{"role": "user", "message": "hi", "time_in_call_secs": 1}], "metadata": {"call_duration_secs": 300}}}',
    :'tina', (:'tina_call'::jsonb ->> 'session_id')::uuid, 'CA-vera-1', '2026-01-05 13:05:01+00') ->> 'user_id', :'tina',
  'resolved first by the signed token''s player');
select results_eq($$select status, elevenlabs_conversation_id from private.voice_sessions where call_sid in ('CA-tina-1', 'CA-vera-1') order by call_sid$$,
  $$values ('ended'::text, 'conv-tina'::text), ('unavailable', null)$$,
  'the token''s session ended under the conversation id; the other call_sid''s session is untouched');
select is(game.record_post_call('post_call_transcription', 'conv-tina-2', '2026-01-05 14:00+00', '{"data": {"transcript": []}}',
    :'tina', gen_random_uuid(), null, '2026-01-05 14:00:01+00') ->> 'status', 'stored',
  'a token''s player without a session row is still resolved');
select is((select count(*)::int from public.conversations where user_id = :'tina' and platform = 'voice'), 2,
  'Tina has both calls as voice conversations');

-- Then by the session holding the conversation id (the outbound call), with the facts its tools stored linked to it.
insert into game.memory_facts (user_id, graph_type, fact, source, embedding, fact_hash, created_at)
values (:'vera', 'user', 'has a sister in Porto', 'voice_tool', array_fill(0.1, array[1536])::extensions.vector,
  md5('has a sister in porto'), '2026-01-05 15:02+00');
select private.save_tool_call('update_memory:fact-1', (:'out1'::jsonb ->> 'session_id')::uuid, 'update_memory', 'hash-fact-1',
  jsonb_build_object('stored', true, 'fact_id', (select id from game.memory_facts where fact = 'has a sister in Porto'), 'superseded_id', null));
select game.record_post_call('post_call_transcription', 'conv-out-1', '2026-01-05 15:10+00',
  '{"data": {"transcript": [{"role": "agent", "message": "Guess who", "time_in_call_secs": 0}, {"role": "user", "message": "You!", "time_in_call_secs": 42}]}}',
  null, null, null, '2026-01-05 15:10:01+00') as pc \gset
select is(:'pc'::jsonb ->> 'user_id', :'vera', 'resolved by the session holding the ElevenLabs conversation id');
select results_eq(format($$select c.started_at, (select status from private.voice_sessions where session_id = %L),
    (select f.conversation_id from game.memory_facts f where f.fact = 'has a sister in Porto')
    from public.conversations c where c.id = %L$$, :'out1'::jsonb ->> 'session_id', :'pc'::jsonb ->> 'conversation_id'),
  format($$values ('2026-01-05 15:09:18+00'::timestamptz, 'ended'::text, %L::uuid)$$, :'pc'::jsonb ->> 'conversation_id'),
  'without a call duration it starts at the last line''s time in call; the session ended; the call''s tool fact is linked to it');

-- Else unmatched: no token and no session, or only an unknown caller's session. A call she refused is ignored.
select is(game.record_post_call('post_call_transcription', 'conv-nobody', '2026-01-05 16:00+00', '{"data": {}}', null, null, 'CA-none',
  '2026-01-05 16:00:01+00') - 'event_id', '{"status": "unmatched", "conversation_id": null, "user_id": null}'::jsonb,
  'no token and no session: unmatched');
select is(game.record_post_call('post_call_transcription', 'conv-stranger', '2026-01-05 16:00+00', '{"data": {}}', null, null, 'CA-unknown',
  '2026-01-05 16:00:01+00') ->> 'status', 'unmatched', 'an unknown caller''s call: unmatched');
select is(game.record_post_call('post_call_transcription', 'conv-refused', '2026-01-05 12:01+00',
  '{"data": {"transcript": [{"role": "agent", "message": "Not now, sorry", "time_in_call_secs": 1}]}}', null, null, 'CA-vera-1',
  '2026-01-05 12:01:05+00') - 'event_id', jsonb_build_object('status', 'ignored', 'conversation_id', null, 'user_id', :'vera'),
  'the transcript of a call she refused: ignored, nothing to play');
select results_eq($$select conversation_id, status, user_id from private.voice_events
    where conversation_id in ('conv-nobody', 'conv-stranger', 'conv-refused') order by conversation_id$$,
  $$values ('conv-nobody'::text, 'unmatched'::text, null::uuid), ('conv-refused', 'ignored', tests.player('vera')), ('conv-stranger', 'unmatched', null)$$,
  'each is kept with its outcome');
select is((select count(*)::int from public.conversations where elevenlabs_conversation_id in ('conv-nobody', 'conv-stranger', 'conv-refused')), 0,
  'none of them became a conversation');

-- call_initiation_failure: the session (by conversation id, or by call_sid) and its outbox row fail.
select game.start_outbound_session(:'vera', (select id from private.outbox where dedupe_key = 'call:tp-2'), '2026-01-05 16:00+00') as out2 \gset
select private.set_session_call((:'out2'::jsonb ->> 'session_id')::uuid, 'CA-out-2', 'conv-out-2');
select game.start_outbound_session(:'vera', (select id from private.outbox where dedupe_key = 'call:tp-3'), '2026-01-05 17:00+00') as out3 \gset
select private.set_session_call((:'out3'::jsonb ->> 'session_id')::uuid, 'CA-out-3', null);
select is(game.record_post_call('call_initiation_failure', 'conv-out-2', '2026-01-05 16:00:30+00',
  '{"data": {"conversation_id": "conv-out-2", "failure_reason": "busy"}}', null, null, null, '2026-01-05 16:00:31+00') ->> 'status',
  'stored', 'an initiation failure is stored');
select game.record_post_call('call_initiation_failure', 'conv-out-3', '2026-01-05 17:00:30+00', '{"data": {}}', null, null, 'CA-out-3',
  '2026-01-05 17:00:31+00');
select results_eq($$select s.call_sid, s.status, o.status, o.last_error from private.voice_sessions s join private.outbox o on o.id = s.outbox_id
    where s.call_sid in ('CA-out-2', 'CA-out-3') order by s.call_sid$$,
  $$values ('CA-out-2'::text, 'failed'::text, 'failed'::text, 'call initiation failure: busy'::text),
           ('CA-out-3', 'failed', 'failed', 'call initiation failure: no reason given')$$,
  'by conversation id and by call_sid: the session and its outbox row failed, with the reason');
select is((select status from private.outbox where dedupe_key = 'call:tp-1'), 'sending', 'another call''s outbox row is untouched');

-- post_call_audio (not enabled) and unknown types: ignored; the audio itself is not kept.
select is(game.record_post_call('post_call_audio', 'conv-in-1', '2026-01-05 12:10+00',
  '{"type": "post_call_audio", "data": {"conversation_id": "conv-in-1", "full_audio": "UklGRiQAAABXQVZF"}}', null, null, null,
  '2026-01-05 12:10:05+00') ->> 'status', 'ignored', 'post_call_audio is ignored');
select results_eq($$select status, payload -> 'data' ? 'full_audio', payload -> 'data' ->> 'conversation_id' from private.voice_events
    where type = 'post_call_audio'$$, $$values ('ignored'::text, false, 'conv-in-1'::text)$$,
  'stored as ignored, without the recording');
select is(game.record_post_call('workspace_event', 'conv-in-1', null, '{}', null, null, null, '2026-01-05 12:10:05+00') ->> 'status', 'ignored',
  'an unknown event type is ignored');
select throws_ok($$select game.record_post_call('post_call_transcription', null, null, '{}', null, null, null, '2026-01-05 12:00+00')$$,
  '22023', null, 'an event without a conversation id is refused');

-- Tool calls: a new key, the same input again, another input.
select is(private.tool_call_replay('k-1', (:'avail'::jsonb ->> 'session_id')::uuid, 'update_memory', 'h-1'), null, 'a new key: null');
select is(private.save_tool_call('k-1', (:'avail'::jsonb ->> 'session_id')::uuid, 'update_memory', 'h-1', '{"stored": true, "fact_id": "f-1"}'),
  '{"stored": true, "fact_id": "f-1"}'::jsonb, 'the first save returns its response');
select is(private.tool_call_replay('k-1', (:'avail'::jsonb ->> 'session_id')::uuid, 'update_memory', 'h-1'),
  '{"stored": true, "fact_id": "f-1"}'::jsonb, 'the same key and input: the stored response');
select is(private.save_tool_call('k-1', (:'avail'::jsonb ->> 'session_id')::uuid, 'update_memory', 'h-1', '{"stored": true, "fact_id": "f-2"}'),
  '{"stored": true, "fact_id": "f-1"}'::jsonb, 'a second first call of the key answers what the first stored');
select throws_ok(format($$select private.tool_call_replay('k-1', %L, 'update_memory', 'h-other')$$, :'avail'::jsonb ->> 'session_id'),
  'IDMIS', 'idempotency key k-1 was reused with different input', 'the same key with another input: IDMIS');
select throws_ok(format($$select private.save_tool_call('k-1', %L, 'update_memory', 'h-other', '{}')$$, :'avail'::jsonb ->> 'session_id'),
  'IDMIS', null, 'saving under the key with another input: IDMIS');
select is((select response ->> 'fact_id' from private.tool_calls where idempotency_key = 'k-1'), 'f-1', 'the first response is kept');

select * from finish();
rollback;
