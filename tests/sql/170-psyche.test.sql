-- Her psyche (GAME_RULES.md §12; PLATFORM.md §5.1 psyche-submit / psyche-collect): the default state and its
-- validation, the per-message tiers with every trigger and phrase, the deep cap per local day across a local
-- midnight, eligibility, the batch context window, the batch requests (resubmit is a no-op, errors retried once),
-- the ledger at batch prices.
begin;
select plan(78);

-- ---- Defaults and validation (§12.1) ----
select tests.create_onboarded_player('psy', '2026-01-05 09:00+00') as psy \gset
select is(game.current_psyche(:'psy') ->> 'source', 'default', 'no generation yet: the default state');
select is(game.current_psyche(:'psy') -> 'state', '{"attachment_activation": "secure", "defense_mode": "open",
  "behavioral_guidance": "Stay warm and curious; let the player lead.", "internal_monologue": "Someone new. Keep an open mind.",
  "vulnerability_level": 0.3, "emotional_tone": "warm", "topics_to_encourage": ["getting to know each other"],
  "topics_to_avoid": []}'::jsonb, 'the §12.1 defaults');
update game.tunables set value = '0.35' where name = 'psyche_vulnerability_default';
select is((game.current_psyche(:'psy') #>> '{state,vulnerability_level}')::numeric, 0.35, 'the default vulnerability is the tunable');
update game.tunables set value = '0.3' where name = 'psyche_vulnerability_default';
select throws_ok($$select game.current_psyche('00000000-0000-4000-8000-00000000dead')$$, 'PNFND', null, 'an unknown player: PNFND');

select is(game.check_psyche_state('{"emotional_tone": "volatile", "topics_to_avoid": ["  her ex "]}') - 'behavioral_guidance' - 'internal_monologue',
  '{"attachment_activation": "secure", "defense_mode": "open", "vulnerability_level": 0.3, "emotional_tone": "volatile",
    "topics_to_encourage": ["getting to know each other"], "topics_to_avoid": ["her ex"]}'::jsonb,
  'a missing field takes its default; topics are trimmed');
select throws_ok($$select game.check_psyche_state('{"mood": "sunny"}')$$, '22023', 'psyche state has unknown fields: mood', 'an unknown field is named');
select throws_ok($$select game.check_psyche_state('"warm"')$$, '22023', 'psyche state must be a JSON object', 'a state is an object');
select throws_ok($$select game.check_psyche_state('{"attachment_activation": "fearful"}')$$, '22023',
  'attachment_activation must be secure, anxious, avoidant or disorganized', 'attachment_activation is one of four');
select throws_ok($$select game.check_psyche_state('{"defense_mode": "attacking"}')$$, '22023',
  'defense_mode must be open, guarded, deflecting or withdrawing', 'defense_mode is one of four');
select throws_ok($$select game.check_psyche_state('{"emotional_tone": "romantic"}')$$, '22023',
  'emotional_tone must be playful, serious, warm, distant or volatile', 'emotional_tone is one of five');
select throws_ok($$select game.check_psyche_state('{"vulnerability_level": 1.01}')$$, '22023',
  'vulnerability_level must be a number in 0..1', 'vulnerability above 1 is refused');
select throws_ok($$select game.check_psyche_state('{"vulnerability_level": "-0.1"}')$$, '22023',
  'vulnerability_level must be a number in 0..1', 'vulnerability as text is refused');
select lives_ok(format('select game.check_psyche_state(%L)', jsonb_build_object('behavioral_guidance', repeat('g', 500),
  'internal_monologue', repeat('m', 300), 'vulnerability_level', 0, 'topics_to_encourage', '["a", "b", "c"]'::jsonb)),
  '500 characters of guidance, 300 of monologue, 3 topics and vulnerability 0 pass');
select throws_ok(format('select game.check_psyche_state(%L)', jsonb_build_object('behavioral_guidance', repeat('g', 501))), '22023',
  'behavioral_guidance must be 1..500 characters, not 501', 'guidance of 501 characters is refused');
select throws_ok(format('select game.check_psyche_state(%L)', jsonb_build_object('internal_monologue', repeat('m', 301))), '22023',
  'internal_monologue must be 1..300 characters, not 301', 'a monologue of 301 characters is refused');
select throws_ok($$select game.check_psyche_state('{"behavioral_guidance": "   "}')$$, '22023',
  'behavioral_guidance must be 1..500 characters, not 0', 'empty guidance is refused');
select throws_ok($$select game.check_psyche_state('{"topics_to_encourage": ["a", "b", "c", "d"]}')$$, '22023',
  'topics_to_encourage holds at most 3 topics, not 4', 'four topics are refused');
select throws_ok($$select game.check_psyche_state('{"topics_to_avoid": ["work", ""]}')$$, '22023',
  'topics_to_avoid must hold non-empty texts of at most 80 characters', 'an empty topic is refused');
update game.tunables set value = '10' where name = 'psyche_guidance_max';
select throws_ok($$select game.check_psyche_state('{"behavioral_guidance": "eleven char"}')$$, '22023',
  'behavioral_guidance must be 1..10 characters, not 11', 'the guidance limit is the tunable');
update game.tunables set value = '500' where name = 'psyche_guidance_max';
select throws_ok(format('select game.save_psyche_state(%L, %L, %L, %L, %L)', :'psy', '{}', 'claude-haiku-4-5', 'batch', '2026-01-05 10:00+00'),
  '22023', 'psyche tier must be deep or quick, not batch', 'a live generation is deep or quick');

-- A live generation is current at once; the latest one wins.
select game.save_psyche_state(:'psy', '{"emotional_tone": "playful"}', 'claude-haiku-4-5', 'quick', '2026-01-05 10:00+00');
select game.save_psyche_state(:'psy', '{"emotional_tone": "serious"}', 'claude-sonnet-4-6', 'deep', '2026-01-05 10:05+00');
select is(game.current_psyche(:'psy') - 'state', '{"source": "live", "tier": "deep", "model": "claude-sonnet-4-6",
  "generated_at": "2026-01-05T10:05:00+00:00"}'::jsonb, 'the latest generation is current');
select is(game.current_psyche(:'psy') #>> '{state,emotional_tone}', 'serious', 'with its state');

-- ---- Tiers (§12.2) ----
-- tee has written today already (UTC), so only the triggers under test decide.
select tests.create_onboarded_player('tee', '2026-01-05 09:00+00') as tee \gset
select tests.message(:'tee', 'player', '2026-01-05 09:30+00');
select is(game.psyche_tier(:'tee', 'how was your day?', '2026-01-05 10:00+00'), 'cached', 'nothing triggers: cached');
select is((select count(*)::int from jsonb_array_elements_text(game.tunables_json() -> 'psyche_crisis_phrases') p
           where game.psyche_tier(:'tee', 'so... ' || upper(p) || ' honestly', '2026-01-05 10:00+00') <> 'deep'), 0,
  'every crisis phrase, in capitals inside a sentence, gives deep');
select is(jsonb_array_length(game.tunables_json() -> 'psyche_crisis_phrases'), 12, 'the twelve crisis phrases of §12.2');
select is((select count(*)::int from jsonb_array_elements_text(game.tunables_json() -> 'psyche_emotional_phrases') p
           where game.psyche_tier(:'tee', 'you know, ' || initcap(p) || '.', '2026-01-05 10:00+00') <> 'quick'), 0,
  'every emotional phrase, in any case inside a sentence, gives quick');
select is(jsonb_array_length(game.tunables_json() -> 'psyche_emotional_phrases'), 15, 'the fifteen emotional phrases of §12.2');
select is(game.psyche_tier(:'tee', 'I’m sad tonight', '2026-01-05 10:00+00'), 'quick', 'a typographic apostrophe matches too');
select is(game.psyche_tier(:'tee', 'I can’t do this anymore', '2026-01-05 10:00+00'), 'deep', 'in a crisis phrase as well');
select is(game.psyche_tier(:'tee', 'im sad', '2026-01-05 10:00+00'), 'cached', 'a phrase must be there as written');

-- The previous scored exchange carried a horseman tag: deep; a later clean exchange clears it.
insert into public.score_history (user_id, score, chapter, event_type, event_details, recorded_at)
values (:'tee', 48, 1, 'exchange', '{"score_before": 50, "tags": ["horseman:contempt"]}', '2026-01-05 09:31+00');
select is(game.psyche_tier(:'tee', 'whatever', '2026-01-05 10:00+00'), 'deep', 'the previous exchange carried a horseman: deep');
insert into public.score_history (user_id, score, chapter, event_type, event_details, recorded_at)
values (:'tee', 47, 1, 'decay', '{"score_before": 48}', '2026-01-05 09:40+00');
select is(game.psyche_tier(:'tee', 'whatever', '2026-01-05 10:00+00'), 'deep', 'a decay row in between is no exchange: still deep');
insert into public.score_history (user_id, score, chapter, event_type, event_details, recorded_at)
values (:'tee', 48, 1, 'exchange', '{"score_before": 47, "tags": []}', '2026-01-05 09:45+00');
select is(game.psyche_tier(:'tee', 'whatever', '2026-01-05 10:00+00'), 'cached', 'a later exchange without one: cached');
select is(game.psyche_tier(:'tee', 'whatever', '2026-01-05 09:44+00'), 'deep', 'only exchanges up to p_now count');

-- One change lowering the score by more than 5 since the last generation: quick; exactly 5 is not enough.
select tests.create_onboarded_player('dee', '2026-01-05 09:00+00') as dee \gset
select tests.message(:'dee', 'player', '2026-01-05 09:30+00');
insert into public.score_history (user_id, score, chapter, event_type, event_details, recorded_at)
values (:'dee', 55, 1, 'decay', '{"score_before": 60}', '2026-01-05 09:35+00'),
       (:'dee', 50, 1, 'exchange', '{"score_before": 55, "tags": []}', '2026-01-05 09:36+00');
select is(game.psyche_tier(:'dee', 'hey', '2026-01-05 10:00+00'), 'cached', 'two drops of exactly 5 each: cached');
insert into public.score_history (user_id, score, chapter, event_type, event_details, recorded_at)
values (:'dee', 44.9999, 1, 'decay', '{"score_before": 50}', '2026-01-05 09:50+00');
select is(game.psyche_tier(:'dee', 'hey', '2026-01-05 10:00+00'), 'quick', 'one decay of 5.0001: quick');
select game.save_psyche_state(:'dee', '{}', 'claude-haiku-4-5', 'quick', '2026-01-05 09:55+00');
select is(game.psyche_tier(:'dee', 'hey', '2026-01-05 10:00+00'), 'cached', 'a drop before the last generation no longer counts');
insert into public.score_history (user_id, score, chapter, event_type, event_details, recorded_at)
values (:'dee', 38, 1, 'exchange', '{"score_before": 44.9999, "tags": []}', '2026-01-05 09:58+00');
select is(game.psyche_tier(:'dee', 'hey', '2026-01-05 10:00+00'), 'quick', 'an exchange of -6.9999 after it: quick');

-- The first message of the player's local day (New York), across a local midnight that is no UTC midnight.
select tests.create_onboarded_player('nyc', '2026-01-05 09:00+00', 'America/New_York') as nyc \gset
select tests.message(:'nyc', 'player', '2026-01-06 04:30+00');
select is(game.psyche_tier(:'nyc', 'still up', '2026-01-06 04:30+00'), 'quick', 'the first message of her local day (Jan 5 23:30): quick');
select is(game.psyche_tier(:'nyc', 'still up', '2026-01-06 04:50+00'), 'cached', 'another one at 23:50 the same local day: cached');
select is(game.psyche_tier(:'nyc', 'good morning', '2026-01-06 05:10+00'), 'quick', '00:10 local, the same UTC date: the first of a new local day');

-- At most 5 deep per local day, then quick; quick ones do not count; the next local day starts again.
select game.save_psyche_state(:'nyc', '{}', 'claude-sonnet-4-6', 'deep', t)
from unnest(array['2026-01-06 00:00+00', '2026-01-06 01:00+00', '2026-01-06 02:00+00', '2026-01-06 03:00+00']::timestamptz[]) t;
select game.save_psyche_state(:'nyc', '{}', 'claude-haiku-4-5', 'quick', '2026-01-06 03:30+00');
select is(game.psyche_tier(:'nyc', 'i give up', '2026-01-06 04:55+00'), 'deep', 'four deep and a quick today: a fifth deep');
select game.save_psyche_state(:'nyc', '{}', 'claude-sonnet-4-6', 'deep', '2026-01-06 04:56+00');
select is(game.psyche_tier(:'nyc', 'i give up', '2026-01-06 04:59+00'), 'quick', 'the sixth deep of the local day (23:59) is quick');
select is(game.psyche_tier(:'nyc', 'i give up', '2026-01-06 05:00+00'), 'deep', 'at local midnight the cap starts again: deep');
select is(game.psyche_tier(:'nyc', 'i give up', '2026-01-05 23:59+00'), 'deep', 'deep ones after p_now do not count');
update public.users set game_status = 'boss_fight' where id = :'nyc';
select is(game.psyche_tier(:'nyc', 'fine', '2026-01-06 04:59+00'), 'quick', 'a boss fight over the cap: quick');
select is(game.psyche_tier(:'nyc', 'fine', '2026-01-06 06:00+00'), 'deep', 'a boss fight under the cap: deep');

-- Eligibility: a finished game, a won one, an unfinished onboarding get none.
update public.users set game_status = 'game_over', game_over_reason = 'score' where id = :'tee';
select is(game.psyche_tier(:'tee', 'i want to die', '2026-01-05 10:00+00'), 'cached', 'game_over: no generation, even for a crisis phrase');
select tests.create_onboarded_player('winner', '2026-01-05 09:00+00') as winner \gset
update public.users set game_status = 'won' where id = :'winner';
select is(game.psyche_tier(:'winner', 'i''m sad', '2026-01-05 10:00+00'), 'cached', 'won: no generation');
select tests.create_player('fresh') as fresh \gset
select is(game.psyche_tier(:'fresh', 'panic attack', '2026-01-05 10:00+00'), 'cached', 'onboarding not completed: no generation');

-- ---- The batch context (§12.2): (now - 48 h, now] ----
select tests.create_onboarded_player('ctx', '2026-01-01 09:00+00') as ctx \gset
insert into public.score_history (user_id, score, chapter, event_type, event_details, recorded_at)
select :'ctx', 50 + n * 0.1, 1, 'exchange', jsonb_build_object('score_before', 50, 'tags', '[]'::jsonb),
       '2026-01-07 05:00+00'::timestamptz - make_interval(hours => n)
from generate_series(1, 25) n;
insert into public.score_history (user_id, score, chapter, event_type, event_details, recorded_at)
values (:'ctx', 40, 1, 'decay', '{"score_before": 41}', '2026-01-05 04:59+00');
insert into public.conversations (user_id, platform, status, started_at, last_message_at, ended_at, chapter_at_start, summary, emotional_tone)
values (:'ctx', 'telegram', 'closed', '2026-01-06 20:00+00', '2026-01-06 20:30+00', '2026-01-06 20:45+00', 1, 'They argued about films.', 'playful'),
       (:'ctx', 'telegram', 'closed', '2026-01-04 20:00+00', '2026-01-04 20:30+00', '2026-01-04 20:45+00', 1, 'Too old.', 'cold');
insert into public.life_events (user_id, event_date, ordinal, time_of_day, domain, event_type, description, people, emotional_impact, importance)
values (:'ctx', '2026-01-06', 1, 'morning', 'social', 'friend_hangout', 'Coffee with Lena at Bluestone Cafe.', '{Lena}', '{"valence": 0.2}', 0.5),
       (:'ctx', '2026-01-06', 2, 'evening', 'social', 'friend_drama', 'Viktor cancelled again, with a lame excuse.', '{Viktor,Lena}', '{"valence": -0.2}', 0.6),
       (:'ctx', '2026-01-07', 1, 'afternoon', 'personal', 'gym', 'A session at Iron Works Gym after lunch.', '{}', '{"arousal": 0.1}', 0.2);
select game.psyche_context(:'ctx', '2026-01-07 05:00+00') as c \gset
select is(jsonb_array_length(:'c'::jsonb -> 'score_history'), 20, 'up to 20 score rows in the window');
select is((:'c'::jsonb -> 'score_history' -> 0 ->> 'at')::timestamptz, '2026-01-07 04:00+00'::timestamptz, 'newest first');
select is(jsonb_array_length(:'c'::jsonb -> 'conversations'), 1, 'closed conversations in the window only');
select is(:'c'::jsonb -> 'conversations' -> 0 ->> 'summary', 'They argued about films.', 'with their summary');
select is((select jsonb_agg(e ->> 'event_type') from jsonb_array_elements(:'c'::jsonb -> 'life_events') e),
  '["friend_drama", "friend_hangout"]'::jsonb, 'her life events whose slot began in the window, newest first (the gym at 12:00 Berlin has not begun)');
select is(:'c'::jsonb -> 'circle', '[{"name": "Lena", "feeling": "negative"}, {"name": "Viktor", "feeling": "negative"}]'::jsonb,
  'her circle: the people of those events, by the latest event each was in');
select is(:'c'::jsonb -> 'limits', '{"guidance_max": 500, "monologue_max": 300, "topics_max": 3, "topic_max": 80}'::jsonb, 'the field limits');
select is(jsonb_array_length(game.psyche_context(:'ctx', '2026-01-07 11:00+00') -> 'life_events'), 3, 'the gym once its slot began (12:00 Berlin)');

-- ---- The daily batch (PLATFORM.md §5.1) ----
-- Only this test's players: the rest are set aside.
update public.users set game_status = 'game_over', game_over_reason = 'score' where id not in (:'psy', :'nyc', :'ctx');
select is((select count(*)::int from game.claim_psyche_requests('2026-01-07 04:59+00', 100)), 0, 'before 05:00 UTC: nothing is claimed');
select is((select count(*)::int from private.psyche_requests where day = '2026-01-07'), 0, 'and no request is made');
create temp table claimed on commit drop as select * from game.claim_psyche_requests('2026-01-07 05:15+00', 100);
select is((select array_agg(custom_id order by custom_id) from claimed),
  (select array_agg(id::text || '_20260107' order by id::text) from public.users where id in (:'psy', :'nyc', :'ctx')),
  'one request per eligible player (active or boss_fight), custom_id <user_id>_<yyyymmdd>');
select ok((select bool_and(context ? 'score_history' and context ? 'life_events' and context ? 'circle') from claimed), 'each with its context');
select is(game.record_psyche_batch('msgbatch_1', (select array_agg(custom_id) from claimed), '2026-01-07 05:15+00'), 1, 'the day''s first chunk');
select is((select count(*)::int from game.claim_psyche_requests('2026-01-07 06:15+00', 100)), 0, 'resubmitting the same day is a no-op');
select is((select count(*)::int from private.psyche_requests where day = '2026-01-07'), 3, 'and makes no second request');

select is(game.save_psyche_results('msgbatch_1', jsonb_build_array(
  jsonb_build_object('custom_id', :'psy' || '_20260107', 'outcome', 'succeeded', 'model', 'claude-sonnet-4-6',
    'message_id', 'msg_b1', 'state', '{"emotional_tone": "distant", "defense_mode": "guarded"}'::jsonb,
    'usage', '{"input_tokens": 1000, "output_tokens": 200, "cache_read_tokens": 0, "cache_write_tokens": 0}'::jsonb),
  jsonb_build_object('custom_id', :'nyc' || '_20260107', 'outcome', 'errored', 'model', 'claude-sonnet-4-6', 'error', 'overloaded'),
  jsonb_build_object('custom_id', :'psy' || '_20260107', 'outcome', 'succeeded', 'model', 'claude-sonnet-4-6',
    'state', '{"emotional_tone": "playful"}'::jsonb)),
  '2026-01-07 05:40+00'), '{"succeeded": 1, "retry": 1, "failed": 0, "skipped": 1}'::jsonb,
  'results settle once each: a succeeded one, an errored one back to retry, a repeat skipped');
select is(game.current_psyche(:'psy') - 'state', '{"source": "batch", "tier": null, "model": "claude-sonnet-4-6",
  "generated_at": "2026-01-07T05:15:00+00:00"}'::jsonb, 'the batch state, from the submission time, is current');
select is(game.current_psyche(:'psy') #>> '{state,emotional_tone}', 'distant', 'with the first result''s state');
select results_eq($$select batch, status, cost_usd from private.llm_calls where request_id = 'msg_b1'$$,
  $$values (true, 'ok'::text, 0.003::numeric)$$, 'the ledger row at half the standard price (1000 in x $3 + 200 out x $15 = $0.006)');
select is(game.finish_psyche_batch('msgbatch_1', '2026-01-07 05:41+00'), '{"retry": 1, "failed": 0}'::jsonb,
  'a request with no result in the ended batch counts as expired: retry');
select is((select count(*)::int from game.open_psyche_batches()), 0, 'the batch is collected');

-- The retries go out once more, as the day's second chunk; then a second failure is final.
create temp table retried on commit drop as select * from game.claim_psyche_requests('2026-01-07 06:15+00', 100);
select is((select array_agg(custom_id order by custom_id) from retried),
  (select array_agg(id::text || '_20260107' order by id::text) from public.users where id in (:'nyc', :'ctx')), 'the errored and the expired are claimed again');
select is(game.record_psyche_batch('msgbatch_2', (select array_agg(custom_id) from retried), '2026-01-07 06:15+00'), 2, 'as the second chunk');
select game.save_psyche_state(:'nyc', '{"emotional_tone": "serious"}', 'claude-haiku-4-5', 'quick', '2026-01-07 06:00+00');
select is(game.save_psyche_results('msgbatch_2', jsonb_build_array(
  jsonb_build_object('custom_id', :'nyc' || '_20260107', 'outcome', 'expired', 'model', 'claude-sonnet-4-6'),
  jsonb_build_object('custom_id', :'ctx' || '_20260107', 'outcome', 'succeeded', 'model', 'claude-sonnet-4-6',
    'state', '{"emotional_tone": "sarcastic"}'::jsonb)), '2026-01-07 07:00+00'),
  '{"succeeded": 0, "retry": 0, "failed": 2, "skipped": 0}'::jsonb, 'second failures, an invalid state among them, are final');
select results_eq($$select status, attempts from private.psyche_requests where day = '2026-01-07' order by status, custom_id$$,
  $$values ('failed'::text, 2::smallint), ('failed', 2::smallint), ('succeeded', 1::smallint)$$, 'two attempts at most');
select is(game.current_psyche(:'nyc') #>> '{state,emotional_tone}', 'serious', 'after that her previous state stays in use');
select is((select count(*)::int from game.claim_psyche_requests('2026-01-07 08:15+00', 100)), 0, 'and nothing is resubmitted that day');
select results_eq($$select status, batch, cost_usd from private.llm_calls where purpose = 'psyche_batch' and user_id = '$$ || :'ctx' || $$'$$,
  $$values ('invalid'::text, true, 0::numeric)$$, 'an invalid answer is ledgered as invalid');

select * from finish();
rollback;
