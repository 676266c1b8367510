-- The five chapters (public.chapters): GAME_RULES.md §4.1 (name, boss, boss threshold), §7.1 (decay grace
-- after the last interaction, rate per overdue hour, daily cap per UTC day) and §3.3 (per-exchange delta cap).
insert into public.chapters
  (chapter, name, boss_name, boss_threshold, decay_grace_hours, decay_per_hour, decay_daily_cap, delta_cap)
values
  (1, 'Curiosity', 'Worth my time?', 55, 8, 0.8, 12, 3.0),
  (2, 'Intrigue', 'Can you handle my intensity?', 60, 16, 0.6, 10, 2.5),
  (3, 'Investment', 'Trust test', 65, 24, 0.4, 8, 2.0),
  (4, 'Intimacy', 'Vulnerability threshold', 70, 48, 0.3, 6, 1.5),
  (5, 'Established', 'The ultimate test', 75, 72, 0.2, 4, 1.0);
