-- Local development seed data (applied by db:reset only, never deployed).
-- Vault secrets the scheduled HTTP jobs read (private.invoke_job): the local gateway and its jobs secret,
-- which must equal JOBS_SECRET of the local functions (scripts/local/env.ts). scripts/db passes the gateway's
-- URL (shifted by NIKITA_PORT_OFFSET) as the setting nikita.gateway_url.
select vault.create_secret(coalesce(nullif(current_setting('nikita.gateway_url', true), ''), 'http://127.0.0.1:54321'),
  'project_url')
where not exists (select 1 from vault.secrets where name = 'project_url');
select vault.create_secret('local-development-jobs-secret', 'jobs_secret')
where not exists (select 1 from vault.secrets where name = 'jobs_secret');
