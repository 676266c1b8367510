-- Daily summaries (GAME_RULES.md §17): every number of a day in the player's local date across local midnight (a
-- New York player, UTC-5 in January: 2026-01-10 runs from 05:00 UTC to 05:00 UTC the next day), which dates are due
-- and the 7-day catch-up (a Tokyo player, UTC+9), the inputs, the save (idempotent, validated) and its fallback.
begin;
select plan(46);

-- A closed conversation of the player started at p_at (ten minutes long), with a summary and tone.
create function pg_temp.conversation(p_user_id uuid, p_at timestamptz, p_summary text default null,
  p_tone text default null)
returns uuid
language sql
as $$
  insert into public.conversations (user_id, platform, status, started_at, last_message_at, ended_at, chapter_at_start,
    summary, emotional_tone)
  values (p_user_id, 'telegram', 'closed', p_at, p_at + interval '10 minutes', p_at + interval '25 minutes', 1,
    p_summary, p_tone)
  returning id
$$;

-- A score_history row: the score after the change, and the score before it in the details as the engine writes.
create function pg_temp.history(p_user_id uuid, p_at timestamptz, p_event text, p_before numeric, p_after numeric,
  p_chapter int default 1)
returns void
language sql
as $$
  insert into public.score_history (user_id, score, chapter, event_type, event_details, recorded_at)
  values (p_user_id, p_after, p_chapter, p_event, jsonb_build_object('score_before', p_before), p_at)
$$;

select tests.create_onboarded_player('ny', '2026-01-04 12:00+00', 'America/New_York') as ny \gset

-- No history at all: the day starts at 50 and, with no change, ends where it started.
select pg_temp.conversation(:'ny', '2026-01-10 12:00+00', 'They argued about coffee.', 'playful');
select is((game.daily_summary_inputs(:'ny', '2026-01-10') ->> 'score_start')::numeric, 50::numeric,
  'score_start is 50 when there is no history');
select is((game.daily_summary_inputs(:'ny', '2026-01-10') ->> 'score_end')::numeric, 50::numeric,
  'score_end = score_start when the day changed nothing');
select is((game.daily_summary_inputs(:'ny', '2026-01-10') ->> 'decay_applied')::numeric, 0::numeric,
  'no decay row: decay_applied 0');
select is(game.daily_summary_inputs(:'ny', '2026-01-10') ->> 'chapter', '1/5', 'the chapter as N/5');

-- Changes on both sides of local midnight: 04:59 UTC on the 10th is still the 9th in New York.
select pg_temp.history(:'ny', '2026-01-09 20:00+00', 'exchange', 50, 54.5);
-- 03:00 UTC on the 10th is 22:00 on the 9th in New York: a decay of the day before.
select pg_temp.history(:'ny', '2026-01-10 03:00+00', 'decay', 54.5, 54);
select pg_temp.history(:'ny', '2026-01-10 04:59:59+00', 'exchange', 54, 55);
select is((game.daily_summary_inputs(:'ny', '2026-01-10') ->> 'score_start')::numeric, 55::numeric,
  'score_start: the score after the last change before local midnight (23:59:59 the day before)');
select is((game.daily_summary_inputs(:'ny', '2026-01-10') ->> 'score_end')::numeric, 55::numeric,
  'still no change on the date: score_end = score_start');
select pg_temp.history(:'ny', '2026-01-10 05:00+00', 'exchange', 55, 56);
select pg_temp.history(:'ny', '2026-01-10 09:00+00', 'decay', 56, 54);
select pg_temp.history(:'ny', '2026-01-10 15:00+00', 'exchange', 54, 59, 2);
select pg_temp.history(:'ny', '2026-01-11 04:00+00', 'decay', 59, 58.5, 2);
-- A drop that is not decay, at 23:59:59 local.
select pg_temp.history(:'ny', '2026-01-11 04:59:59+00', 'exchange', 58.5, 58, 2);
select pg_temp.history(:'ny', '2026-01-11 05:00+00', 'decay', 58, 57, 2);
select is((game.daily_summary_inputs(:'ny', '2026-01-10') ->> 'score_start')::numeric, 55::numeric,
  'score_start: 55, the row at 23:59:59 local');
select is((game.daily_summary_inputs(:'ny', '2026-01-10') ->> 'score_end')::numeric, 58::numeric,
  'score_end: 58, the last change at 23:59:59 local (not the 57 of 00:00 the next day)');
