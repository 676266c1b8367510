-- Her emotional state over time (GAME_RULES.md §11): one row per computation, the latest feeds her prompt. The rule
-- is game.emotional_state and the rows are written by game.apply_conversation_effects (70_conversation_effects.sql).

create table public.emotional_states (
  id bigint generated always as identity primary key,
  user_id uuid not null references public.users (id) on delete cascade,
  arousal numeric(5, 4) not null check (arousal between 0 and 1),
  valence numeric(5, 4) not null check (valence between 0 and 1),
  dominance numeric(5, 4) not null check (dominance between 0 and 1),
  intimacy numeric(5, 4) not null check (intimacy between 0 and 1),
  conflict_state text not null check (conflict_state in ('calm', 'warm', 'hot', 'critical')),
  conversation_id uuid references public.conversations (id) on delete set null,
  recorded_at timestamptz not null
);
comment on table public.emotional_states is 'Her emotional state with one player (GAME_RULES.md §11): arousal, valence, dominance, intimacy (0..1) and the conflict zone at the time, one row per computation after a closed conversation; the latest is current.';
comment on column public.emotional_states.conflict_state is 'The conflict zone (calm, warm, hot, critical) of the cooled temperature when the row was recorded.';
-- Her prompt reads the latest row, the portal the history by time.
create index emotional_states_user_recorded_idx on public.emotional_states (user_id, recorded_at desc);
create index emotional_states_conversation_idx on public.emotional_states (conversation_id) where conversation_id is not null;

alter table public.emotional_states enable row level security;
revoke all on public.emotional_states from anon, authenticated;
-- Players see the four dimensions, the zone and the time (PLATFORM.md §8.2), plus user_id, which the policy reads.
grant select (user_id, arousal, valence, dominance, intimacy, conflict_state, recorded_at)
  on public.emotional_states to authenticated;

create policy "emotional_states: select own or admin"
  on public.emotional_states for select to authenticated
  using (user_id = (select auth.uid()) or (select public.is_admin()));
