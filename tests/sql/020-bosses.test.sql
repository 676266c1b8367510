-- Boss encounters (GAME_RULES.md §5): the trigger at each threshold and what blocks it, both phases, every
-- outcome row, judge confidence, three FAILs, chapter 5, timeouts (sweep and lazy), and the errors.
begin;
select plan(64);

-- Puts a player's open encounter into judging (opening reply + two resolution replies).
-- Her opening delivered at p_at, then the three replies that bring the encounter to its verdict.
create function pg_temp.to_judging(p_user_id uuid, p_at timestamptz) returns void language plpgsql as $$
begin
  update game.boss_fights set opening_sent_at = coalesce(opening_sent_at, p_at) where user_id = p_user_id and phase <> 'resolved';
  perform game.boss_turn(p_user_id, p_at);
  perform game.boss_turn(p_user_id, p_at + interval '1 minute');
  perform game.boss_turn(p_user_id, p_at + interval '2 minutes');
end $$;

-- The trigger at each chapter's threshold: 55, 60, 65, 70, 75.
create temporary table thresholds (ch int, th numeric);
insert into thresholds values (1, 55), (2, 60), (3, 65), (4, 70), (5, 75);
select tests.create_onboarded_player('th_' || ch) from thresholds;
update public.users u set chapter = t.ch from thresholds t where u.id = tests.player('th_' || t.ch);
select tests.set_metrics(tests.player('th_' || ch), th - 0.0001, th - 0.0001, th - 0.0001, th - 0.0001) from thresholds;
select game.apply_exchange(tests.player('th_' || ch), tests.analysis(0, 0, 0, 0), '2026-01-05 10:00+00') from thresholds;
select is((select count(*) from thresholds where (select game_status from public.users where id = tests.player('th_' || ch)) = 'active'),
  5::bigint, 'a score just below each threshold starts no boss');
select tests.set_metrics(tests.player('th_' || ch), th, th, th, th) from thresholds;
select game.apply_exchange(tests.player('th_' || ch), tests.analysis(0, 0, 0, 0), '2026-01-05 10:05+00') from thresholds;
select results_eq(
  $$select t.ch, u.game_status from thresholds t join public.users u on u.id = tests.player('th_' || t.ch) order by 1$$,
  $$values (1, 'boss_fight'::text), (2, 'boss_fight'), (3, 'boss_fight'), (4, 'boss_fight'), (5, 'boss_fight')$$,
  'a score at the threshold starts the chapter''s boss, in every chapter');

-- Starting: status, phase, its own conversation, the boss_started event.
select tests.create_onboarded_player('bea') as bea \gset
update public.engagement_state set state = 'in_zone' where user_id = :'bea';
select tests.set_metrics(:'bea', 53, 53, 53, 53);
select tests.message(:'bea', 'player', '2026-01-05 09:59+00') is not null as message_stored;
select game.apply_exchange(:'bea', tests.analysis(3, 3, 3, 3), '2026-01-05 10:00+00') as r \gset
select is(:'r'::jsonb ->> 'game_status', 'boss_fight', 'crossing 55 in chapter 1 starts the boss');
select is((select jsonb_agg(e - 'boss_fight_id' - 'conversation_id') from jsonb_array_elements(:'r'::jsonb -> 'events') e where e ->> 'type' = 'boss_started'),
  '[{"type": "boss_started", "chapter": 1, "opening_delay_seconds": 2}]'::jsonb, 'the boss_started event, her opening due 2 s after her reply');
select results_eq(
  $$select phase, started_at, phase_started_at from game.boss_fights where user_id = tests.player('bea')$$,
  $$values ('opening'::text, '2026-01-05 10:00+00'::timestamptz, '2026-01-05 10:00+00'::timestamptz)$$,
  'the encounter opens in phase opening at now');
