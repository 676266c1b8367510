-- Retention of the tables that only grow (sql/35_retention.sql, docs/retention.md): the windows and that each is
-- longer than what its readers read; per table, a row just inside the window stays, one a second older goes, and
-- the rows a reader needs whatever their age stay (each with the reader run before and after); the LLM rollup adds
-- up to the raw ledger exactly; a rerun at the same clock deletes nothing; the batch caps; the daily schedule.
-- The clock is 2027-06-01 12:00 UTC. The windows end at: score_history 2026-06-01 12:00 (365 d), messages
-- 2026-12-03 12:00 (180 d), llm_calls 2027-03-03 00:00 (90 whole UTC days), inbox 2027-05-25 12:00 (7 d; failed
-- 2027-05-02 12:00, 30 d), outbox 2027-05-02 12:00 (30 d; failed 2027-03-03 12:00, 90 d).
begin;
select plan(69);

-- The windows (tunables) and their readers.
select results_eq(
  $$select name, value::text from game.tunables where name like 'retention\_%' order by name$$,
  $$values ('retention_batch_conversations', '500'), ('retention_batch_rows', '10000'),
           ('retention_inbox_days', '7'), ('retention_inbox_failed_days', '30'), ('retention_llm_calls_days', '90'),
           ('retention_max_batches', '100'), ('retention_messages_days', '180'),
           ('retention_outbox_days', '30'), ('retention_outbox_failed_days', '90'),
           ('retention_score_history_days', '365')$$,
  'the retention windows and batch sizes');
select ok((select value::int from game.tunables where name = 'retention_score_history_days') > 30,
  'score_history outlives the portal''s 30-day history read');
select ok((select value::int from game.tunables where name = 'retention_score_history_days')
          > (select value::int from game.tunables where name = 'gottman_window'),
  'score_history outlives the Gottman window');
select ok((select value::int from game.tunables where name = 'retention_score_history_days')
          > (select value::int from game.tunables where name = 'summary_catch_up_days') + 2,
  'score_history outlives the oldest local day a daily summary can still be written for');
select ok((select value::int * 24 from game.tunables where name = 'retention_score_history_days')
          > (select value::int from game.tunables where name = 'psyche_batch_window'),
  'score_history outlives the psyche context window');
select ok((select value::int * 24 from game.tunables where name = 'retention_messages_days')
          > (select value::int from game.tunables where name = 'engagement_window'),
  'messages outlive the engagement window');
select ok((select value::int * 24 * 60 from game.tunables where name = 'retention_messages_days')
          > (select value::int from game.tunables where name = 'new_conversation_gap'),
  'messages outlive the gap that starts a new conversation');
select ok((select value::int * 24 from game.tunables where name = 'retention_inbox_days') > 24,
  'done inbox rows outlive Telegram''s 24 h of resends');
select ok((select value::int from game.tunables where name = 'retention_inbox_failed_days')
          >= (select value::int from game.tunables where name = 'retention_inbox_days'),
  'failed inbox rows are kept at least as long as done ones');
select ok((select value::int from game.tunables where name = 'retention_outbox_days')
          > (select value::int from game.tunables where name = 'retention_inbox_days'),
  'sent outbox rows outlive the updates whose retries reuse their dedupe keys');
select ok((select value::int from game.tunables where name = 'retention_outbox_failed_days')
          >= (select value::int from game.tunables where name = 'retention_outbox_days'),
  'failed outbox rows are kept at least as long as sent ones');

select tests.create_player('admin', '2026-01-01 00:00+00') as admin \gset
update auth.users set raw_app_meta_data = '{"role": "admin"}' where id = :'admin';

-- score_history: one player in UTC with a year and a half of rows.
select tests.create_player('hist', '2026-01-01 00:00+00') as hist \gset
insert into public.conversations (user_id, platform, status, started_at, last_message_at, ended_at, chapter_at_start)
values (:'hist', 'telegram', 'closed', '2026-03-02 10:00+00', '2026-03-02 10:10+00', '2026-03-02 10:25+00', 1),
       (:'hist', 'telegram', 'closed', '2026-03-03 10:00+00', '2026-03-03 10:10+00', '2026-03-03 10:25+00', 1);
