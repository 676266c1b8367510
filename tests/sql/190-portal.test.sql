-- The portal (PLATFORM.md §8): the read views, the projection kept equal to game.apply_decay, the admin tools with
-- their audit rows (adjust, reset, reprocess), link codes, and what an account deletion takes with it.
begin;
select plan(64);

-- The views expose exactly the columns of PLATFORM.md §8.2 (conversation_list adds user_id, the policy's column).
select columns_are('public', 'player_stats', array['user_id', 'display_name', 'chapter', 'chapter_name',
  'relationship_score', 'boss_threshold', 'progress_to_boss', 'game_status', 'boss_attempts', 'days_played',
  'last_interaction_at', 'decay_starts_at', 'decay_per_hour', 'projected_score_24h', 'is_decaying', 'onboarded_at'],
  'player_stats: the columns of §8.2');
select columns_are('public', 'conversation_list', array['id', 'user_id', 'platform', 'started_at', 'ended_at',
  'message_count', 'score_delta', 'emotional_tone', 'summary', 'is_boss_fight'], 'conversation_list: no message text');
select columns_are('public', 'timezone_options', array['name', 'utc_offset'], 'timezone_options: name and offset');
select ok((select bool_and(v.reloptions @> array['security_invoker=true']) from pg_class v
           where v.oid in ('public.player_stats'::regclass, 'public.conversation_list'::regclass,
             'public.timezone_options'::regclass)),
  'every portal view runs with the caller''s rights (security_invoker)');

-- Players a view can show apart: the time is the transaction's, as the view's now() is.
select tests.create_onboarded_player('pia');
select tests.create_onboarded_player('quinn');
select tests.create_onboarded_player('root');
update auth.users set raw_app_meta_data = raw_app_meta_data || '{"role": "admin"}' where id = tests.player('root');

-- player_stats for one player: progress is the score's share of the boss threshold (50 of 55), the decay start is
-- the last interaction plus the chapter's grace (8 h in chapter 1).
update public.users set last_interaction_at = now() - interval '10 hours' where id = tests.player('pia');
select results_eq(
  $$select chapter_name, boss_threshold, progress_to_boss, decay_starts_at, decay_per_hour, is_decaying
    from public.player_stats where user_id = tests.player('pia')$$,
  $$values ('Curiosity'::text, 55::numeric(7, 4), 90.9::numeric, now() - interval '2 hours', 0.8::numeric(7, 4), true)$$,
  'player_stats: chapter values, progress to the boss, decay start and rate, decaying past the grace');
update public.users set last_interaction_at = now() - interval '1 hour' where id = tests.player('quinn');
select tests.set_metrics(tests.player('quinn'), 60, 60, 60, 60);
select results_eq(
  $$select progress_to_boss, is_decaying from public.player_stats where user_id = tests.player('quinn')$$,
  $$values (100::numeric, false)$$, 'player_stats: progress stops at 100; not decaying within the grace');

-- Every view returns only the caller's rows.
select tests.message(tests.player('pia'), 'player', '2026-01-05 10:00+00');
select tests.message(tests.player('pia'), 'nikita', '2026-01-05 10:01+00');
select tests.message(tests.player('quinn'), 'player', '2026-01-05 10:00+00');
select tests.authenticate_as('pia');
select results_eq($$select user_id, relationship_score from public.player_stats$$,
  $$values (tests.player('pia'), 50::numeric(7, 4))$$, 'player_stats: a player reads their own row only');
select results_eq($$select user_id, message_count from public.conversation_list$$,
  $$values (tests.player('pia'), 2::bigint)$$, 'conversation_list: own conversations only, with their message count');
select ok((select utc_offset from public.timezone_options where name = 'UTC') = interval '0',
  'timezone_options: every zone with its offset');
select tests.authenticate_as('root', '{"role": "admin"}');
select is((select count(*) from public.player_stats where user_id in (tests.player('pia'), tests.player('quinn'))),
  2::bigint, 'player_stats: an admin reads every player');
select tests.clear_authentication();

-- projected_score_24h is what game.apply_decay does 24 h from now without an interaction. The cases: chapter 1 past
-- its grace with decay already applied today (the watermark and the daily ledger count), chapter 1 entering its
-- grace's end within the window, chapter 3 long overdue with decay applied, chapter 2 three days gone, chapter 5
-- inside its 72 h grace for the whole window, a boss fight (no decay), a player who never wrote (no decay), and a
-- score the decay takes to 0 (game over).
create temporary table cases (name text primary key, chapter smallint, last_seen interval, status text, metric numeric);
insert into cases values
  ('c1_today', 1, '13 hours', 'active', 50), ('c1_entering', 1, '2 hours', 'active', 50),
  ('c3_overdue', 3, '40 hours', 'active', 50), ('c2_gone', 2, '3 days', 'active', 50),
  ('c5_grace', 5, '1 hour', 'active', 50), ('c1_boss', 1, '20 hours', 'boss_fight', 50),
  ('c1_never', 1, null, 'active', 50), ('c1_low', 1, '30 hours', 'active', 6);
select tests.create_onboarded_player(name) from cases;
select tests.set_metrics(tests.player(name), metric, metric, metric, metric) from cases;
update public.users u set chapter = c.chapter, last_interaction_at = now() - c.last_seen,
  game_status = c.status, boss_fight_started_at = case when c.status = 'boss_fight' then now() end
from cases c where u.id = tests.player(c.name);
-- The hourly run at the present: watermarks and today's ledger for the overdue ones.
select game.apply_decay(now());
create temporary table projected as
select c.name, s.projected_score_24h, s.relationship_score
from cases c join public.player_stats s on s.user_id = tests.player(c.name);
select game.apply_decay(now() + interval '24 hours');
select results_eq(
  $$select c.name, p.projected_score_24h from cases c join projected p using (name) order by 1$$,
  $$select c.name, u.relationship_score::numeric from cases c join public.users u on u.id = tests.player(c.name) order by 1$$,
  'projected_score_24h equals the score game.apply_decay leaves 24 h later, case by case');
select ok((select bool_and(projected_score_24h < relationship_score) from projected
           where name in ('c1_today', 'c1_entering', 'c3_overdue', 'c2_gone')), 'the overdue cases do decay');
select ok((select bool_and(projected_score_24h = relationship_score) from projected
           where name in ('c5_grace', 'c1_boss', 'c1_never')), 'inside the grace, in a boss fight or never seen: no decay');
select results_eq($$select p.projected_score_24h, u.game_status from projected p join public.users u on u.id = tests.player(p.name)
                    where p.name = 'c1_low'$$,
  $$values (0::numeric, 'game_over'::text)$$, 'a decay that reaches the score projects 0, and apply_decay ends the game');
-- Where a metric is below the amount the engine clamps it at 0 and the score drops less than the amount: the
-- projection, without the weights, is then a floor.
select tests.create_onboarded_player('clamped');
select tests.set_metrics(tests.player('clamped'), 2, 60, 60, 60);
update public.users set last_interaction_at = now() - interval '40 hours' where id = tests.player('clamped');
select game.apply_decay(now());
create temporary table clamped as select projected_score_24h from public.player_stats where user_id = tests.player('clamped');
select game.apply_decay(now() + interval '24 hours');
select ok((select projected_score_24h from clamped) < tests.score(tests.player('clamped')),
  'a metric clamped at 0: the engine keeps more than the projection');

-- admin_adjust: per-metric deltas, clamped, the score recomputed (0.30, 0.25, 0.25, 0.20), one manual_adjustment row,
-- one audit row.
select tests.create_onboarded_player('ada');
select results_eq(
  $$select (r ->> 'score')::numeric, (r ->> 'score_before')::numeric, r -> 'deltas'
    from game.admin_adjust(tests.player('ada'), '{"intimacy": 5, "trust": -3}', 'support ticket 41', tests.player('root'),
      '2026-01-06 12:00+00') r$$,
  $$values (50.75, 50::numeric, '{"intimacy": 5, "passion": 0, "trust": -3, "secureness": 0}'::jsonb)$$,
  'admin_adjust: 55, 50, 47, 50 scores 50.75');
select is(tests.metrics(tests.player('ada')), array[55, 50, 47, 50]::numeric[], 'admin_adjust: the metrics moved');
select results_eq(
  $$select score, event_type, event_details ->> 'reason', event_details ->> 'admin_id', (event_details -> 'deltas' ->> 'trust')::numeric,
      recorded_at from public.score_history where user_id = tests.player('ada')$$,
  $$values (50.75::numeric(7, 4), 'manual_adjustment'::text, 'support ticket 41'::text, tests.player('root')::text,
      -3::numeric, '2026-01-06 12:00+00'::timestamptz)$$,
  'admin_adjust: exactly one manual_adjustment row with the deltas, the reason and the admin');
select results_eq(
  $$select at, admin_id, action, target_user_id, details ->> 'reason' from public.admin_audit_log
    where target_user_id = tests.player('ada')$$,
  $$values ('2026-01-06 12:00+00'::timestamptz, tests.player('root'), 'adjust_metrics'::text, tests.player('ada'),
      'support ticket 41'::text)$$,
  'admin_adjust: exactly one audit row');
select is(tests.score(tests.player('ada')), 50.75::numeric, 'admin_adjust: the stored score is the recomputed one');

-- Clamped at 0 and 100; the applied deltas are what the metrics actually moved.
select tests.set_metrics(tests.player('ada'), 96, 3, 50, 50);
select is((select r -> 'deltas' from game.admin_adjust(tests.player('ada'), '{"intimacy": 10, "passion": -10}', 'clamp',
  tests.player('root'), '2026-01-06 12:05+00') r),
  '{"intimacy": 4, "passion": -3, "trust": 0, "secureness": 0}'::jsonb, 'admin_adjust: deltas applied up to the bounds');
select is(tests.metrics(tests.player('ada')), array[100, 0, 50, 50]::numeric[], 'admin_adjust: metrics clamped to 0..100');

-- Refused, writing nothing: a delta beyond ±10 (admin_delta_limit), an unknown metric, a text delta, no reason,
-- no admin.
create temporary table before_refusals as
select (select count(*) from public.score_history where user_id = tests.player('ada')) as history,
       (select count(*) from public.admin_audit_log) as audit;
select throws_ok($$select game.admin_adjust(tests.player('ada'), '{"trust": 10.5}', 'too far', tests.player('root'), '2026-01-06 13:00+00')$$,
  '22023', null, 'admin_adjust: a delta beyond ±10 is refused');
select throws_ok($$select game.admin_adjust(tests.player('ada'), '{"charm": 1}', 'x', tests.player('root'), '2026-01-06 13:00+00')$$,
  '22023', null, 'admin_adjust: an unknown metric is refused');
select throws_ok($$select game.admin_adjust(tests.player('ada'), '{"trust": "5"}', 'x', tests.player('root'), '2026-01-06 13:00+00')$$,
  '22023', null, 'admin_adjust: a delta that is no number is refused');
select throws_ok($$select game.admin_adjust(tests.player('ada'), '{}', 'x', tests.player('root'), '2026-01-06 13:00+00')$$,
  '22023', null, 'admin_adjust: no delta at all is refused');
select throws_ok($$select game.admin_adjust(tests.player('ada'), '{"trust": 1}', '  ', tests.player('root'), '2026-01-06 13:00+00')$$,
  '22023', null, 'admin_adjust: a blank reason is refused');
select throws_ok($$select game.admin_adjust(tests.player('ada'), '{"trust": 1}', 'x', tests.player('pia'), '2026-01-06 13:00+00')$$,
  'ADMRQ', null, 'admin_adjust: a player who is no admin gets ADMRQ');
update auth.users set raw_user_meta_data = '{"role": "admin"}' where id = tests.player('pia');
select throws_ok($$select game.admin_adjust(tests.player('ada'), '{"trust": 1}', 'x', tests.player('pia'), '2026-01-06 13:00+00')$$,
  'ADMRQ', null, 'admin_adjust: user_metadata (the user''s own to write) makes nobody an admin');
select throws_ok($$select game.admin_adjust(tests.player('ada'), '{"trust": 1}', 'x', null, '2026-01-06 13:00+00')$$,
  'ADMRQ', null, 'admin_adjust: no admin id, ADMRQ');
select throws_ok($$select game.admin_adjust('00000000-0000-4000-8000-000000000000', '{"trust": 1}', 'x', tests.player('root'),
  '2026-01-06 13:00+00')$$, 'PNFND', null, 'admin_adjust: an unknown player is PNFND');
select results_eq(
  $$select (select count(*) from public.score_history where user_id = tests.player('ada')), (select count(*) from public.admin_audit_log)$$,
  $$select history, audit from before_refusals$$, 'the refusals wrote no history row and no audit row');

-- It never changes the status: past the boss threshold the player stays active (the boss starts at the next scored
-- exchange), and a finished game stays finished.
select game.admin_adjust(tests.player('ada'), '{"intimacy": 10, "passion": 10, "trust": 10, "secureness": 10}', 'boost',
  tests.player('root'), '2026-01-06 14:00+00');
select results_eq($$select game_status, chapter, relationship_score > 55 from public.users where id = tests.player('ada')$$,
  $$values ('active'::text, 1::smallint, true)$$, 'admin_adjust: above the boss threshold, still active in chapter 1');
update public.users set game_status = 'game_over', game_over_reason = 'decay' where id = tests.player('ada');
select game.admin_adjust(tests.player('ada'), '{"trust": 5}', 'goodwill', tests.player('root'), '2026-01-06 14:05+00');
select is((select game_status from public.users where id = tests.player('ada')), 'game_over',
  'admin_adjust: a finished game stays finished');

-- admin_reset: the engine's reset and an audit row, in one call.
select results_eq(
  $$select (r ->> 'reset')::boolean, r ->> 'game_status', (r ->> 'audit_id') is not null
    from game.admin_reset(tests.player('ada'), 'player asked for a new game', tests.player('root'), '2026-01-07 09:00+00') r$$,
  $$values (true, 'active'::text, true)$$, 'admin_reset: a finished game starts again');
select is((select count(*) from public.score_history where user_id = tests.player('ada') and event_type = 'game_reset'),
  1::bigint, 'admin_reset: one game_reset row');
select is((select details ->> 'reason' from public.admin_audit_log where target_user_id = tests.player('ada')
           and action = 'reset_player'), 'player asked for a new game', 'admin_reset: its audit row holds the reason');
select is((select game.admin_reset(tests.player('quinn'), 'mistake', tests.player('root'), '2026-01-07 09:00+00') ->> 'reset'),
  'false', 'admin_reset: an active game is left as it is (GAME_RULES.md §19)');
select is((select count(*) from public.admin_audit_log where target_user_id = tests.player('quinn')), 1::bigint,
  'admin_reset: the attempt is audited all the same');
select throws_ok($$select game.admin_reset(tests.player('quinn'), 'x', tests.player('pia'), '2026-01-07 09:00+00')$$,
  'ADMRQ', null, 'admin_reset: ADMRQ for a player who is no admin');
select throws_ok($$select game.admin_reset(tests.player('quinn'), '', tests.player('root'), '2026-01-07 09:00+00')$$,
  '22023', null, 'admin_reset: a reason is required');

-- admin_reprocess: the existing job runs again from its first stage, due at once, its attempts restored.
update public.conversations set status = 'closed', ended_at = '2026-01-05 10:20+00' where user_id = tests.player('pia');
insert into private.conversation_jobs (conversation_id, user_id, status, attempts, stages, last_error, created_at, finished_at)
select id, user_id, 'failed', 3, '{"extraction": {"status": "failed"}}', 'model down', '2026-01-05 10:20+00', '2026-01-05 11:00+00'
from public.conversations where user_id = tests.player('pia');
select results_eq(
  $$select (r ->> 'queued')::boolean, r ->> 'previous_status' from public.conversations c,
      game.admin_reprocess(c.id, tests.player('root'), '2026-01-07 10:00+00') r where c.user_id = tests.player('pia')$$,
  $$values (true, 'failed'::text)$$, 'admin_reprocess: queued');
select results_eq(
  $$select status, attempts, next_attempt_at, stages, last_error, finished_at from private.conversation_jobs
    where user_id = tests.player('pia')$$,
  $$values ('pending'::text, 0, '2026-01-07 10:00+00'::timestamptz, '{}'::jsonb, null::text, null::timestamptz)$$,
  'admin_reprocess: the job row is re-armed');
select is((select count(*) from private.claim_conversation_jobs('2026-01-07 10:00+00', 10) j where j.user_id = tests.player('pia')),
  1::bigint, 'admin_reprocess: the pipeline claims it at once');
select is((select count(*) from public.admin_audit_log where action = 'reprocess_conversation' and target_user_id = tests.player('pia')),
  1::bigint, 'admin_reprocess: one audit row for the conversation''s player');
select throws_ok($$select game.admin_reprocess('00000000-0000-4000-8000-000000000000', tests.player('root'), '2026-01-07 10:00+00')$$,
  'CVNFD', null, 'admin_reprocess: an unknown conversation is CVNFD');
select throws_ok($$select game.admin_reprocess(c.id, tests.player('pia'), '2026-01-07 10:00+00') from public.conversations c
  where c.user_id = tests.player('pia')$$, 'ADMRQ', null, 'admin_reprocess: ADMRQ for a player who is no admin');

-- Link codes: 10 minutes, reused while unexpired, single use, binding the Telegram account.
select tests.create_player('lee');
select results_eq(
  $$select r ->> 'code', (r ->> 'expires_at')::timestamptz, (r ->> 'reused')::boolean, (r ->> 'currently_linked')::boolean
    from game.issue_link_code(tests.player('lee'), 'HJKM2345', '2026-01-08 09:00+00') r$$,
  $$values ('HJKM2345'::text, '2026-01-08 09:10+00'::timestamptz, false, false)$$, 'issue_link_code: a new code for 10 minutes');
select is((select game.issue_link_code(tests.player('lee'), 'WXYZ6789', '2026-01-08 09:09:59+00') ->> 'code'), 'HJKM2345',
  'issue_link_code: the unexpired code is reused');
select is((select game.issue_link_code(tests.player('lee'), 'WXYZ6789', '2026-01-08 09:10+00') ->> 'code'), 'WXYZ6789',
  'issue_link_code: once expired, the new code');
select is((select array_agg(code) from private.telegram_link_codes where user_id = tests.player('lee')), array['WXYZ6789'],
  'issue_link_code: the expired code is gone');
select is((select game.issue_link_code(tests.player('quinn'), 'WXYZ6789', '2026-01-08 09:10+00') -> 'code'), 'null'::jsonb,
  'issue_link_code: a code another player holds comes back null, to draw again');
select throws_ok($$select game.issue_link_code(tests.player('quinn'), 'ABCDEFG1', '2026-01-08 09:10+00')$$, '22023', null,
  'issue_link_code: 1 (or 0, I, O) is outside the alphabet');
select throws_ok($$select game.issue_link_code('00000000-0000-4000-8000-000000000000', 'ABCDEFGH', '2026-01-08 09:10+00')$$,
  'PNFND', null, 'issue_link_code: an unknown player is PNFND');
select is((select game.consume_link_code('wxyz6789', 777001, 777001, '2026-01-08 09:15+00') ->> 'user_id')::uuid,
  tests.player('lee'), 'consume_link_code: the code binds its player');
select is((select telegram_id from public.users where id = tests.player('lee')), 777001::bigint,
  'consume_link_code: the Telegram account is bound');
select throws_ok($$select game.consume_link_code('WXYZ6789', 777001, 777001, '2026-01-08 09:16+00')$$, 'LNKEX', null,
  'consume_link_code: a code works once');
select is((select game.issue_link_code(tests.player('lee'), 'NPQR2345', '2026-01-08 09:20+00') ->> 'currently_linked'), 'true',
  'issue_link_code: says the account is linked now');
select throws_ok($$select game.consume_link_code('NPQR2345', 777002, 777002, '2026-01-08 09:30+00')$$, 'LNKEX', null,
  'consume_link_code: an expired code is refused');

-- Deleting the Auth user (what auth.admin.deleteUser does) removes every row of that player, keeps the ledger's and
-- the audit trail's rows with their id null, and touches nobody else's. The Telegram and voice inboxes keep their
-- rows unowned too: their keys stop a redelivered update or webhook from being taken for new.
select tests.create_onboarded_player('dee');
select tests.create_onboarded_player('eli');
select tests.seed_player_rows(tests.player('dee'), 9001);
select game.admin_adjust(tests.player('dee'), '{"trust": 1}', 'before the deletion', tests.player('root'), '2026-01-09 09:00+00');
select tests.seed_player_rows(tests.player('eli'), 9002);
select is(
  (select array_agg(format('%s.%s: %s', c.conrelid::regclass, a.attname, c.confdeltype) order by c.conrelid::regclass::text collate "C", a.attname)
   from pg_constraint c join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
   where c.contype = 'f' and c.confrelid in ('public.users'::regclass, 'auth.users'::regclass) and c.confdeltype <> 'c'),
  array['admin_audit_log.admin_id: n', 'admin_audit_log.target_user_id: n', 'private.llm_calls.user_id: n',
    'private.telegram_updates.user_id: n', 'private.voice_events.user_id: n'],
  'every reference to a player cascades, except the audit trail, the ledger and the provider inboxes (set null)');
create temporary table owned (tab text, col text, dee bigint, eli bigint);
create function pg_temp.count_rows(p_tab text, p_col text, p_id uuid) returns bigint language plpgsql as $$
declare v bigint;
begin
  execute format('select count(*) from %s where %I = $1', p_tab, p_col) into v using p_id;
  return v;
end $$;
insert into owned
select c.conrelid::regclass::text, a.attname, 0, 0
from pg_constraint c join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
where c.contype = 'f' and c.confrelid in ('public.users'::regclass, 'auth.users'::regclass);
update owned set dee = pg_temp.count_rows(tab, col, tests.player('dee')), eli = pg_temp.count_rows(tab, col, tests.player('eli'));
create temporary table dee_id as select tests.player('dee') as id;
create temporary table kept_before as select (select count(*) from private.llm_calls) as ledger, (select count(*) from public.admin_audit_log) as audit;
delete from auth.users where id = (select id from dee_id);
select is((select array_agg(tab || '.' || col order by 1) from owned where pg_temp.count_rows(tab, col, (select id from dee_id)) > 0),
  null, 'deletion: no row of the player is left anywhere');
select ok((select bool_and(pg_temp.count_rows(tab, col, tests.player('eli')) = eli) from owned)
  and (select sum(eli) from owned) > 10, 'deletion: every row of the other player is still there');
select results_eq($$select (select count(*) from private.llm_calls), (select count(*) from public.admin_audit_log)$$,
  $$select ledger, audit from kept_before$$, 'deletion: the ledger and the audit trail keep their rows');
select is((select count(*) from public.users where id = (select id from dee_id)), 0::bigint, 'deletion: the player is gone');

select * from finish();
rollback;
