-- The hourly cleanup (PLATFORM.md §5.2): each age rule at its edge (one second past the age goes, the age itself
-- stays), what is never deleted whatever its age, the counts per table, and the cap of 10,000 rows per table per run.
-- The inbox and the outbox are left to retention (182-retention.test.sql). The clock is 2026-06-01 12:00 UTC, before
-- any row the build itself wrote.
begin;
select plan(27);

select tests.create_player('owner', '2026-05-01 00:00+00') as owner \gset
update auth.users set email_confirmed_at = '2026-05-01 00:05+00' where id = :'owner';

-- Signups: an unverified one expired at the clock goes; one expiring a second later stays; a verified one (an
-- onboarding in progress) stays however stale.
insert into private.telegram_signups (telegram_id, chat_id, state, user_id, expires_at, updated_at) values
  (1001, 1001, 'awaiting_email', null, '2026-06-01 12:00+00', '2026-06-01 11:50+00'),
  (1002, 1002, 'code_sent', null, '2026-06-01 12:00:01+00', '2026-06-01 11:50:01+00'),
  (1003, 1003, 'ask_name', :'owner', '2026-05-20 12:00+00', '2026-05-20 11:50+00');
-- Link codes: expired at the clock goes; a second later stays.
insert into private.telegram_link_codes (code, user_id, expires_at) values
  ('AAAAAAAA', :'owner', '2026-06-01 12:00+00'),
  ('BBBBBBBB', :'owner', '2026-06-01 12:00:01+00');
-- Inbox and outbox rows of any age: retention's, never the cleanup's.
insert into private.telegram_updates (update_id, chat_id, kind, payload, status, received_at) values
  (2001, 1, 'message', '{}', 'done', '2026-01-01 00:00+00');
insert into private.outbox (dedupe_key, user_id, chat_id, kind, text, due_at, status, sent_at, created_at) values
  ('cleanup:1', :'owner', 1, 'reply', 'old', '2026-01-01 00:00+00', 'sent', '2026-01-01 00:00+00', '2026-01-01 00:00+00');
-- Tool calls: older than 2 days go.
insert into private.voice_sessions (session_id, user_id, direction, call_sid, issued_at, status) values
  ('00000000-0000-0000-0000-00000000c0de', :'owner', 'inbound', 'CA-cleanup', '2026-05-01 00:00+00', 'ended');
insert into private.tool_calls (idempotency_key, session_id, tool, request_hash, response, created_at) values
  ('k-old', '00000000-0000-0000-0000-00000000c0de', 'get_memory', 'h', '{}', '2026-05-30 11:59:59+00'),
  ('k-edge', '00000000-0000-0000-0000-00000000c0de', 'get_memory', 'h', '{}', '2026-05-30 12:00+00');
-- Job runs: started more than 30 days ago go.
insert into private.job_runs (job, started_at, status) values
  ('cleanup-old', '2026-05-02 11:59:59+00', 'done'),
  ('cleanup-edge', '2026-05-02 12:00+00', 'done');
-- pg_cron's run log: ended more than 7 days ago goes.
insert into cron.job_run_details (jobid, runid, command, status, start_time, end_time) values
  (9999, 900000001, 'select 1', 'succeeded', '2026-05-25 11:59:58+00', '2026-05-25 11:59:59+00'),
  (9999, 900000002, 'select 1', 'succeeded', '2026-05-25 11:59:59+00', '2026-05-25 12:00+00');
-- Auth users: unconfirmed, never bound nor onboarded, older than 24 h, go; at 24 h, confirmed, bound to Telegram
-- or onboarded they stay.
select tests.create_player('abandoned', '2026-05-31 11:59:59+00') as abandoned \gset
select tests.create_player('fresh', '2026-05-31 12:00+00') as fresh \gset
select tests.create_player('confirmed', '2026-05-01 00:00+00') as confirmed \gset
update auth.users set email_confirmed_at = '2026-05-01 00:05+00' where id = :'confirmed';
select tests.create_player('bound', '2026-05-01 00:00+00') as bound \gset
update public.users set telegram_id = 424242, telegram_chat_id = 424242 where id = :'bound';
select tests.create_player('onboarded', '2026-05-01 00:00+00') as onboarded \gset
update public.users set onboarding_status = 'completed', onboarded_at = '2026-05-01 00:10+00' where id = :'onboarded';

select is(game.cleanup('2026-06-01 12:00+00'),
  '{"telegram_signups": 1, "telegram_link_codes": 1, "tool_calls": 1, "job_runs": 1, "cron_job_run_details": 1,
    "auth_users": 1}'::jsonb,
  'one row per table past its age, counted per table');

