-- After a closed conversation (PLATFORM.md §6 stages 3 and 4): her emotional state (GAME_RULES.md §11) worked through
-- by hand, the persisted conflict cooling (§9.2 step 1), vice discovery, a call's day in days_played, the
-- per-conversation mark, finished games skipped, CVNFD. January is UTC+1 in Berlin, July UTC+2;
-- 2026-01-05 is a Monday. Unless said otherwise: chapter 1, score 50, Wednesday 2026-01-07 14:00 Berlin.
begin;
select plan(66);

-- [arousal, valence, dominance, intimacy].
create function pg_temp.mood(p_user uuid, p_now timestamptz, p_tones text[], p_events jsonb default '[]')
returns numeric[] language sql as $$
  select array[(s ->> 'arousal')::numeric, (s ->> 'valence')::numeric, (s ->> 'dominance')::numeric, (s ->> 'intimacy')::numeric]
  from game.emotional_state(p_user, p_now, p_tones, p_events) s
$$;
create function pg_temp.conflict(p_user uuid) returns game.conflict_state language sql as $$
  select * from game.conflict_state where user_id = p_user
$$;
create function pg_temp.set_conflict(p_user uuid, p_temperature numeric, p_updated timestamptz, p_crises int default 0,
  p_above_90_since timestamptz default null) returns void language sql as $$
  update game.conflict_state set temperature = p_temperature, updated_at = p_updated, consecutive_crises = p_crises,
    above_90_since = p_above_90_since where user_id = p_user
$$;
create function pg_temp.closed(p_user uuid, p_platform text, p_ended timestamptz, p_status text default 'closed') returns uuid
language sql as $$
  insert into public.conversations (user_id, platform, status, started_at, last_message_at, ended_at, chapter_at_start)
  values (p_user, p_platform, p_status, p_ended - interval '10 minutes', p_ended,
    case when p_status = 'closed' then p_ended end, 1)
  returning id
$$;
create function pg_temp.effects(p_conversation uuid, p_effects jsonb, p_now timestamptz default '2026-01-07 13:00+00')
returns jsonb language sql as $$
  select game.apply_conversation_effects(p_conversation, p_effects, p_now)
$$;

select tests.create_onboarded_player('mood') as mood \gset

-- §11 step 1, time of day by Berlin hour, half an hour into each band, where UTC is still in the band before
-- (Wednesday: dominance 0.5 + 0.05 weekday + 0.10 chapter 1 = 0.65).
select is(pg_temp.mood(:'mood', '2026-01-06 23:30+00', '{neutral}'), array[0.3, 0.4, 0.65, 0.5],
  '00:30 Berlin (band 0-5): arousal -0.2, valence -0.1');
select is(pg_temp.mood(:'mood', '2026-01-07 04:30+00', '{neutral}'), array[0.4, 0.45, 0.65, 0.5],
  '05:30 Berlin (band 5-8): arousal -0.1, valence -0.05');
select is(pg_temp.mood(:'mood', '2026-01-07 07:30+00', '{neutral}'), array[0.65, 0.6, 0.65, 0.5],
  '08:30 Berlin (band 8-12): arousal +0.15, valence +0.1');
select is(pg_temp.mood(:'mood', '2026-01-07 11:30+00', '{neutral}'), array[0.55, 0.5, 0.65, 0.5],
  '12:30 Berlin (band 12-17): arousal +0.05, valence 0');
select is(pg_temp.mood(:'mood', '2026-01-07 16:30+00', '{neutral}'), array[0.45, 0.55, 0.65, 0.5],
  '17:30 Berlin (band 17-21): arousal -0.05, valence +0.05');
select is(pg_temp.mood(:'mood', '2026-01-07 20:30+00', '{neutral}'), array[0.35, 0.5, 0.65, 0.5],
  '21:30 Berlin (band 21-24): arousal -0.15, valence 0');
select is(array[pg_temp.mood(:'mood', '2026-01-07 03:59:59+00', '{neutral}'), pg_temp.mood(:'mood', '2026-01-07 04:00+00', '{neutral}')],
  array[array[0.3, 0.4, 0.65, 0.5], array[0.4, 0.45, 0.65, 0.5]], 'a band starts at its hour: 04:59:59 Berlin is night, 05:00 early morning');