select is((select boss_fight_started_at from public.users where id = :'bea'), '2026-01-05 10:00+00'::timestamptz, 'boss_fight_started_at = now');
select results_eq(
  $$select status, is_boss_fight from public.conversations where user_id = tests.player('bea') order by started_at$$,
  $$values ('closed'::text, false), ('open', true)$$,
  'the open conversation closes and the encounter is a conversation of its own');
select is((select score from public.score_history where user_id = :'bea' order by id desc limit 1), 56::numeric,
  'the exchange that starts the boss is still scored');

-- Blocked by a cooldown until it has passed; blocked in boss_fight (BOSSA) and terminal states (GOVER).
select tests.create_onboarded_player('cole') as cole \gset
update public.users set cool_down_until = '2026-01-06 10:00+00' where id = :'cole';
select tests.set_metrics(:'cole', 60, 60, 60, 60);
select is(game.apply_exchange(:'cole', tests.analysis(0, 0, 0, 0), '2026-01-06 09:59+00') ->> 'game_status', 'active', 'no boss while cooling down');
select is(game.apply_exchange(:'cole', tests.analysis(0, 0, 0, 0), '2026-01-06 10:00+00') ->> 'game_status', 'boss_fight', 'the boss starts once the cooldown has passed');

-- The phases count from her opening's delivery (GAME_RULES.md §5.2): a reply before it is not the answer to it.
select is(game.boss_turn(:'bea', '2026-01-05 10:00:01+00') - 'boss_fight_id' - 'conversation_id',
  '{"chapter": 1, "phase": "opening", "judge_now": false, "her_reply": "answer", "early": true, "resolution_replies": 0, "timed_out": false, "game_status": "boss_fight", "events": []}'::jsonb,
  'a reply before her opening was delivered moves nothing; she answers it after the opening');
insert into private.outbox (dedupe_key, user_id, chat_id, kind, text, payload, due_at, status)
select 'boss:' || f.id || ':opening:1', :'bea', 1, 'boss', 'name a belief of yours that most rooms would laugh at',
  jsonb_build_object('boss_fight_id', f.id, 'boss_line', 'opening', 'last_part', true), '2026-01-05 10:00:02+00', 'sending'
from game.boss_fights f where f.user_id = :'bea' returning id as opening_row \gset
select private.mark_sent(:'opening_row', 'm1', '2026-01-05 10:00:03+00');
select results_eq($$select opening_sent_at, phase_started_at from game.boss_fights where user_id = tests.player('bea')$$,
  $$values ('2026-01-05 10:00:03+00'::timestamptz, '2026-01-05 10:00:03+00'::timestamptz)$$,
  'her delivered opening starts the opening phase');
select is(game.boss_turn(:'bea', '2026-01-05 10:10+00') - 'boss_fight_id' - 'conversation_id',
  '{"chapter": 1, "phase": "resolution", "judge_now": false, "her_reply": "follow_up", "early": false, "resolution_replies": 0, "timed_out": false, "game_status": "boss_fight", "events": []}'::jsonb,
  'the first reply after it completes the opening; she sends the follow-up');
select is((select phase_started_at from game.boss_fights where user_id = :'bea'), '2026-01-05 10:10+00'::timestamptz, 'resolution starts at that reply');
select is(game.boss_turn(:'bea', '2026-01-05 10:12+00') ->> 'her_reply', 'answer', 'she answers the first resolution reply');
select is(game.boss_turn(:'bea', '2026-01-05 10:14+00') ->> 'judge_now', 'true', 'the second resolution reply calls the judge');
select is((select phase from game.boss_fights where user_id = :'bea'), 'judging', 'the encounter awaits the verdict');
select is(game.boss_turn(:'bea', '2026-01-05 10:15+00') - 'boss_fight_id' - 'conversation_id' - 'chapter',
  '{"phase": "judging", "judge_now": false, "her_reply": "none", "early": false, "resolution_replies": 2, "timed_out": false, "game_status": "boss_fight", "events": []}'::jsonb,
  'later replies only join the transcript');
select is((select last_interaction_at from public.users where id = :'bea'), '2026-01-05 10:15+00'::timestamptz, 'boss replies are interactions');

