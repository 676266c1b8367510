-- She texts first (GAME_RULES.md §15): the initiation rates at their range edges, the slots and once per slot per
-- day, the 24 h gap once per silence, the event trigger's importance edge and magnitude formula, the order of the
-- triggers, the 120-minute spacing, eligibility (terminal players never), the channel rule, stage 6's one touchpoint
-- per conversation, strategic silence (the m branches, the 1.4 and 0.5 caps, hot and critical), claims, the
-- similarity check and the batch. 2026-01-05 is a Monday; Berlin is UTC+1 in January. Players are in UTC unless said.
begin;
select plan(100);

create function pg_temp.t() returns jsonb language sql as $$ select game.tunables_json() $$;
-- Draws: the rate at the range's low end, every roll missing, unless overridden.
create function pg_temp.draws(p_over jsonb default '{}') returns jsonb language sql as $$
  select '{"rate": 0, "time": 0.99, "time_due": 0.5, "gap": 0.99, "events": [0.99, 0.99, 0.99], "channel": 0.99}'::jsonb
    || p_over
$$;
create function pg_temp.ev(p_name text, p_at timestamptz, p_over jsonb default '{}', p_voice boolean default false,
  p_source uuid default null) returns jsonb language sql as $$
  select game.evaluate_touchpoint(tests.player(p_name), p_at, pg_temp.draws(p_over), p_voice, p_source)
$$;
create function pg_temp.tp(p_name text, p_due timestamptz, p_status text default 'scheduled',
  p_sent timestamptz default null, p_text text default null) returns uuid language sql as $$
  insert into game.touchpoints (user_id, trigger, occasion, channel, due_at, status, rate, chance, created_at, sent_at, text)
  values (tests.player(p_name), 'time', 'fixture:' || gen_random_uuid(), 'text', p_due, p_status, 0.15, 0.15,
    p_due - interval '1 hour', p_sent, p_text)
  returning id
$$;
create function pg_temp.occasion(p_name text, p_occasion text) returns game.touchpoint_occasions language sql as $$
  select * from game.touchpoint_occasions where user_id = tests.player(p_name) and occasion = p_occasion
$$;
create function pg_temp.event(p_name text, p_date date, p_ordinal int, p_slot text, p_importance numeric,
  p_impact jsonb) returns bigint language sql as $$
  insert into public.life_events (user_id, event_date, ordinal, time_of_day, domain, event_type, description,
    emotional_impact, importance)
  values (tests.player(p_name), p_date, p_ordinal, p_slot, 'work', 'meeting', 'Something happened at the co-working space.',
    p_impact, p_importance)
  returning id
$$;

-- The initiation rate: a uniform draw within the chapter's range, chapter 1 first.
select is(array(select game.touchpoint_rate(c, 0, pg_temp.t()) from generate_series(1, 5) c),
  array[0.15, 0.2, 0.25, 0.25, 0.25]::numeric[], 'rate at the low end of each chapter''s range');
select is(array(select game.touchpoint_rate(c, 0.9999, pg_temp.t()) from generate_series(1, 5) c),
  array[0.2, 0.25, 0.3, 0.3, 0.3]::numeric[], 'rate at the high end of each chapter''s range');
select is(game.touchpoint_rate(1, 0.5, pg_temp.t()), 0.175, 'a draw of 0.5 in chapter 1: 0.175');
-- The gap chance min(0.5, 1.5 x rate) and the event chance.
select is(game.gap_trigger_chance(0.15, pg_temp.t()), 0.225, 'gap chance 1.5 x 0.15');
select is(game.gap_trigger_chance(0.4, pg_temp.t()), 0.5, 'gap chance capped at 0.5');
select is(game.event_trigger_chance(0.15, 0.7, 0.3, pg_temp.t()), 0.3188, 'event chance 0.15 x 1.7 x (1 + 0.5 x 0.5)');
select is(game.event_trigger_chance(0.15, 0.7, 0.6, pg_temp.t()), 0.3825, 'event chance at magnitude 0.6: x 1.5');
select is(game.event_trigger_chance(0.25, 0.7, 0.9, pg_temp.t()), 0.6375, 'magnitude / 0.6 is capped at 1');
select is(game.event_trigger_chance(0.3, 1, 0.6, pg_temp.t()), 0.8, 'event chance capped at 0.8');
select is(game.life_event_magnitude('{"arousal": -0.2, "valence": 0.1, "dominance": 0.2}'), 0.3,
  'magnitude = abs(arousal) + abs(valence)');

