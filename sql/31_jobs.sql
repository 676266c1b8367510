-- Scheduled jobs (PLATFORM.md §5.2): the bookkeeping of each run and the HTTP call that starts one.

create table private.job_runs (
  id bigint generated always as identity primary key,
  job text not null,
  scheduled_at timestamptz,
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  status text not null default 'running' check (status in ('running', 'done', 'failed')),
  claimed integer not null default 0,
  done integer not null default 0,
  failed integer not null default 0,
  remaining integer,
  error text,
  details jsonb not null default '{}'
);
comment on table private.job_runs is 'One row per run of a scheduled job: when, how much it claimed, did and failed, and any error.';
create index job_runs_job_started_idx on private.job_runs (job, started_at desc);

alter table private.job_runs enable row level security;
grant select, insert, update, delete on private.job_runs to service_role;
create policy "job_runs: backend only"
  on private.job_runs for select to service_role
  using (true);

-- Starts an HTTP job of the jobs function (PLATFORM.md §5.2): the URL and secret come from Vault, the request
-- is sent by pg_net after commit and never retried, which is why every job works from durable tables.
create or replace function private.invoke_job(p_job text)
returns bigint
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_url text;
  v_secret text;
begin
  select decrypted_secret into v_url from vault.decrypted_secrets where name = 'project_url';
  select decrypted_secret into v_secret from vault.decrypted_secrets where name = 'jobs_secret';
  if v_url is null or v_secret is null then
    raise warning 'invoke_job(%): vault secrets project_url and jobs_secret are not set', p_job;
    return null;
  end if;
  return net.http_post(
    url := rtrim(v_url, '/') || '/functions/v1/jobs/' || p_job,
    body := jsonb_build_object('scheduled_at', now()),
    headers := jsonb_build_object('Content-Type', 'application/json', 'X-Jobs-Secret', v_secret),
    timeout_milliseconds := 5000);
end
$$;
comment on function private.invoke_job(text) is 'Posts to the jobs function through pg_net with the Vault project_url and jobs_secret (cron jobs call it).';
revoke execute on function private.invoke_job(text) from public;