insert into public.daily_summaries (user_id, date, score_start, score_end, summary_text)
values (:'hist', '2026-03-02', 50, 51, 'We talked.');
insert into public.score_history (user_id, score, chapter, event_type, recorded_at, event_details) values
  (:'hist', 51, 1, 'exchange', '2026-03-01 10:00+00', '{"k": "h1"}'),
  (:'hist', 50, 1, 'decay', '2026-03-02 11:00+00', '{"k": "h2"}'),
  (:'hist', 49, 1, 'decay', '2026-03-03 11:00+00', '{"k": "h3"}'),
  (:'hist', 52, 1, 'exchange', '2026-04-01 10:00+00', '{"k": "h0"}'),
  (:'hist', 48, 1, 'decay', '2026-06-01 11:59:59+00', '{"k": "h4"}'),
  (:'hist', 47, 1, 'decay', '2026-06-01 12:00+00', '{"k": "h5"}'),
  (:'hist', 53, 1, 'exchange', '2027-05-31 12:00+00', '{"k": "h6"}');
-- A player in Berlin: a row at 23:30 UTC belongs to the next local day, which had a conversation and no summary.
select tests.create_player('berlin', '2026-01-01 00:00+00') as berlin \gset
update public.users set timezone = 'Europe/Berlin' where id = :'berlin';
insert into public.conversations (user_id, platform, status, started_at, last_message_at, ended_at, chapter_at_start)
values (:'berlin', 'telegram', 'closed', '2026-03-05 07:00+00', '2026-03-05 07:10+00', '2026-03-05 07:25+00', 1);
insert into public.score_history (user_id, score, chapter, event_type, recorded_at, event_details) values
  (:'berlin', 50, 1, 'decay', '2026-03-04 12:00+00', '{"k": "b1"}'),
  (:'berlin', 49, 1, 'decay', '2026-03-04 23:30+00', '{"k": "b2"}'),
  (:'berlin', 51, 1, 'exchange', '2026-05-01 10:00+00', '{"k": "b0"}');
-- A player away for more than the window, back yesterday: her summary of yesterday starts from the last old row.
select tests.create_player('dormant', '2026-01-01 00:00+00') as dormant \gset
insert into public.score_history (user_id, score, chapter, event_type, recorded_at, event_details) values
  (:'dormant', 56, 1, 'exchange', '2026-01-05 10:00+00', '{"k": "d0"}'),
  (:'dormant', 55, 1, 'exchange', '2026-01-10 10:00+00', '{"k": "d1"}'),
  (:'dormant', 52, 1, 'decay', '2026-02-10 10:00+00', '{"k": "d2"}');
insert into public.conversations (user_id, platform, status, started_at, last_message_at, ended_at, chapter_at_start)
values (:'dormant', 'telegram', 'closed', '2027-05-31 10:00+00', '2027-05-31 10:10+00', '2027-05-31 10:25+00', 1);
create temporary table dormant_numbers as
select game.daily_summary_numbers(:'dormant', '2027-05-31 00:00+00', '2027-06-01 00:00+00') as numbers;

-- messages: one player's conversations over the year, then one open now.
select tests.create_player('talker', '2026-01-01 00:00+00') as talker \gset
create temporary table convs (name text primary key, id uuid);
with c (name, platform, status, started_at, ended_at) as (values
    ('c0', 'telegram', 'closed', '2026-08-01 10:00+00'::timestamptz, '2026-08-01 10:20+00'::timestamptz),
    ('c4', 'telegram', 'closed', '2026-09-01 10:00+00', '2026-09-01 10:20+00'),
    ('c5', 'voice', 'closed', '2026-09-15 10:00+00', '2026-09-15 10:20+00'),
    ('c1', 'telegram', 'closed', '2026-10-01 10:00+00', '2026-10-01 10:20+00'),
    ('c2', 'telegram', 'closed', '2026-11-01 10:00+00', '2026-11-01 10:20+00'),
    ('c3', 'telegram', 'open', '2027-06-01 11:00+00', null)),
  ins as (
    insert into public.conversations (user_id, platform, status, started_at, last_message_at, ended_at, chapter_at_start)
    select :'talker', c.platform, c.status, c.started_at, coalesce(c.ended_at, c.started_at), c.ended_at, 1 from c
    returning id, started_at)
