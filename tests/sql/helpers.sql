-- Test helpers, installed into the test database only (after the migrations, never deployed): players
-- created through auth.users (so the real provisioning trigger runs), switching the caller's role and JWT
-- claims the way PostgREST does, fixture rows, and the RLS matrix every table is checked with.
create schema if not exists tap;
create extension if not exists pgtap with schema tap;
create schema if not exists tests;
grant usage on schema tap, tests to anon, authenticated, service_role;

create or replace function tests.create_player(p_name text, p_created_at timestamptz default '2026-01-05 09:00+00')
returns uuid
language sql
volatile
as $$
  insert into auth.users (email, created_at, updated_at)
  values (p_name || '@players.test', p_created_at, p_created_at)
  returning id
$$;

-- SECURITY DEFINER: tests look players up while acting as roles that may not read auth.users.
create or replace function tests.player(p_name text)
returns uuid
language sql
stable
security definer
as $$
  select id from auth.users where email = p_name || '@players.test'
$$;

-- Acts as PostgREST does for a request: role from the JWT, claims in request.jwt.claims (transaction-local).
create or replace function tests.authenticate_as(p_name text, p_app_metadata jsonb default '{}', p_user_metadata jsonb default '{}')
returns void
language plpgsql
volatile
as $$
begin
  perform set_config('request.jwt.claims', jsonb_build_object(
    'sub', tests.player(p_name), 'role', 'authenticated', 'email', p_name || '@players.test',
    'app_metadata', p_app_metadata, 'user_metadata', p_user_metadata)::text, true);
  perform set_config('role', 'authenticated', true);
end
$$;

create or replace function tests.authenticate_as_anon()
returns void
language plpgsql
volatile
as $$
begin
  perform set_config('request.jwt.claims', '{"role": "anon"}', true);
  perform set_config('role', 'anon', true);
end
$$;

create or replace function tests.authenticate_as_service_role()
returns void
language plpgsql
volatile
as $$
begin
  perform set_config('request.jwt.claims', '{"role": "service_role"}', true);
  perform set_config('role', 'service_role', true);
end
$$;

-- Back to the test's own superuser session (SET ROLE is checked against the session user).
create or replace function tests.clear_authentication()
returns void
language plpgsql
volatile
as $$
begin
  perform set_config('request.jwt.claims', '', true);
  perform set_config('role', 'postgres', true);
end
$$;

-- One row per player in every player-owned table that provisioning does not fill.
create or replace function tests.seed_player_rows(p_user_id uuid, p_update_id bigint)
returns void
language plpgsql
volatile
as $$
declare
  v_conversation_id uuid;
begin
  insert into public.engagement_history (user_id, from_state, to_state, reason, calibration_score, created_at)
  values (p_user_id, 'calibrating', 'in_zone', 'high streak', 0.85, '2026-01-05 10:00+00');
  insert into public.user_vice_preferences (user_id, category, engagement_score, intensity_level, discovered_at)
  values (p_user_id, 'dark_humor', 1.5, 0.3, '2026-01-05 10:00+00');
  insert into public.conversations (user_id, platform, started_at, last_message_at, chapter_at_start)
  values (p_user_id, 'telegram', '2026-01-05 10:00+00', '2026-01-05 10:00+00', 1)
  returning id into v_conversation_id;
  insert into public.messages (conversation_id, user_id, role, content, telegram_update_id, created_at)
  values (v_conversation_id, p_user_id, 'player', 'hello', p_update_id, '2026-01-05 10:00+00');
  insert into public.score_history (user_id, score, chapter, event_type, event_details, conversation_id, recorded_at)
  values (p_user_id, 51, 1, 'exchange', '{}', v_conversation_id, '2026-01-05 10:00+00');
  insert into public.daily_summaries (user_id, date, score_start, score_end, summary_text)
  values (p_user_id, '2026-01-05', 50, 51, 'We talked 1 time(s) today.');
  insert into game.memory_facts (user_id, graph_type, fact, source, embedding, conversation_id, fact_hash, created_at)
  values (p_user_id, 'user', 'likes black coffee', 'extraction', array_fill(0.1, array[1536])::extensions.vector,
    v_conversation_id, md5('likes black coffee'), '2026-01-05 10:00+00');
  insert into private.telegram_updates (update_id, chat_id, user_id, kind, payload)
  values (p_update_id, p_update_id, p_user_id, 'message', '{}');
  insert into private.outbox (dedupe_key, user_id, chat_id, kind, text, due_at)
  values ('reply:' || p_update_id || ':1', p_user_id, p_update_id, 'reply', 'hi', '2026-01-05 10:00+00');
  insert into private.llm_calls (user_id, purpose, model, status) values (p_user_id, 'reply', 'claude-sonnet-4-6', 'ok');
  insert into game.boss_fights (user_id, chapter, conversation_id, phase, started_at, phase_started_at, resolved_at)
  values (p_user_id, 1, v_conversation_id, 'resolved', '2026-01-05 10:00+00', '2026-01-05 10:00+00', '2026-01-05 10:05+00');
  insert into game.rate_limits (user_id, minute_refused_at) values (p_user_id, '2026-01-05 10:00+00');
  insert into private.conversation_jobs (conversation_id, user_id, created_at) values (v_conversation_id, p_user_id, '2026-01-05 10:30+00');
  insert into private.telegram_signups (telegram_id, chat_id, state, user_id, expires_at, updated_at)
  values (p_update_id, p_update_id, 'ask_name', p_user_id, '2026-01-05 10:40+00', '2026-01-05 10:30+00');
  insert into private.telegram_link_codes (code, user_id, expires_at)
  values (translate(upper(substr(md5(p_user_id::text), 1, 8)), '01IO', '2345'), p_user_id, '2026-01-05 10:40+00');
