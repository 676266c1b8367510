-- pgbench script: the SQL of one Telegram turn besides the scoring (apply_exchange, measured on its own) and the
-- reply context (memory search, measured on its own), in the two transactions the drain runs around the models
-- (functions/_shared/telegram/drain.ts): the chat's lock, the claim, game.begin_turn and the saved plan; then, under
-- the locks and the claim, her reply queued and the update finished. Plays the update cpu_ack.sql stored for the
-- same client and call; the superuser runs it (no set role round trip), as exchange.sql does.
-- No colon inside a string literal here: pgbench would take ":name" in one for a variable.
\set i :i + 1
\set n 1 + (:base + :client_id + :clients * :i) % :players
\set u :ubase + :client_id * 10000000 + :i
\set chat 9000000000 + :n
begin;
select pg_advisory_xact_lock(hashtextextended('tg.' || :chat::bigint, 0));
select update_id from private.claim_inbox(:chat::bigint, '2026-12-01 13:05:00+00', 90);
select game.begin_turn(bench.player_id(:n::bigint), :u::bigint,
  'hey, how was your day? tell me everything about it', '2026-12-01 13:05:00+00');
select private.save_inbox_progress(:u::bigint,
  (select claim_token from private.telegram_updates where update_id = :u::bigint),
  '{"stage": "planned", "route": "exchange"}');
commit;
begin;
select pg_advisory_xact_lock(hashtextextended('tg.' || :chat::bigint, 0)),
  pg_advisory_xact_lock(hashtextextended('player.' || bench.player_id(:n::bigint), 0));
select private.inbox_claim_held(:u::bigint,
  (select claim_token from private.telegram_updates where update_id = :u::bigint));
insert into private.outbox (dedupe_key, user_id, chat_id, channel, kind, text, payload, due_at)
values ('bench-cpu-' || :u::bigint || '-1', bench.player_id(:n::bigint), :chat::bigint, 'telegram', 'reply',
  'mine was long. tell me about yours first, then I decide how much of mine you get', '{}',
  '2026-12-01 13:05:02+00')
on conflict (dedupe_key) do nothing;
select private.finish_inbox(:u::bigint,
  (select claim_token from private.telegram_updates where update_id = :u::bigint), '2026-12-01 13:05:02+00');
commit;
