-- An auth.users insert provisions the player: users (with its four metrics at 50, read as user_metrics) and
-- engagement_state (calibrating), with the starting values of GAME_RULES.md §1.
begin;
select plan(27);

select tests.create_player('carol', '2026-03-01 12:00+00');

select is((select count(*) from public.users where id = tests.player('carol')), 1::bigint, 'a users row is created');
select is((select chapter from public.users where id = tests.player('carol')), 1::smallint, 'chapter starts at 1');
select is((select relationship_score from public.users where id = tests.player('carol')), 50.0000::numeric, 'score starts at 50');
select is((select boss_attempts from public.users where id = tests.player('carol')), 0::smallint, 'boss attempts start at 0');
select is((select game_status from public.users where id = tests.player('carol')), 'active', 'status starts active');
select is((select days_played from public.users where id = tests.player('carol')), 0, 'days played starts at 0');
select is((select timezone from public.users where id = tests.player('carol')), 'UTC', 'timezone is UTC until set');
select is((select onboarding_status from public.users where id = tests.player('carol')), 'pending', 'onboarding is pending');
select is((select game_started_at from public.users where id = tests.player('carol')), '2026-03-01 12:00+00'::timestamptz,
  'game_started_at is the provisioning time');
select ok((select last_interaction_at is null and cool_down_until is null and decay_through is null
           from public.users where id = tests.player('carol')), 'no interaction, cooldown or decay watermark yet');
select results_eq(
  $$select intimacy, passion, trust, secureness from public.user_metrics where user_id = tests.player('carol')$$,
  $$values (50.0000::numeric, 50.0000::numeric, 50.0000::numeric, 50.0000::numeric)$$,
  'the four metrics start at 50');
select results_eq(
  $$select state, high_streak + low_streak + recovery_streak + clingy_days + distant_days + non_clingy_days + out_of_zone_days
    from public.engagement_state where user_id = tests.player('carol')$$,
  $$values ('calibrating'::text, 0)$$,
  'engagement starts calibrating with every counter at 0');

-- Provisioning is idempotent per user and deleting the Auth user removes every player row.
select has_function('game', 'provision_player', 'the trigger function exists');
select tests.seed_player_rows(tests.player('carol'), 3003);
select tests.player('carol') as carol \gset
delete from auth.users where id = :'carol';
select is((select count(*) from public.users where id = :'carol'), 0::bigint, 'deleting the Auth user deletes the player');
select is((select count(*) from public.score_history where user_id = :'carol')
        + (select count(*) from public.user_metrics where user_id = :'carol')
        + (select count(*) from public.messages where user_id = :'carol'), 0::bigint,
  'and their metrics, history and messages, by cascade');

-- score_history has no foreign keys (14_scores.sql): its triggers do what the keys' actions did, also when Auth's own
-- role deletes the user, and only for the rows of the deleted player or conversation.
select tests.create_player('dave') as dave \gset
select tests.create_player('erin') as erin \gset
select tests.seed_player_rows(:'dave', 3004);
select tests.seed_player_rows(:'erin', 3005);
set local role supabase_auth_admin;
delete from auth.users where id = :'dave';
reset role;
select is((select count(*) from public.score_history where user_id = :'dave'), 0::bigint,
  'deleting a player as Auth''s role removes their score_history rows');
select is((select count(*) from public.score_history where user_id = :'erin' and conversation_id is not null), 1::bigint,
  'and leaves another player''s rows');
delete from public.conversations where user_id = :'erin';
select is((select count(*) from public.score_history where user_id = :'erin' and conversation_id is null), 1::bigint,
  'deleting a conversation keeps its score_history row and clears conversation_id');

-- Nobody calls the SECURITY DEFINER function directly.
select ok(not has_function_privilege('anon', 'game.provision_player()', 'execute'), 'anon cannot execute provision_player');
select ok(not has_function_privilege('authenticated', 'game.provision_player()', 'execute'), 'authenticated cannot execute provision_player');
select ok(not has_function_privilege('service_role', 'game.provision_player()', 'execute'), 'service_role cannot execute provision_player');
select trigger_is('auth', 'users', 'on_auth_user_created', 'game', 'provision_player', 'the trigger on auth.users calls game.provision_player');

-- The timezone rule on insert: an unknown zone raises TZINV; a known one is stored. The check reads every zone
-- Postgres has, so a signup (timezone 'UTC') must not call it: counted with the transaction's function stats.
set local track_functions = 'pl';
create function pg_temp.timezone_checks() returns bigint language sql as $$
  select coalesce(sum(calls), 0) from pg_catalog.pg_stat_xact_user_functions
  where schemaname = 'private' and funcname = 'check_user_timezone'
$$;
select tests.create_player('frank', '2026-03-01 12:00+00');
select is(pg_temp.timezone_checks(), 0::bigint, 'a signup (timezone UTC) does not look its timezone up');
select tests.player('frank') as frank \gset
delete from public.users where id = :'frank';
select is(tests.attempt(format($$insert into public.users (id, game_started_at, timezone)
    values (%L, '2026-03-01 12:00+00', 'Mars/Olympus_Mons')$$, :'frank')), 'TZINV',
  'inserting a player with an unknown timezone raises TZINV');
select is((select count(*) from public.users where id = :'frank'), 0::bigint, 'and stores no row');
select is(tests.attempt(format($$insert into public.users (id, game_started_at, timezone)
    values (%L, '2026-03-01 12:00+00', 'America/Sao_Paulo')$$, :'frank')), '',
  'a player with a known timezone is inserted');
select is(pg_temp.timezone_checks(), 1::bigint,
  'that insert looked its zone up, once (the rolled-back attempt''s count is discarded with it)');

select * from finish();
rollback;
