-- The Telegram inbox (PLATFORM.md §2.2): every update stored once under its update_id, then drained per chat.

-- A drain pass claims the lowest open update of a chat with a lease and a claim token and commits; the models work
-- holding no transaction; the effects are applied in a second transaction that checks the token is still the row's.
-- So an update is processed once and in order, whatever crashes, slow models or overlapping workers do.
create table private.telegram_updates (
  update_id bigint primary key,
  chat_id bigint,
  user_id uuid references public.users (id) on delete set null,
  kind text not null,
  payload jsonb not null,
  status text not null default 'pending'
    check (status in ('pending', 'processing', 'retry', 'done', 'failed', 'ignored')),
  attempts integer not null default 0 check (attempts >= 0),
  lease_until timestamptz,
  claim_token uuid,
  progress jsonb,
  next_attempt_at timestamptz,
  received_at timestamptz not null default now(),
  processed_at timestamptz,
  last_error text,
  check ((status = 'processing') = (claim_token is not null))
);
comment on table private.telegram_updates is 'Telegram inbox: every update stored once under its update_id, then processed per chat in id order under a claim (lease and token); retry/failed rows carry backoff state, progress what a retried turn resumes from.';
comment on column private.telegram_updates.progress is 'What a game turn decided and applied so far (its plan, then the exchange), so a retry resumes instead of deciding or scoring twice.';
-- drain(chat): the lowest open update of a chat; the sweeper: open rows by chat.
create index telegram_updates_chat_open_idx on private.telegram_updates (chat_id, update_id)
  where status in ('pending', 'processing', 'retry');
create index telegram_updates_chat_done_idx on private.telegram_updates (chat_id, update_id) where status = 'done';
-- A turn's context: the chat's failed updates since its last done one (game.begin_turn); retention asks the same.
create index telegram_updates_chat_failed_idx on private.telegram_updates (chat_id, update_id) where status = 'failed';
create index telegram_updates_user_idx on private.telegram_updates (user_id) where user_id is not null;
-- Retention (sql/35_retention.sql): done and ignored rows by age, failed rows by age.
create index telegram_updates_received_idx on private.telegram_updates (received_at) where status in ('done', 'ignored');
create index telegram_updates_failed_idx on private.telegram_updates (received_at) where status = 'failed';

alter table private.telegram_updates enable row level security;
grant select, insert, update, delete on private.telegram_updates to service_role;
create policy "telegram_updates: backend only"
  on private.telegram_updates for select to service_role
  using (true);

-- Claims the next update of a chat for one pass: the lowest update_id that is not done, ignored or failed. The chat
-- waits (nothing is returned) while that row is a retry not yet due or is processing under a live lease: a later
-- update is never taken past it. The caller holds the chat's advisory lock. The claim sets processing, a lease of
-- p_lease_seconds and a new claim token; progress is kept, so a retried turn resumes where it stopped.
create or replace function private.claim_inbox(p_chat_id bigint, p_now timestamptz, p_lease_seconds integer default 90)
returns setof private.telegram_updates
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_row private.telegram_updates;
begin
  select * into v_row from private.telegram_updates
  where chat_id = p_chat_id and status in ('pending', 'processing', 'retry')
  order by update_id
  limit 1
  for update;
  if not found
     or (v_row.status = 'retry' and v_row.next_attempt_at > p_now)
     or (v_row.status = 'processing' and v_row.lease_until > p_now) then
    return;
  end if;
  return query
  update private.telegram_updates
  set status = 'processing', lease_until = p_now + make_interval(secs => p_lease_seconds),
      claim_token = extensions.gen_random_uuid()
  where update_id = v_row.update_id
  returning *;
end
$$;
comment on function private.claim_inbox(bigint, timestamptz, integer) is 'Claims the lowest open update of a chat (lease and claim token), unless it is a retry not yet due or processing under a live lease: then the chat waits.';
revoke execute on function private.claim_inbox(bigint, timestamptz, integer) from public;
grant execute on function private.claim_inbox(bigint, timestamptz, integer) to service_role;

-- True while p_token is still the claim of the update (and locks the row until commit): the second transaction of a
-- pass applies nothing unless it holds the claim. Another worker that took the update after the lease ran out
-- holds a new token, so only one of the two applies.
-- plpgsql, not sql, as are the other one-statement functions every turn or send calls: a sql function with SET
-- search_path is never inlined, so each call parsed and planned its body again (~45 µs); plpgsql keeps the plan for
-- the session.
create or replace function private.inbox_claim_held(p_update_id bigint, p_token uuid)
returns boolean
language plpgsql
volatile
security invoker
set search_path = ''
as $$
begin
  return exists (
    select 1 from private.telegram_updates
    where update_id = p_update_id and status = 'processing' and claim_token = p_token
    for update);
end
$$;
comment on function private.inbox_claim_held(bigint, uuid) is 'Whether p_token is still the claim of a processing update (locking it); the guard of every pass''s effects.';
revoke execute on function private.inbox_claim_held(bigint, uuid) from public;
grant execute on function private.inbox_claim_held(bigint, uuid) to service_role;