-- PASS in chapters 1-4: attempts 0, next chapter, active, no cooldown, watermark at the outcome.
select game.resolve_boss(:'bea', '{"outcome": "PASS", "confidence": 0.9, "reasoning": "held her view"}', '2026-01-05 10:20+00') as r \gset
select is(:'r'::jsonb -> 'events', '[{"type": "chapter_advanced", "from": 1, "to": 2}]'::jsonb, 'PASS: chapter_advanced 1 -> 2');
select results_eq(
  $$select chapter, boss_attempts, game_status, cool_down_until, decay_through, relationship_score from public.users where id = tests.player('bea')$$,
  $$values (2::smallint, 0::smallint, 'active'::text, null::timestamptz, '2026-01-05 10:20+00'::timestamptz, 56::numeric)$$,
  'PASS: chapter 2, attempts 0, active, no cooldown, decay watermark at the outcome, score unchanged');
select results_eq(
  $$select event_type, score, chapter, recorded_at from public.score_history where user_id = tests.player('bea') order by id desc limit 1$$,
  $$values ('boss_pass'::text, 56::numeric, 2::smallint, '2026-01-05 10:20+00'::timestamptz)$$,
  'PASS writes one boss_pass row');
select is((select phase || '/' || outcome from game.boss_fights where user_id = :'bea'), 'resolved/PASS', 'the encounter is resolved');
select throws_ok(format('select game.resolve_boss(%L, %L, %L)', :'bea', '{"outcome": "PASS", "confidence": 0.9}', '2026-01-05 10:21+00'),
  'BOSSN', 'no boss fight awaits a verdict', 'a second verdict is refused');

-- PASS in chapter 5: won.
select tests.create_onboarded_player('fin') as fin \gset
update public.users set chapter = 5 where id = :'fin';
select tests.start_boss(:'fin', '2026-01-05 10:00+00');
select pg_temp.to_judging(:'fin', '2026-01-05 10:01+00');
select is(game.resolve_boss(:'fin', '{"outcome": "PASS", "confidence": 0.95, "reasoning": "let her go"}', '2026-01-05 11:00+00') -> 'events',
  '[{"type": "won"}]'::jsonb, 'PASS in chapter 5: won');
select results_eq($$select chapter, game_status, boss_attempts from public.users where id = tests.player('fin')$$,
  $$values (5::smallint, 'won'::text, 0::smallint)$$, 'the chapter stays 5 and the game is won');
select throws_ok(format('select game.boss_turn(%L, %L)', :'fin', '2026-01-05 11:01+00'), 'GOVER', 'game finished', 'a won game takes no boss turn');
select throws_ok(format('select game.resolve_boss(%L, %L, %L)', :'fin', '{"outcome": "PASS", "confidence": 1}', '2026-01-05 11:01+00'),
  'GOVER', 'game finished', 'a won game takes no verdict');

-- FAIL: +1 attempt and a 24 h cooldown; the third FAIL ends the game.
select tests.create_onboarded_player('fay') as fay \gset
select tests.start_boss(:'fay', '2026-01-05 10:00+00');
select pg_temp.to_judging(:'fay', '2026-01-05 10:01+00');
select is(game.resolve_boss(:'fay', '{"outcome": "FAIL", "confidence": 0.9, "reasoning": "dismissive"}', '2026-01-05 11:00+00') -> 'events',
  '[{"type": "boss_failed", "attempts": 1, "remaining": 2}]'::jsonb, 'first FAIL: one attempt used, two remaining');
select results_eq($$select boss_attempts, game_status, cool_down_until, chapter from public.users where id = tests.player('fay')$$,
  $$values (1::smallint, 'active'::text, '2026-01-06 11:00+00'::timestamptz, 1::smallint)$$, 'FAIL: attempts 1, active, cooldown now + 24 h, same chapter');
