-- The RLS matrix for every table we own: anon, player A, player B's rows, service_role x select, insert,
-- update, delete. Players read only their own rows in public; game and private admit service_role only.
begin;
select plan(485);

select tests.create_player('alice');
select tests.create_player('bob');
select tests.seed_player_rows(tests.player('alice'), 1001);
select tests.seed_player_rows(tests.player('bob'), 2002);
-- An emotional state and a conversation-effects mark for each player's conversation.
insert into public.emotional_states (user_id, arousal, valence, dominance, intimacy, conflict_state, conversation_id, recorded_at)
select c.user_id, 0.55, 0.5, 0.65, 0.5, 'calm', c.id, '2026-01-05 10:30+00' from public.conversations c
where c.user_id in (tests.player('alice'), tests.player('bob'));
insert into game.conversation_effects (conversation_id, user_id, effects, result, applied_at)
select c.id, c.user_id, '{"tones": ["neutral"]}', '{"applied": true}', '2026-01-05 10:30+00' from public.conversations c
where c.user_id in (tests.player('alice'), tests.player('bob'));

select * from tests.rls_matrix('public.users', 'id', true, 'alice', 'bob');
select * from tests.rls_matrix('public.engagement_state', 'user_id', true, 'alice', 'bob');
select * from tests.rls_matrix('public.engagement_history', 'user_id', true, 'alice', 'bob');
select * from tests.rls_matrix('public.user_vice_preferences', 'user_id', true, 'alice', 'bob');
select * from tests.rls_matrix('public.conversations', 'user_id', true, 'alice', 'bob');
select * from tests.rls_matrix('public.messages', 'user_id', true, 'alice', 'bob');
select * from tests.rls_matrix('public.score_history', 'user_id', true, 'alice', 'bob');
select * from tests.rls_matrix('public.daily_summaries', 'user_id', true, 'alice', 'bob');
select * from tests.rls_matrix('public.emotional_states', 'user_id', true, 'alice', 'bob');
insert into public.life_events (user_id, event_date, ordinal, time_of_day, domain, event_type, description,
  emotional_impact, importance)
select tests.player(p), '2026-01-05', 1, 'morning', 'work', 'meeting', 'A long stand-up at the co-working space.',
  '{"arousal": -0.1, "valence": -0.05}', 0.3 from unnest(array['alice', 'bob']) p;