select is(pg_temp.mood(:'mood', '2026-07-08 06:30+00', '{neutral}'), array[0.65, 0.6, 0.65, 0.5],
  'Berlin time, not a fixed offset: 06:30 UTC in July is 08:30 Berlin (band 8-12)');
select is((game.emotional_state(:'mood', '2026-01-07 23:30+00', '{neutral}') ->> 'berlin_weekday'), 'thu',
  '23:30 UTC on Wednesday is Thursday 00:30 in Berlin');
select tests.create_onboarded_player('tokyo', '2026-01-05 09:00+00', 'Asia/Tokyo') as tokyo \gset
select is(pg_temp.mood(:'tokyo', '2026-01-07 13:00+00', '{neutral}'), pg_temp.mood(:'mood', '2026-01-07 13:00+00', '{neutral}'),
  'the player''s own timezone plays no part');

-- Step 1, days (14:00 Berlin: arousal +0.05): Mon-Fri dominance +0.05; Friday also valence and arousal +0.1;
-- Sat-Sun valence +0.1, dominance -0.05, arousal -0.05.
select is(pg_temp.mood(:'mood', '2026-01-05 13:00+00', '{neutral}'), array[0.55, 0.5, 0.65, 0.5], 'Monday: dominance +0.05');
select is(pg_temp.mood(:'mood', '2026-01-09 13:00+00', '{neutral}'), array[0.65, 0.6, 0.65, 0.5],
  'Friday: dominance +0.05, valence +0.1, arousal +0.1');
select is(pg_temp.mood(:'mood', '2026-01-10 13:00+00', '{neutral}'), array[0.5, 0.6, 0.55, 0.5],
  'Saturday: valence +0.1, dominance -0.05, arousal -0.05');
select is(pg_temp.mood(:'mood', '2026-01-11 13:00+00', '{neutral}'), array[0.5, 0.6, 0.55, 0.5], 'Sunday: the same');

-- Step 3, each tone (base 0.55, 0.5, 0.65, 0.5).
select results_eq(
  $$select t, pg_temp.mood(tests.player('mood'), '2026-01-07 13:00+00', array[t])
    from unnest(array['supportive', 'dismissive', 'romantic', 'cold', 'playful', 'anxious', 'apologetic', 'neutral']) t$$,
  $$values ('supportive', array[0.55, 0.65, 0.7, 0.6]), ('dismissive', array[0.55, 0.35, 0.55, 0.4]),
           ('romantic', array[0.65, 0.7, 0.65, 0.7]), ('cold', array[0.5, 0.3, 0.65, 0.3]),
           ('playful', array[0.7, 0.65, 0.65, 0.55]), ('anxious', array[0.75, 0.4, 0.5, 0.5]),
           ('apologetic', array[0.55, 0.55, 0.55, 0.6]), ('neutral', array[0.55, 0.5, 0.65, 0.5])$$,
  'each tone adds its row: valence, intimacy, arousal, dominance of the §11 table');
select is(pg_temp.mood(:'mood', '2026-01-07 13:00+00', '{romantic,supportive,playful}'), array[0.8, 0.9, 0.7, 0.85],
  'romantic + supportive + playful: valence 0.5 limited to +0.4, intimacy 0.35, arousal 0.25, dominance 0.05');
select is(game.emotional_state(:'mood', '2026-01-07 13:00+00', '{romantic,supportive,playful}') -> 'parts' -> 'tones',
  '{"arousal": 0.25, "valence": 0.4, "dominance": 0.05, "intimacy": 0.35}', 'the tone part shows the limit');
select is(pg_temp.mood(:'mood', '2026-01-07 13:00+00', '{cold,dismissive,anxious}'), array[0.7, 0.1, 0.4, 0.2],
  'cold + dismissive + anxious: valence -0.45 limited to -0.4, intimacy -0.3, arousal +0.15, dominance -0.25');
select is(pg_temp.mood(:'mood', '2026-01-07 13:00+00', '{romantic,romantic}'), pg_temp.mood(:'mood', '2026-01-07 13:00+00', '{romantic}'),
  'a tone named twice counts once');
select throws_ok(format('select game.emotional_state(%L, %L, %L)', :'mood', '2026-01-07 13:00+00', '{sarcastic}'), '22023',
  'unknown tone: sarcastic', 'an unknown tone is 22023');
