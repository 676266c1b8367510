-- Engine schedules (PLATFORM.md §5.2). Each job runs one call with the database clock; the functions take the
-- time as a parameter, so tests and simulations pass their own. cron.schedule updates a job of the same name.
select cron.schedule('nikita-decay', '0 * * * *', 'select game.apply_decay(now())');
select cron.schedule('nikita-boss-timeouts', '5 * * * *', 'select game.expire_boss_fights(now())');
