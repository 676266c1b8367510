-- The one client write: a player changes their timezone and notification flag, nothing else, only their own.
begin;
select plan(18);

select tests.create_player('dora');
select tests.create_player('eve');

select tests.authenticate_as('dora');
select is(public.update_settings('Europe/Berlin', false),
  '{"timezone": "Europe/Berlin", "notifications_enabled": false}'::jsonb, 'update_settings returns the new settings');
select is((select timezone from public.users), 'Europe/Berlin', 'the timezone is stored');
select is((select notifications_enabled from public.users), false, 'the notification flag is stored');
select is(public.update_settings(null, true), '{"timezone": "Europe/Berlin", "notifications_enabled": true}'::jsonb,
  'a null argument leaves that setting unchanged');
select throws_ok($$select public.update_settings('Mars/Olympus_Mons')$$, 'TZINV', 'unknown timezone: Mars/Olympus_Mons',
  'an unknown timezone raises TZINV');
select is((select timezone from public.users), 'Europe/Berlin', 'and changes nothing');
-- A direct PATCH may touch the two settings of the own row only.
select is(tests.attempt($$update public.users set relationship_score = 100$$), '42501', 'a player cannot write the score');
select is(tests.attempt($$update public.users set chapter = 5, game_status = 'won'$$), '42501', 'a player cannot write the chapter or status');
update public.users set notifications_enabled = false where id = tests.player('eve');
select tests.clear_authentication();
select is((select notifications_enabled from public.users where id = tests.player('eve')), true,
  'a player''s update of another player''s row changes nothing');

select tests.authenticate_as_anon();
select is(tests.attempt($$select public.update_settings('UTC')$$), '42501', 'anon cannot call update_settings');
select tests.clear_authentication();

-- The timezone check guards every writer, service_role included.
select tests.authenticate_as_service_role();
select is(tests.attempt(format('update public.users set timezone = %L where id = %L', 'Nowhere/Land', tests.player('eve'))), 'TZINV',
  'the backend cannot store an unknown timezone either');
select is(tests.attempt(format('update public.users set timezone = %L where id = %L', 'Asia/Tokyo', tests.player('eve'))), '',
  'the backend can store a known one');
select tests.clear_authentication();

-- The check reads every zone Postgres has, so it runs only when the zone changes to one other than UTC; the
-- calls are counted with the transaction's function stats.
set local track_functions = 'pl';
create function pg_temp.timezone_checks() returns bigint language sql as $$
  select coalesce(sum(calls), 0) from pg_catalog.pg_stat_xact_user_functions
  where schemaname = 'private' and funcname = 'check_user_timezone'
$$;
select tests.authenticate_as('dora');
select is(public.update_settings(null, false), '{"timezone": "Europe/Berlin", "notifications_enabled": false}'::jsonb,
  'a settings change that keeps the timezone succeeds');
select public.update_settings('Europe/Berlin');
select is(public.update_settings('UTC'), '{"timezone": "UTC", "notifications_enabled": false}'::jsonb,
  'changing to UTC succeeds');
select tests.clear_authentication();
select is(pg_temp.timezone_checks(), 0::bigint, 'keeping, rewriting or changing to UTC does not look the zone up');
select tests.authenticate_as('dora');
select throws_ok($$select public.update_settings('Nowhere/Land')$$, 'TZINV', 'unknown timezone: Nowhere/Land',
  'a change from UTC to an unknown timezone raises TZINV');
select is(public.update_settings('Asia/Kolkata'), '{"timezone": "Asia/Kolkata", "notifications_enabled": false}'::jsonb,
  'a change to a known timezone succeeds');
select tests.clear_authentication();
select is(pg_temp.timezone_checks(), 1::bigint,
  'that change looked its zone up, once (the rolled-back attempt''s count is discarded with it)');

select * from finish();
rollback;
