-- Extensions the schema uses: hosted Supabase installs them in `extensions`; pg_cron creates its own `cron`,
-- pg_net its own `net`.

-- A schema diff never emits these statements: the migrations hold the same ones (..._extensions.sql, and
-- ..._enable_pg_net.sql for pg_net).
create extension if not exists pgcrypto with schema extensions;
create extension if not exists pg_trgm with schema extensions;
create extension if not exists vector with schema extensions;
create extension if not exists pg_cron with schema pg_catalog;
-- Async HTTP for the scheduled HTTP jobs (private.invoke_job calls net.http_post). Its functions and queue live
-- in `net` whatever the schema named here, which is where the extension is recorded (as Supabase enables it:
-- not in public). Locally the stand-in of scripts/local/pg_net, whose requests the local gateway sends.
create extension if not exists pg_net with schema extensions;
