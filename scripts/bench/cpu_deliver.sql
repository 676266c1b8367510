-- pgbench script: the SQL of delivering one message, as the deliver routine runs it
-- (functions/_shared/outbox/deliver.ts): the chat's head claimed with its lease, marked sending just before the Bot
-- API call, then sent, which stores her message in the conversation (private.mark_sent). Sends the reply
-- cpu_turn.sql queued for the same client and call.
-- No colon inside a string literal here: pgbench would take ":name" in one for a variable.
\set i :i + 1
\set n 1 + (:base + :client_id + :clients * :i) % :players
\set u :ubase + :client_id * 10000000 + :i
\set chat 9000000000 + :n
select id from private.claim_outbox('2026-12-01 13:05:03+00', 1, :chat::bigint);
select private.mark_sending(o.id, o.text, '2026-12-01 13:05:04+00') from private.outbox o
where o.dedupe_key = 'bench-cpu-' || :u::bigint || '-1';
select private.mark_sent(o.id, 'bench-' || :u::bigint, '2026-12-01 13:05:04+00') from private.outbox o
where o.dedupe_key = 'bench-cpu-' || :u::bigint || '-1';