insert into convs select c.name, i.id from c join ins i on i.started_at = c.started_at;
insert into public.messages (conversation_id, user_id, role, content, time_in_call_secs, created_at)
select v.id, :'talker', m.role, m.content, case when m.name = 'c5' then 1 end, m.at
from (values
  ('c0', 'player', 'hi', '2026-08-01 10:00+00'::timestamptz), ('c0', 'nikita', 'hey', '2026-08-01 10:05+00'),
  ('c4', 'player', 'hi', '2026-09-01 10:00+00'), ('c4', 'nikita', 'hey', '2026-09-01 10:05+00'),
  ('c5', 'player', 'hello?', '2026-09-15 10:00+00'), ('c5', 'nikita', 'you called', '2026-09-15 10:00:05+00'),
  ('c1', 'player', 'hi', '2026-10-01 10:00+00'), ('c1', 'nikita', 'hey', '2026-10-01 10:05+00'),
  ('c1', 'player', 'how are you', '2026-10-01 10:06+00'),
  ('c2', 'player', 'hi', '2026-11-01 10:00+00'), ('c2', 'nikita', 'where have you been', '2026-11-01 10:05+00'),
  ('c3', 'player', 'sorry, I am back', '2027-06-01 11:00+00')) m (name, role, content, at)
join convs v on v.name = m.name;
insert into private.conversation_jobs (conversation_id, user_id, status, attempts, created_at, finished_at)
select v.id, :'talker', j.status, 1, j.created_at, j.finished_at
from (values
  ('c0', 'done', '2026-08-01 10:20+00'::timestamptz, '2026-12-03 12:00+00'::timestamptz),
  ('c4', 'failed', '2026-09-01 10:20+00', '2026-09-01 11:20+00'),
  ('c5', 'done', '2026-09-15 10:20+00', '2026-09-15 10:21+00'),
  ('c1', 'done', '2026-10-01 10:20+00', '2026-10-01 10:21+00'),
  ('c2', 'done', '2026-11-01 10:20+00', '2026-11-01 10:21+00')) j (name, status, created_at, finished_at)
join convs v on v.name = j.name;
create temporary table talker_inputs as
select game.engagement_inputs(u, '{}', game.tunables_json(), '2027-06-01 12:00+00') as inputs
from public.users u where u.id = :'talker';

-- llm_calls: two old days (a priced call, an unpriced one, a batch item, an error), the first kept day's first call.
insert into private.llm_calls (user_id, purpose, model, input_tokens, output_tokens, cache_read_tokens,
  cache_write_tokens, batch, latency_ms, status, cost_usd, created_at) values
  (:'talker', 'reply', 'claude-sonnet-4-6', 100, 50, 10, 5, false, 800, 'ok', 0.001, '2027-03-01 09:00+00'),
  (null, 'reply', 'claude-sonnet-4-6', 200, 20, 0, 0, false, 1200, 'ok', 0.002, '2027-03-01 10:00+00'),
  (:'talker', 'reply', 'unpriced-model', 30, 3, 0, 0, false, null, 'ok', null, '2027-03-01 11:00+00'),
  (:'talker', 'psyche_batch', 'claude-haiku-4-5', 1000, 300, 0, 0, true, null, 'ok', 0.0005, '2027-03-02 23:59:59+00'),
  (:'talker', 'analyze', 'claude-sonnet-4-6', 10, 0, 0, 0, false, 90, 'error', 0, '2027-03-02 12:00+00'),
  (:'talker', 'reply', 'claude-sonnet-4-6', 1, 1, 0, 0, false, 100, 'ok', 0.000123, '2027-03-03 00:00+00');
create temporary table costs_before as select * from private.llm_costs('2027-02-01', '2027-04-01');

-- The inbox. Chat 501: an old failed update answered by the next, a younger failed one answered by a done one
-- a second inside the window... Chat 502: done and ignored rows at the edges. Chat 503: the last update failed
-- (unanswered) and one is still pending. Chat 504: an outage that a done update ended, its holding line still in
-- the outbox. Chat 505: an outage going on, its holding line sent. And an update with no chat.
insert into private.telegram_updates (update_id, chat_id, kind, payload, status, received_at, processed_at) values
  (5010, 501, 'text', '{"message": {"text": "old failed"}}', 'failed', '2027-05-01 10:00+00', null),
  (5011, 501, 'text', '{}', 'done', '2027-05-01 10:01+00', '2027-05-01 10:01+00'),
  (5012, 501, 'text', '{"message": {"text": "young failed"}}', 'failed', '2027-05-10 10:00+00', null),
  (5013, 501, 'text', '{}', 'done', '2027-05-10 10:01+00', '2027-05-10 10:01+00'),
  (5020, 502, 'text', '{}', 'done', '2027-05-20 10:00+00', '2027-05-20 10:00+00'),
  (5021, 502, 'edited_message', '{}', 'ignored', '2027-05-25 11:59:59+00', null),
  (5022, 502, 'text', '{}', 'done', '2027-05-25 12:00+00', '2027-05-25 12:00+00'),
  (5030, 503, 'text', '{}', 'done', '2027-04-01 10:00+00', '2027-04-01 10:00+00'),
  (5031, 503, 'text', '{"message": {"text": "unanswered"}}', 'failed', '2027-04-02 10:00+00', null),
  (5032, 503, 'text', '{}', 'pending', '2027-04-03 10:00+00', null),
  (5040, 504, 'text', '{}', 'done', '2027-05-04 10:00+00', '2027-05-04 10:00+00'),
  (5090, null, 'other', '{}', 'done', '2027-01-01 00:00+00', '2027-01-01 00:00+00');
