-- Benchmark fixtures, loaded into the throwaway bench database only (never a migration): deterministic player
-- ids, bulk seeding, a reset between runs, and the row-by-row decay that game.apply_decay is compared with.
create schema if not exists bench;

-- Player n has a fixed id, so a pgbench script can name a player without a lookup. No SET clause, so the call is
-- inlined: a SQL function that is not inlined is parsed again on every call (~40 µs), which would pad the
-- exchange's floor and every other pgbench figure alike.
create or replace function bench.player_id(p_n bigint)
returns uuid
language sql
immutable
as $$
  select ('00000000-0000-4000-8000-' || pg_catalog.lpad(pg_catalog.to_hex(p_n), 12, '0'))::uuid
$$;

-- Players p_from..p_to, onboarded, last seen 20 h before p_now. The provisioning trigger works one row at a time
-- and the timezone check scans pg_timezone_names per row, so a bulk load writes the rows the trigger would
-- write itself, with triggers (and FK checks) off for this function only (replica role).
create or replace function bench.seed_players(p_from bigint, p_to bigint, p_now timestamptz)
returns bigint
language plpgsql
volatile
set search_path = ''
set session_replication_role = replica
as $$
declare
  v_rows bigint;
begin
  insert into auth.users (id, email, created_at, updated_at)
  select bench.player_id(n), 'bench-' || n || '@players.test', p_now - interval '30 days', p_now - interval '30 days'
  from pg_catalog.generate_series(p_from, p_to) n;
  get diagnostics v_rows = row_count;
  insert into public.users (id, game_started_at, timezone, onboarding_status, onboarded_at, last_interaction_at,
    created_at, updated_at, metrics_updated_at)
  select bench.player_id(n), p_now - interval '30 days', 'UTC', 'completed', p_now - interval '30 days',
    p_now - interval '20 hours', p_now - interval '30 days', p_now - interval '30 days', p_now - interval '30 days'
  from pg_catalog.generate_series(p_from, p_to) n;
  insert into public.engagement_state (user_id, updated_at)
  select bench.player_id(n), p_now - interval '30 days' from pg_catalog.generate_series(p_from, p_to) n;
  insert into game.conflict_state (user_id)
  select bench.player_id(n) from pg_catalog.generate_series(p_from, p_to) n;
  return v_rows;
end
$$;

-- Guards the bulk load against drift: a player made by the real trigger must own rows in exactly the tables a
-- seeded player owns. Raises with the table names when provisioning gained (or lost) a table.
create or replace function bench.check_seed_matches_trigger()
returns void
language plpgsql
volatile
set search_path = ''
as $$
declare
  v_probe uuid;
  v_seeded uuid := bench.player_id(1);
  v_tab record;
  v_a bigint;
  v_b bigint;
  v_diff text[] := '{}';
begin
  insert into auth.users (email) values ('bench-probe@players.test') returning id into v_probe;
  for v_tab in
    select c.conrelid::regclass as tab, a.attname as col
    from pg_catalog.pg_constraint c
    join pg_catalog.pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
    where c.contype = 'f' and c.confrelid in ('public.users'::regclass, 'auth.users'::regclass)
      and pg_catalog.array_length(c.conkey, 1) = 1
  loop
    execute pg_catalog.format('select count(*) from %s where %I = $1', v_tab.tab, v_tab.col) into v_a using v_probe;
    execute pg_catalog.format('select count(*) from %s where %I = $1', v_tab.tab, v_tab.col) into v_b using v_seeded;
    if v_a <> v_b then
      v_diff := v_diff || pg_catalog.format('%s (trigger %s, seed %s)', v_tab.tab, v_a, v_b);
    end if;
  end loop;
  delete from auth.users where id = v_probe;
  if pg_catalog.cardinality(v_diff) > 0 then
    raise exception 'bench seed is out of date with provisioning: %', pg_catalog.array_to_string(v_diff, ', ');
  end if;
