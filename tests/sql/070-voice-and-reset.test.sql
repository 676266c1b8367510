-- Call availability (GAME_RULES.md §16) and the reset after the end of a game (§19).
begin;
select plan(22);

-- Availability: roll < p(chapter), p = 0.10, 0.40, 0.80, 0.90, 0.95.
create temporary table odds (ch int, p numeric);
insert into odds values (1, 0.10), (2, 0.40), (3, 0.80), (4, 0.90), (5, 0.95);
select tests.create_onboarded_player('call_' || ch) from odds;
update public.users u set chapter = o.ch from odds o where u.id = tests.player('call_' || o.ch);
select results_eq(
  $$select o.ch, (game.voice_availability(tests.player('call_' || o.ch), '2026-01-05 12:00+00', o.p - 0.0001) ->> 'available')::boolean,
           (game.voice_availability(tests.player('call_' || o.ch), '2026-01-05 12:00+00', o.p) ->> 'available')::boolean
    from odds o order by o.ch$$,
  $$values (1, true, false), (2, true, false), (3, true, false), (4, true, false), (5, true, false)$$,
  'she picks up iff roll < 0.10, 0.40, 0.80, 0.90, 0.95 by chapter');
select is(game.voice_availability(tests.player('call_1'), '2026-01-05 12:00+00', 0.5),
  '{"available": false, "reason": "busy", "chapter": 1, "probability": 0.10}'::jsonb, 'a refusal says she is busy');

-- Within 5 minutes of the end of the previous call: refused; at 5 minutes: the roll decides.
insert into public.conversations (user_id, platform, status, started_at, last_message_at, ended_at, chapter_at_start)
values (tests.player('call_5'), 'voice', 'closed', '2026-01-05 11:40+00', '2026-01-05 11:55+00', '2026-01-05 11:55+00', 5);
select is(game.voice_availability(tests.player('call_5'), '2026-01-05 11:59:59+00', 0) ->> 'reason', 'cooldown', 'within 5 min of her last call: refused');
select is(game.voice_availability(tests.player('call_5'), '2026-01-05 12:00+00', 0) ->> 'available', 'true', '5 min after: the roll decides');

-- A boss fight: always accepted; finished games: always refused.
select tests.start_boss(tests.player('call_1'), '2026-01-05 12:00+00');
select is(game.voice_availability(tests.player('call_1'), '2026-01-05 12:01+00', 0.99) ->> 'available', 'true', 'in a boss fight she always picks up');
update public.users set game_status = 'won' where id = tests.player('call_2');
update public.users set game_status = 'game_over', game_over_reason = 'decay' where id = tests.player('call_3');
select is(game.voice_availability(tests.player('call_2'), '2026-01-05 12:00+00', 0) ->> 'reason', 'won', 'after winning: refused');
select is(game.voice_availability(tests.player('call_3'), '2026-01-05 12:00+00', 0) ->> 'reason', 'game_over', 'after game over: refused');
select throws_ok(format('select game.voice_availability(%L, %L, 1)', tests.player('call_4'), '2026-01-05 12:00+00'), '22023',
  'roll must be in [0, 1), got 1', 'a roll outside [0, 1) is refused');
select throws_ok(format('select game.voice_availability(%L, %L, 0.5)', gen_random_uuid(), '2026-01-05 12:00+00'), 'PNFND', null,
  'an unknown player is PNFND');

-- Reset after game over: a new game at now; vices, timezone and history are kept.
select tests.create_onboarded_player('phoenix', '2026-01-05 09:00+00', 'Europe/Berlin') as phoenix \gset
select game.seed_vices(:'phoenix', 3, '2026-01-05 09:00+00');
select tests.set_metrics(:'phoenix', 70, 10, 30, 0);
select game.apply_exchange(:'phoenix', tests.analysis(-1, -1, -1, -1), '2026-01-06 10:00+00');
update public.users set chapter = 3, boss_attempts = 3, game_status = 'game_over', game_over_reason = 'boss',
  cool_down_until = '2026-01-07 10:00+00', vulnerability_exchanges = 3, days_played = 9
