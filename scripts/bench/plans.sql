-- Query-plan fixtures for the bench database (never a migration): 10 M rows in each table that only grows
-- (score_history, messages, llm_calls, the inbox, the outbox), spread over more time than their retention windows
-- (sql/35_retention.sql), so the hot queries and the retention deletes meet the row counts and the ages they will
-- meet in production. scripts/bench/plans.ts then runs the real queries under auto_explain and reports each plan.
-- Each table is filled by one set-based insert with triggers and FK checks off (replica role), its plain indexes and
-- unique constraints dropped first and built again after from their own definitions (a bulk build is several times
-- faster than 10 M index insertions); the bench players are bench.player_id(1..p_players) (scripts/bench/bench.sql).

-- Runs p_insert (one statement filling p_table) with the table's plain indexes and its unique constraints that no
-- foreign key leans on dropped, then creates them again exactly as they were. Returns the rows inserted.
create or replace function bench.bulk_insert(p_table regclass, p_insert text)
returns bigint
language plpgsql
volatile
set search_path = ''
set session_replication_role = replica
set maintenance_work_mem = '512MB'
as $$
declare
  v_indexes text[];
  v_constraints text[];
  v_sql text;
  v_rows bigint;
begin
  select coalesce(array_agg(pg_catalog.pg_get_indexdef(i.indexrelid)), '{}') into v_indexes
  from pg_catalog.pg_index i
  where i.indrelid = p_table
    and not exists (select 1 from pg_catalog.pg_constraint c where c.conindid = i.indexrelid);
  select coalesce(array_agg(pg_catalog.format('alter table %s add constraint %I %s', p_table, c.conname,
           pg_catalog.pg_get_constraintdef(c.oid))), '{}') into v_constraints
  from pg_catalog.pg_constraint c
  where c.conrelid = p_table and c.contype = 'u'
    and not exists (select 1 from pg_catalog.pg_constraint f where f.contype = 'f' and f.conindid = c.conindid);
  for v_sql in
    select pg_catalog.format('drop index %s', i.indexrelid::regclass) from pg_catalog.pg_index i
    where i.indrelid = p_table
      and not exists (select 1 from pg_catalog.pg_constraint c where c.conindid = i.indexrelid)
    union all
    select pg_catalog.format('alter table %s drop constraint %I', p_table, c.conname) from pg_catalog.pg_constraint c
    where c.conrelid = p_table and c.contype = 'u'
      and not exists (select 1 from pg_catalog.pg_constraint f where f.contype = 'f' and f.conindid = c.conindid)
  loop
    execute v_sql;
  end loop;
  execute p_insert;
  get diagnostics v_rows = row_count;
  foreach v_sql in array v_indexes || v_constraints loop
    execute v_sql;
  end loop;
  return v_rows;
end
$$;

-- The plan players get a Telegram chat (7e9 + n), so the turn's and the inbox's per-chat reads have one.
create or replace function bench.plan_players(p_players int)
returns bigint
language plpgsql
volatile
set search_path = ''
set session_replication_role = replica
as $$
declare
  v_rows bigint;
begin
  update public.users set telegram_id = 7000000000 + n, telegram_chat_id = 7000000000 + n
  from pg_catalog.generate_series(1, p_players) n
  where id = bench.player_id(n);
  get diagnostics v_rows = row_count;
  return v_rows;
end
$$;

-- Conversation k of player p: a fixed id, so messages and jobs can name it without a lookup.
create or replace function bench.conversation_id(p_player bigint, p_k bigint)
returns uuid
language sql
immutable
set search_path = ''
as $$
  select pg_catalog.md5('bench-conversation:' || p_player || ':' || p_k)::uuid
$$;

-- p_per closed conversations per player, one every p_days / p_per days back from p_now (each 10 minutes long, its
-- pipeline job done a minute after it closed), the newest one open (started 10 minutes ago, no job); p_messages
-- messages each, the player's and hers in turn, a minute apart. p_players x p_per x p_messages messages.
create or replace function bench.seed_plan_conversations(p_players int, p_per int, p_messages int, p_days int,
  p_now timestamptz)
returns bigint
language plpgsql
volatile
set search_path = ''
set session_replication_role = replica
as $$
declare
  v_step interval := pg_catalog.make_interval(days => p_days) / p_per;
