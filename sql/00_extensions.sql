-- Extensions the schema uses: hosted Supabase installs them in `extensions`; pg_cron creates its own `cron`.

-- A schema diff never emits these statements: the first migration (..._extensions.sql) holds the same ones.
create extension if not exists pgcrypto with schema extensions;
create extension if not exists pg_trgm with schema extensions;
create extension if not exists vector with schema extensions;
create extension if not exists pg_cron with schema pg_catalog;