insert into private.telegram_updates (update_id, chat_id, kind, payload, status, attempts, received_at, lease_until,
  claim_token) values
  (5041, 504, 'text', '{}', 'processing', 0, '2027-06-01 11:59+00', '2027-06-01 12:01+00', '00000000-0000-0000-0000-000000005041'),
  (5051, 505, 'text', '{}', 'processing', 0, '2027-06-01 11:59+00', '2027-06-01 12:01+00', '00000000-0000-0000-0000-000000005051');

-- The outbox: sent and never-to-be-sent rows at their edges, rows still to deliver, a call's row, two holding lines.
insert into private.outbox (dedupe_key, user_id, chat_id, channel, kind, text, due_at, status, sent_at, created_at) values
  ('r:o1', :'talker', 1, 'telegram', 'reply', 'a', '2027-05-02 11:59+00', 'sent', '2027-05-02 11:59:59+00', '2027-05-02 11:59+00'),
  ('r:o2', :'talker', 1, 'telegram', 'reply', 'b', '2027-05-02 11:59+00', 'sent', '2027-05-02 12:00+00', '2027-05-02 11:59+00'),
  ('r:o3', :'talker', 1, 'telegram', 'reply', 'c', '2027-03-03 11:59:59+00', 'failed', null, '2027-03-03 11:59:59+00'),
  ('r:o4', :'talker', 1, 'telegram', 'reply', 'd', '2027-03-03 12:00+00', 'failed', null, '2027-03-03 12:00+00'),
  ('r:o5', :'talker', null, 'voice', 'call', null, '2027-01-01 00:00+00', 'unconfirmed', null, '2027-01-01 00:00+00'),
  ('r:o6', :'talker', 1, 'telegram', 'reply', 'f', '2027-02-01 00:00+00', 'skipped', null, '2027-02-01 00:00+00'),
  ('r:o7', :'talker', 1, 'telegram', 'reply', 'g', '2026-01-01 00:00+00', 'pending', null, '2026-01-01 00:00+00'),
  ('r:o8', :'talker', 1, 'telegram', 'reply', 'h', '2026-06-01 00:00+00', 'retry', null, '2026-06-01 00:00+00'),
  ('hold:5039', null, 504, 'telegram', 'hold', 'one sec', '2027-05-03 10:00+00', 'sent', '2027-05-03 10:00+00', '2027-05-03 10:00+00'),
  ('hold:5050', null, 505, 'telegram', 'hold', 'one sec', '2027-05-30 10:00+00', 'sent', '2027-05-30 10:00+00', '2027-05-30 10:00+00');
insert into private.voice_sessions (session_id, user_id, direction, issued_at, status, outbox_id)
select '00000000-0000-0000-0000-00000000ca11', :'talker', 'outbound', '2027-01-01 00:00+00', 'failed', o.id
from private.outbox o where o.dedupe_key = 'r:o5';

-- The run.
select is(game.apply_retention('2027-06-01 12:00+00'),
  '{"score_history": 4, "messages": 3, "conversation_jobs": 1, "llm_calls": 5, "telegram_updates": 7, "outbox": 4}'::jsonb,
  'the rows past their windows, counted per table');

-- score_history.
select is((select array_agg(event_details ->> 'k' order by recorded_at) from public.score_history where user_id = :'hist'),
  array['h3', 'h0', 'h4', 'h5', 'h6'],
  'score_history: the old rows go; kept are the uncovered day, the last exchange, the last row before the window and the window');
