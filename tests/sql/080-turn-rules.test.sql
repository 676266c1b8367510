-- The rules of a turn (GAME_RULES.md §14): rate limits, her reply delay with momentum, and conversations
-- (storing messages once, idle close, rollover).
begin;
select plan(26);

-- Player messages at the given times (stored as the turn stores them, one update id each).
create function pg_temp.messages(p_user uuid, p_times timestamptz[]) returns void language plpgsql as $$
declare
  t timestamptz;
begin
  foreach t in array p_times loop
    perform game.store_player_message(p_user, nextval('pg_temp_update_ids'), 'hey', t);
  end loop;
end $$;
create temporary sequence pg_temp_update_ids start 900000;
create function pg_temp.ratel(p_user uuid, p_now timestamptz) returns jsonb language plpgsql as $$
begin
  perform game.check_rate_limit(p_user, p_now);
  return null;
exception when sqlstate 'RATEL' then
  declare
    v_detail text;
  begin
    get stacked diagnostics v_detail = pg_exception_detail;
    return v_detail::jsonb;
  end;
end $$;

-- Per minute: 20 messages in (now - 60 s, now]; the 21st is refused, once per minute.
select tests.create_onboarded_player('rush') as rush \gset
select pg_temp.messages(:'rush', array(select '2026-01-05 12:00:00+00'::timestamptz + make_interval(secs => s * 2) from generate_series(0, 18) s));
select is(game.check_rate_limit(:'rush', '2026-01-05 12:00:50+00'), '{"minute_count": 20, "day_count": 20, "warning": false}'::jsonb,
  'the 20th message in a minute passes');
select pg_temp.messages(:'rush', array['2026-01-05 12:00:50+00'::timestamptz]);
select is(pg_temp.ratel(:'rush', '2026-01-05 12:00:55+00'), '{"window": "minute", "retry_after_seconds": 5, "refuse": true}'::jsonb,
  'the 21st is RATEL (minute), retry when the oldest leaves the window, with a refusal');
select game.note_rate_refusal(:'rush', 'minute', '2026-01-05 12:00:55+00');
select pg_temp.messages(:'rush', array['2026-01-05 12:00:55+00'::timestamptz]);
select is(pg_temp.ratel(:'rush', '2026-01-05 12:00:58+00') ->> 'refuse', 'false', 'a second refused message in that minute gets no refusal');
select is(pg_temp.ratel(:'rush', '2026-01-05 12:02:30+00'), null, 'a minute later the limit has passed');

-- Per local day: 500; the 450th carries her hint.
select tests.create_onboarded_player('chatty', '2026-01-05 00:00+00', 'Asia/Tokyo') as chatty \gset
select pg_temp.messages(:'chatty', array(select '2026-01-05 15:00+00'::timestamptz + make_interval(secs => s * 30) from generate_series(0, 448) s));
select is(game.check_rate_limit(:'chatty', '2026-01-05 19:00+00') ->> 'warning', 'true', 'the 450th message of the local day carries the warning');
select pg_temp.messages(:'chatty', array(select '2026-01-05 19:00+00'::timestamptz + make_interval(secs => s * 30) from generate_series(0, 50) s));
select is(pg_temp.ratel(:'chatty', '2026-01-05 14:00+00'::timestamptz + interval '5 hours 30 minutes'),
  '{"window": "day", "retry_after_seconds": 70200, "refuse": true}'::jsonb,
  'the 501st of the Tokyo day is RATEL (day), retry at local midnight (15:00 UTC next day)');
select is(game.check_rate_limit(:'chatty', '2026-01-06 15:00+00') ->> 'day_count', '1', 'a new local day starts a new count');
select throws_ok(format('select game.check_rate_limit(%L, %L)', gen_random_uuid(), '2026-01-05 12:00+00'), 'PNFND', null, 'unknown player: PNFND');

-- Reply delay: only a message that opens a conversation waits; delay = max(1, floor(min(cap, e^(2.996 + 1.714 Z) x coefficient x M))).
select tests.create_onboarded_player('slow') as slow \gset
select pg_temp.messages(:'slow', array['2026-01-05 12:00+00'::timestamptz]);
select is(game.reply_delay(:'slow', '2026-01-05 12:00+00', 0), '{"delay_seconds": 3, "new_conversation": true, "momentum": 1.0}'::jsonb,
  'chapter 1, Z = 0, no gaps: floor(20.005 x 0.15) = 3');
