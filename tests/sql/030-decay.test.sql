-- Decay (GAME_RULES.md §7): the worked example, idempotence, catch-up, grace and rate and daily cap per chapter,
-- clamping and game over, the warnings, who never decays, and the watermark after a boss outcome.
-- Each section parks the players of the previous one (last_interaction_at null: never decays) so counts are its own.
begin;
select plan(49);

-- The example of §7.2: chapter 1, last interaction 00:00 UTC.
select tests.create_onboarded_player('ex', '2026-01-04 12:00+00') as ex \gset
update public.users set last_interaction_at = '2026-01-05 00:00+00' where id = :'ex';
select is(game.apply_decay('2026-01-05 08:00+00'), '{"decayed": 0, "game_overs": 0, "warnings": 0}'::jsonb, '08:00: not past the 8 h grace, nothing');
select is(game.apply_decay('2026-01-05 10:00+00'), '{"decayed": 1, "game_overs": 0, "warnings": 0}'::jsonb, '10:00: one player decayed');
select is(tests.metrics(:'ex'), array[48.4, 48.4, 48.4, 48.4]::numeric[], '10:00: 1.6 from each metric');
select is(tests.score(:'ex'), 48.4::numeric, '10:00: the score drops by the same 1.6');
select is(game.apply_decay('2026-01-05 10:00+00') ->> 'decayed', '0', 'again at 10:00: nothing more');
select is((select count(*) from public.score_history where user_id = :'ex' and event_type = 'decay'), 1::bigint,
  'a run that removes nothing writes no row');
select game.apply_decay('2026-01-05 20:00+00');
select is(tests.score(:'ex'), 40.4::numeric, '20:00: 8.0 more (9.6 in total)');
select results_eq(
  $$select count(*), max(recorded_at), max(score), max((event_details ->> 'score_before')::numeric),
           max((event_details ->> 'nominal_amount')::numeric)
    from public.score_history where user_id = tests.player('ex') and event_type = 'decay'$$,
  $$values (1::bigint, '2026-01-05 20:00+00'::timestamptz, 40.4::numeric, 50::numeric, 9.6::numeric)$$,
  'the second run that day updates the day''s one row: its time, the score after it, the day''s drop and amount');
select is((select event_details from public.score_history where user_id = :'ex' and event_type = 'decay'),
  '{"score_before": 50, "nominal_amount": 9.6}'::jsonb,
  'a day without consequences holds its score before and nominal amount, and no events');
select is(game.apply_decay('2026-01-05 23:00+00'), '{"decayed": 1, "game_overs": 0, "warnings": 1}'::jsonb, '23:00: crossing 40 is a warning');
select is(tests.score(:'ex'), 38::numeric, '23:00: 2.4 more (12.0, the daily cap)');
select game.apply_decay('2026-01-06 02:00+00');
select is(tests.score(:'ex'), 36.4::numeric, 'next day 02:00: 1.6 more (13.6), a new UTC day under its own cap');
select results_eq(
  $$select (recorded_at at time zone 'UTC')::date, (event_details ->> 'score_before')::numeric - score
    from public.score_history where user_id = tests.player('ex') and event_type = 'decay' order by recorded_at$$,
  $$values ('2026-01-05'::date, 12::numeric), ('2026-01-06', 1.6)$$,
  'one decay row per UTC day, each holding the day''s total drop');
select results_eq(
  $$select recorded_at, score, event_details
    from public.score_history where user_id = tests.player('ex') and event_type = 'decay' order by id desc limit 1$$,
  $$values ('2026-01-06 02:00+00'::timestamptz, 36.4::numeric, '{"score_before": 38, "nominal_amount": 1.6}'::jsonb)$$,
  'the next day''s row: its run''s time, the score after it, the score before and the nominal amount');
select is((select event_details -> 'events' from public.score_history where user_id = :'ex' and event_type = 'decay'
           and recorded_at = '2026-01-05 23:00+00'), '[{"type": "warning", "kind": "where_are_you"}]'::jsonb,
  'the warning is recorded in the day''s row''s events');
select is((select payload - 'events' from private.outbox where user_id = :'ex'), '{"event": "decay", "chapter": 1}'::jsonb,
  'and her "where are you" message is queued, with the chapter its wording depends on');
select is((select payload -> 'events' from private.outbox where user_id = :'ex'), '[{"type": "warning", "kind": "where_are_you"}]'::jsonb,
  'carrying the warning');