select ok(not exists (select 1 from public.score_history where user_id = :'hist' and event_details ->> 'k' = 'h2'),
  'a row of an old day with a conversation and its daily summary goes');
select ok(exists (select 1 from public.score_history where user_id = :'hist' and event_details ->> 'k' = 'h3'),
  'a row of an old day with a conversation but no daily summary stays');
select ok(exists (select 1 from public.score_history where user_id = :'hist' and event_details ->> 'k' = 'h0'),
  'the newest exchange before the window stays (psyche_tier reads the last exchange)');
select ok(exists (select 1 from public.score_history where user_id = :'hist' and event_details ->> 'k' = 'h4'),
  'the newest row before the window stays (a day''s numbers start from the row before it)');
select is((select array_agg(event_details ->> 'k' order by recorded_at) from public.score_history where user_id = :'berlin'),
  array['b2', 'b0'], 'the day of a row is the player''s local day: 23:30 UTC is the next day in Berlin, which is uncovered');
select is((select array_agg(event_details ->> 'k' order by recorded_at) from public.score_history where user_id = :'dormant'),
  array['d1', 'd2'], 'a player away a year keeps their last exchange and last row');
select is((select game.daily_summary_numbers(:'dormant', '2027-05-31 00:00+00', '2027-06-01 00:00+00')),
  (select numbers from dormant_numbers), 'and the summary of their day back reads the same numbers as before');
select is((game.daily_summary_numbers(:'dormant', '2027-05-31 00:00+00', '2027-06-01 00:00+00') ->> 'score_start')::numeric,
  52::numeric, 'starting from the last row before the window');

-- messages.
select is((select array_agg(v.name order by v.name) from convs v
           where exists (select 1 from public.messages m where m.conversation_id = v.id)),
  array['c0', 'c2', 'c3', 'c4', 'c5'], 'messages: the conversations that keep their messages');
select ok(not exists (select 1 from public.messages m join convs v on v.id = m.conversation_id where v.name = 'c1'),
  'a conversation processed more than 180 days ago loses its messages');
select ok(exists (select 1 from public.messages m join convs v on v.id = m.conversation_id where v.name = 'c0'),
  'one processed exactly 180 days ago keeps them');
select ok(exists (select 1 from public.messages m join convs v on v.id = m.conversation_id where v.name = 'c4'),
  'one whose pipeline job failed keeps them for a reprocess');
select ok(exists (select 1 from public.messages m join convs v on v.id = m.conversation_id where v.name = 'c2'),
  'the player''s last conversation before the window keeps them');
select ok(exists (select 1 from public.messages m join convs v on v.id = m.conversation_id where v.name = 'c5'),
  'so does their last call, whatever later text conversations there are');
select is((select inputs from talker_inputs),
  (select game.engagement_inputs(u, '{}', game.tunables_json(), '2027-06-01 12:00+00') from public.users u where u.id = :'talker'),
  'engagement inputs read the same: the answer today is timed from her message before it, months old');
select ok((select (inputs ->> 't_avg')::numeric > 86400 * 180 from talker_inputs), 'that answer took over 180 days');
select is((select removed_message_count from public.conversations c join convs v on v.id = c.id where v.name = 'c1'), 3,
  'the conversation keeps the count of its removed messages');
select is((select message_count from public.conversation_list l join convs v on v.id = l.id where v.name = 'c1'), 3::bigint,
  'which the portal''s conversation list shows');
select ok((select summary is null and ended_at is not null from public.conversations c join convs v on v.id = c.id where v.name = 'c1'),
  'the conversation row itself stays');
select ok(not exists (select 1 from private.conversation_jobs j join convs v on v.id = j.conversation_id where v.name = 'c1'),
  'its pipeline job goes with the messages');
select throws_ok(format('select game.admin_reprocess(%L, %L, %L)', (select id from convs where name = 'c1'), :'admin',
  '2027-06-01 12:00+00'), 'CVNFD', null, 'a reprocess of a conversation without its transcript is refused');

-- llm_calls.
select is((select array_agg(created_at order by created_at) from private.llm_calls), array['2027-03-03 00:00+00']::timestamptz[],
  'llm_calls: the rows of days ended 90 days ago go; the first second of the first kept day stays');
select results_eq('select * from private.llm_costs(''2027-02-01'', ''2027-04-01'')', 'select * from costs_before',
  'the cost report reads the same before and after (rolled-up days plus raw rows)');
