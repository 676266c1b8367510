-- Chapters: the per-chapter values players may see (GAME_RULES.md §4, §7); the rows are sql/data/chapters.sql.

-- The engine reads the per-chapter values here, so no number is stored twice (game.tunables holds the rest).
create table public.chapters (
  chapter smallint primary key check (chapter between 1 and 5),
  name text not null unique,
  boss_name text not null,
  boss_threshold numeric(7, 4) not null check (boss_threshold between 0 and 100),
  decay_grace_hours numeric(7, 4) not null check (decay_grace_hours >= 0),
  decay_per_hour numeric(7, 4) not null check (decay_per_hour >= 0),
  decay_daily_cap numeric(7, 4) not null check (decay_daily_cap >= 0),
  delta_cap numeric(7, 4) not null check (delta_cap > 0)
);
comment on table public.chapters is 'Reference rows, one per chapter: name, boss threshold, decay grace/rate/daily cap, per-exchange delta cap (GAME_RULES.md §4, §7).';

alter table public.chapters enable row level security;
revoke all on public.chapters from anon, authenticated;
grant select on public.chapters to authenticated;

create policy "chapters: signed-in users read all"
  on public.chapters for select to authenticated
  using (true);
