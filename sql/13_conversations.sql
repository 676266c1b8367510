-- Conversations (Telegram sessions and voice calls) and their messages, one row per message.

create table public.conversations (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references public.users (id) on delete cascade,
  platform text not null check (platform in ('telegram', 'voice')),
  status text not null default 'open' check (status in ('open', 'closed')),
  started_at timestamptz not null,
  last_message_at timestamptz not null,
  ended_at timestamptz,
  chapter_at_start smallint not null check (chapter_at_start between 1 and 5),
  is_boss_fight boolean not null default false,
  score_delta numeric(7, 4),
  scored_at timestamptz,
  summary text,
  emotional_tone text,
  elevenlabs_conversation_id text unique,
  removed_message_count integer check (removed_message_count >= 0),
  check ((status = 'closed') = (ended_at is not null))
);
comment on table public.conversations is 'A Telegram conversation (closed after 15 idle minutes) or a voice call, with its score delta, summary and tone.';
comment on column public.conversations.removed_message_count is 'How many messages the conversation had when retention removed them (game.apply_retention); null while they are kept. The portal''s message count reads it.';
create index conversations_user_started_idx on public.conversations (user_id, started_at desc);
-- The daily summaries find the player-dates due from the last days' conversations (game.due_daily_summaries).
create index conversations_started_idx on public.conversations (started_at);
-- At most one open Telegram conversation per player.
create unique index conversations_one_open_telegram_idx on public.conversations (user_id)
  where platform = 'telegram' and status = 'open';
-- The idle-close sweep reads open conversations by their last message.
create index conversations_open_last_message_idx on public.conversations (last_message_at) where status = 'open';

alter table public.conversations enable row level security;
revoke all on public.conversations from anon, authenticated;
-- Players see the columns of PLATFORM.md §8.2 (those of public.conversation_list), plus user_id, which the policy
-- reads, and the count of messages retention removed (public.conversation_list's message count reads it); the
-- bookkeeping (status, last message, chapter at start, scored_at, provider ids) stays private.
grant select (id, user_id, platform, started_at, ended_at, is_boss_fight, score_delta, summary, emotional_tone,
  removed_message_count) on public.conversations to authenticated;

create policy "conversations: select own or admin"
  on public.conversations for select to authenticated
  using (user_id = (select auth.uid()) or (select public.is_admin()));

create table public.messages (
  id bigint generated always as identity primary key,
  conversation_id uuid not null references public.conversations (id) on delete cascade,
  user_id uuid not null references public.users (id) on delete cascade,
  role text not null check (role in ('player', 'nikita')),
  content text not null,
  time_in_call_secs numeric(9, 3),
  telegram_update_id bigint unique,
  outbox_id bigint unique,
  created_at timestamptz not null
);
comment on table public.messages is 'One row per message of a conversation: the player''s (role player) or hers (role nikita). Provider keys make each message stored once.';
create index messages_conversation_created_idx on public.messages (conversation_id, created_at);
create index messages_user_created_idx on public.messages (user_id, created_at desc);

alter table public.messages enable row level security;
revoke all on public.messages from anon, authenticated;
grant select (id, conversation_id, user_id, role, content, time_in_call_secs, created_at) on public.messages to authenticated;

create policy "messages: select own or admin"
  on public.messages for select to authenticated
  using (user_id = (select auth.uid()) or (select public.is_admin()));
