-- The Telegram inbox (PLATFORM.md §2.2): every update stored once under its update_id, then drained per chat.

-- Claims lock the row with skip locked, so an update is processed once and in order, whatever crashes or
-- overlapping workers do.
create table private.telegram_updates (
  update_id bigint primary key,
  chat_id bigint,
  user_id uuid references public.users (id) on delete set null,
  kind text not null,
  payload jsonb not null,
  status text not null default 'pending' check (status in ('pending', 'retry', 'done', 'failed', 'ignored')),
  attempts integer not null default 0 check (attempts >= 0),
  lease_until timestamptz,
  next_attempt_at timestamptz,
  received_at timestamptz not null default now(),
  processed_at timestamptz,
  last_error text
);
comment on table private.telegram_updates is 'Telegram inbox: every update stored once under its update_id, then processed per chat in id order; retry/failed rows carry backoff state.';
-- drain(chat): the lowest pending or due update of a chat.
create index telegram_updates_chat_open_idx on private.telegram_updates (chat_id, update_id)
  where status in ('pending', 'retry');
create index telegram_updates_user_idx on private.telegram_updates (user_id) where user_id is not null;
-- cleanup: done rows by age.
create index telegram_updates_received_idx on private.telegram_updates (received_at) where status = 'done';

alter table private.telegram_updates enable row level security;
grant select, insert, update, delete on private.telegram_updates to service_role;
create policy "telegram_updates: backend only"
  on private.telegram_updates for select to service_role
  using (true);

-- The next update of a chat to process: the lowest update_id that is pending or a due retry, locked for this
-- transaction. Another worker's locked row is skipped, so whoever holds the player lock drains one at a time.
create or replace function private.claim_inbox(p_chat_id bigint, p_now timestamptz)
returns setof private.telegram_updates
language sql
volatile
security invoker
set search_path = ''
as $$
  select * from private.telegram_updates
  where chat_id = p_chat_id
    and (status = 'pending' or (status = 'retry' and next_attempt_at <= p_now))
  order by update_id
  limit 1
  for update skip locked
$$;
comment on function private.claim_inbox(bigint, timestamptz) is 'Locks and returns the lowest pending or due-retry update of a chat (skip locked).';
revoke execute on function private.claim_inbox(bigint, timestamptz) from public;
grant execute on function private.claim_inbox(bigint, timestamptz) to service_role;

-- Chats the sweeper should drain: a pending update whose waitUntil lease ran out, or a due retry.
create or replace function private.inbox_chats_due(p_now timestamptz, p_limit integer)
returns setof bigint
language sql
stable
security invoker
set search_path = ''
as $$
  select chat_id from private.telegram_updates
  where (status = 'pending' and lease_until <= p_now) or (status = 'retry' and next_attempt_at <= p_now)
  group by chat_id
  order by min(update_id)
  limit p_limit
$$;
comment on function private.inbox_chats_due(timestamptz, integer) is 'Chats holding a pending update past its lease or a due retry, oldest first (the process-inbox sweeper).';
revoke execute on function private.inbox_chats_due(timestamptz, integer) from public;
grant execute on function private.inbox_chats_due(timestamptz, integer) to service_role;

-- A provider failure on an update: retry with backoff 30 s x 4^(attempts - 1), failed after 5 attempts.
-- Returns {status, attempts, first_failure}.
create or replace function private.fail_inbox(p_update_id bigint, p_error text, p_now timestamptz)
returns jsonb
language sql
volatile
security invoker
set search_path = ''
as $$
  update private.telegram_updates
  set attempts = attempts + 1,
      status = case when attempts + 1 >= 5 then 'failed' else 'retry' end,
      next_attempt_at = p_now + interval '30 seconds' * power(4, attempts),
      last_error = left(p_error, 1000)
  where update_id = p_update_id
  returning jsonb_build_object('status', status, 'attempts', attempts, 'first_failure', attempts = 1)
$$;
comment on function private.fail_inbox(bigint, text, timestamptz) is 'Schedules a failed update for retry (30 s, 2 min, 8 min, 32 min) or marks it failed after 5 attempts.';
revoke execute on function private.fail_inbox(bigint, text, timestamptz) from public;
grant execute on function private.fail_inbox(bigint, text, timestamptz) to service_role;