end
$$;

-- Puts every player back to the seeded state (metrics 50, no decay accounted, last seen 20 h before p_now),
-- so the set-based run and the loop start from the same rows and do the same work.
create or replace function bench.reset_players(p_now timestamptz)
returns void
language plpgsql
volatile
set search_path = ''
as $$
begin
  update public.users
  set relationship_score = 50, chapter = 1, game_status = 'active', game_over_reason = null, boss_attempts = 0,
    boss_fight_started_at = null, cool_down_until = null, last_interaction_at = p_now - interval '20 hours',
    decay_through = null, decay_day = null, decay_day_amount = 0, last_decay_warning_at = null,
    vulnerability_exchanges = 0, intimacy = 50, passion = 50, trust = 50, secureness = 50;
  truncate public.score_history, bench.decay_floor_history;
end
$$;

-- The floor game.apply_decay is measured against: the least any decay pass must write per player, with no rule
-- evaluated. One update of the player row's columns decay changes (score, watermark, ledger, updated_at) and one
-- narrow history row (player, score, amount, time) in a table with one index and no foreign key. The bench's
-- amount is fixed (9.6: 12 overdue hours of chapter 1), so the floor does the same work as the pass.
create table if not exists bench.decay_floor_history (
  user_id uuid not null,
  score numeric(7, 4) not null,
  amount numeric(7, 4) not null,
  recorded_at timestamptz not null
);
create index if not exists decay_floor_history_user_recorded_idx on bench.decay_floor_history (user_id, recorded_at desc);

create or replace function bench.decay_floor(p_now timestamptz)
returns jsonb
language sql
volatile
set search_path = ''
as $$
  with written as (
    update public.users u
    set relationship_score = u.relationship_score - 9.6, decay_through = p_now,
      decay_day = (p_now at time zone 'UTC')::date, decay_day_amount = 9.6, updated_at = p_now
    where u.game_status = 'active' and u.last_interaction_at is not null
    returning u.id, u.relationship_score
  ),
  history as (
    insert into bench.decay_floor_history (user_id, score, amount, recorded_at)
    select w.id, w.relationship_score, 9.6, p_now from written w
    returning 1
  )
  select pg_catalog.jsonb_build_object('decayed', (select count(*) from history))
$$;

-- The baseline: the decay rule of GAME_RULES.md §7.2, one player at a time, with single-row UPDATEs and one
-- score_history INSERT per decayed player; what a straightforward loop costs beside the set-based statement.
-- Outbox messages for warnings are not queued: the bench data never crosses a warning threshold.
create or replace function bench.decay_loop(p_now timestamptz)
returns jsonb
language plpgsql
volatile
set search_path = ''
as $$
declare
  v_t jsonb := game.tunables_json();
  v_today date := (p_now at time zone 'UTC')::date;
  r record;
  v_from timestamptz;
  v_day date;
  v_day_start timestamptz;
  v_part numeric;
  v_total numeric;
  v_ledger_day date;
  v_ledger numeric;
  v_m public.users;
  v_after numeric;
  v_warn boolean;
  n_decayed integer := 0;
  n_over integer := 0;
  n_warn integer := 0;