end
$$;

-- Runs a statement and reports the SQLSTATE it raised ('' when it succeeded); always rolls it back.
create or replace function tests.attempt(p_sql text)
returns text
language plpgsql
volatile
as $$
begin
  begin
    execute p_sql;
    raise exception using errcode = 'TSTOK';
  exception when others then
    return case when sqlstate = 'TSTOK' then '' else sqlstate end;
  end;
end
$$;

-- True when the statement is refused: no privilege (42501), or a write to a view that cannot take one (55000, which
-- Postgres checks before the privileges).
create or replace function tests.refused(p_sql text)
returns boolean
language sql
volatile
as $$
  select tests.attempt(p_sql) in ('42501', '55000')
$$;

create or replace function tests.visible_rows(p_table regclass, p_owner_column text, p_owner uuid)
returns bigint
language plpgsql
volatile
as $$
declare
  v_count bigint;
begin
  execute format('select count(*) from %s where %I = $1', p_table, p_owner_column) into v_count using p_owner;
  return v_count;
end
$$;

-- The RLS matrix for a player-owned table: anon, player A, player B's rows and service_role, times
-- select/insert/update/delete. p_exposed: a public table players read their own rows of; otherwise a backend
-- table (game, private) no API role but service_role may touch. 10 assertions.
create or replace function tests.rls_matrix(p_table regclass, p_owner_column text, p_exposed boolean,
  p_player_a text, p_player_b text)
returns setof text
language plpgsql
volatile
as $$
declare
  v_a uuid := tests.player(p_player_a);
  v_b uuid := tests.player(p_player_b);
  v_select text := format('select * from %s', p_table);
  v_insert text := format('insert into %s default values', p_table);
  v_update text := format('update %s set %I = %I', p_table, p_owner_column, p_owner_column);
  v_delete text := format('delete from %s', p_table);
  v_own bigint;
  v_all_a bigint := tests.visible_rows(p_table, p_owner_column, v_a);
  v_all_b bigint := tests.visible_rows(p_table, p_owner_column, v_b);
begin
  perform tests.authenticate_as_anon();
  return next tap.is(tests.attempt(v_select), '42501', format('%s: anon cannot select', p_table));
  return next tap.is(tests.attempt(v_insert), '42501', format('%s: anon cannot insert', p_table));
  return next tap.is(tests.attempt(v_update), '42501', format('%s: anon cannot update', p_table));
  return next tap.is(tests.attempt(v_delete), '42501', format('%s: anon cannot delete', p_table));

  perform tests.authenticate_as(p_player_a);
  if p_exposed then
    v_own := tests.visible_rows(p_table, p_owner_column, v_a);
    return next tap.ok(v_own = v_all_a and v_own > 0, format('%s: player A selects own rows (%s of %s)', p_table, v_own, v_all_a));
    return next tap.is(tests.visible_rows(p_table, p_owner_column, v_b), 0::bigint,
      format('%s: player A sees none of player B''s rows', p_table));
  else
    return next tap.is(tests.attempt(v_select), '42501', format('%s: player A cannot select', p_table));
    return next tap.is(tests.attempt(format('select * from %s where %I = %L', p_table, p_owner_column, v_b)), '42501',
      format('%s: player A cannot select player B''s rows', p_table));
  end if;
  return next tap.is(tests.attempt(v_insert), '42501', format('%s: player A cannot insert', p_table));
  return next tap.is(tests.attempt(v_update), '42501', format('%s: player A cannot update', p_table));
  return next tap.is(tests.attempt(v_delete), '42501', format('%s: player A cannot delete', p_table));

  perform tests.authenticate_as_service_role();
  return next tap.ok(
    tests.visible_rows(p_table, p_owner_column, v_a) = v_all_a and tests.visible_rows(p_table, p_owner_column, v_b) = v_all_b
      and tests.attempt(format('delete from %s where %I = %L', p_table, p_owner_column, v_b)) = '',
    format('%s: service_role selects every player''s rows and may delete', p_table));
  perform tests.clear_authentication();
