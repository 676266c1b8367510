-- Extensions the schema needs (hand-written, the same statements as sql/00_extensions.sql: a schema diff never
-- emits them). Hosted Supabase already has pgcrypto and pg_trgm in `extensions`; vector and pg_cron are enabled
-- here.
create extension if not exists pgcrypto with schema extensions;
create extension if not exists pg_trgm with schema extensions;
create extension if not exists vector with schema extensions;
create extension if not exists pg_cron with schema pg_catalog;
