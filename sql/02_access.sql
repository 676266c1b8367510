-- Access: who may read which table, and the helpers the RLS policies share.

-- Every table enables row level security in the file that creates it. A `public` table grants `authenticated`
-- select (column grants where it holds internal columns) under one policy per operation `to authenticated`:
-- the player's own rows, or all of them for an admin (reference rows: all, to every signed-in user). A `game`
-- or `private` table belongs to the backend alone: it grants `service_role` what the backend needs and carries
-- one policy, `for select to service_role using (true)`. service_role bypasses RLS, so that policy changes
-- nothing at run time; it states who the table is for, and without it the Supabase advisor flags the table
-- (RLS enabled, no policy), which `npm test` counts as a failure.

-- True when the caller's JWT carries app_metadata.role = 'admin'. app_metadata is writable only with the
-- service key; user_metadata is writable by the user and is never trusted.
create or replace function public.is_admin()
returns boolean
language sql
stable
security invoker
set search_path = ''
as $$
  select coalesce((select auth.jwt()) -> 'app_metadata' ->> 'role' = 'admin', false)
$$;
comment on function public.is_admin() is 'True when the caller''s JWT app_metadata.role is admin; used by select policies.';
revoke execute on function public.is_admin() from public, anon;
grant execute on function public.is_admin() to authenticated, service_role;
