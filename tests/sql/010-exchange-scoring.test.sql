-- Scoring an exchange (GAME_RULES.md §2, §3): weights, warmth bonus, multiplier on positive deltas only,
-- chapter caps, clamping, the history row, days played, and every error apply_exchange raises.
begin;
select plan(50);

-- The worked example of §3.3: chapter 1, calibrating, +10 x 4 -> x0.9 = 9 -> capped to 3 -> 53.
select tests.create_onboarded_player('sam') as sam \gset
select game.apply_exchange(:'sam', tests.analysis(10, 10, 10, 10), '2026-01-05 10:00+00') as r \gset
select is((:'r'::jsonb ->> 'score_after')::numeric, 53::numeric, 'example: +10 x 4 in chapter 1 while calibrating gives 53');
select is(tests.metrics(:'sam'), array[53, 53, 53, 53]::numeric[], 'example: every metric is 53');
select is((:'r'::jsonb ->> 'delta')::numeric, 3::numeric, 'delta = score_after - score_before');
select is((:'r'::jsonb ->> 'score_before')::numeric, 50::numeric, 'score_before is reported');
select ok(:'r'::jsonb ?& array['metrics', 'chapter', 'game_status', 'engagement_state', 'temperature', 'zone', 'events'],
  'the result carries metrics, chapter, status, engagement, temperature, zone and events');

-- Weights: 3 points on one metric move the score by 3 x its weight (0.30, 0.25, 0.25, 0.20).
select tests.create_onboarded_player('wendy') as wendy \gset
update public.engagement_state set state = 'in_zone' where user_id = :'wendy';
select is((game.apply_exchange(:'wendy', tests.analysis(3, 0, 0, 0), '2026-01-05 10:00+00') ->> 'score_after')::numeric, 50.9::numeric, 'intimacy weighs 0.30');
select is((game.apply_exchange(:'wendy', tests.analysis(0, 3, 0, 0), '2026-01-05 10:01+00') ->> 'score_after')::numeric, 51.65::numeric, 'passion weighs 0.25');
select is((game.apply_exchange(:'wendy', tests.analysis(0, 0, 3, 0), '2026-01-05 10:02+00') ->> 'score_after')::numeric, 52.4::numeric, 'trust weighs 0.25');
select is((game.apply_exchange(:'wendy', tests.analysis(0, 0, 0, 3), '2026-01-05 10:03+00') ->> 'score_after')::numeric, 53::numeric, 'secureness weighs 0.20');
select is(tests.score(:'wendy'), 53::numeric, 'the stored score is the derived one');

-- The multiplier applies to positive deltas only (calibrating: 0.9).
select tests.create_onboarded_player('mia') as mia \gset
select game.apply_exchange(:'mia', tests.analysis(2, -2, 1, 0), '2026-01-05 10:00+00');
select is(tests.metrics(:'mia'), array[51.8, 48, 50.9, 50]::numeric[], 'positive deltas x 0.9, negative and zero unchanged');
select is(tests.score(:'mia'), 50.265::numeric, 'score 0.3*51.8 + 0.25*48 + 0.25*50.9 + 0.2*50');

-- Each engagement state's multiplier, from the state before the exchange.
create temporary table multipliers (state text, expected numeric);
insert into multipliers values ('in_zone', 2), ('calibrating', 1.8), ('drifting', 1.6), ('distant', 1.2), ('clingy', 1.0), ('out_of_zone', 0.4);
select tests.create_onboarded_player('mult_' || state) from multipliers;
update public.engagement_state e set state = m.state from multipliers m where e.user_id = tests.player('mult_' || m.state);
select game.apply_exchange(tests.player('mult_' || state), tests.analysis(2, 0, 0, 0), '2026-01-05 10:00+00') from multipliers;
select results_eq(
  $$select m.state, (tests.metrics(tests.player('mult_' || m.state)))[1] - 50 from multipliers m order by m.state$$,
  $$select state, expected from multipliers order by state$$,
  'multipliers: in_zone 1.0, calibrating 0.9, drifting 0.8, distant 0.6, clingy 0.5, out_of_zone 0.2');

