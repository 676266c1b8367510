-- Her memory (PLATFORM.md §6 stage 2, §7): remembering facts once per conversation, supersession by similarity,
-- search (exact and HNSW, filters, reciprocal rank fusion with the text ranking), threads and thoughts once per
-- conversation, and the memory a prompt reads.
begin;
select plan(83);

-- A unit vector: p_cos on axis p_a, the rest on axis p_b. Two such vectors on the same p_a and different p_b have
-- cosine similarity cos_1 x cos_2; on the same p_a, one with p_cos = 1, exactly p_cos.
create function tests.memory_vector(p_a integer, p_b integer, p_cos double precision)
returns extensions.vector
language sql
immutable
as $$
  select array(select case when i = p_a then p_cos when i = p_b then sqrt(1 - p_cos * p_cos) else 0 end
               from generate_series(1, 1536) i order by i)::extensions.vector
$$;

create function tests.remember(p_user_id uuid, p_graph_type text, p_fact text, p_embedding extensions.vector,
  p_at timestamptz, p_conversation_id uuid default null, p_confidence real default 0.9)
returns jsonb
language sql
volatile
as $$
  select game.remember_fact(p_user_id, p_graph_type, p_fact, p_embedding, 'extraction', p_confidence,
    p_conversation_id, p_at)
$$;

create function tests.conversation(p_user_id uuid, p_at timestamptz)
returns uuid
language sql
volatile
as $$
  insert into public.conversations (user_id, platform, status, started_at, last_message_at, ended_at, chapter_at_start)
  values (p_user_id, 'telegram', 'closed', p_at, p_at, p_at + interval '15 minutes', 1)
  returning id
$$;

create function tests.fact_id(p_fact text)
returns uuid
language sql
stable
as $$
  select id from game.memory_facts where fact = p_fact
$$;

create function tests.search_facts(p_user_id uuid, p_query extensions.vector, p_k integer, p_graph_types text[] default null,
  p_min_confidence real default 0, p_query_text text default null)
returns text[]
language sql
stable
as $$
  select array(select s.fact from game.search_memory(p_user_id, p_query, p_k, p_graph_types, p_min_confidence,
    p_query_text) s)
$$;

-- A query touching every axis with a distinct weight (axis a: a / 250): facts on distinct axes all get distinct
-- similarities, so a top k has no ties for two search paths to break differently.
create function tests.memory_query()
returns extensions.vector
language sql
immutable
as $$
  select array(select case when i <= 250 then i / 250.0 else 0 end from generate_series(1, 1536) i order by i)::extensions.vector
$$;

-- The vector ranking of one search path (exact or HNSW), best first.
create function tests.ranking(p_user_id uuid, p_query extensions.vector, p_k integer, p_graph_types text[],
  p_min_confidence real, p_exact boolean)
returns text[]
language sql
stable
as $$
  select array(select v.fact from game.memory_vector_ranking(p_user_id, p_query, p_k, p_graph_types, p_min_confidence,
    p_exact) v order by v.vector_rank)
$$;

-- Scans of the HNSW index in this transaction: which path a search took.
create function tests.hnsw_scans()
returns bigint
language sql
volatile
as $$
  select pg_stat_get_xact_numscans('game.memory_facts_embedding_idx'::regclass)
$$;

select tests.create_player('mia') as mia \gset
select tests.create_player('noa') as noa \gset
select tests.conversation(:'mia', '2026-01-05 10:00+00') as c1 \gset
select tests.conversation(:'mia', '2026-01-06 10:00+00') as c2 \gset
select tests.conversation(:'noa', '2026-01-05 10:00+00') as noa_c \gset

-- 1. Bad input is MEMBD and writes nothing.
select throws_ok(format('select tests.remember(%L, %L, %L, tests.memory_vector(1, 2, 1), %L)', :'mia', 'user', E' \t\n ',
  '2026-01-05 10:00+00'), 'MEMBD', 'memory fact invalid: the fact is empty', 'a fact empty after trimming is MEMBD');