begin
  for r in
    select u.id, u.chapter, u.relationship_score, u.decay_through, u.decay_day, u.decay_day_amount,
      u.last_decay_warning_at, u.last_interaction_at + c.decay_grace_hours * interval '1 hour' as overdue_from,
      c.decay_per_hour, c.decay_daily_cap
    from public.users u
    join public.chapters c on c.chapter = u.chapter
    where u.game_status = 'active' and u.last_interaction_at is not null
  loop
    v_from := greatest(r.decay_through, r.overdue_from); -- greatest() ignores a null watermark
    continue when p_now <= v_from;
    -- Σ over the UTC days the interval touches of min(rate × hours that day, cap − already applied that day).
    v_total := 0;
    v_ledger_day := r.decay_day;
    v_ledger := r.decay_day_amount;
    v_day := (v_from at time zone 'UTC')::date;
    while v_day <= v_today loop
      v_day_start := v_day::timestamp at time zone 'UTC';
      if v_ledger_day is distinct from v_day then
        v_ledger_day := v_day;
        v_ledger := 0;
      end if;
      v_part := round(greatest(least(
        r.decay_per_hour * extract(epoch from least(p_now, v_day_start + interval '1 day') - greatest(v_from, v_day_start)) / 3600,
        r.decay_daily_cap - v_ledger), 0), 4);
      v_total := v_total + v_part;
      v_ledger := v_ledger + v_part;
      v_day := v_day + 1;
    end loop;
    if v_total = 0 then
      update public.users set decay_through = p_now, decay_day = v_ledger_day, decay_day_amount = v_ledger
      where id = r.id;
      continue;
    end if;
    update public.users
    set intimacy = greatest(intimacy - v_total, 0), passion = greatest(passion - v_total, 0),
      trust = greatest(trust - v_total, 0), secureness = greatest(secureness - v_total, 0), metrics_updated_at = p_now
    where id = r.id
    returning * into v_m;
    v_after := game.score_of(v_t, v_m.intimacy, v_m.passion, v_m.trust, v_m.secureness);
    if v_total >= r.relationship_score then
      update public.users set intimacy = 0, passion = 0, trust = 0, secureness = 0 where id = r.id;
      v_after := 0;
    end if;
    v_warn := v_after > 0 and r.relationship_score >= 40 and v_after < 40
      and (r.last_decay_warning_at is null or r.last_decay_warning_at <= p_now - interval '24 hours');
    update public.users
    set relationship_score = v_after, decay_through = p_now, decay_day = v_ledger_day, decay_day_amount = v_ledger,
      game_status = case when v_after = 0 then 'game_over' else game_status end,
      game_over_reason = case when v_after = 0 then 'decay' else game_over_reason end,
      last_decay_warning_at = case when v_warn then p_now else last_decay_warning_at end
    where id = r.id;
    insert into public.score_history (user_id, score, chapter, event_type, event_details, recorded_at)
    values (r.id, v_after, r.chapter, 'decay', jsonb_build_object(
      'deltas', jsonb_build_object('intimacy', -v_total, 'passion', -v_total, 'trust', -v_total, 'secureness', -v_total),
      'amount', v_total, 'from', v_from, 'to', p_now,
      'overdue_hours', round(extract(epoch from p_now - r.overdue_from) / 3600, 4),
      'score_before', r.relationship_score,
      'events', case when v_after = 0 then '[{"type": "game_over", "reason": "decay"}]'::jsonb
                     when v_warn then '[{"type": "decay_warning"}]'::jsonb else '[]'::jsonb end), p_now);
    n_decayed := n_decayed + 1;
    n_over := n_over + (v_after = 0)::integer;
    n_warn := n_warn + v_warn::integer;
  end loop;
  return jsonb_build_object('decayed', n_decayed, 'game_overs', n_over, 'warnings', n_warn);
end
$$;

-- The turns bench (scripts/bench/turns.ts): p_count onboarded players bound to the Telegram chats p_first_chat..,
-- each with a message a minute before p_now, so the bench's message continues a conversation.
create or replace function bench.turn_players(p_first_chat bigint, p_count int, p_now timestamptz)
returns void
language plpgsql
as $$
declare
  v_id uuid;
begin
  for i in 0 .. p_count - 1 loop
    insert into auth.users (email) values ('turns-' || (p_first_chat + i) || '@bench.test') returning id into v_id;
    perform game.bind_telegram(v_id, p_first_chat + i, p_first_chat + i, p_now - interval '1 hour');
    perform game.complete_onboarding(v_id, '{"display_name": "Bench", "timezone": "UTC", "darkness": 2}',
      p_now - interval '1 hour');
    perform game.store_player_message(v_id, 30000000 + p_first_chat + i, 'hi', p_now - interval '1 minute');
  end loop;