update public.users set last_interaction_at = null where id = :'ex';

-- Catch-up: one run after 3 missed days applies exactly what hourly runs would.
select tests.create_onboarded_player('cu', '2026-01-04 12:00+00') as cu \gset
update public.users set last_interaction_at = '2026-01-05 00:00+00' where id = :'cu';
savepoint hourly;
select count(game.apply_decay(t)) from generate_series('2026-01-05 01:00+00'::timestamptz, '2026-01-08 00:00+00', interval '1 hour') t;
select tests.metrics(:'cu') as hourly_metrics, (select count(*) from public.score_history where user_id = :'cu') as hourly_rows \gset
rollback to savepoint hourly;
select game.apply_decay('2026-01-08 00:00+00');
select is(tests.metrics(:'cu'), :'hourly_metrics'::numeric[], 'one run after 3 days equals hourly runs');
select is(tests.score(:'cu'), 14::numeric, '12 + 12 + 12 over three UTC days: 50 -> 14');
select is(:'hourly_rows'::int, 3, 'the hourly runs wrote one row per UTC day (15 decaying runs a day until the cap)');
select is((select count(*)::int from public.score_history where user_id = :'cu'), 1, 'the catch-up run wrote one row');
update public.users set last_interaction_at = null where id = :'cu';

-- Grace and rate per chapter: nothing at last interaction + grace, one hour later exactly the rate.
create temporary table chapter_decay (ch int, grace int, at_grace numeric, after_hour numeric);
insert into chapter_decay (ch, grace) values (1, 8), (2, 16), (3, 24), (4, 48), (5, 72);
select tests.create_onboarded_player('g_' || ch, '2026-01-04 12:00+00') from chapter_decay;
update public.users u set chapter = d.ch, last_interaction_at = '2026-01-05 00:00+00'
from chapter_decay d where u.id = tests.player('g_' || d.ch);
do $$
declare
  r record;
begin
  for r in select * from chapter_decay order by grace loop
    perform game.apply_decay('2026-01-05 00:00+00'::timestamptz + make_interval(hours => r.grace));
    update chapter_decay set at_grace = 50 - tests.score(tests.player('g_' || r.ch)) where ch = r.ch;
    perform game.apply_decay('2026-01-05 00:00+00'::timestamptz + make_interval(hours => r.grace + 1));
    update chapter_decay set after_hour = 50 - tests.score(tests.player('g_' || r.ch)) where ch = r.ch;
  end loop;
end
$$;
select results_eq($$select ch, at_grace, after_hour from chapter_decay order by ch$$,
  $$values (1, 0::numeric, 0.8::numeric), (2, 0, 0.6), (3, 0, 0.4), (4, 0, 0.3), (5, 0, 0.2)$$,
  'grace 8/16/24/48/72 h, then 0.8/0.6/0.4/0.3/0.2 points per overdue hour');
update public.users set last_interaction_at = null where id in (select tests.player('g_' || ch) from chapter_decay);

-- Daily cap per chapter: a whole overdue UTC day removes 12/10/8/6/4 points.
select tests.create_onboarded_player('cap_' || ch, '2026-01-20 12:00+00') from chapter_decay;
update public.users u set chapter = d.ch, last_interaction_at = '2026-02-01 00:00+00'::timestamptz - make_interval(hours => d.grace)
from chapter_decay d where u.id = tests.player('cap_' || d.ch);
select game.apply_decay('2026-02-02 00:00+00');
select results_eq($$select ch, 50 - tests.score(tests.player('cap_' || ch)) from chapter_decay order by ch$$,
  $$values (1, 12::numeric), (2, 10), (3, 8), (4, 6), (5, 4)$$,
  'the daily cap per UTC day: 12, 10, 8, 6, 4');
select is(game.apply_decay('2026-02-02 00:00+00') ->> 'decayed', '0', 'the same p_now twice applies once');
update public.users set last_interaction_at = null where id in (select tests.player('cap_' || ch) from chapter_decay);