select throws_ok(format('select tests.remember(%L, %L, %L, tests.memory_vector(1, 2, 1), %L)', :'mia', 'user',
  ' ' || repeat('x', 1001) || ' ', '2026-01-05 10:00+00'), 'MEMBD',
  'memory fact invalid: the fact is 1001 characters long (at most 1000)', 'a fact of 1001 characters is MEMBD');
select throws_ok(format('select tests.remember(%L, %L, %L, tests.memory_vector(1, 2, 1), %L)', :'mia', 'friends',
  'likes jazz', '2026-01-05 10:00+00'), 'MEMBD',
  'memory fact invalid: graph type friends is not user, relationship or nikita', 'an unknown graph type is MEMBD');
select throws_ok(format('select game.remember_fact(%L, %L, %L, tests.memory_vector(1, 2, 1), %L, 0.9, null, %L)', :'mia',
  'user', 'likes jazz', 'rumour', '2026-01-05 10:00+00'), 'MEMBD',
  'memory fact invalid: source rumour is not extraction, voice_tool, onboarding or system', 'an unknown source is MEMBD');
select throws_ok(format('select game.remember_fact(%L, %L, %L, tests.memory_vector(1, 2, 1), %L, 1.01, null, %L)', :'mia',
  'user', 'likes jazz', 'extraction', '2026-01-05 10:00+00'), 'MEMBD',
  'memory fact invalid: confidence 1.01 is outside 0..1', 'a confidence above 1 is MEMBD');
select throws_ok(format('select game.remember_fact(%L, %L, %L, tests.memory_vector(1, 2, 1), %L, -0.01, null, %L)', :'mia',
  'user', 'likes jazz', 'extraction', '2026-01-05 10:00+00'), 'MEMBD',
  'memory fact invalid: confidence -0.01 is outside 0..1', 'a confidence below 0 is MEMBD');
select throws_ok(format('select game.remember_fact(%L, %L, %L, null, %L, 0.9, null, %L)', :'mia', 'user', 'likes jazz',
  'extraction', '2026-01-05 10:00+00'), 'MEMBD', 'memory fact invalid: the embedding is missing',
  'a null embedding is MEMBD');
select throws_ok(format('select tests.remember(%L, %L, %L, %L::extensions.vector, %L)', :'mia', 'user', 'likes jazz',
  '[1,0,0]', '2026-01-05 10:00+00'), 'MEMBD', 'memory fact invalid: the embedding has 3 dimensions (1536 expected)',
  'an embedding of another size is MEMBD');
select throws_ok(format('select tests.remember(%L, %L, %L, array_fill(0, array[1536])::extensions.vector, %L)', :'mia',
  'user', 'likes jazz', '2026-01-05 10:00+00'), 'MEMBD', 'memory fact invalid: the embedding is the zero vector',
  'the zero vector (no direction) is MEMBD');
select throws_ok(format('select tests.remember(%L, %L, %L, tests.memory_vector(1, 2, 1), %L)', gen_random_uuid(), 'user',
  'likes jazz', '2026-01-05 10:00+00'), 'PNFND', null, 'an unknown player is PNFND');
select throws_ok(format('select tests.remember(%L, %L, %L, tests.memory_vector(1, 2, 1), %L, %L)', :'mia', 'user',
  'likes jazz', '2026-01-05 10:00+00', :'noa_c'), 'CVNFD', null, 'another player''s conversation is CVNFD');
select is((select count(*) from game.memory_facts), 0::bigint, 'no failed call stored anything');

-- 2. Once per conversation: the same fact (case and whitespace aside) again is the stored row, nothing changes.
select tests.remember(:'mia', 'user', '  Has a cat named   Bartholomew ', tests.memory_vector(100, 101, 1),
  '2026-01-05 10:05+00', :'c1') as first \gset