-- Chapter caps 3.0, 2.5, 2.0, 1.5, 1.0 bound each delta both ways.
select tests.create_onboarded_player('cap_' || c) from generate_series(1, 5) c;
update public.users set chapter = c from generate_series(1, 5) c where id = tests.player('cap_' || c);
update public.engagement_state set state = 'in_zone' where user_id in (select tests.player('cap_' || c) from generate_series(1, 5) c);
select game.apply_exchange(tests.player('cap_' || c), tests.analysis(10, -10, 0, 0), '2026-01-05 10:00+00') from generate_series(1, 5) c;
select results_eq(
  $$select c, (tests.metrics(tests.player('cap_' || c)))[1], (tests.metrics(tests.player('cap_' || c)))[2] from generate_series(1, 5) c$$,
  $$values (1, 53.0, 47.0), (2, 52.5, 47.5), (3, 52.0, 48.0), (4, 51.5, 48.5), (5, 51.0, 49.0)$$,
  'chapter caps: +-3.0, 2.5, 2.0, 1.5, 1.0 per metric');

-- Clamping at 100 and at 0; a score of 0 ends the game.
select tests.create_onboarded_player('hi') as hi \gset
update public.engagement_state set state = 'in_zone' where user_id = :'hi';
select tests.set_metrics(:'hi', 99, 99, 99, 99);
select game.apply_exchange(:'hi', tests.analysis(3, 3, 3, 3), '2026-01-05 10:00+00');
select is(tests.metrics(:'hi'), array[100, 100, 100, 100]::numeric[], 'metrics clamp at 100');
select tests.create_onboarded_player('lo') as lo \gset
select tests.set_metrics(:'lo', 1, 1, 1, 1);
select game.apply_exchange(:'lo', tests.analysis(-3, -3, -3, -3), '2026-01-05 10:00+00') as r \gset
select is(tests.metrics(:'lo'), array[0, 0, 0, 0]::numeric[], 'metrics clamp at 0');
select is(:'r'::jsonb -> 'events' -> 0, '{"type": "game_over", "reason": "score", "kind": null}'::jsonb, 'a score of 0 ends the game (reason score)');
select is((select game_status || '/' || game_over_reason from public.users where id = :'lo'), 'game_over/score', 'the player is game over');

-- Warmth bonus: +2, +1, then 0 on trust for each vulnerability exchange.
select tests.create_onboarded_player('vic') as vic \gset
update public.engagement_state set state = 'in_zone' where user_id = :'vic';
select game.apply_exchange(:'vic', tests.analysis(0, 0, 0, 0, '{"behaviors": ["vulnerability_exchange"]}'), '2026-01-05 10:00+00');
select is((tests.metrics(:'vic'))[3], 52::numeric, 'first vulnerability exchange: trust +2');
select game.apply_exchange(:'vic', tests.analysis(0, 0, 0, 0, '{"behaviors": ["vulnerability_exchange"]}'), '2026-01-05 10:01+00');
select is((tests.metrics(:'vic'))[3], 53::numeric, 'second: trust +1');
select game.apply_exchange(:'vic', tests.analysis(0, 0, 0, 0, '{"behaviors": ["vulnerability_exchange"]}'), '2026-01-05 10:02+00');
select is((tests.metrics(:'vic'))[3], 53::numeric, 'third: +0');
select is((select vulnerability_exchanges from public.users where id = :'vic'), 3, 'vulnerability exchanges are counted');
select game.apply_exchange(:'vic', tests.analysis(0, 0, 1, 0, '{"behaviors": []}'), '2026-01-05 10:03+00');
select is((tests.metrics(:'vic'))[3], 54::numeric, 'no bonus without the tag');

-- One history row per exchange, zero deltas included, with the details of §2.
select tests.create_onboarded_player('hal') as hal \gset
select game.apply_exchange(:'hal', tests.analysis(0, 0, 0, 0), '2026-01-05 11:00+00');
select game.apply_exchange(:'hal', tests.analysis(1, 0, 0, 0), '2026-01-05 11:05+00', 'voice');
select results_eq(
  $$select event_type, recorded_at, score from public.score_history where user_id = tests.player('hal') order by id$$,
  $$values ('exchange'::text, '2026-01-05 11:00+00'::timestamptz, 50.0000::numeric), ('voice_call', '2026-01-05 11:05+00', 50.2700)$$,
  'an all-zero exchange writes a row; a voice call is a voice_call row');