where id = :'phoenix';
update public.engagement_state set state = 'clingy', clingy_days = 4, high_streak = 1, step_day = '2026-01-06', step_day_flag = 'clingy'
where user_id = :'phoenix';
update game.conflict_state set temperature = 80, consecutive_crises = 2, above_90_since = '2026-01-06 00:00+00' where user_id = :'phoenix';
select is(game.reset_player(:'phoenix', '2026-01-06 12:00+00') -> 'previous',
  '{"game_status": "game_over", "chapter": 3, "score": 30.2}'::jsonb, 'the reset reports the game it ended');
select results_eq(
  $$select relationship_score, chapter, boss_attempts, game_status, game_over_reason, cool_down_until, vulnerability_exchanges,
           days_played, game_started_at, last_interaction_at, decay_through
    from public.users where id = tests.player('phoenix')$$,
  $$values (50::numeric, 1::smallint, 0::smallint, 'active'::text, null::text, null::timestamptz, 0, 0,
            '2026-01-06 12:00+00'::timestamptz, '2026-01-06 12:00+00'::timestamptz, '2026-01-06 12:00+00'::timestamptz)$$,
  'score 50, chapter 1, attempts 0, active, cooldown cleared; game start, last interaction and decay watermark at now');
select is(tests.metrics(:'phoenix'), array[50, 50, 50, 50]::numeric[], 'every metric back to 50');
select results_eq(
  $$select state, high_streak + low_streak + recovery_streak + clingy_days + distant_days + non_clingy_days + out_of_zone_days, step_day
    from public.engagement_state where user_id = tests.player('phoenix')$$,
  $$values ('calibrating'::text, 0, null::date)$$, 'engagement calibrating with every counter at 0');
select is((select to_state || ':' || reason from public.engagement_history where user_id = :'phoenix' order by id desc limit 1),
  'calibrating:reset', 'the engagement transition is recorded');
select results_eq($$select temperature, consecutive_crises, above_90_since from game.conflict_state where user_id = tests.player('phoenix')$$,
  $$values (0::numeric, 0, null::timestamptz)$$, 'temperature 0, crises 0, above-90 clock cleared');
select is((select count(*) from public.user_vice_preferences where user_id = :'phoenix'), 5::bigint, 'vices are kept');
select is((select timezone from public.users where id = :'phoenix'), 'Europe/Berlin', 'the timezone is kept');
select results_eq(
  $$select event_type, score, chapter, event_details ->> 'game_status', event_details -> 'metrics' from public.score_history
    where user_id = tests.player('phoenix') order by id$$,
  $$values ('exchange'::text, 30.2::numeric, 1::smallint, null::text, null::jsonb),
           ('game_reset', 50, 1::smallint, 'game_over', '{"intimacy": 69, "passion": 9, "trust": 29, "secureness": 0}'::jsonb)$$,
  'history is kept; one game_reset row records the state before the reset');
-- Gottman counting restarts with the new game: the old negative exchange no longer counts.
update public.engagement_state set state = 'in_zone' where user_id = :'phoenix';
select is((game.apply_exchange(:'phoenix', tests.analysis(1, 1, 1, 1), '2026-01-06 12:05+00') ->> 'temperature')::numeric, 0::numeric,
  'after the reset only this game''s exchanges count: the negative one two hours earlier does not (-0.5 - 1 from 0)');

-- Won games reset too; a game still going does not.
select tests.create_onboarded_player('champ') as champ \gset
update public.users set chapter = 5, game_status = 'won' where id = :'champ';
select is(game.reset_player(:'champ', '2026-02-01 12:00+00') ->> 'reset', 'true', 'a won game resets');
select tests.create_onboarded_player('busy') as busy \gset
select is(game.reset_player(:'busy', '2026-02-01 12:00+00'), '{"reset": false, "game_status": "active", "chapter": 1}'::jsonb,
  'an active game is not reset');
select is((select count(*) from public.score_history where user_id = :'busy'), 0::bigint, 'and nothing is written');

select * from finish();
rollback;
