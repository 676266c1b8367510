-- Outbox machinery (PLATFORM.md §2.6): claims in order, leases, recovery, pacing, failures.
begin;
select plan(25);

select tests.create_onboarded_player('ann') as ann \gset
select tests.create_onboarded_player('ben') as ben \gset
create function pg_temp.queue(p_key text, p_user uuid, p_chat bigint, p_due timestamptz) returns bigint language sql as $$
  insert into private.outbox (dedupe_key, user_id, chat_id, kind, text, due_at) values (p_key, p_user, p_chat, 'reply', p_key, p_due)
  returning id
$$;
create function pg_temp.status(p_key text) returns text language sql as $$
  select status from private.outbox where dedupe_key = p_key
$$;
select pg_temp.queue('a1', :'ann', 1, '2026-01-05 12:00:00+00');
select pg_temp.queue('a2', :'ann', 1, '2026-01-05 12:00:01+00');
select pg_temp.queue('b1', :'ben', 2, '2026-01-05 12:00:00+00');
select pg_temp.queue('b2', :'ben', 2, '2026-01-05 12:10:00+00');

-- One row per chat per pass, the head of each chat's queue, only when due.
select is((select array_agg(dedupe_key order by dedupe_key) from private.claim_outbox('2026-01-05 12:00:05+00', 10)), array['a1', 'b1'],
  'a pass claims the head of each chat''s queue');
select is((select lease_until from private.outbox where dedupe_key = 'a1'), '2026-01-05 12:01:05+00'::timestamptz, 'with a 60 s lease');
select is((select count(*) from private.claim_outbox('2026-01-05 12:00:06+00', 10)), 0::bigint,
  'nothing behind a claimed head is taken, and b2 is not due');
select is((select count(*) from private.outbox where status = 'claimed'), 2::bigint, 'the claims stand');

-- Send, then the next part of that chat: not within a second of the last send.
select ok(private.mark_sending((select id from private.outbox where dedupe_key = 'a1'), null, '2026-01-05 12:00:06+00'), 'claimed -> sending');
select private.mark_sent((select id from private.outbox where dedupe_key = 'a1'), 'tg:1001', '2026-01-05 12:00:07+00');
select results_eq($$select status, provider_ref, sent_at from private.outbox where dedupe_key = 'a1'$$,
  $$values ('sent'::text, 'tg:1001'::text, '2026-01-05 12:00:07+00'::timestamptz)$$, 'sending -> sent with the provider reference');
select is((select role || ':' || content from public.messages where outbox_id = (select id from private.outbox where dedupe_key = 'a1')),
  'nikita:a1', 'her message is stored when sent');
select is((select count(*) from private.claim_outbox('2026-01-05 12:00:07.5+00', 10)), 0::bigint, 'no second message to a chat within 1 s');
select is((select array_agg(dedupe_key) from private.claim_outbox('2026-01-05 12:00:08+00', 10)), array['a2'], 'then the next part');

-- Recovery: a claimed row past its lease never reached Telegram and is claimed again; a sending row past its
-- lease may have, so it becomes unconfirmed and is never resent.
select is((select array_agg(dedupe_key) from private.claim_outbox('2026-01-05 12:01:06+00', 10, 2)), array['b1'],
  'an expired claim is recovered and claimed again');
select private.mark_sending((select id from private.outbox where dedupe_key = 'a2'), null, '2026-01-05 12:00:09+00');
select is((select count(*) from private.claim_outbox('2026-01-05 12:01:10+00', 10, 1)), 0::bigint, 'a row past its sending lease is not resent');
select is(pg_temp.status('a2'), 'unconfirmed', 'it is marked unconfirmed for operators');
select is(private.mark_sending((select id from private.outbox where dedupe_key = 'a2'), null, '2026-01-05 12:01:11+00'), false,
  'and can no longer move to sending');

-- Failures: a 429 moves due_at by retry_after without counting; transient errors back off; 5 attempts fail;
-- permanent errors fail at once and mark the player unreachable.
select private.mark_sending((select id from private.outbox where dedupe_key = 'b1'), null, '2026-01-05 12:01:07+00');
select is(private.mark_send_failed((select id from private.outbox where dedupe_key = 'b1'), '429', false, 7, '2026-01-05 12:01:08+00'), 'retry', '429: retry');
select results_eq($$select attempts, due_at from private.outbox where dedupe_key = 'b1'$$,
  $$values (0, '2026-01-05 12:01:15+00'::timestamptz)$$, '429: due after retry_after, the attempt not counted');
select is(private.mark_send_failed((select id from private.outbox where dedupe_key = 'b1'), 'timeout', false, null, '2026-01-05 12:02:00+00'), 'retry', 'a transient error: retry');
select results_eq($$select attempts, due_at from private.outbox where dedupe_key = 'b1'$$,
  $$values (1, '2026-01-05 12:02:30+00'::timestamptz)$$, 'first backoff 30 s');
update private.outbox set attempts = 4 where dedupe_key = 'b1';
select is(private.mark_send_failed((select id from private.outbox where dedupe_key = 'b1'), 'timeout', false, null, '2026-01-05 12:03:00+00'), 'failed', 'the fifth failure is final');
select is(private.mark_send_failed((select id from private.outbox where dedupe_key = 'b2'), '403 bot was blocked', true, null, '2026-01-05 12:03:00+00'), 'failed', 'a permanent error fails at once');
select is((select telegram_unreachable_at from public.users where id = :'ben'), '2026-01-05 12:03:00+00'::timestamptz, 'and marks the player unreachable');

-- A call (channel voice): the voice API refusing it fails the row and says nothing about the player's chat; a dial
-- whose answer never came is unconfirmed and never claimed again; both only from sending.
select tests.create_onboarded_player('cal') as cal \gset
insert into private.outbox (dedupe_key, user_id, chat_id, channel, kind, payload, due_at)
values ('call:c1', :'cal', 3, 'voice', 'call', '{"reason": "miss_you"}', '2026-01-05 12:00:00+00'),
       ('call:c2', :'cal', 4, 'voice', 'call', '{"reason": "miss_you"}', '2026-01-05 12:00:00+00');
select is((select count(*) from private.claim_outbox('2026-01-05 12:04:00+00', 10) c where c.channel = 'voice'), 2::bigint,
  'call rows are claimed like messages');
select private.mark_sending(id, null, '2026-01-05 12:04:01+00') from private.outbox where dedupe_key in ('call:c1', 'call:c2');
select is(private.mark_send_failed((select id from private.outbox where dedupe_key = 'call:c1'), '422 invalid number', true, null, '2026-01-05 12:04:02+00'), 'failed', 'a refused call fails at once');
select is((select telegram_unreachable_at from public.users where id = :'cal'), null, 'and leaves the player reachable on Telegram');
select private.mark_unconfirmed((select id from private.outbox where dedupe_key = 'call:c2'), 'timeout after 20 s', '2026-01-05 12:04:21+00');
select results_eq($$select status, lease_until, last_error like 'timeout after 20 s%' from private.outbox where dedupe_key = 'call:c2'$$,
  $$values ('unconfirmed'::text, null::timestamptz, true)$$, 'a dial without an answer is unconfirmed');
select is((select count(*) from private.claim_outbox('2026-01-05 13:00:00+00', 10) c where c.channel = 'voice'), 0::bigint,
  'and never claimed again');

select * from finish();
rollback;