select throws_ok(format('select game.emotional_state(%L, %L, %L)', :'mood', '2026-01-07 13:00+00', '{}'), '22023',
  'a conversation has 1-3 tones, got 0', 'no tone is 22023');
select throws_ok(format('select game.emotional_state(%L, %L, %L)', :'mood', '2026-01-07 13:00+00', '{cold,playful,anxious,neutral}'),
  '22023', 'a conversation has 1-3 tones, got 4', 'four tones are 22023');

-- Step 2, life events: each dimension's total limited to +-0.3.
select is(pg_temp.mood(:'mood', '2026-01-07 13:00+00', '{neutral}', '[{"valence": 0.2, "arousal": 0.25},
  {"valence": 0.2, "arousal": 0.1, "dominance": -0.2}, {"dominance": -0.2, "intimacy": 0.1}]'), array[0.85, 0.8, 0.35, 0.6],
  'events: arousal 0.35 and valence 0.4 limited to +0.3, dominance -0.4 to -0.3, intimacy 0.1 as it is');
select is(pg_temp.mood(:'mood', '2026-01-07 13:00+00', '{neutral}', '[{"valence": 0.1}]'), array[0.55, 0.6, 0.65, 0.5],
  'an event within the limit adds its impact');
select throws_ok(format('select game.emotional_state(%L, %L, %L, %L)', :'mood', '2026-01-07 13:00+00', '{neutral}', '[{"valence": "high"}]'),
  '22023', null, 'an event impact that is not a number is 22023');

-- Step 4, chapter modifier (intimacy, dominance): (0, +0.10), (+0.05, +0.05), (+0.10, 0), (+0.15, -0.05), (+0.20, -0.10).
select tests.create_onboarded_player('ch' || c) from generate_series(1, 5) c;
update public.users set chapter = c from generate_series(1, 5) c where id = tests.player('ch' || c);
select results_eq(
  $$select c, pg_temp.mood(tests.player('ch' || c), '2026-01-07 13:00+00', '{neutral}') from generate_series(1, 5) c$$,
  $$values (1, array[0.55, 0.5, 0.65, 0.5]), (2, array[0.55, 0.5, 0.6, 0.55]), (3, array[0.55, 0.5, 0.55, 0.6]),
           (4, array[0.55, 0.5, 0.5, 0.65]), (5, array[0.55, 0.5, 0.45, 0.7])$$,
  'chapters 1-5 shift intimacy and dominance');

-- Step 5, valence += (score/100 - 0.5) x 0.2.
select tests.create_onboarded_player('sc') as sc \gset
select tests.set_metrics(:'sc', 73.25, 73.25, 73.25, 73.25);
select is(pg_temp.mood(:'sc', '2026-01-07 13:00+00', '{neutral}'), array[0.55, 0.5465, 0.65, 0.5], 'score 73.25: valence + 0.0465');
select tests.set_metrics(:'sc', 20, 20, 20, 20);
select is(pg_temp.mood(:'sc', '2026-01-07 13:00+00', '{neutral}'), array[0.55, 0.44, 0.65, 0.5], 'score 20: valence - 0.06');

-- Clamping to 0..1.
select tests.set_metrics(:'sc', 100, 100, 100, 100);
select is(pg_temp.mood(:'sc', '2026-01-09 09:00+00', '{romantic,supportive,playful}', '[{"valence": 0.3, "arousal": 0.3, "intimacy": 0.3}]'),
  array[1, 1, 0.7, 1], 'Friday 10:00, three warm tones, glad events, score 100: arousal 1.3, valence 1.5, intimacy 1.15 clamp to 1');
select tests.set_metrics(:'sc', 0, 0, 0, 0);
select is(pg_temp.mood(:'sc', '2026-01-07 02:00+00', '{cold,dismissive,anxious}', '[{"valence": -0.3, "intimacy": -0.3, "dominance": -0.3}]'),
  array[0.45, 0, 0.1, 0], 'Wednesday 03:00, three cold tones, sad events, score 0: valence -0.4 and intimacy -0.1 clamp to 0');

