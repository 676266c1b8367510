-- Vices: what the player responds to in her (GAME_RULES.md §10); the rules are in 44_engine_vices.sql.

-- Written by game.seed_vices and the exchange scoring; players read their own.
-- The vice categories of GAME_RULES.md §10.1, in the rules' order: the engine's one list, read by this table's check
-- and by game.check_analysis. The analyzer's tool schema (functions/_shared/llm/analysis.ts) holds the same list,
-- and a test keeps the two equal.
create or replace function game.vice_categories()
returns text[]
language sql
immutable
parallel safe
security invoker
set search_path = ''
as $$
  select array['intellectual_dominance', 'risk_taking', 'substances', 'sexuality', 'emotional_intensity',
    'rule_breaking', 'dark_humor', 'vulnerability']
$$;
comment on function game.vice_categories() is 'The vice categories (GAME_RULES.md §10.1), the one list the engine checks against.';
revoke execute on function game.vice_categories() from public;
grant execute on function game.vice_categories() to service_role;

create table public.user_vice_preferences (
  user_id uuid not null references public.users (id) on delete cascade,
  category text not null check (category = any (game.vice_categories())),
  engagement_score numeric(9, 4) not null default 0 check (engagement_score >= 0),
  intensity_level numeric(7, 4) not null default 0 check (intensity_level between 0 and 1),
  discovered_at timestamptz,
  updated_at timestamptz not null default now(),
  primary key (user_id, category)
);
comment on table public.user_vice_preferences is 'Per player and vice category: engagement score, derived intensity (0..1) and discovery time.';

alter table public.user_vice_preferences enable row level security;
revoke all on public.user_vice_preferences from anon, authenticated;
-- Players see the columns PLATFORM.md §8.2 lists, plus user_id, which the policy reads.
grant select (user_id, category, intensity_level, engagement_score, discovered_at)
  on public.user_vice_preferences to authenticated;

create policy "user_vice_preferences: select own or admin"
  on public.user_vice_preferences for select to authenticated
  using (user_id = (select auth.uid()) or (select public.is_admin()));
