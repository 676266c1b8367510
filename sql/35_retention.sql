-- Retention of the tables that only grow: score_history, messages (with their conversations' pipeline jobs),
-- llm_calls, the Telegram inbox and the outbox. game.apply_retention (pg_cron nikita-retention, once a day) deletes
-- what is past its window in bounded batches; each window is a tunable (sql/data/tunables.sql, retention_*) longer
-- than the longest any reader of the table looks back, and tests/sql/182-retention.test.sql checks both. The rules,
-- and why each window is what it is, are in docs/retention.md. In short:
--   score_history  365 days, except each player's last row and last exchange before the window (the "row before"
--                  that daily_summary_numbers and psyche_tier read), and the rows of a local day that had a
--                  conversation but never got its daily summary;
--   messages       180 days after the conversation's pipeline job finished (a failed job keeps them for a
--                  reprocess), except each player's last conversation per platform before the window (the message
--                  before an answer that engagement timing reads); the count stays on the conversation, the job
--                  row goes with them;
--   llm_calls      90 whole UTC days, each row added to private.llm_cost_daily in the statement that deletes it, so
--                  private.llm_costs reports the same totals before and after;
--   inbox          done and ignored updates 7 days after receipt (Telegram resends for 24 h at most), a done one only
--                  once no older failed update of its chat is left; failed ones 30 days, and only once a later
--                  update of the chat is done (until then their text joins the chat's next turn);
--   outbox         sent rows 30 days after sending (every dedupe key is reused within days at most); failed,
--                  unconfirmed and skipped rows 90 days after they were queued, for operators.
-- Every batch locks its rows with skip locked (a row someone holds waits for the next run; nothing the hot path
-- touches is ever waited for), walks its index from where the previous batch stopped, and stops after
-- retention_max_batches batches of a table: a backlog goes over the next days.

-- The LLM ledger rolled up: one row per UTC day, purpose, model, batch flag and status, with the sums of the
-- private.llm_calls rows that retention removed. Rows are only ever added to (in the statement that deletes the raw
-- rows), so raw + rolled up = everything the ledger ever recorded.
create table private.llm_cost_daily (
  day date not null,
  purpose text not null,
  model text not null,
  batch boolean not null,
  status text not null check (status in ('ok', 'error', 'invalid')),
  calls bigint not null check (calls > 0),
  unpriced_calls bigint not null default 0 check (unpriced_calls between 0 and calls),
  input_tokens bigint not null default 0 check (input_tokens >= 0),
  output_tokens bigint not null default 0 check (output_tokens >= 0),
  cache_read_tokens bigint not null default 0 check (cache_read_tokens >= 0),
  cache_write_tokens bigint not null default 0 check (cache_write_tokens >= 0),
  timed_calls bigint not null default 0 check (timed_calls between 0 and calls),
  latency_ms bigint not null default 0 check (latency_ms >= 0),
  cost_usd numeric(16, 6) not null default 0 check (cost_usd >= 0),
  primary key (day, purpose, model, batch, status)
);
comment on table private.llm_cost_daily is 'The LLM ledger past its retention window, summed per UTC day, purpose, model, batch flag and status: calls (unpriced ones counted apart), tokens, latency (over timed_calls) and cost. Written only by retention, in the statement that deletes the raw rows.';

alter table private.llm_cost_daily enable row level security;
grant select, insert, update, delete on private.llm_cost_daily to service_role;
create policy "llm_cost_daily: backend only"
  on private.llm_cost_daily for select to service_role
  using (true);

-- Entry points.

-- The daily retention run at p_now (cron nikita-retention): each table's rule in turn, with the windows and batch
-- sizes of the retention_* tunables. Idempotent: a second run at the same p_now finds nothing left (unless a table
-- hit its cap of retention_max_batches batches). Returns the rows deleted per table.
create or replace function game.apply_retention(p_now timestamptz)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_t jsonb := game.tunables_json();
  v_batch integer := (v_t ->> 'retention_batch_rows')::integer;
  v_batches integer := (v_t ->> 'retention_max_batches')::integer;
  v_messages jsonb;
begin
  if p_now is null then
    raise exception 'apply_retention: p_now is required' using errcode = '22023';
  end if;
  v_messages := private.retain_messages(p_now - make_interval(days => (v_t ->> 'retention_messages_days')::integer),
    (v_t ->> 'retention_batch_conversations')::integer, v_batches);
  return jsonb_build_object(
    'score_history', private.retain_score_history(
      p_now - make_interval(days => (v_t ->> 'retention_score_history_days')::integer), v_batch, v_batches),
    'messages', (v_messages ->> 'messages')::bigint,
    'conversation_jobs', (v_messages ->> 'conversation_jobs')::bigint,
    'llm_calls', private.retain_llm_calls(
      date_trunc('day', p_now, 'UTC') - make_interval(days => (v_t ->> 'retention_llm_calls_days')::integer),
      v_batch, v_batches),
    'telegram_updates', private.retain_inbox(
      p_now - make_interval(days => (v_t ->> 'retention_inbox_days')::integer),
      p_now - make_interval(days => (v_t ->> 'retention_inbox_failed_days')::integer), v_batch, v_batches),
    'outbox', private.retain_outbox(
      p_now - make_interval(days => (v_t ->> 'retention_outbox_days')::integer),
      p_now - make_interval(days => (v_t ->> 'retention_outbox_failed_days')::integer), v_batch, v_batches));
end
$$;
comment on function game.apply_retention(timestamptz) is 'Daily retention at p_now (cron nikita-retention): deletes score_history, messages (and their conversations'' pipeline jobs), llm_calls (rolled up into private.llm_cost_daily), inbox and outbox rows past their retention_* windows, in bounded skip-locked batches; idempotent; returns the rows deleted per table.';
revoke execute on function game.apply_retention(timestamptz) from public;
grant execute on function game.apply_retention(timestamptz) to service_role;

-- The LLM costs of the UTC days [p_from, p_to), per day, purpose, model, batch flag and status: the rolled-up days
-- and the raw ledger added together, so a report is the same whether or not retention has run. latency_ms_mean is
-- over the calls that recorded a latency; cost_usd leaves out unpriced calls (a model without a price row).
create or replace function private.llm_costs(p_from date, p_to date)
returns table (day date, purpose text, model text, batch boolean, status text, calls bigint, unpriced_calls bigint,
  input_tokens bigint, output_tokens bigint, cache_read_tokens bigint, cache_write_tokens bigint,
  latency_ms_mean numeric, cost_usd numeric)
language sql
stable
security invoker
set search_path = ''
as $$
  select u.day, u.purpose, u.model, u.batch, u.status, sum(u.calls)::bigint, sum(u.unpriced_calls)::bigint,
         sum(u.input_tokens)::bigint, sum(u.output_tokens)::bigint, sum(u.cache_read_tokens)::bigint,
         sum(u.cache_write_tokens)::bigint, round(sum(u.latency_ms) / nullif(sum(u.timed_calls), 0), 1),
         sum(u.cost_usd)
  from (
    select d.day, d.purpose, d.model, d.batch, d.status, d.calls, d.unpriced_calls, d.input_tokens, d.output_tokens,
           d.cache_read_tokens, d.cache_write_tokens, d.timed_calls, d.latency_ms, d.cost_usd
    from private.llm_cost_daily d
    where d.day >= p_from and d.day < p_to
    union all
    select (c.created_at at time zone 'UTC')::date, c.purpose, c.model, c.batch, c.status, count(*),
           count(*) filter (where c.cost_usd is null), sum(c.input_tokens), sum(c.output_tokens),
           sum(c.cache_read_tokens), sum(c.cache_write_tokens), count(c.latency_ms), coalesce(sum(c.latency_ms), 0),
           coalesce(sum(c.cost_usd), 0)
    from private.llm_calls c
    where c.created_at >= p_from::timestamp at time zone 'UTC' and c.created_at < p_to::timestamp at time zone 'UTC'
    group by 1, 2, 3, 4, 5
  ) u
  group by u.day, u.purpose, u.model, u.batch, u.status
  order by u.day, u.purpose, u.model, u.batch, u.status
$$;
comment on function private.llm_costs(date, date) is 'LLM costs of the UTC days [p_from, p_to) per day, purpose, model, batch flag and status: private.llm_cost_daily plus the raw ledger, exact whether or not retention ran.';
revoke execute on function private.llm_costs(date, date) from public;
grant execute on function private.llm_costs(date, date) to service_role;

-- Helpers: one per table, each deleting in batches of p_batch rows (conversations for messages), at most
-- p_batches batches, each batch starting where the previous one stopped in its index.

-- score_history rows recorded before p_cutoff, walking the players in id order (the (user_id, recorded_at) index
-- serves each player's old rows). Kept whatever their age: the player's newest row before the cutoff (the score a
-- later day starts from: game.daily_summary_numbers reads the last row before a day) and their newest exchange or
-- call before it (game.psyche_tier reads the last exchange); and the rows of a local day (the player's timezone)
-- that had a conversation but has no daily summary, the only record of that day.
create or replace function private.retain_score_history(p_cutoff timestamptz, p_batch integer, p_batches integer)
returns bigint
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_from uuid := '00000000-0000-0000-0000-000000000000'::uuid;
  v_n bigint;
  v_last uuid;
  v_total bigint := 0;
begin
  for i in 1 .. p_batches loop
    with doomed as (
      select o.id, u.id as user_id
      from public.users u
      cross join lateral (
        select (select a.id from public.score_history a
                where a.user_id = u.id and a.recorded_at < p_cutoff
                order by a.recorded_at desc, a.id desc limit 1) as last_id,
               (select a.id from public.score_history a
                where a.user_id = u.id and a.recorded_at < p_cutoff and a.event_type in ('exchange', 'voice_call')
                order by a.recorded_at desc, a.id desc limit 1) as last_exchange_id
      ) k
      cross join lateral (
        select x.id from public.score_history x
        where x.user_id = u.id and x.recorded_at < p_cutoff
          and x.id <> k.last_id and x.id is distinct from k.last_exchange_id
          and (exists (select 1 from public.daily_summaries s
                       where s.user_id = u.id and s.date = (x.recorded_at at time zone u.timezone)::date)
               or not exists (select 1 from public.conversations c
                              where c.user_id = u.id
                                and c.started_at >= ((x.recorded_at at time zone u.timezone)::date)::timestamp
                                                    at time zone u.timezone
                                and c.started_at < ((x.recorded_at at time zone u.timezone)::date + 1)::timestamp
                                                   at time zone u.timezone))
        order by x.recorded_at desc, x.id desc
        for update of x skip locked
      ) o
      where u.id >= v_from and k.last_id is not null
      order by u.id
      limit p_batch
    ),
    gone as (
      delete from public.score_history h using doomed d where h.id = d.id
      returning h.user_id
    )
    select count(*), (select g.user_id from gone g order by g.user_id desc limit 1) into v_n, v_last from gone;
    v_total := v_total + v_n;
    exit when v_n < p_batch;
    -- The last player may have rows left: the next batch starts with them.
    v_from := v_last;
  end loop;
  return v_total;
end
$$;
comment on function private.retain_score_history(timestamptz, integer, integer) is 'Retention of score_history before p_cutoff, player by player, keeping each player''s newest row and newest exchange before it and the rows of a local day with a conversation but no daily summary; returns the rows deleted.';
revoke execute on function private.retain_score_history(timestamptz, integer, integer) from public;
grant execute on function private.retain_score_history(timestamptz, integer, integer) to service_role;

-- The messages of conversations whose pipeline job finished (done) before p_cutoff, p_batch conversations a batch in
-- the order the jobs finished. Kept: conversations whose job is not done (a failed one waits for a reprocess) and
-- each player's newest conversation per platform that started before the cutoff (so the message before any later
-- one is still there: engagement timing measures an answer from her message before it, whatever its age). The
-- conversation keeps its summary, tone and score, and removed_message_count keeps the portal's message count; its
-- job row goes too, so a reprocess of a conversation without its transcript is refused (CVNFD). Returns
-- {messages, conversation_jobs}.
create or replace function private.retain_messages(p_cutoff timestamptz, p_batch integer, p_batches integer)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_after_at timestamptz := '-infinity'::timestamptz;
  v_after_id uuid := '00000000-0000-0000-0000-000000000000'::uuid;
  v_jobs bigint;
  v_messages bigint;
  v_total_jobs bigint := 0;
  v_total_messages bigint := 0;
begin
  for i in 1 .. p_batches loop
    with picked as (
      select j.conversation_id, j.finished_at
      from private.conversation_jobs j
      join public.conversations c on c.id = j.conversation_id
      where j.status = 'done' and j.finished_at < p_cutoff
        and (j.finished_at, j.conversation_id) > (v_after_at, v_after_id)
        and c.status = 'closed'
        and exists (select 1 from public.conversations b
                    where b.user_id = c.user_id and b.platform = c.platform
                      and b.started_at > c.started_at and b.started_at < p_cutoff)
      order by j.finished_at, j.conversation_id
      limit p_batch
      for update of j skip locked
    ),
    gone as (
      delete from public.messages m using picked p where m.conversation_id = p.conversation_id
      returning m.conversation_id
    ),
    counted as (
      update public.conversations c
      set removed_message_count = coalesce(c.removed_message_count, 0) + coalesce(g.n, 0)
      from picked p
      left join (select g.conversation_id, count(*) as n from gone g group by g.conversation_id) g
        on g.conversation_id = p.conversation_id
      where c.id = p.conversation_id
    ),
    jobs as (
      delete from private.conversation_jobs j using picked p where j.conversation_id = p.conversation_id
    )
    select (select count(*) from picked), (select count(*) from gone),
           l.finished_at, l.conversation_id
    into v_jobs, v_messages, v_after_at, v_after_id
    from (select 1) one
    left join lateral (select p.finished_at, p.conversation_id from picked p
                       order by p.finished_at desc, p.conversation_id desc limit 1) l on true;
    v_total_jobs := v_total_jobs + v_jobs;
    v_total_messages := v_total_messages + v_messages;
    exit when v_jobs < p_batch;
  end loop;
  return jsonb_build_object('messages', v_total_messages, 'conversation_jobs', v_total_jobs);
end
$$;
comment on function private.retain_messages(timestamptz, integer, integer) is 'Retention of messages of conversations whose pipeline job finished before p_cutoff, keeping each player''s newest conversation per platform before it; the count moves to conversations.removed_message_count and the job row goes; returns {messages, conversation_jobs}.';
revoke execute on function private.retain_messages(timestamptz, integer, integer) from public;
grant execute on function private.retain_messages(timestamptz, integer, integer) to service_role;

-- llm_calls rows created before p_cutoff (a UTC midnight, so whole days go), oldest first: each batch deletes its
-- rows and adds their sums to private.llm_cost_daily in one statement, so every call is counted exactly once,
-- raw or rolled up. Returns the rows deleted.
create or replace function private.retain_llm_calls(p_cutoff timestamptz, p_batch integer, p_batches integer)
returns bigint
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_after timestamptz := '-infinity'::timestamptz;
  v_n bigint;
  v_total bigint := 0;
begin
  for i in 1 .. p_batches loop
    with doomed as (
      select c.id from private.llm_calls c
      where c.created_at < p_cutoff and c.created_at >= v_after
      order by c.created_at
      limit p_batch
      for update skip locked
    ),
    gone as (
      delete from private.llm_calls c using doomed d where c.id = d.id
      returning c.created_at, c.purpose, c.model, c.batch, c.status, c.input_tokens, c.output_tokens,
                c.cache_read_tokens, c.cache_write_tokens, c.latency_ms, c.cost_usd
    ),
    rolled as (
      insert into private.llm_cost_daily as r (day, purpose, model, batch, status, calls, unpriced_calls,
        input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, timed_calls, latency_ms, cost_usd)
      select (g.created_at at time zone 'UTC')::date, g.purpose, g.model, g.batch, g.status, count(*),
             count(*) filter (where g.cost_usd is null), sum(g.input_tokens), sum(g.output_tokens),
             sum(g.cache_read_tokens), sum(g.cache_write_tokens), count(g.latency_ms), coalesce(sum(g.latency_ms), 0),
             coalesce(sum(g.cost_usd), 0)
      from gone g
      group by 1, 2, 3, 4, 5
      on conflict (day, purpose, model, batch, status) do update set
        calls = r.calls + excluded.calls,
        unpriced_calls = r.unpriced_calls + excluded.unpriced_calls,
        input_tokens = r.input_tokens + excluded.input_tokens,
        output_tokens = r.output_tokens + excluded.output_tokens,
        cache_read_tokens = r.cache_read_tokens + excluded.cache_read_tokens,
        cache_write_tokens = r.cache_write_tokens + excluded.cache_write_tokens,
        timed_calls = r.timed_calls + excluded.timed_calls,
        latency_ms = r.latency_ms + excluded.latency_ms,
        cost_usd = r.cost_usd + excluded.cost_usd
    )
    select count(*), coalesce(max(g.created_at), v_after) into v_n, v_after from gone g;
    v_total := v_total + v_n;
    exit when v_n < p_batch;
  end loop;
  return v_total;
end
$$;
comment on function private.retain_llm_calls(timestamptz, integer, integer) is 'Retention of llm_calls before p_cutoff (a UTC midnight): each batch deletes its rows and adds their sums to private.llm_cost_daily in the same statement; returns the rows deleted.';
revoke execute on function private.retain_llm_calls(timestamptz, integer, integer) from public;
grant execute on function private.retain_llm_calls(timestamptz, integer, integer) to service_role;

-- Inbox rows past their window, oldest first: done and ignored updates received before p_cutoff (Telegram resends an
-- unacknowledged update for 24 h at most, so the update_id dedupe needs far less; and after a week without updates
-- Telegram may start update ids anew at random, which old rows could collide with), a done one only when its chat
-- has no older failed update left (while one is, the done row is what tells the next turn that failed text was
-- answered already); failed updates received before p_failed_cutoff, only once a later update of their chat is done
-- (until then their text joins the chat's next turn). Open rows (pending, processing, retry) are never touched.
-- Returns the rows deleted.
create or replace function private.retain_inbox(p_cutoff timestamptz, p_failed_cutoff timestamptz, p_batch integer,
  p_batches integer)
returns bigint
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_after timestamptz := '-infinity'::timestamptz;
  v_n bigint;
  v_total bigint := 0;
begin
  -- Failed rows first: a done row waits for the older failed ones of its chat, which may go in this run.
  for i in 1 .. p_batches loop
    with doomed as (
      select x.update_id from private.telegram_updates x
      where x.status = 'failed' and x.received_at < p_failed_cutoff and x.received_at >= v_after
        and (x.chat_id is null or exists (
          select 1 from private.telegram_updates d
          where d.chat_id = x.chat_id and d.status = 'done' and d.update_id > x.update_id))
      order by x.received_at
      limit p_batch
      for update skip locked
    ),
    gone as (
      delete from private.telegram_updates t using doomed d where t.update_id = d.update_id
      returning t.received_at
    )
    select count(*), coalesce(max(g.received_at), v_after) into v_n, v_after from gone g;
    v_total := v_total + v_n;
    exit when v_n < p_batch;
  end loop;
  v_after := '-infinity'::timestamptz;
  for i in 1 .. p_batches loop
    with doomed as (
      select x.update_id from private.telegram_updates x
      where x.status in ('done', 'ignored') and x.received_at < p_cutoff and x.received_at >= v_after
        and (x.status = 'ignored' or x.chat_id is null or not exists (
          select 1 from private.telegram_updates f
          where f.chat_id = x.chat_id and f.status = 'failed' and f.update_id < x.update_id))
      order by x.received_at
      limit p_batch
      for update skip locked
    ),
    gone as (
      delete from private.telegram_updates t using doomed d where t.update_id = d.update_id
      returning t.received_at
    )
    select count(*), coalesce(max(g.received_at), v_after) into v_n, v_after from gone g;
    v_total := v_total + v_n;
    exit when v_n < p_batch;
  end loop;
  return v_total;
end
$$;
comment on function private.retain_inbox(timestamptz, timestamptz, integer, integer) is 'Retention of the Telegram inbox: done (once no older failed update of the chat is left) and ignored updates received before p_cutoff, failed ones received before p_failed_cutoff once a later update of the chat is done; open rows never; returns the rows deleted.';
revoke execute on function private.retain_inbox(timestamptz, timestamptz, integer, integer) from public;
grant execute on function private.retain_inbox(timestamptz, timestamptz, integer, integer) to service_role;

-- Outbox rows past their window, oldest first: sent rows sent before p_cutoff (a dedupe key is reused within the
-- life of what caused it: a turn's retries, a boss encounter, a touchpoint's claim, the same decay run; days at
-- most), and rows that will never be sent (failed, unconfirmed, skipped) queued before p_failed_cutoff. Rows still
-- to deliver are never touched; a call's voice session or a touchpoint keeps its row and loses the link (on delete
-- set null). Returns the rows deleted.
create or replace function private.retain_outbox(p_cutoff timestamptz, p_failed_cutoff timestamptz, p_batch integer,
  p_batches integer)
returns bigint
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_after timestamptz := '-infinity'::timestamptz;
  v_n bigint;
  v_total bigint := 0;
begin
  for i in 1 .. p_batches loop
    with doomed as (
      select x.id from private.outbox x
      where x.status = 'sent' and x.sent_at < p_cutoff and x.sent_at >= v_after
      order by x.sent_at
      limit p_batch
      for update skip locked
    ),
    gone as (
      delete from private.outbox o using doomed d where o.id = d.id
      returning o.sent_at
    )
    select count(*), coalesce(max(g.sent_at), v_after) into v_n, v_after from gone g;
    v_total := v_total + v_n;
    exit when v_n < p_batch;
  end loop;
  v_after := '-infinity'::timestamptz;
  for i in 1 .. p_batches loop
    with doomed as (
      select x.id from private.outbox x
      where x.status in ('failed', 'unconfirmed', 'skipped') and x.created_at < p_failed_cutoff
        and x.created_at >= v_after
      order by x.created_at
      limit p_batch
      for update skip locked
    ),
    gone as (
      delete from private.outbox o using doomed d where o.id = d.id
      returning o.created_at
    )
    select count(*), coalesce(max(g.created_at), v_after) into v_n, v_after from gone g;
    v_total := v_total + v_n;
    exit when v_n < p_batch;
  end loop;
  return v_total;
end
$$;
comment on function private.retain_outbox(timestamptz, timestamptz, integer, integer) is 'Retention of the outbox: sent rows sent before p_cutoff, failed, unconfirmed and skipped rows queued before p_failed_cutoff; rows still to deliver never; returns the rows deleted.';
revoke execute on function private.retain_outbox(timestamptz, timestamptz, integer, integer) from public;
grant execute on function private.retain_outbox(timestamptz, timestamptz, integer, integer) to service_role;