select is(:'first'::jsonb - 'fact_id', '{"superseded_id": null, "duplicate": false}', 'a new fact is stored');
select results_eq($$select fact, fact_hash, is_active, source, confidence, created_at from game.memory_facts$$,
  $$values ('Has a cat named   Bartholomew'::text, encode(sha256('has a cat named bartholomew'), 'hex'), true,
            'extraction'::text, 0.9::real, '2026-01-05 10:05+00'::timestamptz)$$,
  'stored trimmed; fact_hash is the hex sha256 of the trimmed, lowercased, whitespace-collapsed fact');
select is(tests.remember(:'mia', 'user', E'has a CAT named\tBartholomew', tests.memory_vector(100, 101, 1),
    '2026-01-05 10:06+00', :'c1'),
  jsonb_build_object('fact_id', :'first'::jsonb ->> 'fact_id', 'superseded_id', null, 'duplicate', true),
  'the same fact again in the same conversation returns the stored row with duplicate true');
select results_eq($$select count(*), bool_and(is_active), max(created_at) from game.memory_facts$$,
  $$values (1::bigint, true, '2026-01-05 10:05+00'::timestamptz)$$, 'the rerun stored and changed nothing');
select is(tests.remember(:'mia', 'user', 'A 1000-character fact: ' || repeat('y', 977), tests.memory_vector(110, 111, 1),
  '2026-01-05 10:07+00', :'c1') ->> 'duplicate', 'false', 'a fact of exactly 1000 characters is stored');

-- 3. Supersession: an active fact of the same player and graph type at similarity >= 0.87 (memory_dedup_similarity).
select is((select value from game.tunables where name = 'memory_dedup_similarity'), '0.87'::jsonb,
  'memory_dedup_similarity is 0.87');
select tests.remember(:'mia', 'user', 'works as a nurse', tests.memory_vector(10, 11, 1), '2026-01-05 10:10+00', :'c1');
select is(tests.remember(:'mia', 'user', 'is a nurse at the city hospital', tests.memory_vector(10, 12, 0.871),
    '2026-01-06 10:10+00', :'c2') ->> 'superseded_id', tests.fact_id('works as a nurse')::text,
  'a rephrased fact at similarity 0.871 supersedes the old one');
select results_eq($$select is_active, superseded_by from game.memory_facts where fact = 'works as a nurse'$$,
  $$values (false, tests.fact_id('is a nurse at the city hospital'))$$,
  'the old fact is inactive and names the new one as its successor: the newer wording wins');
select is((select is_active from game.memory_facts where fact = 'is a nurse at the city hospital'), true,
  'the new fact is active');

select tests.remember(:'mia', 'user', 'runs marathons', tests.memory_vector(20, 21, 1), '2026-01-05 10:11+00', :'c1');
select is(tests.remember(:'mia', 'user', 'jogs now and then', tests.memory_vector(20, 22, 0.869), '2026-01-06 10:11+00',
  :'c2') ->> 'superseded_id', null, 'a fact at similarity 0.869 supersedes nothing');
select is((select count(*) from game.memory_facts where fact in ('runs marathons', 'jogs now and then') and is_active),
  2::bigint, 'both stay active');

select tests.remember(:'mia', 'user', 'dreams of Japan', tests.memory_vector(30, 31, 1), '2026-01-05 10:12+00', :'c1');
select is(tests.remember(:'mia', 'relationship', 'we planned a trip to Japan', tests.memory_vector(30, 31, 1),
  '2026-01-06 10:12+00', :'c2') ->> 'superseded_id', null, 'a fact of another graph type is never superseded, even identical');
select tests.remember(:'noa', 'user', 'dreams of Japan too', tests.memory_vector(30, 31, 1), '2026-01-06 10:13+00');
select is((select count(*) from game.memory_facts where fact like '%Japan%' and is_active), 3::bigint,
  'another player''s identical fact supersedes nothing of hers');

-- Of two candidates, the most similar goes: 0.9 and 0.95 to the new fact (0.855 to each other, so both stood).
select tests.remember(:'mia', 'nikita', 'I paint at night', tests.memory_vector(40, 41, 0.9), '2026-01-05 10:14+00', :'c1');
select tests.remember(:'mia', 'nikita', 'I paint late at night', tests.memory_vector(40, 42, 0.95), '2026-01-05 10:15+00',
  :'c1');
