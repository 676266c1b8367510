-- Reference data (hand-written: a schema diff carries no rows).
-- Chapters: GAME_RULES.md §4.1 (names, bosses, thresholds), §7.1 (decay grace, rate, daily cap), §3.3 (cap).
insert into public.chapters
  (chapter, name, boss_name, boss_threshold, decay_grace_hours, decay_per_hour, decay_daily_cap, delta_cap)
values
  (1, 'Curiosity', 'Worth my time?', 55, 8, 0.8, 12, 3.0),
  (2, 'Intrigue', 'Can you handle my intensity?', 60, 16, 0.6, 10, 2.5),
  (3, 'Investment', 'Trust test', 65, 24, 0.4, 8, 2.0),
  (4, 'Intimacy', 'Vulnerability threshold', 70, 48, 0.3, 6, 1.5),
  (5, 'Established', 'The ultimate test', 75, 72, 0.2, 4, 1.0)
on conflict (chapter) do nothing;

-- LLM prices in USD per million tokens (volatile; operators update them with an UPDATE).
insert into private.llm_prices (model, input_per_mtok, output_per_mtok) values
  ('claude-sonnet-4-6', 3.00, 15.00),
  ('claude-haiku-4-5', 1.00, 5.00),
  ('text-embedding-3-small', 0.02, 0)
on conflict (model) do nothing;