end
$$;

-- The matrix for what players read and nobody writes through the API (the portal's views, the audit log): anon,
-- player A, player B's rows, an admin (app_metadata.role = admin) and service_role, times select/insert/update/
-- delete. p_own_rows: player A reads their own rows (a view) or none at all (admins only). 15 assertions.
create or replace function tests.rls_matrix_read(p_relation regclass, p_owner_column text, p_own_rows boolean,
  p_player_a text, p_player_b text)
returns setof text
language plpgsql
volatile
as $$
declare
  v_a uuid := tests.player(p_player_a);
  v_b uuid := tests.player(p_player_b);
  v_insert text := format('insert into %s default values', p_relation);
  v_update text := format('update %s set %I = %I', p_relation, p_owner_column, p_owner_column);
  v_delete text := format('delete from %s', p_relation);
  v_all_a bigint := tests.visible_rows(p_relation, p_owner_column, v_a);
  v_all_b bigint := tests.visible_rows(p_relation, p_owner_column, v_b);
  v_own bigint;
begin
  perform tests.authenticate_as_anon();
  return next tap.ok(tests.refused(format('select * from %s', p_relation)), format('%s: anon cannot select', p_relation));
  return next tap.ok(tests.refused(v_insert), format('%s: anon cannot insert', p_relation));
  return next tap.ok(tests.refused(v_update), format('%s: anon cannot update', p_relation));
  return next tap.ok(tests.refused(v_delete), format('%s: anon cannot delete', p_relation));

  perform tests.authenticate_as(p_player_a);
  v_own := tests.visible_rows(p_relation, p_owner_column, v_a);
  if p_own_rows then
    return next tap.ok(v_own = v_all_a and v_own > 0, format('%s: player A selects own rows (%s of %s)', p_relation, v_own, v_all_a));
  else
    return next tap.ok(v_own = 0 and v_all_a > 0, format('%s: player A reads none, not even rows about them (%s of %s)', p_relation, v_own, v_all_a));
  end if;
  return next tap.is(tests.visible_rows(p_relation, p_owner_column, v_b), 0::bigint,
    format('%s: player A sees none of player B''s rows', p_relation));
  return next tap.ok(tests.refused(v_insert), format('%s: player A cannot insert', p_relation));
  return next tap.ok(tests.refused(v_update), format('%s: player A cannot update', p_relation));
  return next tap.ok(tests.refused(v_delete), format('%s: player A cannot delete', p_relation));

  perform tests.authenticate_as(p_player_b, '{"role": "admin"}');
  return next tap.ok(
    tests.visible_rows(p_relation, p_owner_column, v_a) = v_all_a and tests.visible_rows(p_relation, p_owner_column, v_b) = v_all_b
      and v_all_a > 0 and v_all_b > 0,
    format('%s: an admin selects every player''s rows', p_relation));
  return next tap.ok(tests.refused(v_insert), format('%s: an admin cannot insert', p_relation));
  return next tap.ok(tests.refused(v_update), format('%s: an admin cannot update', p_relation));
  return next tap.ok(tests.refused(v_delete), format('%s: an admin cannot delete', p_relation));

  perform tests.authenticate_as_service_role();
  return next tap.ok(
    tests.visible_rows(p_relation, p_owner_column, v_a) = v_all_a and tests.visible_rows(p_relation, p_owner_column, v_b) = v_all_b,
    format('%s: service_role selects every player''s rows', p_relation));
  return next tap.ok(tests.refused(v_update), format('%s: service_role cannot update', p_relation));
  perform tests.clear_authentication();
end
$$;

-- The matrix for a backend table without an owner column: only service_role gets in. 9 assertions.
create or replace function tests.rls_matrix_backend(p_table regclass, p_key_column text)
returns setof text
language plpgsql
volatile
as $$
declare
  v_role text;
begin
  foreach v_role in array array['anon', 'authenticated'] loop
    perform set_config('role', v_role, true);
    return next tap.is(tests.attempt(format('select * from %s', p_table)), '42501', format('%s: %s cannot select', p_table, v_role));
    return next tap.is(tests.attempt(format('insert into %s default values', p_table)), '42501', format('%s: %s cannot insert', p_table, v_role));
    return next tap.is(tests.attempt(format('update %s set %I = %I', p_table, p_key_column, p_key_column)), '42501', format('%s: %s cannot update', p_table, v_role));
    return next tap.is(tests.attempt(format('delete from %s', p_table)), '42501', format('%s: %s cannot delete', p_table, v_role));
  end loop;
  perform tests.authenticate_as_service_role();
  return next tap.is(tests.attempt(format('select * from %s', p_table)), '', format('%s: service_role may select', p_table));
  perform tests.clear_authentication();
end
$$;

-- A player who finished onboarding at p_at, in p_timezone; the game starts at p_at.
create or replace function tests.create_onboarded_player(p_name text, p_at timestamptz default '2026-01-05 09:00+00',
  p_timezone text default 'UTC')
returns uuid
language plpgsql
volatile
as $$
declare
  v_id uuid := tests.create_player(p_name, p_at);
begin
  update public.users set onboarding_status = 'completed', onboarded_at = p_at, timezone = p_timezone,
    display_name = initcap(p_name), telegram_id = abs(hashtext(p_name)), telegram_chat_id = abs(hashtext(p_name))
  where id = v_id;
  return v_id;
end
$$;

-- The analyzer's judgment with the given deltas; p_extra adds or overrides fields.
create or replace function tests.analysis(p_intimacy numeric, p_passion numeric, p_trust numeric, p_secureness numeric,
  p_extra jsonb default '{}')
returns jsonb
language sql
immutable
as $$
  select jsonb_build_object(
    'deltas', jsonb_build_object('intimacy', p_intimacy, 'passion', p_passion, 'trust', p_trust, 'secureness', p_secureness),
    'behaviors', '[]'::jsonb, 'repair', jsonb_build_object('attempted', false, 'quality', null),
    'vice_signals', '[]'::jsonb, 'language', jsonb_build_object('needy', 0, 'distracted', 0), 'confidence', 0.9) || p_extra
$$;

-- Sets the four metrics and the derived score together, as every engine mutation does.
create or replace function tests.set_metrics(p_user_id uuid, p_intimacy numeric, p_passion numeric, p_trust numeric,
  p_secureness numeric)
returns void
language plpgsql
volatile
as $$
begin
  update public.users set intimacy = p_intimacy, passion = p_passion, trust = p_trust, secureness = p_secureness,
    relationship_score = game.score_of(game.tunables_json(), p_intimacy, p_passion, p_trust, p_secureness)
  where id = p_user_id;
end
$$;

create or replace function tests.score(p_user_id uuid)
returns numeric
language sql
stable
as $$
  select relationship_score from public.users where id = p_user_id
$$;

create or replace function tests.metrics(p_user_id uuid)
returns numeric[]
language sql
stable
as $$
  select array[intimacy, passion, trust, secureness] from public.user_metrics where user_id = p_user_id
$$;

-- A Telegram message in the player's open conversation (opened if none), as the turn stores them.
create or replace function tests.message(p_user_id uuid, p_role text, p_at timestamptz, p_content text default 'a message of fifty characters, give or take, right?')
returns bigint
language plpgsql
volatile
as $$
declare
  v_conversation_id uuid;
  v_id bigint;
begin
  select id into v_conversation_id from public.conversations
  where user_id = p_user_id and platform = 'telegram' and status = 'open';
  if not found then
    insert into public.conversations (user_id, platform, started_at, last_message_at, chapter_at_start)
    values (p_user_id, 'telegram', p_at, p_at, 1) returning id into v_conversation_id;
  end if;
  insert into public.messages (conversation_id, user_id, role, content, created_at)
  values (v_conversation_id, p_user_id, p_role, p_content, p_at) returning id into v_id;
  return v_id;
end
$$;

-- Puts the player in a boss encounter started at p_at; her opening counts as delivered at p_at unless
-- p_opening_sent is false (then the phases wait for its delivery).
create or replace function tests.start_boss(p_user_id uuid, p_at timestamptz, p_opening_sent boolean default true)
returns jsonb
language plpgsql
volatile
as $$
declare
  v_user public.users;
  v_started jsonb;
begin
  select * into v_user from public.users where id = p_user_id for update;
  v_started := game.start_boss(v_user, game.tunables_json(), p_at);
  if p_opening_sent then
    update game.boss_fights set opening_sent_at = p_at where id = (v_started ->> 'boss_fight_id')::uuid;
  end if;
  return v_started;
end
$$;

grant execute on all functions in schema tests to anon, authenticated, service_role;