select * from tests.rls_matrix('public.life_events', 'user_id', true, 'alice', 'bob');
insert into game.life_arcs (user_id, kind, domain, opened_on, created_at, updated_at)
select tests.player(p), 'home_project', 'personal', '2026-01-05', '2026-01-05 03:00+00', '2026-01-05 03:00+00'
from unnest(array['alice', 'bob']) p;
insert into game.life_people (user_id, person, feeling, valence, event_date, updated_at)
select tests.player(p), 'Lena', 'positive', 0.2, '2026-01-05', '2026-01-05 03:00+00' from unnest(array['alice', 'bob']) p;
select * from tests.rls_matrix('game.life_arcs', 'user_id', false, 'alice', 'bob');
select * from tests.rls_matrix('game.life_people', 'user_id', false, 'alice', 'bob');
select * from tests.rls_matrix('game.memory_facts', 'user_id', false, 'alice', 'bob');
insert into game.conversation_threads (user_id, type, content, created_at)
select tests.player(p), 'plan', 'dinner on Friday', '2026-01-05 10:30+00' from unnest(array['alice', 'bob']) p;
insert into game.thoughts (user_id, type, content, expires_at, created_at)
select tests.player(p), 'worry', 'sounded tired', '2026-01-12 10:30+00', '2026-01-05 10:30+00' from unnest(array['alice', 'bob']) p;
select * from tests.rls_matrix('game.conversation_threads', 'user_id', false, 'alice', 'bob');
select * from tests.rls_matrix('game.thoughts', 'user_id', false, 'alice', 'bob');
select game.save_ready_prompt(tests.player(p), 'text', 'her context', 3, '{}', null, '2026-01-05 10:30+00') from unnest(array['alice', 'bob']) p;
select * from tests.rls_matrix('game.ready_prompts', 'user_id', false, 'alice', 'bob');
-- A touchpoint of each player and the occasion that fired it.
insert into game.touchpoints (user_id, trigger, occasion, channel, due_at, rate, chance, created_at)
select tests.player(p), 'time', 'time:2026-01-05:morning', 'text', '2026-01-05 09:00+00', 0.15, 0.15, '2026-01-05 08:00+00'
from unnest(array['alice', 'bob']) p;
insert into game.touchpoint_occasions (user_id, occasion, trigger, roll, chance, outcome, touchpoint_id, rolled_at)
select t.user_id, t.occasion, 'time', 0.1, 0.15, 'fired', t.id, '2026-01-05 08:00+00' from game.touchpoints t
where t.user_id in (tests.player('alice'), tests.player('bob'));
select * from tests.rls_matrix('game.touchpoints', 'user_id', false, 'alice', 'bob');
select * from tests.rls_matrix('game.touchpoint_occasions', 'user_id', false, 'alice', 'bob');
select * from tests.rls_matrix('private.telegram_updates', 'user_id', false, 'alice', 'bob');
select * from tests.rls_matrix('private.outbox', 'user_id', false, 'alice', 'bob');
select * from tests.rls_matrix('private.llm_calls', 'user_id', false, 'alice', 'bob');
insert into private.llm_cost_daily (day, purpose, model, batch, status, calls)
values ('2026-01-04', 'reply', 'claude-sonnet-4-6', false, 'ok', 1);
select * from tests.rls_matrix_backend('private.llm_cost_daily', 'day');
select * from tests.rls_matrix_backend('private.job_runs', 'id');
select * from tests.rls_matrix_backend('private.job_leases', 'job');
insert into private.job_marks (job, key, done_at) values ('life-sim', 'a:2026-01-05', '2026-01-05 03:00+00');
select * from tests.rls_matrix_backend('private.job_marks', 'job');
select * from tests.rls_matrix_backend('private.llm_prices', 'model');
select * from tests.rls_matrix('game.conflict_state', 'user_id', false, 'alice', 'bob');
select * from tests.rls_matrix('game.boss_fights', 'user_id', false, 'alice', 'bob');
select * from tests.rls_matrix('game.rate_limits', 'user_id', false, 'alice', 'bob');
select * from tests.rls_matrix('private.conversation_jobs', 'user_id', false, 'alice', 'bob');
select * from tests.rls_matrix('game.conversation_effects', 'user_id', false, 'alice', 'bob');
select * from tests.rls_matrix('private.telegram_signups', 'user_id', false, 'alice', 'bob');
select * from tests.rls_matrix('private.telegram_link_codes', 'user_id', false, 'alice', 'bob');
select * from tests.rls_matrix_backend('game.tunables', 'name');
select * from tests.rls_matrix_backend('game.tunables_snapshot', 'id');
-- Voice: a call session and a post-call event of each player, and a tool call of each session.
insert into private.voice_sessions (user_id, direction, call_sid, issued_at, status)
select tests.player(p), 'inbound', 'CA-' || p, '2026-01-05 10:30+00', 'started' from unnest(array['alice', 'bob']) p;
insert into private.voice_events (type, conversation_id, status, user_id)
select 'post_call_transcription', 'conv-' || p, 'stored', tests.player(p) from unnest(array['alice', 'bob']) p;
insert into private.tool_calls (idempotency_key, session_id, tool, request_hash, response)
select 'update_memory:' || s.call_sid, s.session_id, 'update_memory', 'hash', '{}' from private.voice_sessions s;
select * from tests.rls_matrix_backend('private.tool_calls', 'idempotency_key');
select * from tests.rls_matrix('private.voice_sessions', 'user_id', false, 'alice', 'bob');
select * from tests.rls_matrix('private.voice_events', 'user_id', false, 'alice', 'bob');
-- Psyche: a live state, a batch and a request of each player.
select game.save_psyche_state(tests.player(p), game.default_psyche(), 'claude-haiku-4-5', 'quick', '2026-01-05 10:30+00')
from unnest(array['alice', 'bob']) p;
insert into private.psyche_batches (batch_id, day, chunk, request_count, submitted_at)
values ('msgbatch_rls', '2026-01-05', 1, 2, '2026-01-05 05:15+00');
insert into private.psyche_requests (user_id, day, custom_id, batch_id, status, attempts, created_at, updated_at)
select tests.player(p), '2026-01-05', p || '_20260105', 'msgbatch_rls', 'submitted', 1, '2026-01-05 05:15+00',
  '2026-01-05 05:15+00' from unnest(array['alice', 'bob']) p;
select * from tests.rls_matrix('game.psyche_states', 'user_id', false, 'alice', 'bob');
select * from tests.rls_matrix_backend('private.psyche_batches', 'batch_id');
select * from tests.rls_matrix('private.psyche_requests', 'user_id', false, 'alice', 'bob');

