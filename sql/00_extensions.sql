-- Extensions the schema uses. Hosted Supabase installs its extensions in `extensions`; pg_cron creates its
-- own `cron` schema. The first migration holds the same statements, since a diff never emits them.
create extension if not exists pgcrypto with schema extensions;
create extension if not exists pg_trgm with schema extensions;
create extension if not exists vector with schema extensions;
create extension if not exists pg_cron with schema pg_catalog;
