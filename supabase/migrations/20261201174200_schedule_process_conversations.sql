-- The post-conversation pipeline runs every minute (PLATFORM.md §5.2): pg_net posts to the jobs function.
select cron.schedule('nikita-process-conversations', '* * * * *', 'select private.invoke_job(''process-conversations'')');