-- The portal's views (security_invoker: the caller's RLS decides) and the admin audit log (admins read it, nobody
-- writes it through the API; the backend only appends).
-- The metrics live on public.users; the view reads them under the player row's policy and is written by nobody.
select * from tests.rls_matrix_read('public.user_metrics', 'user_id', true, 'alice', 'bob');
select * from tests.rls_matrix_read('public.player_stats', 'user_id', true, 'alice', 'bob');
select * from tests.rls_matrix_read('public.conversation_list', 'user_id', true, 'alice', 'bob');
insert into public.admin_audit_log (at, admin_id, action, target_user_id, details)
select '2026-01-05 10:30+00', tests.player('bob'), 'reset_player', tests.player(p), '{"reason": "test"}'
from unnest(array['alice', 'bob']) p;
select * from tests.rls_matrix_read('public.admin_audit_log', 'target_user_id', false, 'alice', 'bob');
select tests.authenticate_as_service_role();
select is(tests.attempt($$insert into public.admin_audit_log (at, action, details) values ('2026-01-05 11:00+00', 'reset_player', '{}')$$),
  '', 'admin_audit_log: service_role may insert');
select is(tests.attempt('delete from public.admin_audit_log'), '42501', 'admin_audit_log: service_role cannot delete');
select is(tests.attempt('select * from public.timezone_options'), '', 'timezone_options: service_role may select');
select tests.authenticate_as_anon();
select is(tests.attempt('select * from public.timezone_options'), '42501', 'timezone_options: anon cannot select');
select ok(tests.refused($$insert into public.timezone_options (name) values ('Mars/Olympus')$$),
  'timezone_options: anon cannot insert');
select tests.authenticate_as('alice');
select ok((select count(*) from public.timezone_options where name in ('Europe/Berlin', 'UTC')) = 2,
  'timezone_options: a signed-in player reads the zones');
select ok(tests.refused($$insert into public.timezone_options (name) values ('Mars/Olympus')$$),
  'timezone_options: a player cannot insert');
select ok(tests.refused('update public.timezone_options set name = name'), 'timezone_options: a player cannot update');
select ok(tests.refused('delete from public.timezone_options'), 'timezone_options: a player cannot delete');
select tests.clear_authentication();

-- Player B, symmetrically, sees only their own row and nothing of A's.
select tests.authenticate_as('bob');
select is((select count(*) from public.users), 1::bigint, 'users: player B sees exactly one row');
select is((select id from public.users), tests.player('bob'), 'users: the row player B sees is their own');
select is((select count(*) from public.score_history where user_id = tests.player('alice')), 0::bigint,
  'score_history: player B sees none of player A''s history');
select tests.clear_authentication();

-- emotional_states exposes the four dimensions, the zone and the time (and user_id for the policy), nothing else.
select tests.authenticate_as('alice');
select is(tests.attempt('select user_id, arousal, valence, dominance, intimacy, conflict_state, recorded_at from public.emotional_states'),
  '', 'emotional_states: a player reads the exposed columns');
select is(tests.attempt('select conversation_id from public.emotional_states'), '42501',
  'emotional_states: a player cannot read conversation_id');
select tests.clear_authentication();

-- Admins (app_metadata.role = admin, set only with the service key) read every player's rows.
select tests.authenticate_as('alice', '{"role": "admin"}');
select is((select count(*) from public.users), 2::bigint, 'users: an admin reads every player');
select is((select count(*) from public.score_history), 2::bigint, 'score_history: an admin reads every player''s history');
select is(tests.attempt('delete from public.score_history'), '42501', 'score_history: an admin still cannot delete');
select is((select count(*) from public.emotional_states), 2::bigint, 'emotional_states: an admin reads every player''s states');
select tests.clear_authentication();
-- user_metadata is writable by the user, so it never grants admin.
select tests.authenticate_as('alice', '{}', '{"role": "admin"}');
select is((select count(*) from public.users), 1::bigint, 'users: user_metadata.role = admin grants nothing');
select tests.clear_authentication();

-- Chapters are reference rows: every signed-in user reads all five; nobody writes them through the API.
select tests.authenticate_as('alice');
select is((select count(*) from public.chapters), 5::bigint, 'chapters: a signed-in player reads all rows');
select is(tests.attempt('update public.chapters set boss_threshold = 0'), '42501', 'chapters: a player cannot update');
select is(tests.attempt('insert into public.chapters default values'), '42501', 'chapters: a player cannot insert');
select is(tests.attempt('delete from public.chapters'), '42501', 'chapters: a player cannot delete');
select tests.authenticate_as_anon();
select is(tests.attempt('select * from public.chapters'), '42501', 'chapters: anon cannot select');
select tests.clear_authentication();

select * from finish();
rollback;