-- time: the morning slot 08:00-10:00 and the evening slot 19:00-21:00, local time.
select tests.create_onboarded_player('tina');
select is(pg_temp.ev('tina', '2026-01-05 07:59:59+00', '{"time": 0}') -> 'occasions', '[]', '07:59:59 is before the morning slot');
select is(pg_temp.ev('tina', '2026-01-05 08:00+00', '{"time": 0.1499}') #>> '{touchpoint,trigger}', 'time',
  '08:00 opens the slot; a roll below the rate 0.15 fires');
select is((select due_at from game.touchpoints where user_id = tests.player('tina')), '2026-01-05 09:00+00'::timestamptz,
  'due at a uniform time in the rest of the slot (a draw of 0.5 of 08:00-10:00)');
select is((pg_temp.occasion('tina', 'time:2026-01-05:morning')).outcome, 'fired', 'the slot''s occasion is recorded');
select tests.create_onboarded_player('tom');
select is(pg_temp.ev('tom', '2026-01-05 08:30+00', '{"time": 0.15}') #>> '{occasions,0,outcome}', 'missed',
  'a roll equal to the rate misses');
select is(pg_temp.ev('tom', '2026-01-05 09:59:59+00', '{"time": 0}') -> 'occasions', '[]', 'once per slot per day');
select is(pg_temp.ev('tom', '2026-01-05 10:00+00', '{"time": 0}') -> 'occasions', '[]', '10:00 is past the slot');
select is(pg_temp.ev('tom', '2026-01-05 19:00+00', '{"time": 0}') #>> '{touchpoint,due_at}', '2026-01-05T20:00:00+00:00',
  'the evening slot opens at 19:00; due in the rest of it');
select is(pg_temp.ev('tom', '2026-01-06 08:00+00', '{"time": 0}') #>> '{occasions,0,occasion}', 'time:2026-01-06:morning',
  'the next day''s slot rolls again');
select tests.create_onboarded_player('tess');
select is(pg_temp.ev('tess', '2026-01-05 21:00+00', '{"time": 0}') -> 'occasions', '[]', '21:00 is past the evening slot');
select is(pg_temp.ev('tess', '2026-01-05 20:59+00', '{"time": 0, "time_due": 0}') #>> '{touchpoint,due_at}',
  '2026-01-05T20:59:00+00:00', '20:59 is inside it');
select tests.create_onboarded_player('tokyo', '2026-01-01 09:00+00', 'Asia/Tokyo');
select is(pg_temp.ev('tokyo', '2026-01-04 23:30+00', '{"time": 0}') #>> '{touchpoint,due_at}', '2026-01-05T00:15:00+00:00',
  'the slot is the player''s local time: 08:30 in Tokyo, due halfway to 10:00 Tokyo');
select isnt(pg_temp.occasion('tokyo', 'time:2026-01-05:morning'), null, 'the local date names the occasion');

-- gap: 24 h since the last interaction, once per silence, due 2 minutes later.
select tests.create_onboarded_player('gus');
update public.users set last_interaction_at = '2026-01-04 12:00+00' where id = tests.player('gus');
select is(pg_temp.ev('gus', '2026-01-05 11:59:59+00', '{"gap": 0}') -> 'occasions', '[]', '23:59:59 of silence is not a gap');
select is(pg_temp.ev('gus', '2026-01-05 12:00+00', '{"gap": 0.2249}') #>> '{touchpoint,trigger}', 'gap',
  '24 h of silence: a roll below 1.5 x 0.15 fires');