-- Stage 4 alone: cooling persisted.
select tests.create_onboarded_player('cool') as cool \gset
select pg_temp.set_conflict(:'cool', 40, '2026-01-07 02:00+00');
select is((game.cool_conflict(:'cool', '2026-01-07 12:00+00') ->> 'temperature')::numeric, 35::numeric, '40 cooled for 10 h: 35');
select is(array[(pg_temp.conflict(:'cool')).temperature, extract(epoch from (pg_temp.conflict(:'cool')).updated_at)],
  array[35, extract(epoch from '2026-01-07 12:00+00'::timestamptz)], 'exactly 5 points removed, persisted as of 12:00');
select game.cool_conflict(:'cool', '2026-01-07 12:00+00') as again \gset
select ok(not (:'again'::jsonb ->> 'changed')::boolean and (pg_temp.conflict(:'cool')).temperature = 35
  and (pg_temp.conflict(:'cool')).updated_at = '2026-01-07 12:00+00', 'cooling to the same now again changes nothing');
select game.cool_conflict(:'cool', '2026-01-07 08:00+00');
select is(array[(pg_temp.conflict(:'cool')).temperature, extract(epoch from (pg_temp.conflict(:'cool')).updated_at)],
  array[35, extract(epoch from '2026-01-07 12:00+00'::timestamptz)], 'an earlier now changes nothing either');
select is((game.cool_conflict(:'cool', '2026-01-07 14:00+00') ->> 'temperature')::numeric, 34::numeric,
  'two hours later: one more point, counted from the persisted time');
select pg_temp.set_conflict(:'cool', 3, '2026-01-07 02:00+00');
select is((game.cool_conflict(:'cool', '2026-01-07 12:00+00') ->> 'temperature')::numeric, 0::numeric, 'cooling stops at 0');
select pg_temp.set_conflict(:'cool', 95, '2026-01-07 00:00+00', 0, '2026-01-06 20:00+00');
select game.cool_conflict(:'cool', '2026-01-07 12:00+00');
select is(array[(pg_temp.conflict(:'cool')).temperature::text, (pg_temp.conflict(:'cool')).above_90_since::text],
  array['89.0000', null], '95 cooled for 12 h is 89: above_90_since is cleared');
select pg_temp.set_conflict(:'cool', 100, '2026-01-07 08:00+00', 0, '2026-01-06 20:00+00');
select game.cool_conflict(:'cool', '2026-01-07 12:00+00');
select is((pg_temp.conflict(:'cool')).above_90_since, '2026-01-06 20:00+00'::timestamptz, '100 cooled to 98 keeps above_90_since');
select pg_temp.set_conflict(:'cool', 55, '2026-01-07 00:00+00', 2);
select game.cool_conflict(:'cool', '2026-01-07 12:00+00');
select is((pg_temp.conflict(:'cool')).consecutive_crises, 0, 'cooled from 55 to 49 (below 50): the crises reset');
select pg_temp.set_conflict(:'cool', 80, '2026-01-07 10:00+00', 2);
select game.cool_conflict(:'cool', '2026-01-07 12:00+00');
select is((pg_temp.conflict(:'cool')).consecutive_crises, 2, 'cooled from 80 to 79: the crises stay');

-- Stage 3: a Telegram conversation with vice signals. dark_humor is discovered (seeded, 1.5).
select tests.create_onboarded_player('eff') as eff \gset
select game.seed_vices(:'eff', 3, '2026-01-05 09:30+00');
update public.users set days_played = 2, last_played_on = '2026-01-07' where id = :'eff';
select pg_temp.set_conflict(:'eff', 40, '2026-01-07 03:00+00');
select pg_temp.closed(:'eff', 'telegram', '2026-01-07 12:45+00') as eff_conv \gset
select pg_temp.effects(:'eff_conv', '{"tones": ["playful"], "life_events": [{"valence": 0.1}], "vice_signals": [
  {"category": "risk_taking", "confidence": 0.8, "positive": true},
  {"category": "risk_taking", "confidence": 0.6, "positive": true},
  {"category": "substances", "confidence": 0.9, "positive": false},
  {"category": "rule_breaking", "confidence": 0.49, "positive": true},
  {"category": "dark_humor", "confidence": 0.9, "positive": true}]}') as first \gset
