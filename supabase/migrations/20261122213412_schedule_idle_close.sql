-- Idle Telegram conversations close every minute (PLATFORM.md §5.2).
select cron.schedule('nikita-close-idle-conversations', '* * * * *', 'select game.close_idle_conversations(now())');