select is((select due_at from game.touchpoints where user_id = tests.player('gus')), '2026-01-05 12:02+00'::timestamptz,
  'due 2 minutes later');
select tests.create_onboarded_player('gia');
update public.users set last_interaction_at = '2026-01-04 12:00+00' where id = tests.player('gia');
select is(pg_temp.ev('gia', '2026-01-05 12:00+00', '{"gap": 0.225}') #>> '{occasions,0,outcome}', 'missed', 'a roll of 0.225 misses');
select is(pg_temp.ev('gia', '2026-01-05 18:00+00', '{"gap": 0}') -> 'occasions', '[]', 'once per silence');
update public.users set last_interaction_at = '2026-01-05 14:00+00' where id = tests.player('gia');
select is(pg_temp.ev('gia', '2026-01-06 14:00+00', '{"gap": 0}') #>> '{touchpoint,trigger}', 'gap',
  'a new silence gets its own roll');

-- event: today's (Berlin) events of importance >= 0.7 and magnitude > 0, while their slot is on; due 5 min later.
select tests.create_onboarded_player('eve');
select pg_temp.event('eve', '2026-01-05', 1, 'morning', 0.69, '{"arousal": 0.3, "valence": 0.3}');
select pg_temp.event('eve', '2026-01-05', 2, 'morning', 0.7, '{"dominance": 0.2, "intimacy": 0.1}');
select pg_temp.event('eve', '2026-01-05', 3, 'morning', 0.7, '{"arousal": -0.2, "valence": 0.1}') as eve3 \gset
select pg_temp.event('eve', '2026-01-05', 4, 'afternoon', 0.9, '{"valence": -0.3}') as eve4 \gset
select is(pg_temp.ev('eve', '2026-01-05 04:59+00', '{"events": [0]}') -> 'occasions', '[]',
  '05:59 Berlin: the morning slot (06-12) has not begun');
select is(pg_temp.ev('eve', '2026-01-05 05:30+00', '{"events": [0.3188]}') -> 'occasions',
  jsonb_build_array(jsonb_build_object('occasion', 'event:' || :eve3, 'trigger', 'event', 'roll', 0.3188,
    'chance', 0.3188, 'outcome', 'missed')),
  'only the event at importance 0.7 with magnitude 0.3 is rolled: chance 0.3188, a roll of 0.3188 misses');
select is(pg_temp.ev('eve', '2026-01-05 06:00+00', '{"events": [0]}') -> 'occasions', '[]', 'an event is rolled once');
select is(pg_temp.ev('eve', '2026-01-05 11:00+00', '{"events": [0.3562]}') -> 'touchpoint' ->> 'life_event_id', :'eve4',
  '12:00 Berlin begins the afternoon slot: importance 0.9, magnitude 0.3: chance 0.3563');
select is((select due_at from game.touchpoints where user_id = tests.player('eve')), '2026-01-05 11:05+00'::timestamptz,
  'due 5 minutes later');
select tests.create_onboarded_player('evan');
select pg_temp.event('evan', '2026-01-05', 1, 'morning', 1, '{"valence": 0.3}');
select is(pg_temp.ev('evan', '2026-01-05 11:00+00', '{"events": [0]}') -> 'occasions', '[]', 'a morning event''s slot is over at 12:00 Berlin');
select is(pg_temp.ev('evan', '2026-01-06 07:00+00', '{"events": [0]}') -> 'occasions', '[]', 'yesterday''s events are not today''s');

-- The triggers in order time, gap, event: the first that fires wins.
select tests.create_onboarded_player('ola');
select tests.create_onboarded_player('oli');
select tests.create_onboarded_player('oscar');
update public.users set last_interaction_at = '2026-01-04 08:00+00' where id in (tests.player('ola'), tests.player('oli'), tests.player('oscar'));
select pg_temp.event(p, '2026-01-05', 1, 'morning', 0.9, '{"valence": 0.3}') from unnest(array['ola', 'oli', 'oscar']) p;
select is(jsonb_path_query_array(pg_temp.ev('ola', '2026-01-05 08:00+00', '{"time": 0, "gap": 0, "events": [0]}'),
  '$.occasions[*].trigger'), '["time"]', 'time fires first: gap and event are not rolled');
select is(jsonb_path_query_array(pg_temp.ev('oli', '2026-01-05 08:00+00', '{"gap": 0, "events": [0]}'),
  '$.occasions[*].outcome'), '["missed", "fired"]', 'time missed, gap fires: the event is not rolled');
select is(pg_temp.ev('oscar', '2026-01-05 08:00+00', '{"events": [0]}') #>> '{touchpoint,trigger}', 'event',
  'time and gap missed, the event fires');

-- 120 minutes between proactive messages, due or delivered.
select tests.create_onboarded_player('sam');
update public.users set last_interaction_at = '2026-01-04 00:00+00' where id = tests.player('sam');
select pg_temp.tp('sam', '2026-01-05 12:00+00');
select is(pg_temp.ev('sam', '2026-01-05 13:59+00', '{"gap": 0}') ->> 'reason', 'too_close', '119 minutes after one due: not eligible');
select is(pg_temp.ev('sam', '2026-01-05 14:00+00', '{"gap": 0}') #>> '{touchpoint,due_at}', '2026-01-05T14:02:00+00:00',
  '120 minutes after it: eligible again');
select tests.create_onboarded_player('sue');
update public.users set last_interaction_at = '2026-01-04 00:00+00' where id = tests.player('sue');
select pg_temp.tp('sue', '2026-01-05 12:00+00', 'sent', '2026-01-05 12:30+00', 'hey');
select is(pg_temp.ev('sue', '2026-01-05 14:00+00', '{"gap": 0}') ->> 'reason', 'too_close', 'counted from its delivery');
select is(pg_temp.ev('sue', '2026-01-05 14:30+00', '{"gap": 0}') #>> '{touchpoint,trigger}', 'gap', '120 minutes after delivery');
select tests.create_onboarded_player('tim');
select tests.create_onboarded_player('tia');
select pg_temp.tp(p, '2026-01-05 11:00+00') from unnest(array['tim', 'tia']) p;
select is(pg_temp.ev('tim', '2026-01-05 08:00+00', '{"time": 0, "time_due": 0.6}') #>> '{occasions,0,outcome}', 'too_close',
  'a time message due 09:12 is within 120 minutes of one due 11:00: the occasion is used up');
select is(pg_temp.ev('tia', '2026-01-05 08:00+00', '{"time": 0, "time_due": 0.5}') #>> '{touchpoint,due_at}',
  '2026-01-05T09:00:00+00:00', 'due 09:00, exactly 120 minutes before: allowed');

-- Eligibility: active, onboarded, notifications on, no open conversation.
select tests.create_onboarded_player(p) from unnest(array['bo', 'go', 'wo', 'pen', 'mute', 'chat']) p;
update public.users set game_status = 'boss_fight', boss_fight_started_at = '2026-01-05 07:00+00' where id = tests.player('bo');
update public.users set game_status = 'game_over', game_over_reason = 'decay' where id = tests.player('go');
update public.users set game_status = 'won' where id = tests.player('wo');
update public.users set onboarding_status = 'pending' where id = tests.player('pen');
update public.users set notifications_enabled = false where id = tests.player('mute');
insert into public.conversations (user_id, platform, started_at, last_message_at, chapter_at_start)
values (tests.player('chat'), 'telegram', '2026-01-05 07:50+00', '2026-01-05 07:55+00', 1);
select is(array(select pg_temp.ev(p, '2026-01-05 08:00+00', '{"time": 0}') ->> 'reason'
  from unnest(array['bo', 'go', 'wo', 'pen', 'mute', 'chat']) p),
  array['not_active', 'not_active', 'not_active', 'not_onboarded', 'notifications_off', 'conversation_open'],
  'a boss fight, game over, won, onboarding, notifications off or an open conversation: nothing rolled');
select is((select count(*)::int from game.touchpoint_occasions o where o.user_id in
  (select tests.player(p) from unnest(array['bo', 'go', 'wo', 'pen', 'mute', 'chat']) p)), 0,
  'their occasions stay unrolled');

-- Channel: a call only with voice on, a phone number and a draw below the chapter's call share (0.1 in chapter 3).
select tests.create_onboarded_player(p) from unnest(array['vic', 'val', 'vin', 'vera', 'viv']) p;
update public.users set chapter = 3 where id in (select tests.player(p) from unnest(array['vic', 'val', 'vera', 'viv']) p);
update public.users set chapter = 2 where id = tests.player('vin');
update public.users u set phone = v.phone from (values ('vic', '+491510000001'), ('val', '+491510000002'),
  ('vin', '+491510000003'), ('viv', '+491510000005')) v(name, phone) where u.id = tests.player(v.name);
select is(pg_temp.ev('vic', '2026-01-05 08:00+00', '{"time": 0, "channel": 0.0999}', true) #>> '{touchpoint,channel}', 'voice',
  'chapter 3, a phone, voice on, a draw below 0.1: she calls');
select is(array[
    pg_temp.ev('val', '2026-01-05 08:00+00', '{"time": 0, "channel": 0.1}', true) #>> '{touchpoint,channel}',
    pg_temp.ev('vin', '2026-01-05 08:00+00', '{"time": 0, "channel": 0}', true) #>> '{touchpoint,channel}',
    pg_temp.ev('vera', '2026-01-05 08:00+00', '{"time": 0, "channel": 0}', true) #>> '{touchpoint,channel}',
    pg_temp.ev('viv', '2026-01-05 08:00+00', '{"time": 0, "channel": 0}', false) #>> '{touchpoint,channel}'],
  array['text', 'text', 'text', 'text'], 'a draw of 0.1, chapter 2, no phone, or voice off: a text');

-- Stage 6: one touchpoint per source conversation.
select tests.create_onboarded_player('src');
insert into public.conversations (user_id, platform, status, started_at, last_message_at, ended_at, chapter_at_start)
values (tests.player('src'), 'telegram', 'closed', '2026-01-05 07:30+00', '2026-01-05 07:40+00', '2026-01-05 07:55+00', 1)
returning id as src_conversation \gset
select is(pg_temp.ev('src', '2026-01-05 08:00+00', '{"time": 0}', false, :'src_conversation') #>> '{touchpoint,trigger}', 'time',
  'stage 6 schedules after the conversation');
select is(pg_temp.ev('src', '2026-01-05 08:00+00', '{"time": 0}', false, :'src_conversation') ->> 'existing', 'true',
  'a rerun for the same conversation finds it');
select is((select count(*)::int from game.touchpoints where source_conversation_id = :'src_conversation'), 1,
  'one touchpoint per conversation');

-- Draws must be there and in [0, 1).
select throws_ok($$select game.evaluate_touchpoint(tests.player('src'), '2026-01-06 08:00+00', '{"time": 0}')$$, '22023',
  null, 'a missing rate draw is refused');
select throws_ok($$select pg_temp.ev('src', '2026-01-06 08:00+00', '{"time": 1}')$$, '22023', null,
  'a draw of 1 is refused');

-- Strategic silence: m from her latest emotional state.
select is(game.silence_modifier(0.5, 0.5, 0.5, pg_temp.t()), 1.0, 'a neutral mood: m = 1');
select is(game.silence_modifier(0.2, 0.5, 0.5, pg_temp.t()), 1.3, 'valence 0.2 < 0.3: m += 3 x 0.1');
select is(game.silence_modifier(0.3, 0.5, 0.5, pg_temp.t()), 1.15, 'valence 0.3: the mid branch, m += 1.5 x 0.1');
select is(game.silence_modifier(0.35, 0.5, 0.5, pg_temp.t()), 1.075, 'valence 0.35 < 0.4: m += 1.5 x 0.05');
select is(game.silence_modifier(0.4, 0.9, 0.5, pg_temp.t()), 1.0, 'valence 0.4: no valence term, no arousal term');
select is(game.silence_modifier(0.35, 0.7, 0.5, pg_temp.t()), 1.575, 'valence < 0.4 and arousal 0.7 > 0.6: m += 0.5');
select is(game.silence_modifier(0.35, 0.6, 0.5, pg_temp.t()), 1.075, 'arousal 0.6 is not above 0.6');
select is(game.silence_modifier(0.2, 0.7, 0.5, pg_temp.t()), 1.8, 'both: 1 + 0.3 + 0.5');
select is(game.silence_modifier(0.5, 0.5, 0.29, pg_temp.t()), 1.2, 'dominance 0.29 < 0.3: m += 0.2');
select is(game.silence_modifier(0.5, 0.5, 0.3, pg_temp.t()), 1.0, 'dominance 0.3 is not low');

select tests.create_onboarded_player('mo');
create function pg_temp.silence(p_chapter int, p_draw numeric, p_at timestamptz default '2026-01-05 12:00+00')
returns jsonb language sql as $$ select game.strategic_silence(tests.player('mo'), p_chapter, p_draw, p_at, pg_temp.t()) $$;
select is(array(select (pg_temp.silence(c, 0.99) ->> 'p')::numeric from generate_series(1, 5) c),
  array[0.1, 0.12, 0.15, 0.18, 0.2]::numeric[], 'no emotional state: neutral, m = 1, p = the chapter''s base');
select is(pg_temp.silence(1, 0.0999) ->> 'skip', 'strategic_silence', 'a draw below p = 0.1 skips');
select is(pg_temp.silence(1, 0.1) ->> 'skip', null, 'a draw of 0.1 sends');
insert into public.emotional_states (user_id, arousal, valence, dominance, intimacy, conflict_state, recorded_at)
values (tests.player('mo'), 0.5, 0.35, 0.5, 0.5, 'calm', '2026-01-05 10:00+00');
select is((pg_temp.silence(3, 0.99) ->> 'p')::numeric, 0.1613, 'chapter 3, m = 1.075: p = 0.15 x 1.075');
insert into public.emotional_states (user_id, arousal, valence, dominance, intimacy, conflict_state, recorded_at)
values (tests.player('mo'), 0.5, 0.2, 0.5, 0.5, 'calm', '2026-01-05 11:00+00');
select is(pg_temp.silence(1, 0.99) - 'draw' - 'zone' - 'valence' - 'arousal' - 'dominance',
  '{"m": 1.3, "p": 0.13, "skip": null}', 'the latest state, m = 1.3: not above 1.4, p = 0.13');
update game.tunables set value = '[0.45, 0.45, 0.45, 0.45, 0.45]' where name = 'silence_base';
select is((pg_temp.silence(1, 0.99) ->> 'p')::numeric, 0.5, 'p is capped at 0.5 (0.45 x 1.3)');
update game.tunables set value = '[0.1, 0.12, 0.15, 0.18, 0.2]' where name = 'silence_base';
insert into public.emotional_states (user_id, arousal, valence, dominance, intimacy, conflict_state, recorded_at)
values (tests.player('mo'), 0.5, 0.15, 0.5, 0.5, 'calm', '2026-01-05 11:30+00');
select is(pg_temp.silence(1, 0.99) ->> 'skip', 'mood', 'm = 1.45 > 1.4: skipped whatever the draw');
update game.conflict_state set temperature = 50, updated_at = '2026-01-05 12:00+00' where user_id = tests.player('mo');
select is(pg_temp.silence(1, 0.99) ->> 'skip', 'conflict_hot', 'temperature 50: hot, skipped');
update game.conflict_state set temperature = 75, updated_at = '2026-01-05 12:00+00' where user_id = tests.player('mo');
select is(pg_temp.silence(1, 0.99) ->> 'skip', 'conflict_critical', 'temperature 75: critical, skipped');
update game.conflict_state set temperature = 50.4, updated_at = '2026-01-05 11:00+00' where user_id = tests.player('mo');
select is(pg_temp.silence(1, 0.99) - 'draw' - 'valence' - 'arousal' - 'dominance' - 'm' - 'p', '{"zone": "warm", "skip": "mood"}',
  '50.4 an hour ago cooled by 0.5 is 49.9: warm, so her mood decides');

-- Claims: due rows only, the delivery checks recorded as skips, the rest claimed once.
delete from game.touchpoints;
select tests.create_onboarded_player(p) from unnest(array['cl', 'cf', 'cs', 'cg', 'cc', 'ch', 'cm']) p;
update public.users set game_status = 'game_over', game_over_reason = 'score' where id = tests.player('cg');
insert into public.conversations (user_id, platform, started_at, last_message_at, chapter_at_start)
values (tests.player('cc'), 'telegram', '2026-01-05 11:50+00', '2026-01-05 11:55+00', 1);
update game.conflict_state set temperature = 60, updated_at = '2026-01-05 12:00+00' where user_id = tests.player('ch');
select pg_temp.tp('cl', '2026-01-05 12:00+00') as cl \gset
select pg_temp.tp('cf', '2026-01-05 10:00+00') as cf \gset
select pg_temp.tp('cs', '2026-01-05 09:59+00');
select pg_temp.tp('cg', '2026-01-05 12:00+00');
select pg_temp.tp('cc', '2026-01-05 12:00+00');
select pg_temp.tp('ch', '2026-01-05 12:00+00');
select pg_temp.tp('cm', '2026-01-05 12:00:01+00');
select is((select count(*)::int from game.claim_due_touchpoints('2026-01-05 09:58+00', 50, array[0.99])), 0,
  'nothing is due before its time');
create temp table claimed as select * from game.claim_due_touchpoints('2026-01-05 12:00+00', 50, array_fill(0.99::float8, array[10]));
select is(array(select id from claimed order by due_at), array[:'cf', :'cl']::uuid[],
  'claimed: the due rows that pass every check (10:00 is exactly 120 minutes late, not stale)');
select is(array(select u.display_name || ':' || t.skip_reason from game.touchpoints t join public.users u on u.id = t.user_id
  where t.status = 'skipped' order by u.display_name),
  array['Cc:conversation_open', 'Cg:not_eligible', 'Ch:conflict_hot', 'Cs:stale'],
  'skipped with their reasons: an open conversation, a finished game, a hot conflict, 121 minutes late');
select is((select status from game.touchpoints where user_id = tests.player('cm')), 'scheduled', 'not yet due: untouched');
select is((select count(*)::int from game.claim_due_touchpoints('2026-01-05 12:00+00', 50, array[0.99, 0.99])), 0,
  'an overlapping claim gets none of the claimed rows');
select is(game.finish_touchpoint(:'cl', gen_random_uuid(), 'hi', null, '2026-01-05 12:00+00'), null,
  'finishing needs the claim token');
select ok(game.release_touchpoint(:'cl', (select claim_token from claimed where id = :'cl'), 'overloaded',
  '2026-01-05 12:00+00'), 'a provider outage releases it');
select is((select array_agg(id) from game.claim_due_touchpoints('2026-01-05 12:01+00', 1, array[0])), array[:'cl']::uuid[],
  'the next run claims it again, its silence not rolled twice (a draw of 0 would have skipped it)');
select is((select array_agg(id) from game.claim_due_touchpoints('2026-01-05 12:04+00', 5, array[0, 0, 0])),
  array[:'cl']::uuid[], 'a claim whose lease ran out (3 minutes) is claimed again');
select is((select attempts from game.touchpoints where id = :'cl'), 3, 'three attempts');
select is(array(select skip_reason from game.touchpoints where id in (:'cf', (select id from game.touchpoints
  where user_id = tests.player('cm'))) order by due_at), array['stale', 'strategic_silence'],
  'the same run: an expired claim now 124 minutes late goes stale; a draw of 0 below p = 0.1 skips');
select ok(game.finish_touchpoint(:'cl', (select claim_token from game.touchpoints where id = :'cl'), 'coffee number three',
  null, '2026-01-05 12:04+00'), 'finished with the claim token');
select is((select status || ':' || text from game.touchpoints where id = :'cl'), 'sent:coffee number three', 'sent with its text');
select pg_temp.tp('cm', '2026-01-05 14:10+00') as ck \gset
select is((select array_agg(id) from game.claim_due_touchpoints('2026-01-05 14:10+00', 5, array[0.99])), array[:'ck']::uuid[],
  'the next touchpoint is claimed');
select ok(game.skip_touchpoint(:'ck', (select claim_token from game.touchpoints where id = :'ck'), 'too_similar',
  '2026-01-05 14:10+00'), 'a too-similar text is skipped');
select is((select skip_reason from game.touchpoints where id = :'ck'), 'too_similar', 'with its reason');

-- Similarity to her last 5 proactive messages (pg_trgm), above 0.7 too similar.
select tests.create_onboarded_player('sim');
select pg_temp.tp('sim', ('2026-01-0' || d || ' 12:00+00')::timestamptz, 'sent', ('2026-01-0' || d || ' 12:00+00')::timestamptz, t)
from (values (1, 'the oldest line about the rain in berlin'), (2, 'two'), (3, 'three'), (4, 'four'), (5, 'five'),
  (6, 'Third coffee and the bug report is still open')) v(d, t);
select is(game.check_touchpoint_text(tests.player('sim'), 'third coffee and the bug report is still open!'),
  '{"similarity": 1.0, "too_similar": true}', 'the same words: similarity 1');
select is(game.check_touchpoint_text(tests.player('sim'), 'the oldest line about the rain in berlin') ->> 'too_similar', 'false',
  'only the last 5 count');
select is(game.check_touchpoint_text(tests.player('sim'), 'Lena dragged me to a gallery opening') ->> 'too_similar', 'false',
  'different words pass');
update game.tunables set value = to_jsonb(extensions.similarity('third coffee and the bug report is still open', 'third coffee, bug report still open')::numeric)
where name = 'touchpoint_similarity_max';
select is(game.check_touchpoint_text(tests.player('sim'), 'third coffee, bug report still open') ->> 'too_similar', 'false',
  'exactly at the limit is not above it');
update game.tunables set value = to_jsonb(extensions.similarity('third coffee and the bug report is still open', 'third coffee, bug report still open')::numeric - 0.0001)
where name = 'touchpoint_similarity_max';
select is(game.check_touchpoint_text(tests.player('sim'), 'third coffee, bug report still open') ->> 'too_similar', 'true',
  'just above the limit is too similar');
update game.tunables set value = '0.7' where name = 'touchpoint_similarity_max';

-- The batch: eligible players with a pending occasion, one draw object each; terminal players never.
update public.users set notifications_enabled = false;
select tests.create_onboarded_player(p) from unnest(array['b1', 'b2', 'b3', 'b4']) p;
update public.users set game_status = 'game_over', game_over_reason = 'score' where id = tests.player('b3');
update public.users set game_status = 'won' where id = tests.player('b4');
select throws_ok($$select game.evaluate_touchpoints('2026-01-07 08:00+00', 10, '[{"rate": 0, "time": 0, "time_due": 0}]')$$,
  '22023', null, 'two players need two draw objects');
select is(game.evaluate_touchpoints('2026-01-07 08:00+00', 1,
  '[{"rate": 0, "time": 0.99, "time_due": 0}]') ->> 'evaluated', '1', 'the limit is kept');
select is(game.evaluate_touchpoints('2026-01-07 08:00+00', 10, '[{"rate": 0, "time": 0, "time_due": 0}, {"rate": 0, "time": 0, "time_due": 0}]'),
  '{"evaluated": 1, "scheduled": 1}', 'the other player is evaluated; the rolled one is not again');
select is(game.evaluate_touchpoints('2026-01-07 08:05+00', 10, '[]'), '{"evaluated": 0, "scheduled": 0}',
  'nothing pending: game over and won players are never evaluated');
select is((select count(*)::int from game.touchpoint_occasions where user_id in (tests.player('b3'), tests.player('b4'))), 0,
  'no occasion of a finished game');

select * from finish();
rollback;