select is((select event_type from public.score_history where user_id = :'fay' order by id desc limit 1), 'boss_fail', 'FAIL writes a boss_fail row');
-- After the cooldown the boss restarts at the first scored exchange that leaves the score at the threshold.
select tests.set_metrics(:'fay', 55, 55, 55, 55);
select is(game.apply_exchange(:'fay', tests.analysis(0, 0, 0, 0), '2026-01-06 11:00+00') ->> 'game_status', 'boss_fight',
  'after the cooldown the boss restarts');
select pg_temp.to_judging(:'fay', '2026-01-06 11:01+00');
select is(game.resolve_boss(:'fay', '{"outcome": "FAIL", "confidence": 0.8}', '2026-01-06 12:00+00') -> 'events',
  '[{"type": "boss_failed", "attempts": 2, "remaining": 1}]'::jsonb, 'second FAIL: last chance');
select tests.start_boss(:'fay', '2026-01-08 12:00+00');
select pg_temp.to_judging(:'fay', '2026-01-08 12:01+00');
select is(game.resolve_boss(:'fay', '{"outcome": "FAIL", "confidence": 0.8}', '2026-01-08 13:00+00') -> 'events',
  '[{"type": "game_over", "reason": "boss"}]'::jsonb, 'the third FAIL ends the game');
select results_eq($$select boss_attempts, game_status, game_over_reason from public.users where id = tests.player('fay')$$,
  $$values (3::smallint, 'game_over'::text, 'boss'::text)$$, 'attempts 3, game over, reason boss');

-- PARTIAL: attempts unchanged, 24 h cooldown. A judge ERROR counts as PARTIAL. Confidence < 0.7 turns PASS or FAIL into PARTIAL.
create temporary table verdicts (name text, verdict jsonb, applied text, attempts int, chapter int);
insert into verdicts values
  ('v_partial', '{"outcome": "PARTIAL", "confidence": 0.8}', 'PARTIAL', 1, 1),
  ('v_error', '{"outcome": "ERROR"}', 'PARTIAL', 1, 1),
  ('v_pass_low', '{"outcome": "PASS", "confidence": 0.69}', 'PARTIAL', 1, 1),
  ('v_fail_low', '{"outcome": "FAIL", "confidence": 0.5}', 'PARTIAL', 1, 1),
  ('v_pass_edge', '{"outcome": "PASS", "confidence": 0.7}', 'PASS', 0, 2),
  ('v_fail_edge', '{"outcome": "FAIL", "confidence": 0.7}', 'FAIL', 2, 1);
select tests.create_onboarded_player(name) from verdicts;
update public.users set boss_attempts = 1 where id in (select tests.player(name) from verdicts);
select tests.start_boss(tests.player(name), '2026-01-05 10:00+00') from verdicts;
select pg_temp.to_judging(tests.player(name), '2026-01-05 10:01+00') from verdicts;
select game.resolve_boss(tests.player(name), verdict, '2026-01-05 12:00+00') from verdicts;
select results_eq(
  $$select v.name, h.event_details ->> 'applied_outcome', u.boss_attempts::int, u.chapter::int,
           u.cool_down_until
    from verdicts v join public.users u on u.id = tests.player(v.name)
    join lateral (select event_details from public.score_history where user_id = u.id order by id desc limit 1) h on true
    order by v.name$$,
  $$select name, applied, attempts, chapter,
           case when applied = 'PASS' then null else '2026-01-06 12:00+00'::timestamptz end from verdicts order by name$$,
  'PARTIAL keeps attempts with a 24 h cooldown; ERROR and confidence < 0.7 give PARTIAL; 0.7 keeps the verdict');
select is((select event_details -> 'events' from public.score_history where user_id = tests.player('v_error') order by id desc limit 1),
  '[{"type": "boss_partial", "judge_error": true}]'::jsonb, 'a judge error is a truce marked as such');

-- Verdict and turn errors.
select tests.create_onboarded_player('vera') as vera \gset
select tests.start_boss(:'vera', '2026-01-05 10:00+00');
select throws_ok(format('select game.resolve_boss(%L, %L, %L)', :'vera', '{"outcome": "PASS", "confidence": 0.9}', '2026-01-05 10:01+00'),
  'BOSSN', 'no boss fight awaits a verdict', 'a verdict before the second resolution reply is refused');