select results_eq(
  $$select day, purpose, model, batch, status, calls, unpriced_calls, input_tokens, output_tokens, cache_read_tokens,
           cache_write_tokens, timed_calls, latency_ms, cost_usd from private.llm_cost_daily order by 1, 2, 3, 4, 5$$,
  $$values ('2027-03-01'::date, 'reply', 'claude-sonnet-4-6', false, 'ok', 2::bigint, 0::bigint, 300::bigint, 70::bigint,
            10::bigint, 5::bigint, 2::bigint, 2000::bigint, 0.003::numeric),
           ('2027-03-01', 'reply', 'unpriced-model', false, 'ok', 1, 1, 30, 3, 0, 0, 0, 0, 0),
           ('2027-03-02', 'analyze', 'claude-sonnet-4-6', false, 'error', 1, 0, 10, 0, 0, 0, 1, 90, 0),
           ('2027-03-02', 'psyche_batch', 'claude-haiku-4-5', true, 'ok', 1, 0, 1000, 300, 0, 0, 0, 0, 0.0005)$$,
  'the rollup: one row per day, purpose, model, batch flag and status, with exact sums');

-- The inbox.
select is((select array_agg(update_id order by update_id) from private.telegram_updates where update_id between 5000 and 5099),
  array[5012, 5013, 5022, 5031, 5032, 5041, 5051]::bigint[], 'inbox: what stays');
select ok(not exists (select 1 from private.telegram_updates where update_id = 5010),
  'a failed update older than 30 days that a later update answered goes');
select ok(exists (select 1 from private.telegram_updates where update_id = 5012),
  'a failed one younger than 30 days stays');
select ok(exists (select 1 from private.telegram_updates where update_id = 5031),
  'an unanswered failed update stays whatever its age: its text joins the chat''s next turn');
select ok(exists (select 1 from private.telegram_updates where update_id = 5013),
  'a done update past its window stays while an older failed one of its chat is kept');
select ok(not exists (select 1 from private.telegram_updates where update_id in (5011, 5020, 5030, 5040, 5090)),
  'done updates older than 7 days go (and one with no chat)');
select ok(not exists (select 1 from private.telegram_updates where update_id = 5021), 'an ignored one a second past 7 days goes');
select ok(exists (select 1 from private.telegram_updates where update_id = 5022), 'a done one of exactly 7 days stays');
select ok(exists (select 1 from private.telegram_updates where update_id = 5032), 'an open update stays whatever its age');
select is((select private.fail_inbox(5041, '00000000-0000-0000-0000-000000005041', 'provider down', true,
  '2027-06-01 12:00+00') ->> 'hold')::boolean, true,
  'a new outage gets its holding line though its chat''s done updates are gone (the old line belongs to an ended outage)');
select is((select private.fail_inbox(5051, '00000000-0000-0000-0000-000000005051', 'provider down', true,
  '2027-06-01 12:00+00') ->> 'hold')::boolean, false, 'an outage going on still gets one holding line only');

-- The outbox.
select is((select array_agg(dedupe_key order by dedupe_key) from private.outbox where dedupe_key like 'r:%'),
  array['r:o2', 'r:o4', 'r:o7', 'r:o8'], 'outbox: what stays');
select ok(not exists (select 1 from private.outbox where dedupe_key = 'r:o1'), 'a row sent 30 days and a second ago goes');
select ok(exists (select 1 from private.outbox where dedupe_key = 'r:o2'), 'one sent exactly 30 days ago stays');
select ok(not exists (select 1 from private.outbox where dedupe_key = 'r:o3'), 'a failed row queued 90 days and a second ago goes');
select ok(exists (select 1 from private.outbox where dedupe_key = 'r:o4'), 'one queued exactly 90 days ago stays');
select ok(not exists (select 1 from private.outbox where dedupe_key in ('r:o5', 'r:o6')), 'old unconfirmed and skipped rows go');
select ok(exists (select 1 from private.outbox where dedupe_key = 'r:o7') and exists (select 1 from private.outbox where dedupe_key = 'r:o8'),
  'rows still to deliver stay whatever their age');
select is((select outbox_id from private.voice_sessions where session_id = '00000000-0000-0000-0000-00000000ca11'), null,
  'the session of a removed call stays, unlinked');

