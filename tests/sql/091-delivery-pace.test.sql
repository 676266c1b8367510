-- Delivery at Telegram's pace (PLATFORM.md §2.6, GAME_RULES.md §14.2): rows are claimed up to the typing window
-- before they fall due (so typing shows before the due time), with every other claim rule intact; the outlook a
-- run decides its next pass on; and the job lease that lets one deliver run at a time.
begin;
select plan(33);

create function pg_temp.queue(p_key text, p_chat bigint, p_due timestamptz) returns bigint language sql as $$
  insert into private.outbox (dedupe_key, chat_id, kind, text, due_at) values (p_key, p_chat, 'command', p_key, p_due)
  returning id
$$;
create function pg_temp.claim(p_now timestamptz, p_chat bigint default null) returns text[] language sql as $$
  select coalesce(array_agg(dedupe_key order by dedupe_key), '{}') from private.claim_outbox(p_now, 100, p_chat)
$$;
create function pg_temp.send(p_key text, p_at timestamptz) returns void language sql as $$
  select private.mark_sending((select id from private.outbox where dedupe_key = p_key), null, p_at);
  select private.mark_sent((select id from private.outbox where dedupe_key = p_key), 'tg', p_at);
$$;

-- The typing window: 5 s ahead of the due time, no more.
select is((select value from game.tunables where name = 'typing_window'), '5'::jsonb, 'the typing window is 5 s');
select is(private.typing_window(), interval '5 seconds', 'typing_window() reads the tunable');
select pg_temp.queue('now', 91001, '2026-01-05 12:00:00+00');
select pg_temp.queue('in5', 91002, '2026-01-05 12:00:05+00');
select pg_temp.queue('in5.5', 91003, '2026-01-05 12:00:05.5+00');
select is(pg_temp.claim('2026-01-05 12:00:00+00'), array['in5', 'now'],
  'a pass claims what is due and what falls due within the next 5 s');
select is((select lease_until from private.outbox where dedupe_key = 'in5'), '2026-01-05 12:01:00+00'::timestamptz,
  'an early claim has the same 60 s lease from the claim');
select is(pg_temp.claim('2026-01-05 12:00:00.4+00'), '{}'::text[], 'a row 5.1 s ahead is not claimed yet');
select is(pg_temp.claim('2026-01-05 12:00:00.5+00'), array['in5.5'], 'and is claimed once it is 5 s ahead');

-- The window is the tunable: a designer's 2 s means 2 s.
update game.tunables set value = '2' where name = 'typing_window';
select pg_temp.queue('w2', 91004, '2026-01-05 12:00:10+00');
select is(pg_temp.claim('2026-01-05 12:00:07.9+00'), '{}'::text[], 'with a 2 s window, 2.1 s ahead is too early');
select is(pg_temp.claim('2026-01-05 12:00:08+00'), array['w2'], 'and 2 s ahead is claimed');
update game.tunables set value = '5' where name = 'typing_window';

-- Head of each chat's queue only, also ahead of time: the second part waits for the first to be sent.
select pg_temp.queue('p1', 91005, '2026-01-05 12:01:00+00');
select pg_temp.queue('p2', 91005, '2026-01-05 12:01:01+00');
select is(pg_temp.claim('2026-01-05 12:00:57+00', 91005), array['p1'], 'only the head of the chat, though both fall due within 5 s');
select is(pg_temp.claim('2026-01-05 12:00:58+00', 91005), '{}'::text[], 'nothing behind a claimed head');
select pg_temp.send('p1', '2026-01-05 12:01:00+00');
-- The 1 s gap still holds, so the early claim never sends two messages to one chat within a second.
select is(pg_temp.claim('2026-01-05 12:01:00.9+00', 91005), '{}'::text[], 'no claim within 1 s of the chat''s last send');
select is(pg_temp.claim('2026-01-05 12:01:01+00', 91005), array['p2'], 'then the next part');

-- Recovery is unchanged for rows claimed early: the lease counts from the claim, and an expired claim (it never
-- reached Telegram) is claimed again.
select is(pg_temp.claim('2026-01-05 12:01:00.4+00', 91003), '{}'::text[], 'in5.5 stays claimed within its lease');
select is(pg_temp.claim('2026-01-05 12:01:00.5+00', 91003), array['in5.5'], 'and is claimed again once it ran out');