select is((game.daily_summary_inputs(:'ny', '2026-01-10') ->> 'decay_applied')::numeric, 2.5::numeric,
  'decay_applied: 2 + 0.5, the drops of the date''s decay rows only (not the exchange''s drop, not the days around it)');
select is((game.daily_summary_inputs(:'ny', '2026-01-11') ->> 'decay_applied')::numeric, 1::numeric,
  'the decay at local midnight belongs to the next date');
select is((game.daily_summary_inputs(:'ny', '2026-01-11') ->> 'score_start')::numeric, 58::numeric,
  'the next date starts where this one ended');
select is(game.daily_summary_inputs(:'ny', '2026-01-10') ->> 'chapter', '2/5', 'the chapter after the day''s last change');

-- Conversations count by the local date they started on.
select pg_temp.conversation(:'ny', '2026-01-11 04:50+00', 'A late talk that ran past midnight.', 'warm');
select pg_temp.conversation(:'ny', '2026-01-10 04:30+00', 'The evening before.', 'neutral');
select pg_temp.conversation(:'ny', '2026-01-11 05:00+00', 'Just after midnight.', 'tense');
select is((game.daily_summary_inputs(:'ny', '2026-01-10') ->> 'conversations_count')::int, 2,
  'conversations_count: started 07:00 and 23:50 local; not 23:30 the day before, not 00:00 the day after');
select is((game.daily_summary_inputs(:'ny', '2026-01-09') ->> 'conversations_count')::int, 1, 'the 23:30 one is the 9th''s');
select is(jsonb_path_query_array(game.daily_summary_inputs(:'ny', '2026-01-10'), '$.conversations[*].summary'),
  '["They argued about coffee.", "A late talk that ran past midnight."]'::jsonb, 'the day''s conversation summaries in order');
select is(game.daily_summary_inputs(:'ny', '2026-01-10') -> 'conversations' -> 1, '{"at": "23:50", "platform": "telegram",
  "summary": "A late talk that ran past midnight.", "tone": "warm"}'::jsonb, 'each with its local time, platform and tone');

-- The threads and thoughts of the date (local), not of other days.
insert into game.conversation_threads (user_id, type, content, created_at) values
  (:'ny', 'follow_up', 'ask how the interview went', '2026-01-10 20:00+00'),
  (:'ny', 'promise', 'send the playlist', '2026-01-10 04:00+00');
insert into game.thoughts (user_id, type, content, expires_at, created_at) values
  (:'ny', 'worry', 'They sounded tired.', '2026-01-17 20:00+00', '2026-01-11 04:30+00'),
  (:'ny', 'curiosity', 'Who is Sam?', '2026-01-18 06:00+00', '2026-01-11 06:00+00');
select is(game.daily_summary_inputs(:'ny', '2026-01-10') -> 'threads', '[{"type": "follow_up", "content": "ask how the interview went"}]'::jsonb,
  'the threads opened on the date');
select is(game.daily_summary_inputs(:'ny', '2026-01-10') -> 'thoughts', '[{"type": "worry", "content": "They sounded tired."}]'::jsonb,
  'her thoughts of the date');
select is(game.daily_summary_inputs(:'ny', '2026-01-10') -> 'rules', '{"sentences": [2, 3], "key_moments": [1, 3],
  "summary_max_chars": 1000, "key_moment_max_chars": 200,
  "tones": ["warm", "playful", "tense", "passionate", "neutral", "distant"]}'::jsonb, 'the rules of the answer');
select is(tests.attempt($$select game.daily_summary_inputs('00000000-0000-0000-0000-000000000000', '2026-01-10')$$), 'PNFND',
  'an unknown player: PNFND');

-- Due: only dates that have ended in the player's zone.
select results_eq($$select date from game.due_daily_summaries('2026-01-11 04:59:59+00', 10) where user_id = tests.player('ny')$$,
  $$values ('2026-01-09'::date)$$, 'at 23:59:59 local on the 10th only the 9th is due');
select results_eq($$select date from game.due_daily_summaries('2026-01-11 05:00+00', 10) where user_id = tests.player('ny')$$,
  $$values ('2026-01-09'::date), ('2026-01-10'::date)$$, 'at local midnight the 10th is due too, oldest first');
