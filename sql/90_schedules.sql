-- Scheduled jobs (PLATFORM.md §5.2), named, one call each, run by pg_cron with the database clock. The same
-- calls stand in a hand-written migration (the deploy artifact); the drift check compares them.
select cron.schedule('nikita-decay', '0 * * * *', 'select game.apply_decay(now())');
select cron.schedule('nikita-boss-timeouts', '5 * * * *', 'select game.expire_boss_fights(now())');
