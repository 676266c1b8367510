-- pg_cron's scheduler runs in this database. The test database is built like the local one (its `postgres`
-- database dropped and created again on a running cluster); pg_cron 1.4's scheduler dies with the database it
-- was attached to and never comes back without a restart of the cluster, and then no job runs. The jobs of the
-- test database are inactive on purpose: only the scheduler is checked here.
begin;
select plan(2);

select is((select count(*)::integer from pg_catalog.pg_stat_activity
           where backend_type = 'pg_cron launcher' and datname = current_database()), 1,
  'one pg_cron scheduler is attached to this database');
select is(current_setting('cron.database_name'), current_database()::text, 'pg_cron schedules the jobs of this database');

select * from finish();
rollback;