select pg_temp.to_judging(:'vera', '2026-01-05 10:01+00');
select throws_ok(format('select game.resolve_boss(%L, %L, %L)', :'vera', '{"outcome": "MAYBE", "confidence": 0.9}', '2026-01-05 11:00+00'),
  'VRBAD', 'verdict invalid: outcome must be PASS, PARTIAL, FAIL or ERROR', 'an unknown outcome is VRBAD');
select throws_ok(format('select game.resolve_boss(%L, %L, %L)', :'vera', '{"outcome": "PASS", "confidence": 1.5}', '2026-01-05 11:00+00'),
  'VRBAD', 'verdict invalid: confidence must be a number in 0..1', 'confidence above 1 is VRBAD');
select throws_ok(format('select game.resolve_boss(%L, %L, %L)', :'vera', '{"outcome": "FAIL"}', '2026-01-05 11:00+00'),
  'VRBAD', 'verdict invalid: confidence must be a number in 0..1', 'a verdict without confidence is VRBAD');
select throws_ok(format('select game.resolve_boss(%L, %L, %L)', :'vera', '{"outcome": "FAIL", "confidence": 0.9, "reasoning": 7}', '2026-01-05 11:00+00'),
  'VRBAD', 'verdict invalid: reasoning must be text', 'non-text reasoning is VRBAD');
select is((select phase from game.boss_fights where user_id = :'vera'), 'judging', 'rejected verdicts change nothing');
select throws_ok(format('select game.boss_turn(%L, %L)', gen_random_uuid(), '2026-01-05 11:00+00'), 'PNFND', null, 'an unknown player is PNFND');
select tests.create_onboarded_player('nob') as nob \gset
select throws_ok(format('select game.boss_turn(%L, %L)', :'nob', '2026-01-05 11:00+00'), 'BOSSN', 'no boss fight active',
  'a boss turn without an encounter is BOSSN');
select throws_ok(format('select game.resolve_boss(%L, %L, %L)', :'nob', '{"outcome": "PASS", "confidence": 0.9}', '2026-01-05 11:00+00'),
  'BOSSN', 'no boss fight awaits a verdict', 'a verdict without an encounter is BOSSN');

-- Timeouts: an unanswered phase counts as FAIL at its deadline (phase start + 24 h), once.
-- The encounters above are settled first, so each sweep below sees only the player it is about.
update game.boss_fights set phase = 'resolved', resolved_at = '2026-01-05 12:00+00' where phase <> 'resolved';
update public.users set game_status = 'active', boss_fight_started_at = null where game_status = 'boss_fight';
select tests.create_onboarded_player('tim') as tim \gset
select tests.start_boss(:'tim', '2026-01-05 10:00+00');
select is(game.expire_boss_fights('2026-01-06 09:59:59+00'), '{"expired": 0, "game_overs": 0}'::jsonb, 'no timeout before the deadline');
select is(game.expire_boss_fights('2026-01-06 10:00+00'), '{"expired": 1, "game_overs": 0}'::jsonb, 'the opening times out at its deadline');
select results_eq($$select boss_attempts, game_status, cool_down_until, decay_through from public.users where id = tests.player('tim')$$,
  $$values (1::smallint, 'active'::text, '2026-01-07 10:00+00'::timestamptz, '2026-01-06 10:00+00'::timestamptz)$$,
  'a timeout is a FAIL effective at the deadline: attempts 1, cooldown deadline + 24 h');
select results_eq($$select event_type, recorded_at from public.score_history where user_id = tests.player('tim')$$,
  $$values ('boss_timeout'::text, '2026-01-06 10:00+00'::timestamptz)$$, 'one boss_timeout row at the deadline');