-- A second run at the same clock finds nothing; the rollup does not move.
select is(game.apply_retention('2027-06-01 12:00+00'),
  '{"score_history": 0, "messages": 0, "conversation_jobs": 0, "llm_calls": 0, "telegram_updates": 0, "outbox": 0}'::jsonb,
  'a second run at the same clock deletes nothing');
select results_eq('select * from private.llm_costs(''2027-02-01'', ''2027-04-01'')', 'select * from costs_before',
  'and the cost report still reads the same');

-- A second later, the rows at each edge have passed their window.
select is(game.apply_retention('2027-06-01 12:00:01+00'),
  '{"score_history": 1, "messages": 2, "conversation_jobs": 1, "llm_calls": 0, "telegram_updates": 1, "outbox": 2}'::jsonb,
  'a second later each edge row goes');
select is((select array_agg(event_details ->> 'k' order by recorded_at) from public.score_history where user_id = :'hist'),
  array['h3', 'h0', 'h5', 'h6'], 'the row at the old edge is now the last before the window, the former last one goes');
select ok(not exists (select 1 from public.messages m join convs v on v.id = m.conversation_id where v.name = 'c0'),
  'the conversation processed at the old edge loses its messages');
select ok(not exists (select 1 from private.telegram_updates where update_id = 5022), 'the done update at the old edge goes');
select ok(not exists (select 1 from private.outbox where dedupe_key in ('r:o2', 'r:o4')), 'the outbox rows at the old edges go');

-- A ledger row of an already rolled-up day (a batch result saved late) is added to that day on the next run.
insert into private.llm_calls (purpose, model, input_tokens, output_tokens, batch, status, cost_usd, created_at)
values ('reply', 'claude-sonnet-4-6', 7, 3, false, 'ok', 0.0001, '2027-03-01 12:00+00');
select is((game.apply_retention('2027-06-01 13:00+00') ->> 'llm_calls')::int, 1, 'a late row of a rolled-up day goes next run');
select results_eq(
  $$select calls, input_tokens, cost_usd from private.llm_cost_daily
    where day = '2027-03-01' and model = 'claude-sonnet-4-6'$$,
  $$values (3::bigint, 307::bigint, 0.0031::numeric)$$, 'and is added to that day''s sums');

-- The caps: retention_batch_rows rows (retention_batch_conversations conversations) a batch, retention_max_batches
-- batches a table per run; the rest goes next run.
update game.tunables set value = '2' where name = 'retention_batch_rows';
update game.tunables set value = '1' where name = 'retention_batch_conversations';
update game.tunables set value = '2' where name = 'retention_max_batches';
insert into private.llm_calls (purpose, model, status, cost_usd, created_at)
select 'reply', 'claude-sonnet-4-6', 'ok', 0.01, '2027-02-01 00:00+00'::timestamptz + n * interval '1 minute'
from generate_series(1, 5) n;
select tests.create_player('capped', '2026-01-01 00:00+00') as capped \gset
with c as (
  insert into public.conversations (user_id, platform, status, started_at, last_message_at, ended_at, chapter_at_start)
  select :'capped', 'telegram', 'closed', t, t, t + interval '20 minutes', 1
  from generate_series('2026-07-01 10:00+00'::timestamptz, '2026-07-04 10:00+00', interval '1 day') t
  returning id, started_at)
insert into private.conversation_jobs (conversation_id, user_id, status, attempts, created_at, finished_at)
select c.id, :'capped', 'done', 1, c.started_at, c.started_at + interval '30 minutes' from c;
select results_eq($$select (r ->> 'llm_calls')::int, (r ->> 'conversation_jobs')::int
                    from game.apply_retention('2027-06-01 14:00+00') r$$,
  $$values (4, 2)$$, 'a run takes two batches of a table: 4 ledger rows, 2 conversations');
select results_eq($$select (r ->> 'llm_calls')::int, (r ->> 'conversation_jobs')::int
                    from game.apply_retention('2027-06-01 15:00+00') r$$,
  $$values (1, 1)$$, 'the next run the rest (the player''s last conversation before the window stays)');
select is((select sum(cost_usd) from private.llm_cost_daily where day = '2027-02-01'), 0.05::numeric,
  'the rollup over capped runs is exact');

-- The schedule: once a day, one call.
select results_eq($$select schedule, command from cron.job where jobname = 'nikita-retention'$$,
  $$values ('40 3 * * *'::text, 'select game.apply_retention(now())'::text)$$, 'nikita-retention runs once a day at 03:40 UTC');

select * from finish();
rollback;