-- Clamping: when the amount reaches the score, all four metrics become 0 and the game ends; only the goodbye goes out.
select tests.create_onboarded_player('zed', '2026-01-04 12:00+00') as zed \gset
select tests.set_metrics(:'zed', 10, 2, 2, 2);
update public.users set last_interaction_at = '2026-01-05 00:00+00' where id = :'zed';
select is(game.apply_decay('2026-01-05 14:00+00'), '{"decayed": 1, "game_overs": 1, "warnings": 0}'::jsonb, '4.8 against a score of 4.4 ends the game');
select is(tests.metrics(:'zed'), array[0, 0, 0, 0]::numeric[], 'all four metrics become 0, the 10 included');
select is((select game_status || '/' || game_over_reason from public.users where id = :'zed'), 'game_over/decay', 'game over, reason decay');
select is((select payload -> 'events' from private.outbox where user_id = :'zed'), '[{"type": "game_over", "reason": "decay"}]'::jsonb,
  'her goodbye is queued');
select tests.create_onboarded_player('bye', '2026-01-01 12:00+00') as bye \gset
select tests.set_metrics(:'bye', 41, 41, 41, 41);
update public.users set last_interaction_at = '2026-01-01 16:00+00' where id = :'bye';
select game.apply_decay('2026-01-06 00:00+00');
select is((select event_details -> 'events' from public.score_history where user_id = :'bye' and event_type = 'decay'),
  '[{"type": "game_over", "reason": "decay"}]'::jsonb, 'crossing 40 and 30 on the way to 0: only the goodbye');
update public.users set last_interaction_at = null where id in (:'zed', :'bye');

-- Crossing 30 queues her "don't forget about me"; "where are you" at most once per 24 h.
select tests.create_onboarded_player('al', '2026-01-04 12:00+00') as al \gset
select tests.set_metrics(:'al', 31, 31, 31, 31);
update public.users set last_interaction_at = '2026-01-05 00:00+00' where id = :'al';
select game.apply_decay('2026-01-05 10:00+00');
select is((select event_details -> 'events' from public.score_history where user_id = :'al' and event_type = 'decay'),
  '[{"type": "warning", "kind": "dont_forget_me"}]'::jsonb, 'crossing 30 queues the alert');
update public.users set last_interaction_at = null where id = :'al';

-- Two thresholds crossed by two runs of one UTC day: one row for the day, both of her messages queued.
select tests.create_onboarded_player('two', '2026-01-04 12:00+00') as two \gset
select tests.set_metrics(:'two', 41, 41, 41, 41);
update public.users set last_interaction_at = '2026-01-05 00:00+00' where id = :'two';
select is(game.apply_decay('2026-01-05 10:00+00'), '{"decayed": 1, "game_overs": 0, "warnings": 1}'::jsonb, '10:00: 41 -> 39.4, crossing 40');
select is(game.apply_decay('2026-01-05 23:00+00'), '{"decayed": 1, "game_overs": 0, "warnings": 1}'::jsonb, '23:00: 39.4 -> 29, crossing 30');
select results_eq(
  $$select count(*), max(score), max((event_details ->> 'score_before')::numeric), max((event_details -> 'events')::text)
    from public.score_history where user_id = tests.player('two') and event_type = 'decay'$$,
  $$values (1::bigint, 29::numeric, 41::numeric,
            '[{"kind": "where_are_you", "type": "warning"}, {"kind": "dont_forget_me", "type": "warning"}]')$$,
  'one row for the day: score after the last run, the day''s drop of 12, both crossings in its events');
select results_eq(
  $$select due_at, payload -> 'events' from private.outbox where user_id = tests.player('two') order by due_at$$,
  $$values ('2026-01-05 10:00+00'::timestamptz, '[{"type": "warning", "kind": "where_are_you"}]'::jsonb),
           ('2026-01-05 23:00+00', '[{"type": "warning", "kind": "dont_forget_me"}]'::jsonb)$$,
  'each run queues her message for what it crossed, the second not swallowed by the first');
select is(game.apply_decay('2026-01-05 23:00+00') ->> 'decayed', '0', 'again at 23:00: nothing, no third message');
select is((select count(*)::int from private.outbox where user_id = :'two'), 2, 'still her two messages');
update public.users set last_interaction_at = null where id = :'two';
select tests.create_onboarded_player('gap', '2026-01-04 12:00+00') as gap \gset
select tests.set_metrics(:'gap', 41, 41, 41, 41);
update public.users set last_interaction_at = '2026-01-05 00:00+00' where id = :'gap';
select is(game.apply_decay('2026-01-05 10:00+00') ->> 'warnings', '1', 'crossing 40: a warning');
select tests.set_metrics(:'gap', 40.5, 40.5, 40.5, 40.5);
select is(game.apply_decay('2026-01-05 20:00+00') ->> 'warnings', '0', 'crossing again within 24 h: no second warning');
select tests.set_metrics(:'gap', 40.5, 40.5, 40.5, 40.5);
select is(game.apply_decay('2026-01-06 11:00+00') ->> 'warnings', '1', 'crossing again after 24 h: a warning');
update public.users set last_interaction_at = null where id = :'gap';