select is((:'first'::jsonb ->> 'applied')::boolean, true, 'the effects are applied');
select results_eq(
  $$select category, engagement_score, intensity_level, discovered_at from public.user_vice_preferences
    where user_id = tests.player('eff') and category in ('risk_taking', 'substances', 'rule_breaking', 'dark_humor') order by category$$,
  $$values ('dark_humor'::text, 1.5::numeric, 0.3::numeric, '2026-01-05 09:30+00'::timestamptz),
           ('risk_taking', 1.2, 0.24, '2026-01-07 13:00+00')$$,
  'a positive signal (the stronger, 0.8) discovers risk_taking with 0.8 x 1.0 x 1.5 = 1.2; a discovered category is left alone');
select is((select count(*) from public.user_vice_preferences where user_id = :'eff' and category = 'substances'), 0::bigint,
  'a rejection discovers nothing');
select is((select count(*) from public.user_vice_preferences where user_id = :'eff' and category = 'rule_breaking'), 0::bigint,
  'a positive signal below confidence 0.5 discovers nothing');
select results_eq(
  $$select arousal, valence, dominance, intimacy, conflict_state, conversation_id, recorded_at from public.emotional_states
    where user_id = tests.player('eff')$$,
  format($$values (0.7::numeric, 0.75::numeric, 0.65::numeric, 0.55::numeric, 'warm'::text, %L::uuid, '2026-01-07 13:00+00'::timestamptz)$$, :'eff_conv'),
  'one emotional row: playful + an event (valence 0.1) at 14:00 Berlin, conflict zone warm (40 cooled for 10 h is 35)');
select is(array[(pg_temp.conflict(:'eff')).temperature, extract(epoch from (pg_temp.conflict(:'eff')).updated_at)],
  array[35, extract(epoch from '2026-01-07 13:00+00'::timestamptz)], 'the cooling to now is persisted');
select is((select days_played from public.users where id = :'eff'), 2, 'a Telegram conversation adds no day (its messages did)');

-- Applied twice = once, whatever the second call brings.
select pg_temp.effects(:'eff_conv', '{"tones": ["cold"], "vice_signals": [{"category": "substances", "confidence": 1, "positive": true}]}',
  '2026-01-07 23:00+00') as second \gset
select is(:'second'::jsonb - 'duplicate', :'first'::jsonb - 'duplicate', 'a second call returns the first result');
select is(array[:'first'::jsonb ->> 'duplicate', :'second'::jsonb ->> 'duplicate'], array['false', 'true'], 'marked as a duplicate');
select is((select count(*) from public.emotional_states where user_id = :'eff'), 1::bigint, 'and inserts no second emotional row');
select is((select count(*) from public.user_vice_preferences where user_id = :'eff' and category = 'substances'), 0::bigint,
  'discovers nothing');
select is(array[(pg_temp.conflict(:'eff')).temperature, extract(epoch from (pg_temp.conflict(:'eff')).updated_at)],
  array[35, extract(epoch from '2026-01-07 13:00+00'::timestamptz)], 'and cools nothing');

-- The row carries the zone of the cooled temperature: 80 four hours ago is 78, critical.
select tests.create_onboarded_player('hot') as hot \gset
select pg_temp.set_conflict(:'hot', 80, '2026-01-07 09:00+00');
select pg_temp.effects(pg_temp.closed(:'hot', 'telegram', '2026-01-07 12:45+00'), '{"tones": ["anxious"]}');
select is((select conflict_state from public.emotional_states where user_id = :'hot'), 'critical', '78 after cooling: critical');
select pg_temp.set_conflict(:'hot', 54, '2026-01-07 03:00+00');
select pg_temp.effects(pg_temp.closed(:'hot', 'telegram', '2026-01-07 12:50+00'), '{"tones": ["anxious"]}');
select is((select conflict_state from public.emotional_states where user_id = :'hot' order by id desc limit 1), 'warm',
  'a stored 54 (hot) cooled for 10 h is 49: warm');