-- Records a turn's progress under its claim (false when the claim is no longer held).
create or replace function private.save_inbox_progress(p_update_id bigint, p_token uuid, p_progress jsonb)
returns boolean
language plpgsql
volatile
security invoker
set search_path = ''
as $$
begin
  update private.telegram_updates set progress = p_progress
  where update_id = p_update_id and status = 'processing' and claim_token = p_token;
  return found;
end
$$;
comment on function private.save_inbox_progress(bigint, uuid, jsonb) is 'Stores what a turn decided or applied so far, under its claim.';
revoke execute on function private.save_inbox_progress(bigint, uuid, jsonb) from public;
grant execute on function private.save_inbox_progress(bigint, uuid, jsonb) to service_role;

-- The pass is complete: done, under its claim (false when the claim is no longer held).
create or replace function private.finish_inbox(p_update_id bigint, p_token uuid, p_now timestamptz)
returns boolean
language plpgsql
volatile
security invoker
set search_path = ''
as $$
begin
  update private.telegram_updates
  set status = 'done', processed_at = p_now, lease_until = null, claim_token = null, last_error = null
  where update_id = p_update_id and status = 'processing' and claim_token = p_token;
  return found;
end
$$;
comment on function private.finish_inbox(bigint, uuid, timestamptz) is 'Marks a claimed update done (only under its claim).';
revoke execute on function private.finish_inbox(bigint, uuid, timestamptz) from public;
grant execute on function private.finish_inbox(bigint, uuid, timestamptz) to service_role;

-- A pass failed under its claim. Retryable (a provider unreachable): retry with backoff 30 s x 4^(attempts - 1)
-- (30 s, 2 min, 8 min, 32 min), failed after 5 attempts; otherwise failed at once. hold is true when the player
-- should get one in-character holding line: the update's first failure, and no holding line went to the chat since
-- its last completed update (at most one per chat per outage). Retention removes done updates after
-- retention_inbox_days, so a chat with none left looks back that far only: an older holding line belongs to an
-- outage a done update has ended since. Returns {status, attempts, hold}, or null when the claim is no longer held.
create or replace function private.fail_inbox(p_update_id bigint, p_token uuid, p_error text, p_retryable boolean,
  p_now timestamptz)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_row private.telegram_updates;
  v_last_done timestamptz;
begin
  update private.telegram_updates
  set attempts = attempts + 1,
      status = case when p_retryable and attempts + 1 < 5 then 'retry' else 'failed' end,
      next_attempt_at = case when p_retryable and attempts + 1 < 5 then p_now + interval '30 seconds' * power(4, attempts) end,
      lease_until = null, claim_token = null, last_error = left(p_error, 1000)
  where update_id = p_update_id and status = 'processing' and claim_token = p_token
  returning * into v_row;
  if not found then
    return null;
  end if;
  select processed_at into v_last_done from private.telegram_updates
  where chat_id = v_row.chat_id and status = 'done' order by update_id desc limit 1;
  return jsonb_build_object('status', v_row.status, 'attempts', v_row.attempts,
    'hold', v_row.status = 'retry' and v_row.attempts = 1 and not exists (
      select 1 from private.outbox o
      where o.chat_id = v_row.chat_id and o.kind = 'hold'
        and o.created_at > coalesce(v_last_done,
          p_now - make_interval(days => (game.tunables_json() ->> 'retention_inbox_days')::integer))));
end
$$;
comment on function private.fail_inbox(bigint, uuid, text, boolean, timestamptz) is 'Records a failed pass under its claim: retry with backoff (30 s, 2 min, 8 min, 32 min) while retryable, else or after 5 attempts failed; says whether a holding line is due (one per chat per outage).';
revoke execute on function private.fail_inbox(bigint, uuid, text, boolean, timestamptz) from public;
grant execute on function private.fail_inbox(bigint, uuid, text, boolean, timestamptz) to service_role;

-- Chats the sweeper should drain: those whose lowest open update is pending or processing past its lease (the
-- waitUntil path or a worker died), or a retry that is due.
create or replace function private.inbox_chats_due(p_now timestamptz, p_limit integer)
returns setof bigint
language sql
stable
security invoker
set search_path = ''
as $$
  select h.chat_id
  from (
    select distinct on (u.chat_id) u.chat_id, u.update_id, u.status, u.lease_until, u.next_attempt_at
    from private.telegram_updates u
    where u.status in ('pending', 'processing', 'retry') and u.chat_id is not null
    order by u.chat_id, u.update_id
  ) h
  where (h.status in ('pending', 'processing') and h.lease_until <= p_now) or (h.status = 'retry' and h.next_attempt_at <= p_now)
  order by h.update_id
  limit p_limit
$$;
comment on function private.inbox_chats_due(timestamptz, integer) is 'Chats whose lowest open update is pending or processing past its lease, or a due retry, oldest first (the process-inbox sweeper).';
revoke execute on function private.inbox_chats_due(timestamptz, integer) from public;
grant execute on function private.inbox_chats_due(timestamptz, integer) to service_role;