end
$$;

create or replace function bench.drop_turn_players(p_first_chat bigint, p_count int)
returns void
language sql
as $$
  delete from auth.users where email like 'turns-%@bench.test';
  delete from private.telegram_updates
  where chat_id between p_first_chat and p_first_chat + p_count or update_id between 40000000 and 43999999;
$$;

-- Signups as Auth makes them: auth.users rows whose insert trigger (game.provision_player) creates each player's
-- rows, running every trigger a real signup runs (the timezone check included), in one statement. Returns the
-- players provisioned; bench.remove_signups takes them away again so no later measure sees them.
create or replace function bench.sign_up(p_n integer, p_now timestamptz)
returns bigint
language plpgsql
volatile
set search_path = ''
as $$
begin
  insert into auth.users (email, created_at, updated_at)
  select 'signup-' || n || '@players.test', p_now, p_now from pg_catalog.generate_series(1, p_n) n;
  return (select count(*) from public.users u join auth.users a on a.id = u.id
          where a.email like 'signup-%@players.test');
end
$$;

create or replace function bench.remove_signups()
returns void
language sql
volatile
set search_path = ''
as $$
  delete from auth.users where email like 'signup-%@players.test'
$$;

-- The pipeline bench (scripts/bench/pipeline.ts): p_count onboarded players, each with one closed conversation of six
-- messages, so process-conversations has p_count due jobs at p_now.
create or replace function bench.pipeline_conversations(p_count int, p_now timestamptz)
returns void
language plpgsql
as $$
declare
  v_id uuid;
  v_conversation uuid;
begin
  for i in 1 .. p_count loop
    insert into auth.users (email) values ('pipeline-' || i || '@bench.test') returning id into v_id;
    perform game.complete_onboarding(v_id, '{"display_name": "Bench", "timezone": "UTC", "darkness": 3}',
      p_now - interval '2 hours');
    for m in 1 .. 3 loop
      v_conversation := (game.store_player_message(v_id, 20000000 + i * 10 + m, 'I work as a nurse, night shifts mostly.',
        p_now - interval '1 hour' + make_interval(secs => m * 30)) ->> 'conversation_id')::uuid;
      insert into public.messages (conversation_id, user_id, role, content, created_at)
      values (v_conversation, v_id, 'nikita', 'Nights. Tell me about them.', p_now - interval '1 hour' + make_interval(secs => m * 30 + 5));
    end loop;
    perform game.close_conversations(array[v_conversation], p_now - interval '30 minutes');
  end loop;
end
$$;

-- Active players for the exchange bench (exchange_active.sql): players p_from..p_from + p_count - 1 as they are
-- when a real exchange meets them, not as seeded (no messages, no history): a Telegram conversation open today with
-- 12 of their messages and 12 of hers in the last three hours, and 120 scored exchanges over the last 7 days (3 of 4
-- positive), with history rows shaped as apply_exchange writes them. The engagement step then runs in full (it is
-- skipped for a player with no text message in the window) and the Gottman counts start from the history. Idempotent:
-- the players' own rows are replaced.
create or replace function bench.seed_active_players(p_from int, p_count int, p_now timestamptz)
returns bigint
language plpgsql
volatile
set search_path = ''
as $$
declare
  v_ids uuid[] := array(select bench.player_id(n) from pg_catalog.generate_series(p_from, p_from + p_count - 1) n);