select is(game.expire_boss_fights('2026-01-06 11:00+00'), '{"expired": 0, "game_overs": 0}'::jsonb, 'each timeout applies once');
select is((select kind || ':' || (payload ->> 'event') from private.outbox where user_id = :'tim'), 'event:boss_timeout',
  'her timeout line is queued as an event message');

select tests.create_onboarded_player('rex') as rex \gset
select tests.start_boss(:'rex', '2026-01-05 10:00+00');
select game.boss_turn(:'rex', '2026-01-05 20:00+00');
select is(game.expire_boss_fights('2026-01-06 19:59+00') ->> 'expired', '0', 'the resolution deadline counts from the phase start');
select is(game.expire_boss_fights('2026-01-06 20:00+00') ->> 'expired', '1', 'and applies 24 h after it');

select tests.create_onboarded_player('jud') as jud \gset
select tests.start_boss(:'jud', '2026-01-05 10:00+00');
select pg_temp.to_judging(:'jud', '2026-01-05 10:01+00');
select is(game.expire_boss_fights('2026-01-08 10:00+00') ->> 'expired', '0', 'no timeout once the second resolution reply is in');

select tests.create_onboarded_player('tri') as tri \gset
update public.users set boss_attempts = 2 where id = :'tri';
select tests.start_boss(:'tri', '2026-01-05 10:00+00');
select is(game.expire_boss_fights('2026-01-06 10:00+00'), '{"expired": 1, "game_overs": 1}'::jsonb, 'a third failure by timeout ends the game');

-- Lazy timeouts: any engine call past the deadline applies it first.
select tests.create_onboarded_player('laz') as laz \gset
select tests.start_boss(:'laz', '2026-01-05 10:00+00');
select game.boss_turn(:'laz', '2026-01-06 11:00+00') as r \gset
select is(:'r'::jsonb -> 'events', '[{"type": "boss_timeout"}, {"type": "boss_failed", "attempts": 1, "remaining": 2}]'::jsonb,
  'a late boss reply applies the timeout first');
select is((select recorded_at from public.score_history where user_id = :'laz' and event_type = 'boss_timeout'),
  '2026-01-06 10:00+00'::timestamptz, 'at the deadline, not at the late reply');
select tests.create_onboarded_player('lex') as lex \gset
select tests.set_metrics(:'lex', 60, 60, 60, 60);
select tests.start_boss(:'lex', '2026-01-05 10:00+00');
select game.apply_exchange(:'lex', tests.analysis(0, 0, 0, 0), '2026-01-06 12:00+00') as r \gset
select ok((:'r'::jsonb ->> 'scored')::boolean and :'r'::jsonb ->> 'game_status' = 'active'
  and :'r'::jsonb -> 'events' @> '[{"type": "boss_timeout"}]', 'an exchange after the deadline applies the timeout, then is scored');
select is((select cool_down_until from public.users where id = :'lex'), '2026-01-07 10:00+00'::timestamptz,
  'and the cooldown keeps the boss from restarting at once');

-- A call in which the player spoke completes both phases and calls the judge; the call itself is not scored.
select tests.create_onboarded_player('phone') as phone \gset
select tests.start_boss(:'phone', '2026-01-05 10:00+00');
select is(game.boss_call(:'phone', '2026-01-05 10:30+00') - 'boss_fight_id',
  '{"phase": "judging", "judge_now": true, "timed_out": false, "game_status": "boss_fight", "events": []}'::jsonb,
  'a call during the encounter sends it to the judge');
select is(game.resolve_boss(:'phone', '{"outcome": "PASS", "confidence": 0.8}', '2026-01-05 10:31+00') ->> 'chapter', '2',
  'and the verdict applies as usual');
select throws_ok(format('select game.boss_call(%L, %L)', :'phone', '2026-01-05 11:00+00'), 'BOSSN', 'no boss fight active',
  'a call outside an encounter is BOSSN');
select is((select count(*) from public.score_history where user_id = :'phone' and event_type in ('exchange', 'voice_call')), 0::bigint,
  'the call wrote no score');

select * from finish();
rollback;
