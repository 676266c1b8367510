-- Score history (one row per mutation) and the daily summaries.

-- No foreign keys: the hourly decay inserts a row for every decaying player, and a per-row key check (an index probe
-- and a share lock on the player's row, plus an after-trigger event per row) costs as much as the row itself. Every
-- writer holds the player's row lock when it writes (game.lock_player, or decay's own update of that row), so the
-- player exists; deleting a player or a conversation is followed by the triggers below, which do what
-- `on delete cascade` and `on delete set null` did.
create table public.score_history (
  id bigint generated always as identity primary key,
  user_id uuid not null,
  score numeric(7, 4) not null check (score between 0 and 100),
  chapter smallint not null check (chapter between 1 and 5),
  event_type text not null check (event_type in ('exchange', 'voice_call', 'decay', 'boss_pass', 'boss_partial',
    'boss_fail', 'boss_timeout', 'manual_adjustment', 'game_reset')),
  event_details jsonb not null default '{}',
  conversation_id uuid,
  recorded_at timestamptz not null
);
comment on table public.score_history is 'Exactly one row per game-state mutation: score and chapter after it, event type and details (GAME_RULES.md §2).';
-- The portal reads one player's recent history by time.
create index score_history_user_recorded_idx on public.score_history (user_id, recorded_at desc);
create index score_history_conversation_idx on public.score_history (conversation_id) where conversation_id is not null;

alter table public.score_history enable row level security;
revoke all on public.score_history from anon, authenticated;
grant select on public.score_history to authenticated;

create policy "score_history: select own or admin"
  on public.score_history for select to authenticated
  using (user_id = (select auth.uid()) or (select public.is_admin()));

-- What the foreign keys' actions did, once per statement over the deleted rows. SECURITY DEFINER as the actions of a
-- foreign key are: a player is deleted by Auth's own role (through the cascade from auth.users), which has no rights
-- on score_history.
create or replace function private.delete_score_history_of_players()
returns trigger
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  delete from public.score_history h using gone g where h.user_id = g.id;
  return null;
end
$$;
comment on function private.delete_score_history_of_players() is 'Trigger after delete on public.users: removes the deleted players'' score_history rows (the table has no foreign key, see 14_scores.sql).';
revoke execute on function private.delete_score_history_of_players() from public;

create trigger users_delete_score_history
  after delete on public.users
  referencing old table as gone
  for each statement
  execute function private.delete_score_history_of_players();

create or replace function private.detach_score_history_from_conversations()
returns trigger
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  update public.score_history h set conversation_id = null from gone g where h.conversation_id = g.id;
  return null;
end
$$;
comment on function private.detach_score_history_from_conversations() is 'Trigger after delete on public.conversations: clears conversation_id on the score_history rows of the deleted conversations (the table has no foreign key, see 14_scores.sql).';
revoke execute on function private.detach_score_history_from_conversations() from public;

create trigger conversations_detach_score_history
  after delete on public.conversations
  referencing old table as gone
  for each statement
  execute function private.detach_score_history_from_conversations();

create table public.daily_summaries (
  id bigint generated always as identity primary key,
  user_id uuid not null references public.users (id) on delete cascade,
  date date not null,
  score_start numeric(7, 4) not null,
  score_end numeric(7, 4) not null,
  decay_applied numeric(7, 4) not null default 0,
  conversations_count integer not null default 0 check (conversations_count >= 0),
  summary_text text not null,
  key_moments jsonb not null default '[]' check (jsonb_typeof(key_moments) = 'array'),
  emotional_tone text not null default 'neutral'
    check (emotional_tone in ('warm', 'playful', 'tense', 'passionate', 'neutral', 'distant')),
  created_at timestamptz not null default now(),
  unique (user_id, date)
);
comment on table public.daily_summaries is 'One first-person summary of each player''s local day, with score start/end and decay (GAME_RULES.md §17).';

alter table public.daily_summaries enable row level security;
revoke all on public.daily_summaries from anon, authenticated;
-- Players see the columns PLATFORM.md §8.2 lists, plus user_id, which the policy reads.
grant select (user_id, date, score_start, score_end, decay_applied, conversations_count, summary_text, key_moments,
  emotional_tone) on public.daily_summaries to authenticated;

create policy "daily_summaries: select own or admin"
  on public.daily_summaries for select to authenticated
  using (user_id = (select auth.uid()) or (select public.is_admin()));