select is(tests.remember(:'mia', 'nikita', 'I paint after midnight', tests.memory_vector(40, 43, 1), '2026-01-06 10:15+00',
    :'c2') ->> 'superseded_id', tests.fact_id('I paint late at night')::text,
  'only the most similar active fact is superseded');
select is((select is_active from game.memory_facts where fact = 'I paint at night'), true, 'the less similar one stays');

-- 4. Search: the player's active facts only, best first, similarity = 1 - cosine distance, filters.
-- Her active facts: Bartholomew (e100), the 1000-character fact (e110), the nurse (0.871 on e10), marathons (e20),
-- jogging (0.869 on e20), Japan (e30) and the trip (e30, relationship), painting at night (0.9 on e40) and after
-- midnight (e40, nikita), and now the doctors (0.5 on e10, confidence 0.4). Noa's nurse lies exactly on e10.
select tests.remember(:'noa', 'user', 'a nurse too', tests.memory_vector(10, 12, 1), '2026-01-06 10:20+00');
select tests.remember(:'mia', 'user', 'barely trusts doctors', tests.memory_vector(10, 14, 0.5), '2026-01-06 10:21+00',
  :'c2', 0.4);
select results_eq(
  $$select fact, round(similarity::numeric, 3) from game.search_memory(tests.player('mia'), tests.memory_vector(10, 11, 1),
    2, null, 0)$$,
  $$values ('is a nurse at the city hospital'::text, 0.871), ('barely trusts doctors', 0.500)$$,
  'search: her own active facts nearest first (not the superseded one on e10), similarity 1 - cosine distance');
select is(
  (select array_agg(distinct f.user_id) from game.search_memory(:'mia', tests.memory_vector(10, 11, 1), 50, null, 0) s
   join game.memory_facts f on f.id = s.id),
  array[:'mia'::uuid], 'a player''s search never reaches another player''s facts, even exact matches');
select is(
  (select array_agg(distinct f.user_id) from game.memory_vector_ranking(:'mia', tests.memory_vector(10, 11, 1), 50, null,
     0, false) s join game.memory_facts f on f.id = s.id),
  array[:'mia'::uuid], 'nor does the HNSW path');
select is((select count(*) from game.search_memory(:'mia', tests.memory_vector(10, 11, 1), 50, null, 0)), 10::bigint,
  'k = 50 returns all 10 active facts of hers, none inactive');
select is(tests.search_facts(:'noa', tests.memory_vector(10, 11, 1), 5), array['a nurse too', 'dreams of Japan too'],
  'the other player finds only their own');
select ok(not ('barely trusts doctors' = any (tests.search_facts(:'mia', tests.memory_vector(10, 11, 1), 50, null, 0.5))),
  'min confidence 0.5 leaves out a fact of confidence 0.4');
select ok('barely trusts doctors' = any (tests.search_facts(:'mia', tests.memory_vector(10, 11, 1), 50, null, 0.4)),
  'min confidence 0.4 keeps it (at or above)');
select is(tests.search_facts(:'mia', tests.memory_vector(30, 31, 1), 50, array['relationship']),
  array['we planned a trip to Japan'], 'a graph-type filter returns that type only');
select ok(not ('we planned a trip to Japan' = any (tests.search_facts(:'mia', tests.memory_vector(30, 31, 1), 50,
  array['user', 'nikita']))), 'and leaves the others out');
select throws_ok(format('select * from game.search_memory(%L, tests.memory_vector(1, 2, 1), 0, null, 0)', :'mia'), 'MEMBD',
  'memory search invalid: k must be between 1 and 50 (got 0)', 'k = 0 is MEMBD');
select throws_ok(format('select * from game.search_memory(%L, tests.memory_vector(1, 2, 1), 51, null, 0)', :'mia'), 'MEMBD',
  'memory search invalid: k must be between 1 and 50 (got 51)', 'k = 51 is MEMBD');