begin
  create temporary table plan_conversations on commit drop as
  select p, k, bench.conversation_id(p, k) as id, bench.player_id(p) as user_id,
         case when k = p_per - 1 then p_now - interval '10 minutes'
              else p_now - (p_per - k) * v_step + (p % 97) * interval '1 minute' end as started_at,
         k = p_per - 1 as open
  from pg_catalog.generate_series(1, p_players) p, pg_catalog.generate_series(0, p_per - 1) k;
  perform bench.bulk_insert('public.conversations', $q$
    insert into public.conversations (id, user_id, platform, status, started_at, last_message_at, ended_at,
      chapter_at_start, summary, emotional_tone)
    select c.id, c.user_id, 'telegram', case when c.open then 'open' else 'closed' end, c.started_at,
           c.started_at + interval '9 minutes', case when not c.open then c.started_at + interval '24 minutes' end, 1,
           case when not c.open then 'We talked about her day.' end, case when not c.open then 'warm' end
    from plan_conversations c
    order by c.user_id, c.started_at$q$);
  -- Her summary of each of those days, so retention finds most old history days covered.
  perform bench.bulk_insert('public.daily_summaries', $q$
    insert into public.daily_summaries (user_id, date, score_start, score_end, summary_text, created_at)
    select distinct on (c.user_id, (c.started_at at time zone 'UTC')::date) c.user_id,
           (c.started_at at time zone 'UTC')::date, 50, 51, 'We talked about her day.', c.started_at + interval '1 day'
    from plan_conversations c where not c.open
    order by c.user_id, (c.started_at at time zone 'UTC')::date$q$);
  perform bench.bulk_insert('private.conversation_jobs', $q$
    insert into private.conversation_jobs (conversation_id, user_id, status, attempts, stages, created_at, finished_at)
    select c.id, c.user_id, 'done', 1, '{}', c.started_at + interval '24 minutes', c.started_at + interval '25 minutes'
    from plan_conversations c where not c.open
    order by c.started_at + interval '25 minutes'$q$);
  return bench.bulk_insert('public.messages', pg_catalog.format($q$
    insert into public.messages (conversation_id, user_id, role, content, created_at)
    select c.id, c.user_id, case when m %% 2 = 0 then 'player' else 'nikita' end,
           case when m %% 2 = 0 then 'how was the meeting with Viktor, did he finally listen?'
                else 'he did not. I will tell you everything tonight, remind me' end,
           c.started_at + m * interval '1 minute'
    from plan_conversations c, pg_catalog.generate_series(0, %s - 1) m
    order by c.user_id, c.started_at, m$q$, p_messages));
end
$$;

-- p_rows ledger rows over p_days back from p_now, oldest first, across the plan players, four purposes and three
-- models (one without a price row), a batch item every tenth row, an error every fiftieth.
create or replace function bench.seed_plan_ledger(p_rows bigint, p_players int, p_days int, p_now timestamptz)
returns bigint
language sql
volatile
set search_path = ''
as $$
  select bench.bulk_insert('private.llm_calls', pg_catalog.format($q$
    insert into private.llm_calls (user_id, purpose, model, request_id, input_tokens, output_tokens,
      cache_read_tokens, cache_write_tokens, batch, latency_ms, status, cost_usd, created_at)
    select bench.player_id(1 + n %% %2$s), (array['reply', 'analyze', 'extract', 'psyche_batch'])[1 + n %% 4],
           (array['claude-sonnet-4-6', 'claude-haiku-4-5', 'unpriced-model'])[1 + n %% 3], 'msg_' || n,
           1000 + n %% 500, 100 + n %% 50, n %% 800, n %% 7, n %% 10 = 0, 300 + n %% 2000,
           case when n %% 50 = 0 then 'error' else 'ok' end,
           case when n %% 3 = 2 then null else (1000 + n %% 500) * 0.000003 end,
           %4$L::timestamptz - pg_catalog.make_interval(days => %3$s) * (1 - n::numeric / %1$s)
    from pg_catalog.generate_series(1, %1$s) n$q$, p_rows, p_players, p_days, p_now))
$$;

