-- Conversations over time (GAME_RULES.md §14.1): the Telegram messages, idle closing, post-conversation jobs.

-- The post-conversation job each closed conversation queues (PLATFORM.md §6).
create table private.conversation_jobs (
  conversation_id uuid primary key references public.conversations (id) on delete cascade,
  user_id uuid not null references public.users (id) on delete cascade,
  status text not null default 'pending' check (status in ('pending', 'running', 'retry', 'done', 'failed')),
  attempts integer not null default 0 check (attempts >= 0),
  lease_until timestamptz,
  claim_token uuid,
  next_attempt_at timestamptz,
  stages jsonb not null default '{}',
  last_error text,
  created_at timestamptz not null,
  finished_at timestamptz,
  check ((status = 'running') = (claim_token is not null))
);
comment on table private.conversation_jobs is 'One post-conversation processing job per closed conversation: status, attempts, lease, backoff and per-stage results.';
create index conversation_jobs_user_idx on private.conversation_jobs (user_id);
create index conversation_jobs_due_idx on private.conversation_jobs (next_attempt_at) where status in ('pending', 'retry');
-- Recovery: running jobs whose lease ran out (a worker died).
create index conversation_jobs_leased_idx on private.conversation_jobs (lease_until) where status = 'running';
-- Retention (sql/35_retention.sql): finished jobs in the order they finished, the conversations whose messages go.
create index conversation_jobs_done_idx on private.conversation_jobs (finished_at, conversation_id) where status = 'done';

alter table private.conversation_jobs enable row level security;
grant select, insert, update, delete on private.conversation_jobs to service_role;
create policy "conversation_jobs: backend only"
  on private.conversation_jobs for select to service_role
  using (true);

-- Stores the player's Telegram message once (keyed by update_id) in their open conversation, opening one when
-- none is open or the open one has been idle long enough to close. A stored message is a player interaction.
-- Returns {message_id, conversation_id, duplicate}.
create or replace function game.store_player_message(p_user_id uuid, p_update_id bigint, p_content text, p_now timestamptz)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_user public.users := game.lock_player(p_user_id);
  v_idle interval := make_interval(mins => (game.tunables_json() ->> 'conversation_idle')::int);
  v_conversation public.conversations;
  v_message_id bigint;
begin
  select id, conversation_id into v_message_id, v_conversation.id from public.messages where telegram_update_id = p_update_id;
  if found then
    return jsonb_build_object('message_id', v_message_id, 'conversation_id', v_conversation.id, 'duplicate', true);
  end if;
  select * into v_conversation from public.conversations
  where user_id = p_user_id and platform = 'telegram' and status = 'open' for no key update;
  if found and v_conversation.last_message_at <= p_now - v_idle then
    perform game.close_conversations(array[v_conversation.id], p_now);
    v_conversation := null;
  end if;
  if v_conversation.id is null then
    insert into public.conversations (user_id, platform, started_at, last_message_at, chapter_at_start,
      is_boss_fight)
    values (p_user_id, 'telegram', p_now, p_now, v_user.chapter, v_user.game_status = 'boss_fight')
    returning * into v_conversation;
  end if;
  insert into public.messages (conversation_id, user_id, role, content, telegram_update_id, created_at)
  values (v_conversation.id, p_user_id, 'player', p_content, p_update_id, p_now)
  returning id into v_message_id;
  update public.conversations set last_message_at = greatest(last_message_at, p_now) where id = v_conversation.id;
  perform game.touch_interaction(p_user_id, p_now);
  return jsonb_build_object('message_id', v_message_id, 'conversation_id', v_conversation.id, 'duplicate', false);
end
$$;
comment on function game.store_player_message(uuid, bigint, text, timestamptz) is 'Stores a player message once per update_id in the open Telegram conversation (opening or rolling it over when idle); a player interaction.';
revoke execute on function game.store_player_message(uuid, bigint, text, timestamptz) from public;
grant execute on function game.store_player_message(uuid, bigint, text, timestamptz) to service_role;

