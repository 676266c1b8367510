-- The post-conversation pipeline's machinery (PLATFORM.md §6): claims with a lease and a token, stage records,
-- retries after 2, 10 and 30 minutes, the summary written once, and the ready prompts replaced in place.
begin;
select plan(19);

select tests.create_onboarded_player('pia') as pia \gset
select tests.message(:'pia', 'player', '2026-01-05 12:00+00', 'I work as a lighthouse keeper.');
select tests.message(:'pia', 'nikita', '2026-01-05 12:00:05+00', 'Lonely job. I like it.');
select game.close_idle_conversations('2026-01-05 12:20+00');
select id as conv from public.conversations where user_id = :'pia' \gset

-- A claim: running, a 5 min lease, a token; nobody else gets it while the lease holds.
select * from private.claim_conversation_jobs('2026-01-05 12:21+00', 5) as c \gset
select is(:'conversation_id'::uuid, :'conv'::uuid, 'the closed conversation''s job is claimed');
select results_eq($$select status, lease_until from private.conversation_jobs where conversation_id = (select id from public.conversations where user_id = tests.player('pia'))$$,
  $$values ('running'::text, '2026-01-05 12:26+00'::timestamptz)$$, 'running, with a 5 minute lease');
select is((select count(*)::int from private.claim_conversation_jobs('2026-01-05 12:22+00', 5)), 0, 'not claimed twice while the lease holds');
select is(:'platform'::text, 'telegram', 'the claim says the platform');
select is(:'game_status'::text, 'active', 'and the player''s game status');

-- Stage records only under the claim.
select is(private.record_conversation_stage(:'conv', :'claim_token', 'extraction', '{"status": "done", "output": {"summary": "s"}}'), true,
  'a stage is recorded under the claim');
select is(private.record_conversation_stage(:'conv', gen_random_uuid(), 'memory', '{"status": "done"}'), null, 'not with another token');
select is((select stages -> 'extraction' ->> 'status' from private.conversation_jobs where conversation_id = :'conv'), 'done',
  'the record is kept');

-- A worker that died: after the lease the job is claimed again, with its stages, under a new token.
select * from private.claim_conversation_jobs('2026-01-05 12:27+00', 5) as d \gset d_
select isnt(:'d_claim_token'::uuid, :'claim_token'::uuid, 'a running job past its lease is claimed again, with a new token');
select is((:'d_stages'::jsonb) -> 'extraction' ->> 'status', 'done', 'its stages come with it, so done ones are not rerun');

-- Critical failures: retry after 2, 10, 30 min, then failed.
create function pg_temp.fail_all(p_conversation uuid) returns text[] language plpgsql as $$
declare
  v_out text[] := '{}';
  v_token uuid;
  v_at timestamptz := '2026-01-05 13:00+00';
  v_result jsonb;
begin
  for i in 1..4 loop
    update private.conversation_jobs set status = 'pending', claim_token = null, next_attempt_at = null where conversation_id = p_conversation;
    select c.claim_token into v_token from private.claim_conversation_jobs(v_at, 5) c;
    v_result := private.fail_conversation_job(p_conversation, v_token, 'extraction: model down', v_at);
    v_out := v_out || (v_result ->> 'status') || coalesce(((v_result ->> 'next_attempt_at')::timestamptz - v_at)::text, '');
  end loop;
  return v_out;
end $$;
select is(pg_temp.fail_all(:'conv'), array['retry', '00:02:00', 'retry', '00:10:00', 'retry', '00:30:00', 'failed', ''],
  'critical failures retry after 2, 10 and 30 minutes, then the job is failed');
select is((select attempts from private.conversation_jobs where conversation_id = :'conv'), 3, 'attempts stop at 3');

-- Done only under the claim.
update private.conversation_jobs set status = 'pending', attempts = 0, next_attempt_at = null where conversation_id = :'conv';
select * from private.claim_conversation_jobs('2026-01-05 14:00+00', 5) as e \gset e_
select is(private.finish_conversation_job(:'conv', gen_random_uuid(), '2026-01-05 14:01+00'), null, 'another token finishes nothing');
select is(private.finish_conversation_job(:'conv', :'e_claim_token', '2026-01-05 14:01+00'), true, 'the holder finishes the job');

-- What the stages read; the summary once.
select is(game.conversation_for_pipeline(:'conv') -> 'transcript',
  '[{"role": "player", "content": "I work as a lighthouse keeper."}, {"role": "nikita", "content": "Lonely job. I like it."}]'::jsonb,
  'the transcript, oldest first');
select is(tests.attempt(format('select game.conversation_for_pipeline(%L)', gen_random_uuid())), 'CVNFD', 'an unknown conversation is CVNFD');
select is(game.set_conversation_summary(:'conv', 'They keep a lighthouse.', array['playful', 'warm']), true, 'the summary is written');
select is(game.set_conversation_summary(:'conv', 'Something else.', array['cold']), null, 'and only once');
select results_eq($$select summary, emotional_tone from public.conversations where user_id = tests.player('pia')$$,
  $$values ('They keep a lighthouse.'::text, 'playful'::text)$$, 'the first summary and its first tone stay');

select * from finish();
rollback;
