-- The post-conversation pipeline's machinery (PLATFORM.md §6): claiming due jobs with a lease and a token, the record
-- of each stage, retries with backoff, and what the stages read and write that no engine function does.

-- Claims up to p_limit due jobs for one run of process-conversations: pending or a due retry, and running ones whose
-- lease ran out (their worker died; every stage is safe to rerun). Each claimed job gets a lease of p_lease_seconds
-- and a new claim token; a job another worker has locked is skipped, so two workers never run one job at once.
-- Returns what the run needs: the job, its conversation's platform and its player's game status.
create or replace function private.claim_conversation_jobs(p_now timestamptz, p_limit integer,
  p_lease_seconds integer default 300)
returns table (conversation_id uuid, user_id uuid, claim_token uuid, attempts integer, stages jsonb, platform text,
  game_status text)
language sql
volatile
security invoker
set search_path = ''
as $$
  with due as (
    select j.conversation_id from private.conversation_jobs j
    where (j.status in ('pending', 'retry') and coalesce(j.next_attempt_at, j.created_at) <= p_now)
       or (j.status = 'running' and j.lease_until <= p_now)
    order by coalesce(j.next_attempt_at, j.created_at)
    limit p_limit
    for update skip locked
  ),
  claimed as (
    update private.conversation_jobs j
    set status = 'running', lease_until = p_now + make_interval(secs => p_lease_seconds),
        claim_token = extensions.gen_random_uuid()
    from due where j.conversation_id = due.conversation_id
    returning j.conversation_id, j.user_id, j.claim_token, j.attempts, j.stages
  )
  select c.conversation_id, c.user_id, c.claim_token, c.attempts, c.stages, v.platform, u.game_status
  from claimed c
  join public.conversations v on v.id = c.conversation_id
  join public.users u on u.id = c.user_id
$$;
comment on function private.claim_conversation_jobs(timestamptz, integer, integer) is 'Claims due post-conversation jobs (pending, due retry, or a running one past its lease) with skip locked, a lease and a claim token.';
revoke execute on function private.claim_conversation_jobs(timestamptz, integer, integer) from public;
grant execute on function private.claim_conversation_jobs(timestamptz, integer, integer) to service_role;

-- Records one stage of a claimed job: stages[p_stage] = p_record ({status: done|skipped|failed, at, error?, output?}).
-- False when the claim is no longer held (another worker took the job after the lease ran out).
create or replace function private.record_conversation_stage(p_conversation_id uuid, p_token uuid, p_stage text,
  p_record jsonb)
returns boolean
language sql
volatile
security invoker
set search_path = ''
as $$
  update private.conversation_jobs
  set stages = stages || jsonb_build_object(p_stage, p_record)
  where conversation_id = p_conversation_id and status = 'running' and claim_token = p_token
  returning true
$$;
comment on function private.record_conversation_stage(uuid, uuid, text, jsonb) is 'Stores the record of one pipeline stage (status, time, error, saved output) under the job''s claim.';
revoke execute on function private.record_conversation_stage(uuid, uuid, text, jsonb) from public;
grant execute on function private.record_conversation_stage(uuid, uuid, text, jsonb) to service_role;

-- Every stage ran: the job is done (only under its claim).
create or replace function private.finish_conversation_job(p_conversation_id uuid, p_token uuid, p_now timestamptz)
returns boolean
language sql
volatile
security invoker
set search_path = ''
as $$
  update private.conversation_jobs
  set status = 'done', finished_at = p_now, lease_until = null, claim_token = null, last_error = null
  where conversation_id = p_conversation_id and status = 'running' and claim_token = p_token
  returning true
$$;
comment on function private.finish_conversation_job(uuid, uuid, timestamptz) is 'Marks a claimed post-conversation job done.';
revoke execute on function private.finish_conversation_job(uuid, uuid, timestamptz) from public;
grant execute on function private.finish_conversation_job(uuid, uuid, timestamptz) to service_role;