select ok((select event_details ?& array['source', 'raw_deltas', 'warmth_bonus', 'engagement_state', 'multiplier',
  'chapter_cap', 'applied_deltas', 'score_before', 'tags', 'events']
  from public.score_history where user_id = :'hal' order by id limit 1), 'history details carry the §2 fields');
select is((select event_details -> 'applied_deltas' from public.score_history where user_id = :'hal' order by id desc limit 1),
  '{"intimacy": 0.9, "passion": 0, "trust": 0, "secureness": 0}'::jsonb, 'applied per-metric deltas are recorded');

-- Interaction bookkeeping: last_interaction_at never moves back; days_played counts local dates.
select tests.create_onboarded_player('dan', '2026-01-05 09:00+00', 'America/New_York') as dan \gset
select game.apply_exchange(:'dan', tests.analysis(0, 0, 0, 0), '2026-01-05 12:00+00');
select game.apply_exchange(:'dan', tests.analysis(0, 0, 0, 0), '2026-01-06 04:00+00');
select is((select days_played from public.users where id = :'dan'), 1, '12:00 UTC and 04:00 UTC next day are one New York date');
select game.apply_exchange(:'dan', tests.analysis(0, 0, 0, 0), '2026-01-06 06:00+00');
select is((select days_played from public.users where id = :'dan'), 2, 'a new New York date counts a second day');
select game.apply_exchange(:'dan', tests.analysis(0, 0, 0, 0), '2026-01-06 05:30+00');
select is((select last_interaction_at from public.users where id = :'dan'), '2026-01-06 06:00+00'::timestamptz,
  'an exchange at an earlier time does not move last_interaction_at back');

-- Errors: each raises its registered code and changes nothing.
select tests.create_onboarded_player('err') as err \gset
select throws_ok(format('select game.apply_exchange(%L, tests.analysis(10.5, 0, 0, 0), %L)', :'err', '2026-01-05 10:00+00'),
  'ANBAD', 'analysis invalid: deltas.intimacy must be within -10..10', 'a delta above 10 is ANBAD');
select throws_ok(format('select game.apply_exchange(%L, tests.analysis(0, -11, 0, 0), %L)', :'err', '2026-01-05 10:00+00'),
  'ANBAD', 'analysis invalid: deltas.passion must be within -10..10', 'a delta below -10 is ANBAD');
select throws_ok(format('select game.apply_exchange(%L, %L::jsonb, %L)', :'err', '{"deltas": {"intimacy": 1}}', '2026-01-05 10:00+00'),
  'ANBAD', 'analysis invalid: deltas.passion must be a number', 'a missing delta is ANBAD');
select throws_ok(format('select game.apply_exchange(%L, tests.analysis(1, 0, 0, 0, %L), %L)', :'err',
  '{"vice_signals": [{"category": "gambling", "confidence": 0.9, "positive": true}]}', '2026-01-05 10:00+00'),
  'ANBAD', 'analysis invalid: unknown vice category: gambling', 'an unknown vice category is ANBAD');
select throws_ok(format('select game.apply_exchange(%L, tests.analysis(1, 0, 0, 0, %L), %L)', :'err',
  '{"behaviors": ["horseman:sarcasm"]}', '2026-01-05 10:00+00'),
  'ANBAD', 'analysis invalid: unknown behavior: "horseman:sarcasm"', 'an unknown behaviour tag is ANBAD');
select throws_ok(format('select game.apply_exchange(%L, tests.analysis(1, 0, 0, 0, %L), %L)', :'err',
  '{"language": {"needy": 1.5, "distracted": 0}}', '2026-01-05 10:00+00'),
  'ANBAD', 'analysis invalid: language.needy must be a number in 0..1', 'language outside 0..1 is ANBAD');
select throws_ok(format('select game.apply_exchange(%L, tests.analysis(1, 0, 0, 0, %L), %L)', :'err',
  '{"repair": {"attempted": true, "quality": "perfect"}}', '2026-01-05 10:00+00'),
  'ANBAD', 'analysis invalid: repair.quality must be excellent, good, adequate or null', 'an unknown repair quality is ANBAD');