-- A date waits while a conversation of it is open or its post-conversation job is unfinished.
update public.conversations set status = 'open', ended_at = null
where user_id = :'ny' and started_at = '2026-01-11 04:50+00';
select results_eq($$select date from game.due_daily_summaries('2026-01-11 06:00+00', 10) where user_id = tests.player('ny')$$,
  $$values ('2026-01-09'::date)$$, 'a conversation of the 10th still open: the 10th waits');
update public.conversations set status = 'closed', ended_at = '2026-01-11 05:15+00'
where user_id = :'ny' and started_at = '2026-01-11 04:50+00';
insert into private.conversation_jobs (conversation_id, user_id, status, created_at)
select id, user_id, 'retry', '2026-01-11 05:15+00' from public.conversations
where user_id = :'ny' and started_at = '2026-01-11 04:50+00';
select results_eq($$select date from game.due_daily_summaries('2026-01-11 06:00+00', 10) where user_id = tests.player('ny')$$,
  $$values ('2026-01-09'::date)$$, 'its pipeline job waiting for a retry: the 10th still waits');
update private.conversation_jobs set status = 'failed' where user_id = :'ny';
select results_eq($$select date from game.due_daily_summaries('2026-01-11 06:00+00', 10) where user_id = tests.player('ny')$$,
  $$values ('2026-01-09'::date), ('2026-01-10'::date)$$, 'a failed job does not hold the day back');
select is(tests.attempt($$select * from game.due_daily_summaries('2026-01-11 06:00+00', 0)$$), '22023', 'the limit must be positive');

-- The save: the numbers from history, the answer trimmed; once per player and date.
select is(game.save_daily_summary(:'ny', '2026-01-10', '{"summary": "  We fought about coffee and made up at midnight. I liked that. ",
  "key_moments": [" the coffee fight ", "the midnight talk"], "emotional_tone": "playful"}', '2026-01-11 06:00+00'),
  '{"saved": true, "fallback": false, "summary": {"date": "2026-01-10", "score_start": 55, "score_end": 58, "decay_applied": 2.5,
    "conversations_count": 2, "summary_text": "We fought about coffee and made up at midnight. I liked that.",
    "key_moments": ["the coffee fight", "the midnight talk"], "emotional_tone": "playful"}}'::jsonb,
  'saved with score_start 55, score_end 58, decay 2.5, 2 conversations');
select is(game.save_daily_summary(:'ny', '2026-01-10', '{"summary": "Another take.", "key_moments": ["x"], "emotional_tone": "warm"}',
  '2026-01-11 07:00+00') -> 'saved', 'false'::jsonb, 'a second save of the date saves nothing');
select is(game.save_daily_summary(:'ny', '2026-01-10', null, '2026-01-11 07:00+00') -> 'summary' ->> 'summary_text',
  'We fought about coffee and made up at midnight. I liked that.', 'nor does a fallback: the first summary stays');
select is((select count(*)::int from public.daily_summaries where user_id = :'ny'), 1, 'one row for the date');
select results_eq($$select date from game.due_daily_summaries('2026-01-11 07:00+00', 10) where user_id = tests.player('ny')$$,
  $$values ('2026-01-09'::date)$$, 'a summarised date is no longer due');
select is((select created_at from public.daily_summaries where user_id = :'ny'), '2026-01-11 06:00+00'::timestamptz,
  'stamped with p_now');

-- The fallback: "We talked N time(s) today.", no key moments, tone neutral.
select is(game.save_daily_summary(:'ny', '2026-01-09', null, '2026-01-11 07:00+00') -> 'summary',
  '{"date": "2026-01-09", "score_start": 50, "score_end": 55, "decay_applied": 0.5, "conversations_count": 1,
    "summary_text": "We talked 1 time today.", "key_moments": [], "emotional_tone": "neutral"}'::jsonb,
  'the fallback with one conversation: "We talked 1 time today."');
select tests.create_onboarded_player('two', '2026-01-04 12:00+00', 'America/New_York') as two \gset
select pg_temp.conversation(:'two', '2026-01-10 14:00+00');
select pg_temp.conversation(:'two', '2026-01-10 22:00+00');
select is(game.save_daily_summary(:'two', '2026-01-10', 'null'::jsonb, '2026-01-11 07:00+00') #>> '{summary,summary_text}',
  'We talked 2 times today.', 'with two: "We talked 2 times today." (a JSON null is no answer either)');