select throws_ok(format('select * from game.search_memory(%L, tests.memory_vector(1, 2, 1), 5, %L, 0)', :'mia', '{friends}'),
  'MEMBD', 'memory search invalid: graph types must be null or a non-empty list of user, relationship, nikita',
  'an unknown graph type in the filter is MEMBD');
select throws_ok(format('select * from game.search_memory(%L, null, 5, null, 0)', :'mia'), 'MEMBD',
  'memory search invalid: the query must be a 1536-dimension embedding', 'a missing query embedding is MEMBD');

-- 5. Reciprocal rank fusion: Bartholomew's embedding is orthogonal to the query, but the player named him.
select is(tests.search_facts(:'mia', tests.memory_vector(20, 21, 1), 2), array['runs marathons', 'jogs now and then'],
  'by the embedding alone the two running facts are the top 2');
select is(tests.search_facts(:'mia', tests.memory_vector(20, 21, 1), 2, null, 0, 'Is Bartholomew OK?'),
  array['Has a cat named   Bartholomew', 'runs marathons'],
  'with the query text, the fact holding the rare word is fused into the top 2 (1/61 + 1/(60 + its vector rank))');
select is(tests.search_facts(:'mia', tests.memory_vector(20, 21, 1), 2, null, 0, 'how is it with you'),
  array['runs marathons', 'jogs now and then'], 'a query text of stop words only leaves the vector ranking alone');
select is(tests.search_facts(:'mia', tests.memory_vector(40, 41, 1), 2, array['relationship', 'nikita'], 0, 'Bartholomew'),
  array['I paint after midnight', 'I paint at night'], 'the text ranking obeys the graph-type filter');
select is(game.memory_text_words('Is Bartholomew OK?'), array['bartholomew', 'ok'],
  'the query''s words as written (''simple''), English stop words left out');
select is(game.memory_words_query(array['bartholomew', 'o''brien']), $$'bartholomew' | 'o''brien'$$::tsquery,
  'matched by the OR of them');

-- The text ranking goes by rarity: ts_rank_cd gives one matched word the same score in every fact.
select tests.create_player('ivo') as ivo \gset
select tests.remember(:'ivo', 'user', 'has a cat named Bartholomew', tests.memory_vector(50, 60, 1), '2026-01-05 10:00+00');
select tests.remember(:'ivo', 'user', 'thinks the new job is ok', tests.memory_vector(51, 60, 1), '2026-01-06 10:00+00');
select tests.remember(:'ivo', 'user', 'found the pizza ok', tests.memory_vector(52, 60, 1), '2026-01-07 10:00+00');
select tests.remember(:'ivo', 'user', 'had an ok weekend', tests.memory_vector(53, 60, 1), '2026-01-08 10:00+00');
select is(
  array(select f.fact from game.memory_text_ranking(:'ivo', array['bartholomew', 'ok'], 10, null, 0) t
        join game.memory_facts f on f.id = t.id order by t.text_rank),
  array['has a cat named Bartholomew', 'had an ok weekend', 'found the pizza ok', 'thinks the new job is ok'],
  'the one fact with the rare word first, then the commoner word''s, newest first');
-- Vector ranks: the job, the pizza, the weekend, Bartholomew last. Bartholomew (text 1, vector 4) ties the job
-- (vector 1, text 4) at 1/61 + 1/64; ranked by recency instead of rarity, he would fall behind the weekend.
select is(tests.search_facts(:'ivo', (select array(select case i when 51 then 0.4 when 52 then 0.3 when 53 then 0.2
    when 50 then 0.1 else 0 end from generate_series(1, 1536) i order by i))::extensions.vector, 2, null, 0,
    'Is Bartholomew OK?'),
  array['thinks the new job is ok', 'has a cat named Bartholomew'], 'so the fused search finds him in the top 2');
select is((select count(*) from game.memory_facts f where f.fact_tsv @@ 'bartholomew'::tsquery and f.user_id = :'mia'),
  1::bigint, 'the stored tsvector holds the name as written (''simple'')');
