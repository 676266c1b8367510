-- The memory dedup threshold (PLATFORM.md §7; hand-written: a schema diff carries no rows), the same row as
-- sql/data/tunables.sql: a new fact at least this similar to an active fact of the same player and graph type
-- supersedes it.
insert into game.tunables (name, value, unit, meaning) values
  ('memory_dedup_similarity', '0.87', 'cosine similarity', 'a new fact at least this similar to an active fact of the same player and graph type supersedes it (the newer wording wins)');