select is((select array_agg(telegram_id order by 1) from private.telegram_signups), array[1002, 1003]::bigint[],
  'signups: the unverified one expired at the clock is gone');
select ok(exists (select 1 from private.telegram_signups where telegram_id = 1002), 'an unverified signup expiring a second later stays');
select ok(exists (select 1 from private.telegram_signups where telegram_id = 1003), 'a verified signup in onboarding stays, expired or not');
select is((select array_agg(code) from private.telegram_link_codes), array['BBBBBBBB'], 'link codes: the expired one is gone, the live one stays');
select ok(exists (select 1 from private.telegram_updates where update_id = 2001), 'an old done inbox row is left to retention');
select ok(exists (select 1 from private.outbox where dedupe_key = 'cleanup:1'), 'an old sent outbox row is left to retention');
select is((select array_agg(idempotency_key) from private.tool_calls), array['k-edge'], 'tool calls: older than 2 days gone, 2 days stays');
select is((select array_agg(job order by 1) from private.job_runs where job like 'cleanup-%'), array['cleanup-edge'],
  'job runs: started more than 30 days ago gone, exactly 30 days stays');
select is((select array_agg(runid) from cron.job_run_details where jobid = 9999), array[900000002]::bigint[],
  'cron run details: ended more than 7 days ago gone, exactly 7 days stays');
select ok(not exists (select 1 from auth.users where id = :'abandoned'), 'an unconfirmed, unbound user of 24 h and a second is gone');
select ok(not exists (select 1 from public.users where id = :'abandoned'), 'with its player row');
select ok(exists (select 1 from auth.users where id = :'fresh'), 'one of exactly 24 h stays');
select ok(exists (select 1 from auth.users where id = :'confirmed'), 'a confirmed user stays');
select ok(exists (select 1 from auth.users where id = :'bound'), 'an unconfirmed user bound to Telegram stays');
select ok(exists (select 1 from auth.users where id = :'onboarded'), 'an unconfirmed user who onboarded stays');
select ok(exists (select 1 from auth.users where id = :'owner'), 'the owner of the codes and calls stays');

select is(game.cleanup('2026-06-01 12:00+00'),
  '{"telegram_signups": 0, "telegram_link_codes": 0, "tool_calls": 0, "job_runs": 0, "cron_job_run_details": 0,
    "auth_users": 0}'::jsonb, 'a second run at the same clock deletes nothing');

-- One second later each edge row has passed its age.
select is(game.cleanup('2026-06-01 12:00:01+00'),
  '{"telegram_signups": 1, "telegram_link_codes": 1, "tool_calls": 1, "job_runs": 1, "cron_job_run_details": 1,
    "auth_users": 1}'::jsonb,
  'a second later every edge row goes');
select is((select count(*)::int from private.telegram_signups where telegram_id = 1003), 1, 'the verified signup still stays');
select is((select count(*)::int from auth.users where id in (:'confirmed', :'bound', :'onboarded', :'owner')), 4,
  'confirmed, bound and onboarded users still stay');
select ok(exists (select 1 from private.voice_sessions where session_id = '00000000-0000-0000-0000-00000000c0de'),
  'the session of the deleted tool calls is kept');

-- The cap: 10,001 old job runs take two runs, 10,000 then 1; the younger ones are never touched.
insert into private.job_runs (job, started_at, status)
select 'cleanup-bulk', '2026-01-01 00:00+00'::timestamptz + n * interval '1 second', 'done' from generate_series(1, 10001) n;
insert into private.job_runs (job, started_at, status) values ('cleanup-young', '2026-05-15 00:00+00', 'done');
select is((game.cleanup('2026-06-01 13:00+00') ->> 'job_runs')::int, 10000, 'at most 10,000 rows of a table per run');
select is((select count(*)::int from private.job_runs where job = 'cleanup-bulk'), 1, 'one left for the next run');
select is((game.cleanup('2026-06-01 14:00+00') ->> 'job_runs')::int, 1, 'the next run takes the rest');
select is((select count(*)::int from private.job_runs where job = 'cleanup-young'), 1, 'a run younger than 30 days stays');
update game.tunables set value = '2' where name = 'cleanup_batch_max';
insert into private.job_runs (job, started_at, status) select 'cleanup-tuned', '2026-01-01 00:00+00', 'done' from generate_series(1, 3);
select is((game.cleanup('2026-06-01 15:00+00') ->> 'job_runs')::int, 2, 'the cap is the cleanup_batch_max tunable');

select * from finish();
rollback;