select is((select reloptions from pg_class where oid = 'game.memory_facts'::regclass), array['toast_tuple_target=8160'],
  'a fact''s row stays whole in its page (no TOAST below 8 KB), so the exact scan reads one page per fact');

-- 6. The two paths: exact while the player has few facts, HNSW otherwise; the same top k on a small set.
select is(game.memory_exact_scan_max(), 2000, 'up to 2,000 active facts a player is scanned exactly');
select tests.hnsw_scans() as scans_before \gset
select is(tests.ranking(:'mia', tests.memory_query(), 5, array['user', 'nikita'], 0, false),
  array['A 1000-character fact: ' || repeat('y', 977), 'Has a cat named   Bartholomew', 'I paint at night',
        'I paint after midnight', 'dreams of Japan'],
  'the HNSW path: the top 5 by similarity (110, 100, 53.9, 40, 30 parts in 250)');
select is(tests.ranking(:'mia', tests.memory_query(), 5, array['user', 'nikita'], 0, true),
  tests.ranking(:'mia', tests.memory_query(), 5, array['user', 'nikita'], 0, false),
  'exact and HNSW paths give the same top 5');
select is(tests.ranking(:'mia', tests.memory_query(), 8, array['nikita', 'user'], 0.5, true),
  tests.ranking(:'mia', tests.memory_query(), 8, array['nikita', 'user'], 0.5, false),
  'and the same top 8 under a confidence filter');
select is(tests.hnsw_scans() - :scans_before, 3::bigint, 'the HNSW path walked the index, the exact one did not');
select tests.hnsw_scans() as scans_before \gset
select tests.search_facts(:'mia', tests.memory_query(), 5, array['user', 'nikita']) as exact_top \gset
select is(tests.hnsw_scans() - :scans_before, 0::bigint, 'search_memory scans a player with 10 active facts exactly');

-- 7. Threads and thoughts, once per conversation.
select is(game.save_conversation_memory(:'c1',
    '[{"type": "plan", "content": "dinner on Friday"}, {"type": "question", "content": " what his sister said "}]',
    '[{"type": "worry", "content": "he sounded tired"}]', '2026-01-05 10:30+00'),
  '{"threads": 2, "thoughts": 1, "duplicate": false}', 'a conversation''s threads and thoughts are stored');
select is(game.save_conversation_memory(:'c1', '[{"type": "plan", "content": "dinner on Friday"}]',
    '[{"type": "worry", "content": "he sounded tired"}]', '2026-01-05 11:30+00'),
  '{"threads": 0, "thoughts": 0, "duplicate": true}', 'a rerun for the same conversation stores nothing');
select results_eq(
  $$select type, content, status, user_id, created_at, resolved_at from game.conversation_threads order by content$$,
  $$values ('plan'::text, 'dinner on Friday'::text, 'open'::text, tests.player('mia'), '2026-01-05 10:30+00'::timestamptz,
            null::timestamptz),
           ('question', 'what his sister said', 'open', tests.player('mia'), '2026-01-05 10:30+00', null)$$,
  'threads: open, the conversation''s player, trimmed, stored once');
select results_eq($$select type, content, expires_at, used_at, source_conversation_id from game.thoughts$$,
  format($$values ('worry'::text, 'he sounded tired'::text, '2026-01-12 10:30+00'::timestamptz, null::timestamptz, %L::uuid)$$,
    :'c1'),
  'a thought expires 7 days after it was saved');
select throws_ok(format('select game.save_conversation_memory(%L, %L, null, %L)', gen_random_uuid(), '[]',
  '2026-01-05 10:30+00'), 'CVNFD', null, 'an unknown conversation is CVNFD');
select throws_ok(format('select game.save_conversation_memory(%L, %L, null, %L)', :'c2',
  jsonb_build_array(jsonb_build_object('type', repeat('t', 41), 'content', 'x')), '2026-01-06 10:30+00'), 'MEMBD',
  'memory thread 1 invalid: type must be 1..40 characters (got 41)', 'a type of 41 characters is MEMBD');