select is(game.reply_delay(:'slow', '2026-01-05 12:00+00', 2) ->> 'delay_seconds', '10', 'capped at 10 s in chapter 1');
select is(game.reply_delay(:'slow', '2026-01-05 12:00+00', -3) ->> 'delay_seconds', '1', 'at least 1 s');
select pg_temp.messages(:'slow', array['2026-01-05 12:10+00'::timestamptz]);
select is(game.reply_delay(:'slow', '2026-01-05 12:10+00', 0), '{"delay_seconds": 0, "new_conversation": false, "momentum": null}'::jsonb,
  'inside a conversation she answers at once');
select tests.create_onboarded_player('fast') as fast \gset
update public.users set chapter = 5 where id = :'fast';
select pg_temp.messages(:'fast', array['2026-01-05 09:00:00+00', '2026-01-05 09:01:00+00', '2026-01-05 09:02:00+00', '2026-01-05 09:30:00+00']::timestamptz[]);
select is(game.reply_delay(:'fast', '2026-01-05 09:30+00', 0), '{"delay_seconds": 16, "new_conversation": true, "momentum": 0.8075}'::jsonb,
  'chapter 5, gaps of 60 s: EWMA 90 -> 79.5 -> 72.675, M = 0.8075, floor(20.005 x 0.8075) = 16 (the 28 min gap is left out)');
select is(game.reply_delay(:'fast', '2026-01-05 09:30+00', 10) ->> 'delay_seconds', '1800', 'capped at 30 min in chapter 5');
select tests.start_boss(:'fast', '2026-01-05 09:30+00');
select is(game.reply_delay(:'fast', '2026-01-05 10:30+00', 0) ->> 'delay_seconds', '0', 'in a boss fight she answers at once');

-- Conversations: one row per message, once per update; idle 15 min closes; a late message rolls over.
select tests.create_onboarded_player('talk') as talk \gset
select game.store_player_message(:'talk', 424242, 'hello', '2026-01-05 12:00+00') - 'message_id' - 'conversation_id' as first \gset
select game.store_player_message(:'talk', 424242, 'hello', '2026-01-05 12:00:05+00') - 'message_id' - 'conversation_id' as again \gset
select is(:'first'::jsonb, '{"duplicate": false}'::jsonb, 'a player message is stored');
select is(:'again'::jsonb, '{"duplicate": true}'::jsonb, 'the same update is stored once');
select is((select count(*) from public.messages where user_id = :'talk'), 1::bigint, 'one row');
select results_eq($$select last_interaction_at, days_played from public.users where id = tests.player('talk')$$,
  $$values ('2026-01-05 12:00+00'::timestamptz, 1)$$, 'a stored message is an interaction and a day played');
select ok(game.store_nikita_message(:'talk', 77, 'hi you', '2026-01-05 12:00:10+00') = game.store_nikita_message(:'talk', 77, 'hi you', '2026-01-05 12:00:20+00'),
  'her message is stored once per outbox row');
-- The other players' conversations here are long idle and close too; only this one's state is checked.
select game.close_idle_conversations('2026-01-05 12:15:09+00');
select is((select status from public.conversations where user_id = :'talk'), 'open', 'not yet idle 15 minutes after her last message');
select ok((game.close_idle_conversations('2026-01-05 12:15:10+00') ->> 'closed')::int >= 1, 'the sweep reports what it closed');
select results_eq($$select c.status, c.ended_at, j.status from public.conversations c join private.conversation_jobs j on j.conversation_id = c.id
  where c.user_id = tests.player('talk')$$,
  $$values ('closed'::text, '2026-01-05 12:15:10+00'::timestamptz, 'pending'::text)$$, 'and its processing job is queued');
select game.store_player_message(:'talk', 434343, 'back', '2026-01-05 13:00+00');
select is((select count(*) from public.conversations where user_id = :'talk' and status = 'open'), 1::bigint, 'a later message opens a new conversation');
select tests.create_onboarded_player('roll') as roll \gset
select game.store_player_message(:'roll', 515151, 'one', '2026-01-05 12:00+00');
select game.store_player_message(:'roll', 525252, 'two', '2026-01-05 12:20+00');
select results_eq($$select status, count(*)::int from public.conversations where user_id = tests.player('roll') group by status order by status$$,
  $$values ('closed'::text, 1), ('open', 1)$$, 'a message after 15 idle minutes closes the old conversation before the sweep does');
select is((select count(*) from private.conversation_jobs where user_id = :'roll'), 1::bigint, 'with its job');

select * from finish();
rollback;
