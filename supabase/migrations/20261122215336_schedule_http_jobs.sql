-- HTTP job schedules (PLATFORM.md §5.2), version-aware as in sql/90_schedules.sql: hosted pg_cron 1.6 delivers
-- every 5 seconds, Debian's 1.4 every minute. (Hand-written: a schema diff would pin one schedule.)
do $$
begin
  perform cron.schedule('nikita-deliver',
    case when (select (regexp_match(extversion, '^(\d+)\.(\d+)'))::int[] >= array[1, 5] from pg_extension where extname = 'pg_cron')
         then '5 seconds' else '* * * * *' end,
    'select private.invoke_job(''deliver'')');
end
$$;
select cron.schedule('nikita-process-inbox', '* * * * *', 'select private.invoke_job(''process-inbox'')');