-- The checks a valid analysis passes without a query: each still names what is wrong.
select throws_ok(format('select game.apply_exchange(%L, %L::jsonb, %L)', :'err',
  '{"deltas": {"intimacy": 1, "passion": 0, "trust": 0, "secureness": 0, "charm": 0}}', '2026-01-05 10:00+00'),
  'ANBAD', 'analysis invalid: deltas has an unknown metric', 'a fifth metric is ANBAD');
select throws_ok(format('select game.apply_exchange(%L, tests.analysis(1, 0, 0, 0, %L), %L)', :'err',
  '{"behaviors": ["vulnerability_exchange", 7]}', '2026-01-05 10:00+00'),
  'ANBAD', 'analysis invalid: unknown behavior: 7', 'a behaviour that is not a string is ANBAD');
select throws_ok(format('select game.apply_exchange(%L, tests.analysis(1, 0, 0, 0, %L), %L)', :'err',
  '{"behaviors": [["horseman:contempt"]]}', '2026-01-05 10:00+00'),
  'ANBAD', 'analysis invalid: unknown behavior: ["horseman:contempt"]', 'a tag nested in an array is ANBAD');
select throws_ok(format('select game.apply_exchange(%L, tests.analysis(1, 0, 0, 0, %L), %L)', :'err',
  '{"language": {"needy": 0, "distracted": "a lot"}}', '2026-01-05 10:00+00'),
  'ANBAD', 'analysis invalid: language.distracted must be a number in 0..1', 'a language score that is not a number is ANBAD');
select throws_ok(format('select game.apply_exchange(%L, tests.analysis(1, 0, 0, 0, %L), %L)', :'err',
  '{"vice_signals": [{"category": "dark_humor", "confidence": 0.9, "positive": true}, {"category": "dark_humor", "confidence": 2, "positive": true}]}',
  '2026-01-05 10:00+00'),
  'ANBAD', 'analysis invalid: vice_signals[].confidence must be a number in 0..1', 'a bad second vice signal is ANBAD');
select throws_ok(format('select game.apply_exchange(%L, %L::jsonb, %L)', :'err', '[1, 2]', '2026-01-05 10:00+00'),
  'ANBAD', 'analysis invalid: analysis must be a JSON object', 'a non-object analysis is ANBAD');
select is((select count(*) from public.score_history where user_id = :'err'), 0::bigint, 'rejected analyses write no history');
select is(tests.metrics(:'err'), array[50, 50, 50, 50]::numeric[], 'and change no metric');
select throws_ok(format('select game.apply_exchange(%L, tests.analysis(0, 0, 0, 0), %L)', gen_random_uuid(), '2026-01-05 10:00+00'),
  'PNFND', null, 'an unknown player is PNFND');
select tests.create_player('newbie') as newbie \gset
select throws_ok(format('select game.apply_exchange(%L, tests.analysis(0, 0, 0, 0), %L)', :'newbie', '2026-01-05 10:00+00'),
  'ONBRQ', 'onboarding not complete', 'a player still onboarding is ONBRQ');
update public.users set game_status = 'won' where id = :'err';
select throws_ok(format('select game.apply_exchange(%L, tests.analysis(0, 0, 0, 0), %L)', :'err', '2026-01-05 10:00+00'),
  'GOVER', 'game finished', 'a finished game is GOVER');
update public.users set game_status = 'active' where id = :'err';
select tests.start_boss(:'err', '2026-01-05 10:00+00');
select throws_ok(format('select game.apply_exchange(%L, tests.analysis(0, 0, 0, 0), %L)', :'err', '2026-01-05 11:00+00'),
  'BOSSA', 'boss fight active', 'a boss fight in progress is BOSSA');
select throws_ok(format('select game.apply_exchange(%L, tests.analysis(0, 0, 0, 0), %L, %L, %L)', :'sam', '2026-01-05 10:00+00',
  'telegram', (select id from public.conversations where user_id = :'err' limit 1)),
  'CVNFD', null, 'another player''s conversation is CVNFD');
select throws_ok(format('select game.apply_exchange(%L, tests.analysis(0, 0, 0, 0), %L, %L)', :'sam', '2026-01-05 10:00+00', 'sms'),
  'ANBAD', 'analysis invalid: source must be telegram or voice', 'an unknown source is ANBAD');

select * from finish();
rollback;