begin
  delete from public.score_history where user_id = any (v_ids);
  delete from public.messages where user_id = any (v_ids);
  delete from public.conversations where user_id = any (v_ids);
  update public.users
  set relationship_score = 50, chapter = 1, game_status = 'active', game_over_reason = null, boss_attempts = 0,
    boss_fight_started_at = null, cool_down_until = null, last_interaction_at = p_now - interval '10 minutes',
    vulnerability_exchanges = 0, intimacy = 50, passion = 50, trust = 50, secureness = 50,
    game_started_at = p_now - interval '30 days'
  where id = any (v_ids);
  update public.engagement_state
  set state = 'in_zone', multiplier = 1, calibration_score = 0.8, high_streak = 0, low_streak = 0, recovery_streak = 0,
    step_day = (p_now at time zone 'UTC')::date, step_day_flag = 'good'
  where user_id = any (v_ids);
  update game.conflict_state
  set temperature = 10, updated_at = p_now - interval '10 minutes', consecutive_crises = 0, above_90_since = null,
    gottman_through = null, gottman_positives = 0, gottman_negatives = 0
  where user_id = any (v_ids);
  insert into public.conversations (user_id, platform, started_at, last_message_at, chapter_at_start)
  select id, 'telegram', p_now - interval '3 hours', p_now - interval '10 minutes', 1 from pg_catalog.unnest(v_ids) id;
  insert into public.messages (conversation_id, user_id, role, content, created_at)
  select c.id, c.user_id, case when m % 2 = 0 then 'player' else 'nikita' end,
    case when m % 2 = 0 then 'a message of fifty characters or so, about my day'
         else 'and what did you make of it, honestly?' end,
    p_now - interval '3 hours' + make_interval(mins => 7 * m)
  from public.conversations c cross join pg_catalog.generate_series(0, 23) m
  where c.user_id = any (v_ids) and c.status = 'open';
  insert into public.score_history (user_id, score, chapter, event_type, event_details, recorded_at)
  select id, 50, 1, 'exchange', pg_catalog.jsonb_build_object('source', 'telegram',
      'raw_deltas', '{"intimacy": 1, "passion": -1, "trust": 1, "secureness": -1}'::jsonb, 'warmth_bonus', 0,
      'engagement_state', 'in_zone', 'multiplier', 1, 'chapter_cap', 3,
      'applied_deltas', '{"intimacy": 1, "passion": -1, "trust": 1, "secureness": -1}'::jsonb, 'score_before', 50,
      'tags', '[]'::jsonb, 'repair', null, 'polarity', case when h % 4 = 0 then 'negative' else 'positive' end,
      'temperature', 10, 'vices', '[]'::jsonb, 'confidence', 0.9, 'conversation_id', null, 'events', '[]'::jsonb),
    p_now - interval '7 days' + make_interval(mins => 83 * h)
  from pg_catalog.unnest(v_ids) id cross join pg_catalog.generate_series(1, 120) h;
  return pg_catalog.array_length(v_ids, 1);
end
$$;

-- The floor game.apply_exchange is measured against (DESIGN.md budgets): lock the player row, update five columns,
-- insert one history row, as one prepared call per transaction like the exchange itself. No rule is evaluated.
create table if not exists bench.exchange_floor_history (
  user_id uuid not null,
  score numeric(7, 4) not null,
  delta numeric(7, 4) not null,
  recorded_at timestamptz not null
);
create index if not exists exchange_floor_history_user_recorded_idx
  on bench.exchange_floor_history (user_id, recorded_at desc);

create or replace function bench.exchange_floor(p_user_id uuid, p_now timestamptz)
returns jsonb
language plpgsql
volatile
set search_path = ''
as $$
declare
  v_score numeric;
begin
  perform 1 from public.users where id = p_user_id for no key update;
  update public.users
  set relationship_score = relationship_score + 0.01, last_interaction_at = p_now, days_played = days_played,
    vulnerability_exchanges = vulnerability_exchanges, updated_at = p_now
  where id = p_user_id
  returning relationship_score into v_score;
  insert into bench.exchange_floor_history (user_id, score, delta, recorded_at) values (p_user_id, v_score, 0.01, p_now);
  return pg_catalog.jsonb_build_object('score_after', v_score);
end
$$;