-- A critical stage failed: retry after 2, 10, then 30 minutes; a failure after the third retry is final ('failed',
-- visible to operators). Returns {status, attempts, next_attempt_at}, or null when the claim is no longer held.
create or replace function private.fail_conversation_job(p_conversation_id uuid, p_token uuid, p_error text,
  p_now timestamptz)
returns jsonb
language sql
volatile
security invoker
set search_path = ''
as $$
  update private.conversation_jobs
  set status = case when attempts >= 3 then 'failed' else 'retry' end,
      next_attempt_at = case when attempts >= 3 then null
        else p_now + make_interval(mins => (array[2, 10, 30])[attempts + 1]) end,
      attempts = least(attempts + 1, 3),
      finished_at = case when attempts >= 3 then p_now end,
      lease_until = null, claim_token = null, last_error = left(p_error, 1000)
  where conversation_id = p_conversation_id and status = 'running' and claim_token = p_token
  returning jsonb_build_object('status', status, 'attempts', attempts, 'next_attempt_at', next_attempt_at)
$$;
comment on function private.fail_conversation_job(uuid, uuid, text, timestamptz) is 'A critical stage failed: retry after 2, 10, 30 min, then failed.';
revoke execute on function private.fail_conversation_job(uuid, uuid, text, timestamptz) from public;
grant execute on function private.fail_conversation_job(uuid, uuid, text, timestamptz) to service_role;

-- What the stages read of a conversation: its player, chapter, platform, status, and the transcript oldest first
-- ({role, content}; the player's lines and hers), plus the summary if one is written. CVNFD when it does not exist.
create or replace function game.conversation_for_pipeline(p_conversation_id uuid)
returns jsonb
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  v_conversation public.conversations;
  v_user public.users;
begin
  select * into v_conversation from public.conversations where id = p_conversation_id;
  if not found then
    raise exception 'conversation not found: %', p_conversation_id using errcode = 'CVNFD';
  end if;
  select * into v_user from public.users where id = v_conversation.user_id;
  return jsonb_build_object('conversation_id', v_conversation.id, 'user_id', v_user.id,
    'platform', v_conversation.platform, 'status', v_conversation.status, 'summary', v_conversation.summary,
    'player', jsonb_build_object('display_name', v_user.display_name, 'chapter', v_user.chapter,
      'chapter_name', (select c.name from public.chapters c where c.chapter = v_user.chapter),
      'game_status', v_user.game_status),
    'transcript', coalesce((select jsonb_agg(jsonb_build_object('role', m.role, 'content', m.content)
                              order by m.created_at, m.id)
                            from public.messages m where m.conversation_id = p_conversation_id), '[]'::jsonb));
end
$$;
comment on function game.conversation_for_pipeline(uuid) is 'A conversation as the pipeline stages read it: player, chapter, platform, status, summary and transcript (CVNFD).';
revoke execute on function game.conversation_for_pipeline(uuid) from public;
grant execute on function game.conversation_for_pipeline(uuid) to service_role;

-- The conversation's summary and tone, written only while they are empty (a rerun, or a later writer, keeps the first
-- ones). p_tones: 1-3 tones; the first is stored as the conversation's tone. Returns whether anything was written.
create or replace function game.set_conversation_summary(p_conversation_id uuid, p_summary text, p_tones text[])
returns boolean
language sql
volatile
security invoker
set search_path = ''
as $$
  update public.conversations
  set summary = left(trim(p_summary), 1000), emotional_tone = p_tones[1]
  where id = p_conversation_id and summary is null and nullif(trim(p_summary), '') is not null
  returning true
$$;
comment on function game.set_conversation_summary(uuid, text, text[]) is 'Writes a conversation''s summary and tone once (only while the summary is empty).';
revoke execute on function game.set_conversation_summary(uuid, text, text[]) from public;
grant execute on function game.set_conversation_summary(uuid, text, text[]) to service_role;