select throws_ok(format('select game.save_conversation_memory(%L, null, %L, %L)', :'c2',
  jsonb_build_array(jsonb_build_object('type', 'idea', 'content', repeat('c', 501))), '2026-01-06 10:30+00'), 'MEMBD',
  'memory thought 1 invalid: content must be 1..500 characters (got 501)', 'content of 501 characters is MEMBD');
select throws_ok(format('select game.save_conversation_memory(%L, %L, null, %L)', :'c2',
  '[{"type": "plan", "content": "ok"}, {"type": "plan", "content": "   "}]', '2026-01-06 10:30+00'), 'MEMBD',
  'memory thread 2 invalid: content must be 1..500 characters (got 0)', 'empty content is MEMBD, naming the item');
select throws_ok(format('select game.save_conversation_memory(%L, %L, null, %L)', :'c2', '{"type": "plan"}',
  '2026-01-06 10:30+00'), 'MEMBD', 'memory thread list invalid: expected a JSON array of {type, content}',
  'a list that is not an array is MEMBD');
select throws_ok(format('select game.save_conversation_memory(%L, null, %L, %L)', :'c2', '[{"type": "idea"}]',
  '2026-01-06 10:30+00'), 'MEMBD', 'memory thought 1 invalid: expected {type, content} with two strings',
  'an item without content is MEMBD');
select is(game.save_conversation_memory(:'c2',
    jsonb_build_array(jsonb_build_object('type', repeat('t', 40), 'content', repeat('c', 500))), null,
    '2026-01-06 10:30+00'),
  '{"threads": 1, "thoughts": 0, "duplicate": false}', 'a type of 40 and content of 500 characters are stored; null: none');
select is((select count(*) from game.conversation_threads where source_conversation_id = :'c2'), 1::bigint,
  'the refused saves stored nothing');

-- 8. memory_context: facts grouped by type newest first (the p_limit newest in all, local dates), the 10 newest
-- open threads, the 5 newest thoughts neither used nor expired; nothing after p_now.
select tests.create_player('ren') as ren \gset
update public.users set timezone = 'Pacific/Auckland' where id = :'ren';
select tests.remember(:'ren', 'user', 'u1', tests.memory_vector(201, 202, 1), '2026-01-01 12:00+00');
select tests.remember(:'ren', 'relationship', 'r1', tests.memory_vector(203, 204, 1), '2026-01-02 12:00+00');
select tests.remember(:'ren', 'user', 'u2', tests.memory_vector(205, 206, 1), '2026-01-03 12:00+00');
select tests.remember(:'ren', 'nikita', 'n1', tests.memory_vector(207, 208, 1), '2026-01-04 12:00+00');
select tests.remember(:'ren', 'user', 'later', tests.memory_vector(209, 210, 1), '2026-01-20 12:00+00');
select tests.remember(:'ren', 'user', 'old', tests.memory_vector(211, 212, 1), '2026-01-01 09:00+00');
update game.memory_facts set is_active = false where fact = 'old';
select is(game.memory_context(:'ren', '2026-01-10 00:00+00') -> 'facts',
  '{"user": [{"date": "2026-01-04", "fact": "u2"}, {"date": "2026-01-02", "fact": "u1"}],
    "relationship": [{"date": "2026-01-03", "fact": "r1"}], "nikita": [{"date": "2026-01-05", "fact": "n1"}]}',
  'facts grouped by graph type, newest first, dated in the player''s zone (12:00 UTC is the next day in Auckland); no inactive or later fact');
select is(game.memory_context(:'ren', '2026-01-10 00:00+00', 2) -> 'facts',
  '{"user": [{"date": "2026-01-04", "fact": "u2"}], "relationship": [], "nikita": [{"date": "2026-01-05", "fact": "n1"}]}',
  'p_limit counts facts in all, newest first');
