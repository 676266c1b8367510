-- game.begin_turn: a player's message decided in one call (PLATFORM.md §2.3): stored once, the rate limits as a
-- value, the route (refused, closing, boss, boss_late, exchange) and the context her reply needs; and the reply
-- delay apply_exchange returns with it (GAME_RULES.md §14.2).
begin;
select plan(24);

create temporary sequence pg_temp_update_ids start 700000;
create function pg_temp.turn(p_user uuid, p_at timestamptz, p_text text default 'hello there') returns jsonb
language sql as $$ select game.begin_turn(p_user, nextval('pg_temp_update_ids'), p_text, p_at) $$;

-- An ordinary message: stored, routed to a scored exchange, with her context.
select tests.create_onboarded_player('plain', '2026-01-05 09:00+00', 'Europe/Berlin') as plain \gset
select pg_temp.turn(:'plain', '2026-01-05 12:00+00', 'I read your paper on side channels.') as t1 \gset
select is(:'t1'::jsonb ->> 'route', 'exchange', 'an active player''s message is a scored exchange');
select is((select count(*)::int from public.messages where user_id = :'plain' and role = 'player'), 1, 'the message is stored once');
select is(:'t1'::jsonb -> 'player', '{"display_name": "Plain", "chapter": 1, "chapter_name": "Curiosity", "score": 50.0000, "local_time": "Mon 13:00"}'::jsonb,
  'the context: name, chapter and her local time in the player''s zone');
select is(:'t1'::jsonb -> 'history', '[{"role": "player", "content": "I read your paper on side channels."}]'::jsonb,
  'the history ends with this message');
select is((:'t1'::jsonb ->> 'conversation_id')::uuid,
  (select conversation_id from public.messages where user_id = :'plain' and role = 'player'), 'the conversation it was stored in');
select is(:'t1'::jsonb -> 'refusal', 'null'::jsonb, 'no refusal under the limits');

-- The history: the open conversation, oldest first, within 60 lines.
select tests.message(:'plain', case when s % 2 = 0 then 'nikita' else 'player' end,
  '2026-01-05 12:00:10+00'::timestamptz + make_interval(secs => s), 'line ' || s)
from generate_series(1, 70) s;
select pg_temp.turn(:'plain', '2026-01-05 12:02:00+00', 'and another thing') as t2 \gset
select is(jsonb_array_length(:'t2'::jsonb -> 'history'), 60, 'at most 60 lines of history');
select is(:'t2'::jsonb -> 'history' -> 59 ->> 'content', 'and another thing', 'the newest line last');
select is(:'t2'::jsonb -> 'history' -> 0 ->> 'content', 'line 12', 'the oldest kept line first');

-- At most 12,000 characters, the newest line always.
select tests.create_onboarded_player('verbose') as verbose \gset
select tests.message(:'verbose', 'player', '2026-01-05 12:00:00+00', repeat('a', 7000));
select pg_temp.turn(:'verbose', '2026-01-05 12:00:30+00', repeat('b', 6000)) as t3 \gset
select is(jsonb_array_length(:'t3'::jsonb -> 'history'), 1, 'lines beyond 12,000 characters are left out');
select tests.create_onboarded_player('huge') as huge \gset
select is(jsonb_array_length(pg_temp.turn(:'huge', '2026-01-05 12:00+00', repeat('c', 13000)) -> 'history'), 1,
  'the newest line is kept even when it alone is over the budget');

-- Over the minute limit: stored, refused once per minute, as a value.
select tests.create_onboarded_player('rush') as rush \gset
select pg_temp.turn(:'rush', '2026-01-05 12:00:00+00'::timestamptz + make_interval(secs => s)) from generate_series(0, 19) s;
select pg_temp.turn(:'rush', '2026-01-05 12:00:30+00') as r21 \gset
select is(:'r21'::jsonb ->> 'route', 'refused', 'the 21st message in a minute is refused');
select is(:'r21'::jsonb -> 'refusal', '{"window": "minute", "retry_after_seconds": 30, "send_line": true}'::jsonb,
  'with its window, the retry time and one refusal line');