-- p_rows inbox updates over p_days back from p_now, in update_id order, round robin over the plan players' chats:
-- done, with one in a hundred ignored and one in a hundred failed; the newest of each chat of the first
-- p_open_chats is still pending (its lease run out), which the sweeper and the drain read.
create or replace function bench.seed_plan_inbox(p_rows bigint, p_players int, p_open_chats int, p_days int,
  p_now timestamptz)
returns bigint
language sql
volatile
set search_path = ''
as $$
  select bench.bulk_insert('private.telegram_updates', pg_catalog.format($q$
    insert into private.telegram_updates (update_id, chat_id, user_id, kind, payload, status, attempts, lease_until,
      received_at, processed_at, last_error)
    select 5000000000 + n, 7000000001 + n %% %2$s, bench.player_id(1 + n %% %2$s), 'text',
           '{"update_id": 1, "message": {"text": "on my way home, call you in ten"}}',
           s.status, case when s.status = 'failed' then 1 else 0 end,
           case when s.status = 'pending' then t.at + interval '90 seconds' end, t.at,
           case when s.status in ('done', 'ignored', 'failed') then t.at + interval '3 seconds' end,
           case when s.status = 'failed' then 'analysis refused' end
    from pg_catalog.generate_series(1, %1$s) n
    cross join lateral (select %5$L::timestamptz - pg_catalog.make_interval(days => %4$s)
                               * (1 - n::numeric / %1$s) as at) t
    cross join lateral (select case when n > %1$s - %2$s and n %% %2$s < %3$s then 'pending'
                                    when n %% 100 = 7 then 'ignored' when n %% 100 = 13 then 'failed'
                                    else 'done' end as status) s$q$, p_rows, p_players, p_open_chats, p_days, p_now))
$$;

-- p_rows outbox rows over p_days back from p_now, round robin over the plan players' chats: sent two seconds after
-- they were queued, with one in a hundred failed, one in five hundred unconfirmed and one in three hundred skipped,
-- a holding line every five hundredth; the newest p_open are still to deliver, due from a minute ago to a minute on.
create or replace function bench.seed_plan_outbox(p_rows bigint, p_players int, p_open int, p_days int,
  p_now timestamptz)
returns bigint
language sql
volatile
set search_path = ''
as $$
  select bench.bulk_insert('private.outbox', pg_catalog.format($q$
    insert into private.outbox (dedupe_key, user_id, chat_id, channel, kind, text, due_at, status, attempts,
      sent_at, provider_ref, last_error, created_at)
    select 'bench:' || n, bench.player_id(1 + n %% %2$s), 7000000001 + n %% %2$s, 'telegram',
           case when n %% 500 = 3 then 'hold' else 'reply' end, 'I will tell you everything tonight',
           case when s.status = 'pending' then %5$L::timestamptz + (n - %1$s + %3$s / 2) * interval '120 ms'
                else t.at end,
           s.status, case when s.status = 'failed' then 5 else 0 end,
           case when s.status = 'sent' then t.at + interval '2 seconds' end,
           case when s.status = 'sent' then 'tg:' || n end,
           case when s.status in ('failed', 'unconfirmed') then 'bench' end, t.at
    from pg_catalog.generate_series(1, %1$s) n
    cross join lateral (select %5$L::timestamptz - pg_catalog.make_interval(days => %4$s)
                               * (1 - n::numeric / %1$s) as at) t
    cross join lateral (select case when n > %1$s - %3$s then 'pending' when n %% 100 = 11 then 'failed'
                                    when n %% 500 = 17 then 'unconfirmed' when n %% 300 = 19 then 'skipped'
                                    else 'sent' end as status) s$q$, p_rows, p_players, p_open, p_days, p_now))
$$;

-- score_history for the plans: p_rows rows over p_days back from p_now across the first p_players players
-- (bench.seed_portal_history of scripts/bench/portal.sql), its indexes built after.
create or replace function bench.seed_plan_history(p_players int, p_rows bigint, p_days int, p_now timestamptz)
returns bigint
language sql
volatile
set search_path = ''
as $$
  select bench.bulk_insert('public.score_history',
    pg_catalog.format('select bench.seed_portal_history(%s, %s, %s, %L)', p_players, p_rows, p_days, p_now))
$$;
