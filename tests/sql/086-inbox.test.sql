-- The inbox (PLATFORM.md §2.2): a pass claims the chat's lowest open update with a lease and a token; a retry not yet
-- due, or a live claim, makes the chat wait; effects apply only under the claim; failures back off and fail.
begin;
select plan(24);

insert into private.telegram_updates (update_id, chat_id, kind, payload, status, lease_until, received_at) values
  (11, 7, 'text', '{}', 'pending', '2026-01-05 12:00:30+00', '2026-01-05 12:00+00'),
  (10, 7, 'text', '{}', 'pending', '2026-01-05 12:00:30+00', '2026-01-05 12:00+00'),
  (12, 8, 'text', '{}', 'done', null, '2026-01-05 12:00+00');
select is(array(select private.inbox_chats_due('2026-01-05 12:00:29+00', 10)), '{}'::bigint[],
  'the sweeper leaves a chat alone while the webhook''s own drain has its window');
select is(array(select private.inbox_chats_due('2026-01-05 12:00:31+00', 10)), array[7]::bigint[], 'the sweeper sees the chat once its lease has passed');

-- The claim: the lowest open update, processing with a 90 s lease and a token.
select * from private.claim_inbox(7, '2026-01-05 12:00:01+00') as c \gset
select is(:'update_id'::bigint, 10::bigint, 'the lowest update of the chat comes first');
select results_eq($$select status, lease_until, claim_token is not null from private.telegram_updates where update_id = 10$$,
  $$values ('processing'::text, '2026-01-05 12:01:31+00'::timestamptz, true)$$, 'claimed: processing, a 90 s lease and a token');
select is((select count(*)::int from private.claim_inbox(7, '2026-01-05 12:00:02+00')), 0,
  'while the claim is live, the chat waits: the next update is not taken past it');
select is(private.inbox_claim_held(10, :'claim_token'), true, 'the claim is held with its token');
select is(private.inbox_claim_held(10, gen_random_uuid()), false, 'and not with another');
select is(private.save_inbox_progress(10, :'claim_token', '{"plan": {"route": "exchange"}}'), true, 'progress is saved under the claim');
select is(private.save_inbox_progress(10, gen_random_uuid(), '{"plan": {"route": "boss"}}'), false,
  'and not under another token');
select is((select progress from private.telegram_updates where update_id = 10), '{"plan": {"route": "exchange"}}'::jsonb,
  'which leaves the saved progress as it was');

-- A claim whose lease ran out is taken again with a new token; the old token applies nothing.
select * from private.claim_inbox(7, '2026-01-05 12:01:32+00') as d \gset d_
select is(:'d_update_id'::bigint, 10::bigint, 'a processing row past its lease is claimed again');
select isnt(:'d_claim_token'::uuid, :'claim_token'::uuid, 'with a new token');
select is(:'d_progress'::jsonb, '{"plan": {"route": "exchange"}}'::jsonb, 'keeping the progress, so the turn resumes');
select is(private.finish_inbox(10, :'claim_token', '2026-01-05 12:01:40+00'), false, 'the first worker''s token finishes nothing');
select is(private.finish_inbox(10, :'d_claim_token', '2026-01-05 12:01:40+00'), true, 'the holder finishes it');
select results_eq($$select status, claim_token, lease_until from private.telegram_updates where update_id = 10$$,
  $$values ('done'::text, null::uuid, null::timestamptz)$$, 'done, the claim released');

-- A provider failure: retry after 30 s, 2, 8, 32 min, the fifth final; a retry not yet due blocks the chat.
create function pg_temp.fail_times(p_update bigint, p_times int) returns text[] language plpgsql as $$
declare
  v_out text[] := '{}';
  v_token uuid;
  v_result jsonb;
begin
  for i in 1..p_times loop
    update private.telegram_updates set status = 'pending', next_attempt_at = null where update_id = p_update;
    select claim_token into v_token from private.claim_inbox(7, '2026-01-05 12:00+00');
    v_result := private.fail_inbox(p_update, v_token, 'model down', true, '2026-01-05 12:00+00');
    v_out := v_out || (v_result ->> 'status') || coalesce((select (next_attempt_at - '2026-01-05 12:00+00'::timestamptz)::text
      from private.telegram_updates where update_id = p_update), '');
  end loop;
  return v_out;
end $$;
select * from private.claim_inbox(7, '2026-01-05 12:02:00+00') as e \gset e_
select is(private.fail_inbox(11, :'e_claim_token', 'model down', true, '2026-01-05 12:02:00+00') - 'attempts',
  '{"status": "retry", "hold": true}'::jsonb, 'the first failure retries and asks for one holding line');
select is((select count(*)::int from private.claim_inbox(7, '2026-01-05 12:02:10+00')), 0, 'a retry not yet due blocks the chat');
insert into private.telegram_updates (update_id, chat_id, kind, payload, status, lease_until, received_at)
values (13, 7, 'text', '{}', 'pending', '2026-01-05 12:02:20+00', '2026-01-05 12:02:10+00');
select is((select count(*)::int from private.claim_inbox(7, '2026-01-05 12:02:25+00')), 0, 'also for a later update of the chat');
select is((select update_id from private.claim_inbox(7, '2026-01-05 12:02:30+00')), 11::bigint, 'once due, the retried update is claimed before the later one');
update private.telegram_updates set status = 'pending', claim_token = null, attempts = 0 where update_id = 11;
select is(pg_temp.fail_times(11, 5), array['retry', '00:00:30', 'retry', '00:02:00', 'retry', '00:08:00', 'retry', '00:32:00', 'failed', ''],
  'provider failures retry after 30 s, 2, 8 and 32 min, and the fifth is final');

-- At most one holding line per chat per outage: the next update's first failure asks for none while one is out.
insert into private.outbox (dedupe_key, chat_id, kind, text, due_at) values ('hold:11', 7, 'hold', 'give me a sec', '2026-01-05 12:02:00+00');
select * from private.claim_inbox(7, '2026-01-05 12:40:00+00') as f \gset f_
select is(private.fail_inbox(13, :'f_claim_token', 'model down', true, '2026-01-05 12:40:00+00') ->> 'hold', 'false',
  'no second holding line in the same outage');
update private.telegram_updates set status = 'pending', claim_token = null, next_attempt_at = null, attempts = 0 where update_id = 13;

-- A failure that is not a provider's fails at once, with no holding line.
select * from private.claim_inbox(7, '2026-01-05 12:41:00+00') as g \gset g_
select is(private.fail_inbox(13, :'g_claim_token', 'a bug', false, '2026-01-05 12:41:00+00') - 'attempts',
  '{"status": "failed", "hold": false}'::jsonb, 'a non-retryable failure is final at once');
select is(private.fail_inbox(13, :'g_claim_token', 'again', true, '2026-01-05 12:41:01+00'), null, 'a failure without the claim records nothing');

select * from finish();
rollback;
