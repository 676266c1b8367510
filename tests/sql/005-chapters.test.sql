-- The chapter reference rows carry GAME_RULES.md's numbers: §4.1 names and boss thresholds, §7.1 decay grace,
-- rate and daily cap, §3.3 per-exchange delta cap.
begin;
select plan(2);

select results_eq(
  $$select chapter, name, boss_threshold, delta_cap from public.chapters order by chapter$$,
  $$values (1::smallint, 'Curiosity'::text, 55.0000::numeric, 3.0000::numeric),
           (2::smallint, 'Intrigue', 60.0000, 2.5000),
           (3::smallint, 'Investment', 65.0000, 2.0000),
           (4::smallint, 'Intimacy', 70.0000, 1.5000),
           (5::smallint, 'Established', 75.0000, 1.0000)$$,
  'names, boss thresholds and delta caps per chapter');

select results_eq(
  $$select chapter, decay_grace_hours, decay_per_hour, decay_daily_cap from public.chapters order by chapter$$,
  $$values (1::smallint, 8.0000::numeric, 0.8000::numeric, 12.0000::numeric),
           (2::smallint, 16.0000, 0.6000, 10.0000),
           (3::smallint, 24.0000, 0.4000, 8.0000),
           (4::smallint, 48.0000, 0.3000, 6.0000),
           (5::smallint, 72.0000, 0.2000, 4.0000)$$,
  'decay grace, rate and daily cap per chapter');

select * from finish();
rollback;
