-- Who is asking: helpers the RLS policies share.

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