-- Stores her message once it was sent (keyed by the outbox row) in the player's open Telegram conversation. When it
-- is the end of her boss opening, the encounter's phases start counting.
create or replace function game.store_nikita_message(p_user_id uuid, p_outbox_id bigint, p_content text, p_now timestamptz)
returns bigint
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_conversation_id uuid;
  v_message_id bigint;
begin
  select id into v_message_id from public.messages where outbox_id = p_outbox_id;
  if found then
    return v_message_id;
  end if;
  select id into v_conversation_id from public.conversations
  where user_id = p_user_id and platform = 'telegram' and status = 'open';
  if v_conversation_id is null then
    -- Her message outside a conversation (a proactive message, or after the idle close) opens one.
    insert into public.conversations (user_id, platform, started_at, last_message_at, chapter_at_start)
    select p_user_id, 'telegram', p_now, p_now, u.chapter from public.users u where u.id = p_user_id
    returning id into v_conversation_id;
  end if;
  insert into public.messages (conversation_id, user_id, role, content, outbox_id, created_at)
  values (v_conversation_id, p_user_id, 'nikita', p_content, p_outbox_id, p_now)
  returning id into v_message_id;
  update public.conversations set last_message_at = greatest(last_message_at, p_now) where id = v_conversation_id;
  -- The last part of her boss opening is out: the encounter's phases count from now (GAME_RULES.md §5.2).
  update game.boss_fights f set opening_sent_at = p_now, phase_started_at = p_now
  from private.outbox o
  where o.id = p_outbox_id and o.payload ->> 'boss_line' = 'opening' and (o.payload ->> 'last_part')::boolean
    and f.id = (o.payload ->> 'boss_fight_id')::uuid and f.phase = 'opening' and f.opening_sent_at is null;
  return v_message_id;
end
$$;
comment on function game.store_nikita_message(uuid, bigint, text, timestamptz) is 'Stores her sent message once per outbox row in the open Telegram conversation; the delivered boss opening starts the encounter''s phases.';
revoke execute on function game.store_nikita_message(uuid, bigint, text, timestamptz) from public;
grant execute on function game.store_nikita_message(uuid, bigint, text, timestamptz) to service_role;

-- Closes the given open Telegram conversations at p_now and queues their processing jobs. Defined before
-- game.close_idle_conversations, whose `language sql` body is checked when it is created.
create or replace function game.close_conversations(p_conversation_ids uuid[], p_now timestamptz)
returns integer
language sql
volatile
security invoker
set search_path = ''
as $$
  with closed as (
    update public.conversations set status = 'closed', ended_at = p_now
    where id = any (p_conversation_ids) and status = 'open'
    returning id, user_id
  ),
  jobs as (
    insert into private.conversation_jobs (conversation_id, user_id, next_attempt_at, created_at)
    select id, user_id, p_now, p_now from closed
    on conflict (conversation_id) do nothing
  )
  select count(*)::int from closed
$$;
comment on function game.close_conversations(uuid[], timestamptz) is 'Closes open conversations at p_now and queues one post-conversation job each.';
revoke execute on function game.close_conversations(uuid[], timestamptz) from public;
grant execute on function game.close_conversations(uuid[], timestamptz) to service_role;

-- Every minute: Telegram conversations idle for 15 minutes or more close. Set-based; returns {closed}.
create or replace function game.close_idle_conversations(p_now timestamptz)
returns jsonb
language sql
volatile
security invoker
set search_path = ''
as $$
  select jsonb_build_object('closed', game.close_conversations(array(
    select c.id from public.conversations c
    where c.status = 'open' and c.platform = 'telegram'
      and c.last_message_at <= p_now - make_interval(mins => (game.tunables_json() ->> 'conversation_idle')::int)
  ), p_now))
$$;
comment on function game.close_idle_conversations(timestamptz) is 'Closes Telegram conversations idle for conversation_idle minutes at p_now and queues their jobs (GAME_RULES.md §14.1).';
revoke execute on function game.close_idle_conversations(timestamptz) from public;
grant execute on function game.close_idle_conversations(timestamptz) to service_role;