-- Who never decays: boss fights, finished games, players who never interacted.
select tests.create_onboarded_player(n, '2026-01-04 12:00+00') from unnest(array['in_boss', 'over', 'winner', 'silent']) n;
update public.users set last_interaction_at = '2026-01-05 00:00+00' where id in (tests.player('in_boss'), tests.player('over'), tests.player('winner'));
select tests.start_boss(tests.player('in_boss'), '2026-01-05 00:00+00');
update public.users set game_status = 'game_over', game_over_reason = 'score' where id = tests.player('over');
update public.users set game_status = 'won' where id = tests.player('winner');
select is(game.apply_decay('2026-01-06 00:00+00') ->> 'decayed', '0', 'no decay in a boss fight, after the end, or before any interaction');
select is((select array_agg(relationship_score) from public.users where id in (tests.player('in_boss'), tests.player('over'), tests.player('winner'), tests.player('silent'))),
  array[50, 50, 50, 50]::numeric[], 'their scores are untouched');

-- Back to active after a boss outcome: decay counts from the outcome, never the time in the encounter.
create function pg_temp.to_judging(p_user_id uuid, p_at timestamptz) returns void language plpgsql as $$
begin
  perform game.boss_turn(p_user_id, p_at);
  perform game.boss_turn(p_user_id, p_at + interval '1 minute');
  perform game.boss_turn(p_user_id, p_at + interval '2 minutes');
end $$;
select pg_temp.to_judging(tests.player('in_boss'), '2026-01-05 00:00+00');
update public.users set last_interaction_at = '2026-01-05 00:00+00' where id = tests.player('in_boss');
select game.resolve_boss(tests.player('in_boss'), '{"outcome": "PARTIAL", "confidence": 0.9}', '2026-01-06 00:00+00');
select game.apply_decay('2026-01-06 02:00+00');
select is(tests.score(tests.player('in_boss')), 48.4::numeric, 'two hours after the outcome: 1.6, not the 18 h overdue before it');

-- Shards (the cron jobs run two side by side): disjoint, together every player once, the same amounts as one pass.
update public.users set last_interaction_at = null;
select tests.create_onboarded_player('shard_' || n, '2026-01-04 12:00+00') from generate_series(1, 40) n;
update public.users set last_interaction_at = '2026-02-10 00:00+00' where id in (select tests.player('shard_' || n) from generate_series(1, 40) n);
select is((game.apply_decay('2026-02-10 10:00+00', 0, 2) ->> 'decayed')::int + (game.apply_decay('2026-02-10 10:00+00', 1, 2) ->> 'decayed')::int,
  40, 'shards 0 and 1 of 2 decay the 40 players between them');
select ok((select count(*) from public.users where id in (select tests.player('shard_' || n) from generate_series(1, 40) n)
             and decay_through = '2026-02-10 10:00+00') = 40
          and (select count(*) from public.score_history h where h.event_type = 'decay' and h.recorded_at = '2026-02-10 10:00+00') = 40,
  'each player once: one watermark and one decay row each');
select is((select array_agg(distinct relationship_score) from public.users where id in (select tests.player('shard_' || n) from generate_series(1, 40) n)),
  array[48.4]::numeric[], 'the same 1.6 points as one pass');
select is(game.apply_decay('2026-02-10 10:00+00') ->> 'decayed', '0', 'a full pass after the shards at the same time: nothing more');
select ok((game.apply_decay('2026-02-10 11:00+00', 0, 2) ->> 'decayed')::int between 1 and 39,
  'a shard alone covers part of the players, not all');
select is(tests.attempt($$select game.apply_decay('2026-02-10 12:00+00', 2, 2)$$), '22023', 'a shard outside 0..shards - 1 is refused');
select is(tests.attempt($$select game.apply_decay('2026-02-10 12:00+00', 0, 0)$$), '22023', 'zero shards are refused');

select * from finish();
rollback;
