-- Telegram machinery: the durable inbox (one row per update, keyed by update_id) and the outbox, the only path
-- by which anything is sent (PLATFORM.md §2.2, §2.6).
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

create table private.outbox (
  id bigint generated always as identity primary key,
  dedupe_key text not null unique,
  user_id uuid references public.users (id) on delete cascade,
  chat_id bigint,
  channel text not null default 'telegram' check (channel in ('telegram', 'voice')),
  kind text not null check (kind in ('reply', 'command', 'hold', 'boss', 'touchpoint', 'event', 'welcome', 'call')),
  text text,
  payload jsonb not null default '{}',
  due_at timestamptz not null,
  status text not null default 'pending'
    check (status in ('pending', 'claimed', 'sending', 'sent', 'retry', 'failed', 'unconfirmed', 'skipped')),
  attempts integer not null default 0 check (attempts >= 0),
  lease_until timestamptz,
  send_started_at timestamptz,
  sent_at timestamptz,
  provider_ref text,
  last_error text,
  created_at timestamptz not null default now(),
  check (kind = 'event' or kind = 'call' or text is not null)
);
comment on table private.outbox is 'Every outgoing message or call, once per dedupe_key; claimed with skip locked and a lease by the deliver routine, the only sender.';
-- Claim: due rows that are pending or to retry, oldest first.
create index outbox_due_idx on private.outbox (due_at) where status in ('pending', 'retry');
-- Recovery: rows whose lease ran out mid-claim or mid-send.
create index outbox_leased_idx on private.outbox (lease_until) where status in ('claimed', 'sending');
create index outbox_user_idx on private.outbox (user_id);

alter table private.outbox enable row level security;
grant select, insert, update, delete on private.outbox to service_role;
create policy "outbox: backend only"
  on private.outbox for select to service_role
  using (true);
