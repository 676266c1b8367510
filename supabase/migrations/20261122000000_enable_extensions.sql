-- Extensions the schema needs. Hosted Supabase already has pgcrypto and pg_trgm in `extensions`; vector and
-- pg_cron are enabled here. Hand-written: a schema diff never emits extension statements present on both sides.
create extension if not exists pgcrypto with schema extensions;
create extension if not exists pg_trgm with schema extensions;
create extension if not exists vector with schema extensions;
create extension if not exists pg_cron with schema pg_catalog;
