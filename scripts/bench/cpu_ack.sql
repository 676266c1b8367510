-- pgbench script: the acknowledgement's one statement, as storeUpdate (functions/_shared/telegram/webhook.ts) runs
-- it, for a text message the size Telegram sends. Client c's i-th call stores update ubase + c·10⁷ + i in chat
-- 9·10⁹ + its player's number n; cpu_turn.sql then plays that update and cpu_deliver.sql sends her reply, so the
-- three runs (same clients and calls each) follow one message through the database.
\set i :i + 1
\set n 1 + (:base + :client_id + :clients * :i) % :players
\set u :ubase + :client_id * 10000000 + :i
\set chat 9000000000 + :n
insert into private.telegram_updates (update_id, chat_id, kind, payload, status, lease_until)
values (:u::bigint, :chat::bigint, 'text',
  concat('{"update_id": ', :u::bigint, ', "message": {"message_id": ', :i::bigint, ', "date": 1796131200, ',
    '"chat": {"id": ', :chat::bigint, ', "type": "private"}, ',
    '"from": {"id": ', :chat::bigint, ', "is_bot": false, "first_name": "Bench"}, ',
    '"text": "hey, how was your day? tell me everything about it"}}')::jsonb,
  'pending', now() + make_interval(secs => 30))
on conflict (update_id) do nothing;
