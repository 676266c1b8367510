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
-- cleanup: runs by age, whatever the job.
create index job_runs_started_idx on private.job_runs (started_at);

alter table private.job_runs enable row level security;
grant select, insert, update, delete on private.job_runs to service_role;
create policy "job_runs: backend only"
  on private.job_runs for select to service_role
  using (true);

-- One run at a time of a job that must not overlap itself (PLATFORM.md §2.6: one deliver run holds the `deliver`
-- lease, so two runs never add up to more than Telegram's pace). A lease names its holder and runs out by itself,
-- so a run that crashed blocks the next one only until lease_until.
create table private.job_leases (
  job text primary key,
  holder text not null,
  lease_until timestamptz not null
);
comment on table private.job_leases is 'The lease of a job that runs one at a time: who holds it and until when; free once lease_until has passed.';

alter table private.job_leases enable row level security;
grant select, insert, update, delete on private.job_leases to service_role;
create policy "job_leases: backend only"
  on private.job_leases for select to service_role
  using (true);

-- Work a job did once per key (PLATFORM.md §5.1: life-sim marks `<user_id>:<local_date>`): the mark is written in the
-- transaction that did the work, so a rerun, an overlapping run or the pipeline's on-demand call finds it and skips.
create table private.job_marks (
  job text not null,
  key text not null,
  done_at timestamptz not null,
  primary key (job, key)
);
comment on table private.job_marks is 'Completion marks of keyed job work (job, key, when): written with the work, so the same key is never done twice.';

alter table private.job_marks enable row level security;
grant select, insert, update, delete on private.job_marks to service_role;
create policy "job_marks: backend only"
  on private.job_marks for select to service_role
  using (true);

-- Takes the lease of p_job for p_holder until p_now + p_seconds: true only if no lease was held or the held one
-- had run out. Two runs taking it at once serialize on the row, so exactly one of them gets it.
create or replace function private.take_job_lease(p_job text, p_holder text, p_seconds integer, p_now timestamptz)
returns boolean
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_taken boolean;
begin
  if p_seconds is null or p_seconds <= 0 then
    raise exception 'take_job_lease(%): the lease must last a positive number of seconds, not %', p_job, p_seconds
      using errcode = '22023';
  end if;
  insert into private.job_leases as l (job, holder, lease_until)
  values (p_job, p_holder, p_now + make_interval(secs => p_seconds))
  on conflict (job) do update set holder = excluded.holder, lease_until = excluded.lease_until
    where l.lease_until <= p_now
  returning true into v_taken;
  return coalesce(v_taken, false);
end
$$;
comment on function private.take_job_lease(text, text, integer, timestamptz) is 'Takes a job''s lease for p_seconds: true if it was free or expired, false while another run holds it.';
revoke execute on function private.take_job_lease(text, text, integer, timestamptz) from public;
grant execute on function private.take_job_lease(text, text, integer, timestamptz) to service_role;

-- Gives the lease back when the run ends, so the next run need not wait for it to run out. Only its holder can:
-- a run that outlived its lease must not free the lease a later run took.
create or replace function private.release_job_lease(p_job text, p_holder text)
returns boolean
language sql
volatile
security invoker
set search_path = ''
as $$
  with released as (
    delete from private.job_leases where job = p_job and holder = p_holder returning 1
  )
  select exists (select 1 from released)
$$;
comment on function private.release_job_lease(text, text) is 'Releases a job''s lease if p_holder holds it; true if it did.';
revoke execute on function private.release_job_lease(text, text) from public;
grant execute on function private.release_job_lease(text, text) to service_role;

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
