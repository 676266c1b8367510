-- The outbox (PLATFORM.md §2.6): every outgoing message or call once, and the deliver routine's claims on it.

-- The only path by which anything is sent. Rows are claimed with skip locked and a lease, so a message is
-- sent once, whatever crashes or overlapping workers do.
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
-- Outbox rows still to deliver, per chat in order: the partial index the head-of-queue checks read.
create index outbox_chat_queue_idx on private.outbox (chat_id, due_at, id) where status in ('pending', 'retry', 'claimed', 'sending');
create index outbox_chat_sent_idx on private.outbox (chat_id, sent_at desc) where status = 'sent';
-- A chat's holding lines by time (private.fail_inbox: one per outage).
create index outbox_chat_hold_idx on private.outbox (chat_id, created_at) where kind = 'hold';
-- Retention (sql/35_retention.sql): sent rows by age, and rows that will never be sent by age.
create index outbox_sent_idx on private.outbox (sent_at) where status = 'sent';
create index outbox_settled_idx on private.outbox (created_at) where status in ('failed', 'unconfirmed', 'skipped');

alter table private.outbox enable row level security;
grant select, insert, update, delete on private.outbox to service_role;
create policy "outbox: backend only"
  on private.outbox for select to service_role
  using (true);

-- Claims up to p_limit rows (optionally of one chat) for delivery: first recovers rows whose lease ran out
-- (claimed: never reached Telegram, so back to pending; sending: ambiguous, so unconfirmed and never resent),
-- then takes the head of each chat's queue that is due or falls due within the typing window (the typing_window
-- tunable, GAME_RULES.md §14.2: the sender shows typing first and sends at the due time), not sent to that chat in
-- the last second, and not locked by another worker. Each claimed row gets a 60 s lease.
create or replace function private.claim_outbox(p_now timestamptz, p_limit integer, p_chat_id bigint default null)
returns setof private.outbox
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_until timestamptz := p_now + private.typing_window();
begin
  update private.outbox set status = 'pending', lease_until = null
  where status = 'claimed' and lease_until <= p_now and (p_chat_id is null or chat_id = p_chat_id);
  update private.outbox set status = 'unconfirmed', lease_until = null, last_error = 'lease expired while sending'
  where status = 'sending' and lease_until <= p_now and (p_chat_id is null or chat_id = p_chat_id);

  return query
  with heads as (
    select o.id from private.outbox o
    where o.status in ('pending', 'retry') and o.due_at <= v_until and (p_chat_id is null or o.chat_id = p_chat_id)
      and not exists (
        select 1 from private.outbox e
        where e.chat_id = o.chat_id and e.status in ('pending', 'retry', 'claimed', 'sending')
          and (e.due_at, e.id) < (o.due_at, o.id))
      and not exists (
        select 1 from private.outbox s
        where s.chat_id = o.chat_id and s.status = 'sent' and s.sent_at > p_now - interval '1 second')
    order by o.due_at, o.id
    limit p_limit
    for update of o skip locked
  )
  update private.outbox o set status = 'claimed', lease_until = p_now + interval '60 seconds'
  from heads where o.id = heads.id
  returning o.*;
end
$$;
comment on function private.claim_outbox(timestamptz, integer, bigint) is 'Recovers expired leases, then claims head-of-chat outbox rows due within the typing window (skip locked, 60 s lease, 1 s per chat) for the deliver routine.';
revoke execute on function private.claim_outbox(timestamptz, integer, bigint) from public;
grant execute on function private.claim_outbox(timestamptz, integer, bigint) to service_role;

