-- pg_net for the scheduled HTTP jobs: private.invoke_job posts to the jobs function with net.http_post, which
-- fails without the extension (hand-written, the same statement as sql/00_extensions.sql: a schema diff never
-- emits it). Its functions and queue live in `net`; `extensions` is only where the extension is recorded, as
-- Supabase enables it. Hosted Supabase ships pg_net; locally it is the stand-in of scripts/local/pg_net.
create extension if not exists pg_net with schema extensions;