-- A voice call: its end is an interaction on its local day; the engagement machine does not move.
select tests.create_onboarded_player('caller', '2026-01-05 09:00+00', 'America/Los_Angeles') as caller \gset
update public.users set days_played = 2, last_played_on = '2026-01-06', last_interaction_at = '2026-01-06 20:00+00' where id = :'caller';
update public.engagement_state set state = 'drifting', clingy_days = 1, step_day = '2026-01-06', step_day_flag = 'clingy' where user_id = :'caller';
select (select e from public.engagement_state e where user_id = :'caller') as engagement_before \gset
select pg_temp.effects(pg_temp.closed(:'caller', 'voice', '2026-01-07 19:00+00'), '{"tones": ["supportive"]}', '2026-01-07 19:10+00');
select is((select array[days_played::text, last_played_on::text, extract(epoch from last_interaction_at)::text]
  from public.users where id = :'caller'), array['3', '2026-01-07', extract(epoch from '2026-01-07 19:00+00'::timestamptz)::text],
  'the call''s local day (Jan 7 in Los Angeles) counts: days_played 3, last interaction at the call''s end');
select is((select e::text from public.engagement_state e where user_id = :'caller'), :'engagement_before',
  'the engagement state, streaks, day counters and flag are untouched');
select pg_temp.effects(pg_temp.closed(:'caller', 'voice', '2026-01-08 05:00+00'), '{"tones": ["supportive"]}', '2026-01-08 05:10+00');
select is((select days_played from public.users where id = :'caller'), 3, 'a second call on the same local day (21:00 Jan 7) adds no day');

-- Finished games get nothing.
select tests.create_onboarded_player('over') as over \gset
update public.users set game_status = 'game_over', game_over_reason = 'score' where id = :'over';
select pg_temp.set_conflict(:'over', 40, '2026-01-07 03:00+00');
select pg_temp.effects(pg_temp.closed(:'over', 'telegram', '2026-01-07 12:45+00'), '{"tones": ["playful"],
  "vice_signals": [{"category": "risk_taking", "confidence": 0.8, "positive": true}]}') as skipped \gset
select is(:'skipped'::jsonb - 'conversation_id', '{"applied": false, "skipped": true, "reason": "game_over", "duplicate": false}',
  'game over: skipped');
select ok((select count(*) from public.emotional_states where user_id = :'over') = 0
  and (select count(*) from public.user_vice_preferences where user_id = :'over') = 0
  and (pg_temp.conflict(:'over')).temperature = 40 and (pg_temp.conflict(:'over')).updated_at = '2026-01-07 03:00+00',
  'no emotional row, no vice, no cooling');
select tests.create_onboarded_player('winner') as winner \gset
update public.users set game_status = 'won' where id = :'winner';
select is(pg_temp.effects(pg_temp.closed(:'winner', 'telegram', '2026-01-07 12:45+00'), '{"tones": ["romantic"]}') ->> 'reason', 'won',
  'won: skipped');
select is((select count(*) from public.emotional_states where user_id = :'winner'), 0::bigint, 'and nothing recorded');

-- Errors: nothing is written.
select throws_ok(format('select game.apply_conversation_effects(%L, %L, %L)', gen_random_uuid(), '{"tones": ["neutral"]}',
  '2026-01-07 13:00+00'), 'CVNFD', null, 'an unknown conversation is CVNFD');
select tests.create_onboarded_player('bad') as bad \gset
select pg_temp.closed(:'bad', 'telegram', '2026-01-07 12:45+00') as bad_conv \gset
select throws_ok(format('select game.apply_conversation_effects(%L, %L, %L)', :'bad_conv', '{"tones": ["smug"]}', '2026-01-07 13:00+00'),
  '22023', 'unknown tone: smug', 'an unknown tone is 22023');
select throws_ok(format('select game.apply_conversation_effects(%L, %L, %L)', :'bad_conv',
  '{"tones": ["neutral"], "vice_signals": [{"category": "gambling", "confidence": 0.9, "positive": true}]}', '2026-01-07 13:00+00'),
  '22023', 'unknown vice category: gambling', 'an unknown vice category is 22023');
select throws_ok(format('select game.apply_conversation_effects(%L, %L, %L)', pg_temp.closed(:'bad', 'telegram', '2026-01-07 12:55+00', 'open'),
  '{"tones": ["neutral"]}', '2026-01-07 13:00+00'), '55000', null, 'an open conversation is refused');
select ok((select count(*) from public.emotional_states where user_id = :'bad') = 0
  and (select count(*) from game.conversation_effects where user_id = :'bad') = 0, 'and nothing was written');

select * from finish();
rollback;