-- A run that will not send a claimed row after all gives it back at once; only a claimed row.
select pg_temp.queue('give-back', 91007, '2026-01-05 12:03:00+00');
select pg_temp.claim('2026-01-05 12:03:00+00', 91007);
select ok(private.release_outbox((select id from private.outbox where dedupe_key = 'give-back')), 'a claimed row is given back');
select results_eq($$select status, lease_until from private.outbox where dedupe_key = 'give-back'$$,
  $$values ('pending'::text, null::timestamptz)$$, 'pending again, without a lease');
select is(pg_temp.claim('2026-01-05 12:03:00.1+00', 91007), array['give-back'], 'and claimed by the next pass');
select pg_temp.send('give-back', '2026-01-05 12:03:01+00');
select is(private.release_outbox((select id from private.outbox where dedupe_key = 'give-back')), null,
  'a sent row is never given back');

-- The outlook: due (the run's remaining), soon (within the window), the next due time, and the nearest gap end.
delete from private.outbox where chat_id between 91001 and 91007;
select pg_temp.queue('o1', 91011, '2026-01-05 13:00:00+00');
select pg_temp.queue('o2', 91011, '2026-01-05 13:00:01+00');
select pg_temp.queue('o3', 91012, '2026-01-05 13:00:04+00');
select pg_temp.queue('o4', 91013, '2026-01-05 13:00:30+00');
select pg_temp.queue('o0', 91011, '2026-01-05 12:59:59+00');
select pg_temp.claim('2026-01-05 12:59:59.5+00', 91011);
select pg_temp.send('o0', '2026-01-05 12:59:59.5+00');
select results_eq($$select due, soon, next_due, gap_ends_at, typing_window_ms from private.outbox_outlook('2026-01-05 13:00:00+00')$$,
  $$values (1, 3, '2026-01-05 13:00:00+00'::timestamptz, '2026-01-05 13:00:00.5+00'::timestamptz, 5000)$$,
  'one row due, three within 5 s, the next at 13:00, and chat 91011 free of its gap at 13:00:00.5');
select results_eq($$select due, soon, next_due, gap_ends_at from private.outbox_outlook('2026-01-05 13:00:00+00', 91013)$$,
  $$values (0, 0, '2026-01-05 13:00:30+00'::timestamptz, null::timestamptz)$$, 'one chat: its own rows only');
select is((select gap_ends_at from private.outbox_outlook('2026-01-05 13:00:00.5+00')), null::timestamptz,
  'no gap once a second has passed since the last send');

-- The job lease: taken if free or expired, refused while held (by anyone), released only by its holder.
select ok(private.take_job_lease('deliver', 'run-a', 55, '2026-01-05 12:00:00+00'), 'a free lease is taken');
select results_eq($$select holder, lease_until from private.job_leases where job = 'deliver'$$,
  $$values ('run-a'::text, '2026-01-05 12:00:55+00'::timestamptz)$$, 'by its holder, for 55 s');
select is(private.take_job_lease('deliver', 'run-b', 55, '2026-01-05 12:00:30+00'), false, 'refused to another run while held');
select is(private.take_job_lease('deliver', 'run-a', 55, '2026-01-05 12:00:54.9+00'), false, 'and to the same holder: one run, one lease');
select ok(private.take_job_lease('process-inbox', 'run-c', 10, '2026-01-05 12:00:30+00'), 'another job has a lease of its own');
select ok(private.take_job_lease('deliver', 'run-b', 55, '2026-01-05 12:00:55+00'), 'taken by another run once it has run out');
select is(private.release_job_lease('deliver', 'run-a'), false, 'the old holder cannot release the lease it lost');
select is((select holder from private.job_leases where job = 'deliver'), 'run-b', 'which stands');
select ok(private.release_job_lease('deliver', 'run-b'), 'its holder releases it');
select ok(private.take_job_lease('deliver', 'run-d', 55, '2026-01-05 12:01:00+00'), 'and the next run takes it at once');
select throws_ok($$select private.take_job_lease('deliver', 'run-e', 0, '2026-01-05 12:01:00+00')$$, '22023', null,
  'a lease of no length is refused');
select is(
  (select array_agg(f order by f) from unnest(array['private.take_job_lease(text,text,integer,timestamptz)',
     'private.release_job_lease(text,text)', 'private.outbox_outlook(timestamptz,bigint)', 'private.typing_window()',
     'private.release_outbox(bigint)']) f
   where has_function_privilege('authenticated', f, 'execute') or has_function_privilege('anon', f, 'execute')
     or not has_function_privilege('service_role', f, 'execute')),
  null, 'the lease and outlook functions are service_role''s only');

select * from finish();
rollback;