-- What a deliver run needs to decide whether to pass over the queue again, after a pass that claimed nothing:
-- due (rows due and not sent: the run's `remaining`), soon (due within the typing window, so claimable by time),
-- next_due (the earliest row still to send), gap_ends_at (the earliest moment a chat holding a soon row is past
-- its 1 s gap, if one is within it) and the typing window itself, in milliseconds.
create or replace function private.outbox_outlook(p_now timestamptz, p_chat_id bigint default null)
returns table (due integer, soon integer, next_due timestamptz, gap_ends_at timestamptz, typing_window_ms integer)
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  v_window interval := private.typing_window();
begin
  return query
  with open_rows as (
    select o.chat_id, o.due_at from private.outbox o
    where o.status in ('pending', 'retry') and (p_chat_id is null or o.chat_id = p_chat_id)
  )
  select
    (select count(*) from open_rows r where r.due_at <= p_now)::integer,
    (select count(*) from open_rows r where r.due_at <= p_now + v_window)::integer,
    (select min(r.due_at) from open_rows r),
    (select min(g.last_sent) + interval '1 second' from (
       select max(s.sent_at) as last_sent from private.outbox s
       where s.status = 'sent' and s.sent_at > p_now - interval '1 second'
         and s.chat_id in (select r.chat_id from open_rows r where r.due_at <= p_now + v_window)
       group by s.chat_id) g),
    (extract(epoch from v_window) * 1000)::integer;
end
$$;
comment on function private.outbox_outlook(timestamptz, bigint) is 'Counts of due and soon-due outbox rows (optionally of one chat), the next due time, when the nearest 1 s chat gap ends, and the typing window in ms.';
revoke execute on function private.outbox_outlook(timestamptz, bigint) from public;
grant execute on function private.outbox_outlook(timestamptz, bigint) to service_role;

-- Gives back a claimed row its run will not send after all (its turn would come after the run's end): it never
-- reached the provider, so it is pending again at once instead of waiting out its lease.
create or replace function private.release_outbox(p_id bigint)
returns boolean
language sql
volatile
security invoker
set search_path = ''
as $$
  update private.outbox set status = 'pending', lease_until = null
  where id = p_id and status = 'claimed'
  returning true
$$;
comment on function private.release_outbox(bigint) is 'Puts a claimed row its run will not send back to pending at once; null if it is no longer claimed.';
revoke execute on function private.release_outbox(bigint) from public;
grant execute on function private.release_outbox(bigint) to service_role;

-- Committed just before the HTTP call: from here a crash means "maybe sent", never resent. plpgsql, so its plan is
-- kept (see private.inbox_claim_held).
create or replace function private.mark_sending(p_id bigint, p_text text, p_now timestamptz)
returns boolean
language plpgsql
volatile
security invoker
set search_path = ''
as $$
begin
  update private.outbox set status = 'sending', send_started_at = p_now, lease_until = p_now + interval '60 seconds',
    text = coalesce(text, p_text)
  where id = p_id and status = 'claimed';
  return found;
end
$$;
comment on function private.mark_sending(bigint, text, timestamptz) is 'Moves a claimed row to sending just before the provider call (storing rendered event text); false if it is no longer claimed.';
revoke execute on function private.mark_sending(bigint, text, timestamptz) from public;
grant execute on function private.mark_sending(bigint, text, timestamptz) to service_role;

-- The provider accepted the message: sent, and her Telegram message is stored in the same transaction.
create or replace function private.mark_sent(p_id bigint, p_provider_ref text, p_now timestamptz)
returns void
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_row private.outbox;
begin
  update private.outbox set status = 'sent', sent_at = p_now, provider_ref = p_provider_ref, lease_until = null
  where id = p_id and status = 'sending'
  returning * into v_row;
  -- Her messages are part of the conversation; command answers and holding lines are not.
  if found and v_row.channel = 'telegram' and v_row.user_id is not null and v_row.text is not null
     and v_row.kind in ('reply', 'boss', 'touchpoint', 'welcome', 'event') then
    perform game.store_nikita_message(v_row.user_id, v_row.id, v_row.text, p_now);
  end if;
end
$$;
comment on function private.mark_sent(bigint, text, timestamptz) is 'Marks a sending row sent with the provider reference and stores her message.';
revoke execute on function private.mark_sent(bigint, text, timestamptz) from public;
grant execute on function private.mark_sent(bigint, text, timestamptz) to service_role;

-- The provider refused or failed. p_retry_after (a 429): move due_at by it, the attempt not counted. Permanent
-- (chat not found, bot blocked; a refused call): failed at once, and for Telegram the player marked unreachable
-- (a call the voice API refused says nothing about their chat). Otherwise retry at
-- now + 15 s x 2^attempts (at most 30 min), failed after 5 attempts. Returns the new status.
create or replace function private.mark_send_failed(p_id bigint, p_error text, p_permanent boolean,
  p_retry_after_seconds integer, p_now timestamptz)
returns text
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_row private.outbox;
begin
  update private.outbox o set
    attempts = o.attempts + case when p_retry_after_seconds is not null then 0 else 1 end,
    status = case
      when p_permanent then 'failed'
      when p_retry_after_seconds is null and o.attempts + 1 >= 5 then 'failed'
      else 'retry' end,
    due_at = case
      when p_retry_after_seconds is not null then greatest(o.due_at, p_now) + make_interval(secs => p_retry_after_seconds)
      else p_now + least(interval '30 minutes', interval '15 seconds' * power(2, o.attempts + 1)) end,
    lease_until = null,
    last_error = left(p_error, 1000)
  where o.id = p_id
  returning * into v_row;
  if p_permanent and v_row.user_id is not null and v_row.channel = 'telegram' then
    update public.users set telegram_unreachable_at = p_now where id = v_row.user_id and telegram_unreachable_at is null;
  end if;
  return v_row.status;
end
$$;
comment on function private.mark_send_failed(bigint, text, boolean, integer, timestamptz) is 'Records a failed send: 429 moves due_at uncounted; permanent errors fail at once (a Telegram player unreachable); else backoff, failed after 5.';
revoke execute on function private.mark_send_failed(bigint, text, boolean, integer, timestamptz) from public;
grant execute on function private.mark_send_failed(bigint, text, boolean, integer, timestamptz) to service_role;

-- The provider may have acted on a send whose answer never came (a call dialled, then a timeout or a 5xx): the row
-- is unconfirmed and never resent, as a crash while sending leaves it, since a second call is worse than a missed
-- one. Operators see these rows.
create or replace function private.mark_unconfirmed(p_id bigint, p_error text, p_now timestamptz)
returns void
language sql
volatile
security invoker
set search_path = ''
as $$
  update private.outbox set status = 'unconfirmed', lease_until = null,
    last_error = left(coalesce(p_error, 'no answer') || ' (at ' || p_now::text || ')', 1000)
  where id = p_id and status = 'sending'
$$;
comment on function private.mark_unconfirmed(bigint, text, timestamptz) is 'Marks a sending row unconfirmed (the provider may have acted, its answer never came): never resent.';
revoke execute on function private.mark_unconfirmed(bigint, text, timestamptz) from public;
grant execute on function private.mark_unconfirmed(bigint, text, timestamptz) to service_role;

-- The typing window (the typing_window tunable, GAME_RULES.md §14.2): the longest typing indicator before a
-- message, so also how far ahead of its due time a row may be claimed.
create or replace function private.typing_window()
returns interval
language plpgsql
stable
security invoker
set search_path = ''
as $$
begin
  return make_interval(secs => coalesce((game.tunables_json() ->> 'typing_window')::numeric, 0));
end
$$;
comment on function private.typing_window() is 'The typing_window tunable as an interval: how long typing shows at most before a message, and how early a row may be claimed.';
revoke execute on function private.typing_window() from public;
grant execute on function private.typing_window() to service_role;