select is(game.save_daily_summary(:'two', '2026-01-10', 'null'::jsonb, '2026-01-11 07:00+00') -> 'fallback', 'false'::jsonb,
  'a repeat reports nothing saved');

-- Invalid answers, a day not over, a day without conversation: DSBAD, nothing written.
select tests.create_onboarded_player('bad', '2026-01-04 12:00+00', 'America/New_York') as bad \gset
select pg_temp.conversation(:'bad', '2026-01-10 14:00+00');
select is(tests.attempt(format($$select game.save_daily_summary(%L, '2026-01-10', '{"summary": "Fine.", "key_moments": ["a"], "emotional_tone": "happy"}', '2026-01-11 07:00+00')$$, :'bad')),
  'DSBAD', 'a tone outside the six: DSBAD');
select is(tests.attempt(format($$select game.save_daily_summary(%L, '2026-01-10', '{"summary": "Fine.", "key_moments": [], "emotional_tone": "warm"}', '2026-01-11 07:00+00')$$, :'bad')),
  'DSBAD', 'no key moment: DSBAD');
select is(tests.attempt(format($$select game.save_daily_summary(%L, '2026-01-10', '{"summary": "Fine.", "key_moments": ["a", "b", "c", "d"], "emotional_tone": "warm"}', '2026-01-11 07:00+00')$$, :'bad')),
  'DSBAD', 'four key moments: DSBAD');
select is(tests.attempt(format($$select game.save_daily_summary(%L, '2026-01-10', '{"summary": "   ", "key_moments": ["a"], "emotional_tone": "warm"}', '2026-01-11 07:00+00')$$, :'bad')),
  'DSBAD', 'a blank summary: DSBAD');
select is(tests.attempt(format($$select game.save_daily_summary(%L, '2026-01-10', '{"summary": "Fine.", "key_moments": ["a", "b", "c"], "emotional_tone": "warm"}', '2026-01-11 07:00+00')$$, :'bad')),
  '', 'three key moments and a listed tone pass (rolled back by the probe)');
select is(tests.attempt(format($$select game.save_daily_summary(%L, '2026-01-10', null, '2026-01-11 04:59:59+00')$$, :'bad')),
  'DSBAD', 'the date has not ended at 23:59:59 local: DSBAD');
select is(tests.attempt(format($$select game.save_daily_summary(%L, '2026-01-08', null, '2026-01-11 07:00+00')$$, :'bad')),
  'DSBAD', 'a date without a conversation: DSBAD');
select is((select count(*)::int from public.daily_summaries where user_id = :'bad'), 0, 'none of them wrote a row');

-- The 7-day catch-up: a Tokyo player (UTC+9) with a conversation on each of nine local dates, 2026-01-01 to 01-09.
select tests.create_onboarded_player('tokyo', '2025-12-30 00:00+00', 'Asia/Tokyo') as tokyo \gset
select pg_temp.conversation(:'tokyo', d::timestamp at time zone 'Asia/Tokyo' + interval '12 hours')
from generate_series('2026-01-01'::date, '2026-01-09'::date, interval '1 day') d;
select results_eq($$select min(date), max(date), count(*)::int from game.due_daily_summaries('2026-01-09 15:00+00', 10)
    where user_id = tests.player('tokyo')$$,
  $$values ('2026-01-03'::date, '2026-01-09'::date, 7)$$,
  'at Tokyo midnight of the 10th: the 7 days back to the 3rd, not the 1st and 2nd');
select results_eq($$select min(date), max(date), count(*)::int from game.due_daily_summaries('2026-01-09 14:59:59+00', 10)
    where user_id = tests.player('tokyo')$$,
  $$values ('2026-01-02'::date, '2026-01-08'::date, 7)$$,
  'one second earlier (still the 9th in Tokyo): the 2nd to the 8th');
-- The limit counts players, each with every due date; the player with the oldest due date first.
select results_eq($$select user_id, count(*)::int from game.due_daily_summaries('2026-01-11 07:00+00', 1) group by user_id$$,
  $$values (tests.player('tokyo'), 6)$$, 'limit 1: one player (the oldest due date, the 4th in Tokyo), all six of its dates');

select * from finish();
rollback;