select is(pg_temp.turn(:'rush', '2026-01-05 12:00:31+00') -> 'refusal' ->> 'send_line', 'false',
  'the next refused message in that minute gets no line');
select is((select count(*)::int from public.messages where user_id = :'rush' and role = 'player'), 22, 'refused messages are stored too');
select is((select count(*)::int from public.score_history where user_id = :'rush'), 0, 'and nothing is scored');

-- The 450th message of the local day carries the warning.
select tests.create_onboarded_player('chatty') as chatty \gset
select pg_temp.turn(:'chatty', '2026-01-05 00:00:00+00') ->> 'conversation_id' as chatty_conversation \gset
insert into public.messages (conversation_id, user_id, role, content, created_at)
select :'chatty_conversation'::uuid, :'chatty', 'player', 'm',
  '2026-01-05 01:00:00+00'::timestamptz + make_interval(mins => s)
from generate_series(1, 448) s;
select is(pg_temp.turn(:'chatty', '2026-01-05 20:00+00') ->> 'warning', 'true', 'the 450th message of the day carries the warning');

-- Finished games get her closing line.
select tests.create_onboarded_player('over') as over \gset
update public.users set game_status = 'game_over', game_over_reason = 'boss' where id = :'over';
select is(pg_temp.turn(:'over', '2026-01-05 12:00+00') ->> 'route', 'closing', 'game over: her closing line');
update public.users set game_status = 'won', game_over_reason = null where id = :'over';
select is(pg_temp.turn(:'over', '2026-01-05 12:05+00') -> 'route', '"closing"'::jsonb, 'won: her closing line');

-- A boss encounter: a boss step with the encounter's transcript; after the phase's deadline, the timeout first.
select tests.create_onboarded_player('boss') as boss \gset
select tests.start_boss(:'boss', '2026-01-05 12:00+00');
select pg_temp.turn(:'boss', '2026-01-05 12:10+00', 'here is my belief') as b1 \gset
select is(:'b1'::jsonb ->> 'route', 'boss', 'in an encounter the message is a boss step');
select is(:'b1'::jsonb -> 'history' -> -1 ->> 'content', 'here is my belief', 'with the encounter''s transcript');
select is(pg_temp.turn(:'boss', '2026-01-06 12:10:01+00') - array['history', 'player', 'conversation_id', 'message_id', 'warning', 'refusal'],
  '{"route": "boss_late", "game_status": "active", "boss": {"boss_fight_id": null, "phase": null, "her_reply": "none", "judge_now": false,
    "early": false, "timed_out": true, "resolution_replies": 0,
    "events": [{"type": "boss_timeout"}, {"type": "boss_failed", "attempts": 1, "remaining": 2}]}}'::jsonb,
  'a reply after the 24 h deadline: the timeout is applied first and the reply belongs to no phase');

-- Not onboarded: ONBRQ.
select tests.create_player('newbie') as newbie \gset
select is(tests.attempt(format('select game.begin_turn(%L, 1, %L, now())', :'newbie', 'hi')), 'ONBRQ', 'onboarding first');

-- apply_exchange with a reply draw returns her reply delay: Z = 0 opens a conversation in chapter 1:
-- floor(min(10, exp(2.996) x 0.15 x 1)) = floor(3.0004) = 3 s.
select tests.create_onboarded_player('delay') as delay \gset
select pg_temp.turn(:'delay', '2026-01-05 12:00+00') as d1 \gset
select is((game.apply_exchange(:'delay', tests.analysis(0, 0, 0, 0), '2026-01-05 12:00+00', 'telegram',
  (:'d1'::jsonb ->> 'conversation_id')::uuid, 0) ->> 'reply_delay_seconds')::numeric, 3::numeric,
  'her reply delay comes with the exchange');

select * from finish();
rollback;
