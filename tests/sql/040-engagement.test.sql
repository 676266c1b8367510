-- Engagement (GAME_RULES.md §8): the calibration score from real messages, the flags, every per-exchange
-- transition, the day rollover and its counters, the engagement game over, and when the step is skipped.
-- Monday 2026-01-05, chapter 1: optimal = floor(15 x 0.9) = 13 messages.
begin;
select plan(32);

-- p_pairs of (her message, the player's answer p_gap seconds later, p_length characters), ending just before p_end.
create function pg_temp.chat(p_user uuid, p_end timestamptz, p_pairs int, p_gap int, p_length int) returns void
language plpgsql as $$
begin
  for k in 1..p_pairs loop
    perform tests.message(p_user, 'nikita', p_end - make_interval(mins => 2 * (p_pairs - k) + 1));
    perform tests.message(p_user, 'player', p_end - make_interval(mins => 2 * (p_pairs - k) + 1, secs => -p_gap), repeat('x', p_length));
  end loop;
end $$;
-- A "good" exchange: 13 answers 30 s after her, 35 characters, needy and distracted 0.2:
-- frequency 1, timing 0.6 + 0.4 x 30/60 = 0.8, content 0.4 x 0.75 + 0.6 x 0.8 = 0.78 -> 0.4 + 0.24 + 0.234 = 0.874.
create function pg_temp.good(p_user uuid, p_at timestamptz) returns jsonb language plpgsql as $$
begin
  perform pg_temp.chat(p_user, p_at, 13, 30, 35);
  return game.apply_exchange(p_user, tests.analysis(0, 0, 0, 0, '{"language": {"needy": 0.2, "distracted": 0.2}}'), p_at);
end $$;
-- A "poor" exchange: one answer of 5 characters, needy and distracted 1:
-- frequency 1/13, timing 0.8, content 0.4 x 0.125 = 0.05 -> 0.0308 + 0.24 + 0.015 = 0.2858; flagged clingy (needy answers
-- under 60 s) and neglecting (1 < floor(13 / 2)).
create function pg_temp.poor(p_user uuid, p_at timestamptz) returns jsonb language plpgsql as $$
begin
  perform pg_temp.chat(p_user, p_at, 1, 30, 5);
  return game.apply_exchange(p_user, tests.analysis(0, 0, 0, 0, '{"language": {"needy": 1, "distracted": 1}}'), p_at);
end $$;
create function pg_temp.state(p_user uuid) returns text language sql as $$
  select state from public.engagement_state where user_id = p_user
$$;

-- The calibration score and its parts.
select tests.create_onboarded_player('cal') as cal \gset
select pg_temp.good(:'cal', '2026-01-05 12:00+00');
select is((select calibration_score from public.engagement_state where user_id = :'cal'), 0.874::numeric,
  'calibration = 0.40 frequency + 0.30 timing + 0.30 content = 0.874');
select is((select step_day_flag from public.engagement_state where user_id = :'cal'), 'good', 'neither clingy nor neglecting: a good day');
select is((select high_streak from public.engagement_state where user_id = :'cal'), 1, 'a score >= 0.8 counts toward the high streak');
select is(game.engagement_inputs((select u from public.users u where id = :'cal'), '{"needy": 0.2, "distracted": 0.2}', game.tunables_json(),
  '2026-01-05 12:00+00') - 'calibration' - 'clingy' - 'neglecting' - 'content' - 'text_messages',
  '{"actual": 13, "optimal": 13, "t_avg": 30.0000, "length": 35.0000, "frequency": 1.0000, "timing": 0.8000}'::jsonb,
  'inputs: 13 of 13 messages, 30 s mean response, 35 characters');
select results_eq(
  $$select d::date, (game.engagement_inputs((select u from public.users u where id = tests.player('cal')), '{}', game.tunables_json(), d) ->> 'optimal')::int
    from generate_series('2026-01-05 12:00+00'::timestamptz, '2026-01-11 12:00+00', interval '1 day') d$$,
  $$values ('2026-01-05'::date, 13), ('2026-01-06', 14), ('2026-01-07', 15), ('2026-01-08', 15), ('2026-01-09', 15), ('2026-01-10', 18), ('2026-01-11', 16)$$,
  'optimal in chapter 1: floor(15 x 0.9, 0.95, 1.0, 1.0, 1.05, 1.2, 1.1) from Monday to Sunday');

select tests.create_onboarded_player('poo') as poo \gset
select pg_temp.poor(:'poo', '2026-01-05 12:00+00');
select results_eq($$select calibration_score, step_day_flag, low_streak from public.engagement_state where user_id = tests.player('poo')$$,
  $$values (0.2858::numeric, 'clingy'::text, 1)$$, 'a poor exchange: 0.2858, low streak 1; clingy and neglecting, and clingy wins the day''s flag');

-- Clingy flag: more than 2 x optimal messages, or fast answers with needy language.
select tests.create_onboarded_player('cling') as cling \gset
select pg_temp.chat(:'cling', '2026-01-05 12:00+00', 27, 30, 35);
select game.apply_exchange(:'cling', tests.analysis(0, 0, 0, 0), '2026-01-05 12:00+00');
select is((select step_day_flag from public.engagement_state where user_id = :'cling'), 'clingy', '27 messages > 2 x 13: clingy');
select tests.create_onboarded_player('needy') as needy \gset
select pg_temp.chat(:'needy', '2026-01-05 12:00+00', 13, 30, 35);
select game.apply_exchange(:'needy', tests.analysis(0, 0, 0, 0, '{"language": {"needy": 0.6, "distracted": 0}}'), '2026-01-05 12:00+00');
select is((select step_day_flag from public.engagement_state where user_id = :'needy'), 'clingy', 'answers under 60 s with needy > 0.5: clingy');

-- Per-exchange transitions, each resetting the streaks.
select tests.create_onboarded_player('t1') as t1 \gset
update public.engagement_state set high_streak = 2 where user_id = :'t1';
select is(pg_temp.good(:'t1', '2026-01-05 12:00+00') ->> 'engagement_state', 'in_zone', 'calibrating -> in_zone at a high streak of 3');
select results_eq($$select multiplier, high_streak, low_streak, recovery_streak from public.engagement_state where user_id = tests.player('t1')$$,
  $$values (1.0::numeric, 0, 0, 0)$$, 'the new state''s multiplier; streaks reset');
select results_eq($$select from_state, to_state, calibration_score, created_at from public.engagement_history where user_id = tests.player('t1')$$,
  $$values ('calibrating'::text, 'in_zone'::text, 0.874::numeric, '2026-01-05 12:00+00'::timestamptz)$$, 'the transition is recorded');

select tests.create_onboarded_player('t2') as t2 \gset
update public.engagement_state set low_streak = 1 where user_id = :'t2';
select is(pg_temp.poor(:'t2', '2026-01-05 12:00+00') ->> 'engagement_state', 'drifting', 'calibrating -> drifting at a low streak of 2');

select tests.create_onboarded_player('t3') as t3 \gset
update public.engagement_state set state = 'in_zone' where user_id = :'t3';
select is(pg_temp.poor(:'t3', '2026-01-05 12:00+00') ->> 'engagement_state', 'drifting', 'in_zone -> drifting on a score below 0.6');

select tests.create_onboarded_player('t4') as t4 \gset
update public.engagement_state set state = 'drifting', recovery_streak = 1 where user_id = :'t4';
select is(pg_temp.good(:'t4', '2026-01-05 12:00+00') ->> 'engagement_state', 'in_zone', 'drifting -> in_zone at a recovery streak of 2');

select tests.create_onboarded_player('t5') as t5 \gset
update public.engagement_state set state = 'distant' where user_id = :'t5';
select is(pg_temp.poor(:'t5', '2026-01-05 12:00+00') ->> 'engagement_state', 'distant', 'distant stays distant while neglecting');
select is(pg_temp.good(:'t5', '2026-01-05 13:00+00') ->> 'engagement_state', 'drifting', 'distant -> drifting when not neglecting');

select tests.create_onboarded_player('t6') as t6 \gset
update public.engagement_state set state = 'out_of_zone', recovery_streak = 2, clingy_days = 1, distant_days = 2, non_clingy_days = 3,
  out_of_zone_days = 4 where user_id = :'t6';
select is(pg_temp.good(:'t6', '2026-01-05 12:00+00') ->> 'engagement_state', 'calibrating', 'out_of_zone -> calibrating at a recovery streak of 3');
select results_eq($$select clingy_days, distant_days, non_clingy_days, out_of_zone_days from public.engagement_state where user_id = tests.player('t6')$$,
  $$values (0, 0, 0, 0)$$, 'leaving out_of_zone resets every day counter');
select results_eq($$select event_details ->> 'multiplier' from public.score_history where user_id = tests.player('t6')$$,
  $$values ('0.2'::text)$$, 'that exchange was still scored with the out_of_zone multiplier');

-- Day rollover: the previous step day by its flag, days without messages as neglect days, day transitions.
select tests.create_onboarded_player('r1') as r1 \gset
update public.engagement_state set state = 'clingy', clingy_days = 2, step_day = '2026-01-04', step_day_flag = 'clingy' where user_id = :'r1';
select pg_temp.good(:'r1', '2026-01-05 12:00+00');
select results_eq($$select from_state, to_state, reason from public.engagement_history where user_id = tests.player('r1') order by id$$,
  $$values ('clingy'::text, 'out_of_zone'::text, 'clingy days'::text)$$, 'a third clingy day: clingy -> out_of_zone');

select tests.create_onboarded_player('r2') as r2 \gset
update public.engagement_state set state = 'drifting', distant_days = 0, step_day = '2026-01-02', step_day_flag = 'good' where user_id = :'r2';
select pg_temp.good(:'r2', '2026-01-05 12:00+00');
select results_eq($$select from_state, to_state from public.engagement_history where user_id = tests.player('r2') order by id$$,
  $$values ('drifting'::text, 'distant'::text), ('distant', 'drifting')$$,
  'two silent days are neglect days: drifting -> distant at rollover, then back to drifting as this exchange is not neglecting');
select is((select distant_days from public.engagement_state where user_id = :'r2'), 2, 'the silent days counted as distant days');

select tests.create_onboarded_player('r3') as r3 \gset
update public.engagement_state set state = 'clingy', non_clingy_days = 1, step_day = '2026-01-04', step_day_flag = 'good' where user_id = :'r3';
select pg_temp.good(:'r3', '2026-01-05 12:00+00');
select is((select to_state from public.engagement_history where user_id = :'r3' order by id limit 1), 'drifting',
  'clingy -> drifting after two non-clingy days');

select tests.create_onboarded_player('r4') as r4 \gset
update public.engagement_state set state = 'out_of_zone', out_of_zone_days = 5, step_day = '2026-01-02', step_day_flag = 'good' where user_id = :'r4';
select pg_temp.poor(:'r4', '2026-01-05 12:00+00');
select is((select out_of_zone_days from public.engagement_state where user_id = :'r4'), 8, 'out_of_zone days add the days since the last step day');

-- Engagement game over at rollover: 7 clingy days, 10 distant days, 14 out-of-zone days.
create temporary table endings (name text, state text, clingy int, distant int, ooz int, flag text, kind text);
insert into endings values ('e_clingy', 'out_of_zone', 6, 0, 0, 'clingy', 'clingy'),
  ('e_distant', 'out_of_zone', 0, 9, 0, 'neglect', 'distant'), ('e_ooz', 'out_of_zone', 0, 0, 13, 'good', 'out_of_zone');
select tests.create_onboarded_player(name) from endings;
update public.engagement_state s set state = e.state, clingy_days = e.clingy, distant_days = e.distant, out_of_zone_days = e.ooz,
  step_day = '2026-01-04', step_day_flag = e.flag from endings e where s.user_id = tests.player(e.name);
select pg_temp.good(tests.player(name), '2026-01-05 12:00+00') from endings;
select results_eq(
  $$select e.name, u.game_status, u.game_over_reason, h.event_details -> 'events' -> -1 ->> 'kind'
    from endings e join public.users u on u.id = tests.player(e.name)
    join public.score_history h on h.user_id = u.id order by e.name$$,
  $$select name, 'game_over'::text, 'engagement'::text, kind from endings order by name$$,
  'engagement game over: 7 clingy, 10 distant or 14 out-of-zone days, the kind named');

-- One below each limit: no game over.
select tests.create_onboarded_player('e_safe') as e_safe \gset
update public.engagement_state set state = 'out_of_zone', clingy_days = 5, step_day = '2026-01-04', step_day_flag = 'clingy' where user_id = :'e_safe';
select is(pg_temp.good(:'e_safe', '2026-01-05 12:00+00') ->> 'game_status', 'active', '6 clingy days: still playing');

-- Skipped: no text message in the last 24 h, or a voice call.
select tests.create_onboarded_player('skip') as skip \gset
update public.engagement_state set high_streak = 2 where user_id = :'skip';
select game.apply_exchange(:'skip', tests.analysis(0, 0, 0, 0), '2026-01-05 12:00+00');
select results_eq($$select state, high_streak, step_day from public.engagement_state where user_id = tests.player('skip')$$,
  $$values ('calibrating'::text, 2, null::date)$$, 'no text message in the window: the step is skipped');
select pg_temp.chat(:'skip', '2026-01-05 13:00+00', 13, 30, 35);
select game.apply_exchange(:'skip', tests.analysis(0, 0, 0, 0), '2026-01-05 13:00+00', 'voice');
select is((select high_streak from public.engagement_state where user_id = :'skip'), 2, 'a voice call does not step the state machine');
select is((game.engagement_inputs((select u from public.users u where id = :'skip'), '{}', game.tunables_json(), '2026-01-05 13:00+00') ->> 'actual')::int,
  13, 'calls count only when ended: none here');

insert into public.conversations (user_id, platform, status, started_at, last_message_at, ended_at, chapter_at_start)
values (:'skip', 'voice', 'closed', '2026-01-05 12:30+00', '2026-01-05 12:40+00', '2026-01-05 12:40+00', 1);
select is((game.engagement_inputs((select u from public.users u where id = :'skip'), '{}', game.tunables_json(), '2026-01-05 13:00+00') ->> 'actual')::int,
  14, 'a call ended in the window counts as one message');

-- L is the mean length of the player's messages since her previous one (§8.2), not of all of them: 10 characters
-- before her last message, 60 and 80 after it; a message after p_now is not yet there.
select tests.create_onboarded_player('len') as len \gset
select tests.message(:'len', 'nikita', '2026-01-05 10:00+00');
select tests.message(:'len', 'player', '2026-01-05 10:01+00', repeat('x', 10));
select tests.message(:'len', 'nikita', '2026-01-05 10:02+00');
select tests.message(:'len', 'player', '2026-01-05 10:03+00', repeat('x', 60));
select tests.message(:'len', 'player', '2026-01-05 10:04+00', repeat('x', 80));
select tests.message(:'len', 'nikita', '2026-01-05 10:06+00');
select is((game.engagement_inputs((select u from public.users u where id = :'len'), '{}', game.tunables_json(), '2026-01-05 10:05+00') ->> 'length')::numeric,
  70::numeric, 'length: the mean of the messages since her previous message (60 and 80), her later one not yet sent');
select is((game.engagement_inputs((select u from public.users u where id = :'len'), '{}', game.tunables_json(), '2026-01-05 10:02:30+00') ->> 'length')::numeric,
  0::numeric, 'length: nothing since her previous message is 0');

select * from finish();
rollback;
