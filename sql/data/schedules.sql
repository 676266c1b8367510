-- Scheduled jobs (PLATFORM.md §5.2): named, one call each, run by pg_cron with the database clock; the
-- functions take the time as a parameter, so tests and simulations pass their own. cron.schedule replaces a job
-- of the same name.
-- Decay in two shards that run side by side, one per core of the compute (game.apply_decay's header); a larger compute
-- gets more shards (of p_shards each, numbered 0..p_shards - 1).
select cron.schedule('nikita-decay-0', '0 * * * *', 'select game.apply_decay(now(), 0, 2)');
select cron.schedule('nikita-decay-1', '0 * * * *', 'select game.apply_decay(now(), 1, 2)');
select cron.schedule('nikita-boss-timeouts', '5 * * * *', 'select game.expire_boss_fights(now())');
select cron.schedule('nikita-close-idle-conversations', '* * * * *', 'select game.close_idle_conversations(now())');
-- HTTP jobs: pg_net posts to the jobs function. Sub-minute schedules need pg_cron >= 1.5 (hosted has 1.6;
-- Debian's 1.4 runs every minute).
do $$
begin
  perform cron.schedule('nikita-deliver',
    case when (select (regexp_match(extversion, '^(\d+)\.(\d+)'))::int[] >= array[1, 5] from pg_extension where extname = 'pg_cron')
         then '5 seconds' else '* * * * *' end,
    'select private.invoke_job(''deliver'')');
end
$$;
select cron.schedule('nikita-process-inbox', '* * * * *', 'select private.invoke_job(''process-inbox'')');
select cron.schedule('nikita-process-conversations', '* * * * *', 'select private.invoke_job(''process-conversations'')');
-- The daily side (GAME_RULES.md §12, §13, §15, §17): each job catches up by itself and is idempotent by its key.
select cron.schedule('nikita-cleanup', '30 * * * *', 'select game.cleanup(now())');
-- Retention of the history tables (sql/35_retention.sql), once a day at 03:40 UTC: night for her European players,
-- and clear of the hourly jobs at :00-:30.
select cron.schedule('nikita-retention', '40 3 * * *', 'select game.apply_retention(now())');
select cron.schedule('nikita-touchpoints', '*/5 * * * *', 'select private.invoke_job(''touchpoints'')');
select cron.schedule('nikita-life-sim', '10 * * * *', 'select private.invoke_job(''life-sim'')');
select cron.schedule('nikita-daily-summaries', '20 * * * *', 'select private.invoke_job(''daily-summaries'')');
select cron.schedule('nikita-psyche-submit', '15 * * * *', 'select private.invoke_job(''psyche-submit'')');
select cron.schedule('nikita-psyche-collect', '*/10 * * * *', 'select private.invoke_job(''psyche-collect'')');