select throws_ok(format('select game.memory_context(%L, %L, 0)', :'ren', '2026-01-10 00:00+00'), 'MEMBD',
  'memory context invalid: p_now is required and p_limit must be between 1 and 200 (got 0)', 'p_limit 0 is MEMBD');
select throws_ok(format('select game.memory_context(%L, %L)', gen_random_uuid(), '2026-01-10 00:00+00'), 'PNFND', null,
  'an unknown player is PNFND');

insert into game.conversation_threads (user_id, type, content, status, created_at, resolved_at)
select :'ren', 'plan', 'thread ' || n, case when n = 12 then 'resolved' else 'open' end,
  '2026-01-05 00:00+00'::timestamptz + n * interval '1 hour', case when n = 12 then '2026-01-06 00:00+00'::timestamptz end
from generate_series(1, 13) n;
select is(game.memory_context(:'ren', '2026-01-10 00:00+00') -> 'threads',
  (select jsonb_agg(jsonb_build_object('type', 'plan', 'content', 'thread ' || n) order by n desc)
   from unnest(array[13, 11, 10, 9, 8, 7, 6, 5, 4, 3]) n),
  'threads: the 10 newest open ones, newest first (the resolved one left out)');

insert into game.thoughts (user_id, type, content, expires_at, used_at, created_at)
select :'ren', 'idea', 'thought ' || n, '2026-01-05 00:00+00'::timestamptz + n * interval '1 hour' + interval '7 days',
  case when n = 7 then '2026-01-06 00:00+00'::timestamptz end, '2026-01-05 00:00+00'::timestamptz + n * interval '1 hour'
from generate_series(1, 8) n;
select is(game.memory_context(:'ren', '2026-01-12 02:00+00') -> 'thoughts',
  (select jsonb_agg(jsonb_build_object('type', 'idea', 'content', 'thought ' || n) order by n desc)
   from unnest(array[8, 6, 5, 4, 3]) n),
  'thoughts: the 5 newest neither used nor expired, newest first (thought 7 used; 1 and 2 expired at 01:00 and 02:00)');
select is(jsonb_array_length(game.memory_context(:'ren', '2026-01-12 07:00+00') -> 'thoughts'), 1,
  'at 07:00 only thought 8 (expiring 08:00) is left');
select is(game.memory_context(:'mia', '2026-01-12 10:29:59+00') -> 'thoughts',
  '[{"type": "worry", "content": "he sounded tired"}]', 'a saved thought is offered until its seventh day is over');
select is(game.memory_context(:'mia', '2026-01-12 10:30+00') -> 'thoughts', '[]',
  'and no longer from 7 days after it was saved');
select is(jsonb_array_length(game.memory_context(:'mia', '2026-01-12 10:30+00') -> 'threads'), 3,
  'her open threads from both conversations');

-- 9. A player with more active facts than memory_exact_scan_max() walks the HNSW index, to the same answer.
create or replace function game.memory_exact_scan_max() returns integer language sql immutable set search_path = ''
as $$ select 8 $$;
select tests.hnsw_scans() as scans_before \gset
select is(tests.search_facts(:'mia', tests.memory_query(), 5, array['user', 'nikita']), :'exact_top'::text[],
  'above the limit (9 active user and nikita facts > 8) search_memory answers the same top 5');
select is(tests.hnsw_scans() - :scans_before, 1::bigint, 'through the HNSW index');
select tests.hnsw_scans() as scans_before \gset
select is(tests.search_facts(:'mia', tests.memory_vector(20, 21, 1), 2, null, 0, 'Is Bartholomew OK?'),
  array['Has a cat named   Bartholomew', 'runs marathons'], 'the fused search answers the same through the index');
select is(tests.search_facts(:'mia', tests.memory_vector(30, 31, 1), 5, array['relationship']),
  array['we planned a trip to Japan'], 'the limit counts the requested types only');
select is(tests.hnsw_scans() - :scans_before, 1::bigint, 'the fused search walked the index, the search of her one relationship fact did not');

select * from finish();
rollback;
