-- Her memory of the player: facts with embeddings (PLATFORM.md §7). Engine-owned; never read by clients.

create table game.memory_facts (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references public.users (id) on delete cascade,
  graph_type text not null check (graph_type in ('user', 'relationship', 'nikita')),
  fact text not null check (char_length(fact) between 1 and 1000),
  source text not null check (source in ('extraction', 'voice_tool', 'onboarding', 'system')),
  confidence real not null default 1 check (confidence between 0 and 1),
  embedding extensions.vector(1536) not null,
  is_active boolean not null default true,
  superseded_by uuid references game.memory_facts (id) on delete set null,
  conversation_id uuid references public.conversations (id) on delete set null,
  fact_hash text not null,
  created_at timestamptz not null,
  -- The fact's words as written ('simple': no stemming, no stop words), so a name or a rare word the player used
  -- matches literally in game.search_memory's text ranking.
  fact_tsv tsvector generated always as (to_tsvector('simple'::regconfig, fact)) stored,
  unique (conversation_id, fact_hash)
)
-- A row (6.5 KB, the embedding 6 KB of it) stays whole in its page: with the default target (2 KB) the embedding,
-- the fact and its tsvector each went to TOAST, and the exact scan of a player's facts paid an index lookup and
-- several chunk reads per fact and column (scripts/bench: 16 ms instead of 6 ms for 1,000 facts). Only a row over
-- 8 KB (a long multibyte fact) moves its largest values out.
with (toast_tuple_target = 8160);
comment on table game.memory_facts is 'Facts she remembers (about the player, the relationship, her own life) with a 1536-d embedding; superseded facts stay inactive.';
-- Nearest neighbours by cosine distance over the active facts (pgvector HNSW takes up to 2,000 dimensions). Partial:
-- a superseded fact is never searched, and superseding it adds no entry (the new row version is not active).
create index memory_facts_embedding_idx on game.memory_facts using hnsw (embedding extensions.vector_cosine_ops)
  where is_active;
-- A player's active facts by type, newest first: the exact path for small players and for prompts.
create index memory_facts_user_type_created_idx on game.memory_facts (user_id, graph_type, created_at desc)
  where is_active;
-- The text ranking of game.search_memory: facts holding the query's words.
create index memory_facts_fact_tsv_idx on game.memory_facts using gin (fact_tsv) where is_active;
create index memory_facts_superseded_by_idx on game.memory_facts (superseded_by) where superseded_by is not null;
create index memory_facts_conversation_idx on game.memory_facts (conversation_id) where conversation_id is not null;

alter table game.memory_facts enable row level security;
grant select, insert, update, delete on game.memory_facts to service_role;
create policy "memory_facts: backend only"
  on game.memory_facts for select to service_role
  using (true);

-- Remembers one fact of a player (PLATFORM.md §6 stage 2, §7). Once per conversation: the same fact (by its
-- normalised hash) again in the same conversation returns the stored row with duplicate true and changes nothing,
-- so a rerun of the pipeline stage never stores a fact twice. Otherwise the fact is stored, and the player's most
-- similar active fact of the same graph type, when its cosine similarity reaches memory_dedup_similarity, is
-- superseded by it: the newer wording wins. Writes of one player and graph type take turns (an advisory lock), so
-- two concurrent near-identical facts cannot both stay active. Returns {fact_id, superseded_id, duplicate}.
create or replace function game.remember_fact(p_user_id uuid, p_graph_type text, p_fact text,
  p_embedding extensions.vector, p_source text, p_confidence real, p_conversation_id uuid, p_now timestamptz)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_fact text := game.check_fact(p_graph_type, p_fact, p_embedding, p_source, p_confidence);
  v_hash text := game.fact_hash(v_fact);
  v_min_similarity double precision := (game.tunables_json() ->> 'memory_dedup_similarity')::double precision;
  v_id uuid;
  v_nearest record;
begin
  if p_now is null then
    raise exception 'memory fact invalid: p_now is required' using errcode = 'MEMBD';
  end if;
  if not exists (select 1 from public.users where id = p_user_id) then
    raise exception 'player not found: %', p_user_id using errcode = 'PNFND';
  end if;
  if p_conversation_id is not null
     and not exists (select 1 from public.conversations where id = p_conversation_id and user_id = p_user_id) then
    raise exception 'conversation not found: %', p_conversation_id using errcode = 'CVNFD';
  end if;
  -- Supersession compares with the player's active facts of this graph type: writers of the same pair take turns,
  -- and each statement after the lock sees what the one before it committed.
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('memory:' || p_user_id || ':' || p_graph_type, 0));

  if p_conversation_id is not null then
    select f.id into v_id from game.memory_facts f where f.conversation_id = p_conversation_id and f.fact_hash = v_hash;
    if found then
      return jsonb_build_object('fact_id', v_id, 'superseded_id', null, 'duplicate', true);
    end if;
  end if;

  select v.id, v.distance into v_nearest
  from game.memory_vector_ranking(p_user_id, p_embedding, 1, array[p_graph_type], 0,
    game.memory_scan_is_exact(p_user_id, array[p_graph_type])) v;

  insert into game.memory_facts (user_id, graph_type, fact, source, confidence, embedding, conversation_id, fact_hash,
    created_at)
  values (p_user_id, p_graph_type, v_fact, p_source, p_confidence, p_embedding, p_conversation_id, v_hash, p_now)
  on conflict (conversation_id, fact_hash) do nothing
  returning id into v_id;
  if v_id is null then
    -- The same fact of this conversation under another graph type (that writer holds another lock).
    select f.id into v_id from game.memory_facts f where f.conversation_id = p_conversation_id and f.fact_hash = v_hash;
    return jsonb_build_object('fact_id', v_id, 'superseded_id', null, 'duplicate', true);
  end if;

  if v_nearest.id is not null and 1 - v_nearest.distance >= v_min_similarity then
    update game.memory_facts set is_active = false, superseded_by = v_id where id = v_nearest.id;
    return jsonb_build_object('fact_id', v_id, 'superseded_id', v_nearest.id, 'duplicate', false);
  end if;
  return jsonb_build_object('fact_id', v_id, 'superseded_id', null, 'duplicate', false);
end
$$;
comment on function game.remember_fact(uuid, text, text, extensions.vector, text, real, uuid, timestamptz) is 'Stores a fact once per (conversation, normalised fact hash); a rerun returns the stored row with duplicate true. The most similar active fact of the same player and graph type at cosine similarity >= memory_dedup_similarity is superseded by the new one. Returns {fact_id, superseded_id, duplicate}. MEMBD, PNFND, CVNFD.';
revoke execute on function game.remember_fact(uuid, text, text, extensions.vector, text, real, uuid, timestamptz) from public;
grant execute on function game.remember_fact(uuid, text, text, extensions.vector, text, real, uuid, timestamptz) to service_role;

-- The player's active facts nearest to p_query (PLATFORM.md §7): the top p_k (1..50) of the given graph types (null:
-- all) at or above p_min_confidence (null: any), similarity = 1 - cosine distance, best first.
--
-- With p_query_text, the ranking is a reciprocal rank fusion of two rankings of the player's facts: the vector
-- ranking (by cosine distance) and a full-text ranking of the facts holding any of the query's words
-- (game.memory_text_ranking: the 'simple' tsvector, so a name matches as written; English stop words left out; the
-- rarer the matched words among those facts the higher, then ts_rank_cd). Each ranking contributes its top 50
-- (game.memory_rrf_depth()); a fact's score is the sum over the rankings it appears in of 1 / (60 + rank), rank
-- counted from 1. A fact the embedding misses but whose text holds the name the player used scores 1/61 from the
-- text ranking, on par with the best vector match, and a fact high in both beats either alone. Ties go to the higher
-- similarity. Without a query text (or with stop words only) the score is the vector ranking's alone: the order by
-- similarity.
--
-- The vector ranking scans exactly (the player's rows through the b-tree, every distance computed) while the player
-- has at most game.memory_exact_scan_max() active facts of the requested types, and walks the HNSW index otherwise
-- (game.memory_vector_ranking).
create or replace function game.search_memory(p_user_id uuid, p_query extensions.vector, p_k integer,
  p_graph_types text[], p_min_confidence real, p_query_text text default null)
returns table (id uuid, graph_type text, fact text, confidence real, created_at timestamptz, similarity real)
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  v_words text[] := game.memory_text_words(p_query_text);
begin
  if p_query is null or extensions.vector_dims(p_query) <> 1536 then
    raise exception 'memory search invalid: the query must be a 1536-dimension embedding' using errcode = 'MEMBD';
  end if;
  if p_k is null or p_k not between 1 and 50 then
    raise exception 'memory search invalid: k must be between 1 and 50 (got %)', p_k using errcode = 'MEMBD';
  end if;
  if p_graph_types is not null and (cardinality(p_graph_types) = 0
     or not p_graph_types <@ array['user', 'relationship', 'nikita']) then
    raise exception 'memory search invalid: graph types must be null or a non-empty list of user, relationship, nikita'
      using errcode = 'MEMBD';
  end if;

  return query
  select c.id, c.graph_type, c.fact, c.confidence, c.created_at, (1 - c.distance)::real
  from game.memory_candidates(p_user_id, p_query, v_words,
    case when v_words is null then p_k else greatest(p_k, game.memory_rrf_depth()) end,
    p_graph_types, coalesce(p_min_confidence, 0), game.memory_scan_is_exact(p_user_id, p_graph_types)) c
  order by coalesce(1.0 / (60 + c.vector_rank), 0) + coalesce(1.0 / (60 + c.text_rank), 0) desc, c.distance, c.id
  limit p_k;
end
$$;
comment on function game.search_memory(uuid, extensions.vector, integer, text[], real, text) is 'The player''s top p_k (1..50) active facts nearest to p_query (similarity = 1 - cosine distance), filtered by graph types (null: all) and minimum confidence. With p_query_text: reciprocal rank fusion of the vector ranking and a full-text ranking (the fact''s ''simple'' tsvector against the query''s words without English stop words; rarer matched words first, then ts_rank_cd), each ranking''s top 50, score = sum of 1 / (60 + rank). Exact scan for players with at most memory_exact_scan_max() active facts of the requested types, HNSW (iterative, relaxed order) above. MEMBD.';
revoke execute on function game.search_memory(uuid, extensions.vector, integer, text[], real, text) from public;
grant execute on function game.search_memory(uuid, extensions.vector, integer, text[], real, text) to service_role;

-- Helpers.

-- Checks a fact's input and returns the fact as stored (trimmed). Raises MEMBD saying what is wrong.
create or replace function game.check_fact(p_graph_type text, p_fact text, p_embedding extensions.vector,
  p_source text, p_confidence real)
returns text
language plpgsql
immutable
security invoker
set search_path = ''
as $$
declare
  v_fact text := pg_catalog.regexp_replace(p_fact, '^\s+|\s+$', '', 'g');
begin
  if v_fact is null or v_fact = '' then
    raise exception 'memory fact invalid: the fact is empty' using errcode = 'MEMBD';
  end if;
  if pg_catalog.char_length(v_fact) > 1000 then
    raise exception 'memory fact invalid: the fact is % characters long (at most 1000)', pg_catalog.char_length(v_fact)
      using errcode = 'MEMBD';
  end if;
  if p_graph_type is null or p_graph_type not in ('user', 'relationship', 'nikita') then
    raise exception 'memory fact invalid: graph type % is not user, relationship or nikita', coalesce(p_graph_type, 'null')
      using errcode = 'MEMBD';
  end if;
  if p_source is null or p_source not in ('extraction', 'voice_tool', 'onboarding', 'system') then
    raise exception 'memory fact invalid: source % is not extraction, voice_tool, onboarding or system',
      coalesce(p_source, 'null') using errcode = 'MEMBD';
  end if;
  if p_confidence is null or not (p_confidence between 0 and 1) then
    raise exception 'memory fact invalid: confidence % is outside 0..1', coalesce(p_confidence::text, 'null')
      using errcode = 'MEMBD';
  end if;
  if p_embedding is null then
    raise exception 'memory fact invalid: the embedding is missing' using errcode = 'MEMBD';
  end if;
  if extensions.vector_dims(p_embedding) <> 1536 then
    raise exception 'memory fact invalid: the embedding has % dimensions (1536 expected)',
      extensions.vector_dims(p_embedding) using errcode = 'MEMBD';
  end if;
  -- A zero vector has no direction: its cosine distance to anything is NaN.
  if extensions.vector_norm(p_embedding) = 0 then
    raise exception 'memory fact invalid: the embedding is the zero vector' using errcode = 'MEMBD';
  end if;
  return v_fact;
end
$$;
comment on function game.check_fact(text, text, extensions.vector, text, real) is 'Checks a fact''s graph type, text (1..1000 characters after trimming), source, confidence (0..1) and embedding (1536 dimensions, not zero); returns the trimmed fact. MEMBD.';
revoke execute on function game.check_fact(text, text, extensions.vector, text, real) from public;
grant execute on function game.check_fact(text, text, extensions.vector, text, real) to service_role;

-- The identity of a fact's wording: the hex sha256 of the fact trimmed, lowercased, its whitespace collapsed.
create or replace function game.fact_hash(p_fact text)
returns text
language sql
immutable
security invoker
set search_path = ''
as $$
  select pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(
    pg_catalog.lower(pg_catalog.btrim(pg_catalog.regexp_replace(p_fact, '\s+', ' ', 'g'))), 'UTF8')), 'hex')
$$;
comment on function game.fact_hash(text) is 'Hex sha256 of the fact trimmed, lowercased and with its whitespace collapsed: the key of one fact per conversation.';
revoke execute on function game.fact_hash(text) from public;
grant execute on function game.fact_hash(text) to service_role;

-- Up to this many active facts (of the requested types) a player's vector ranking scans exactly; above, it walks the
-- HNSW index. Measured with scripts/bench (BENCH_MEMORY_HNSW=1: 1 M facts, 2 cores, warm): the exact scan costs about
-- 6 us a fact read from the page cache (1,000 facts: p50 6 ms, p95 10-13 ms) and 2.5 us from shared_buffers (5,000
-- facts: p50 13 ms, p95 15 ms), and always finds the true top 10; the HNSW walk takes p50 3-6 ms, p95 8-15 ms whatever
-- the player's size, and finds 88-90 % of the true top 10 (a topic's facts lie in near ties). The walk is faster from
-- about 1,000 facts, but the exact scan keeps recall at 1 and stays within the p95 budget (20 ms) up to about 2,000
-- facts even with its pages outside shared_buffers: exact up to 2,000.
create or replace function game.memory_exact_scan_max()
returns integer
language sql
immutable
security invoker
set search_path = ''
as $$
  select 2000
$$;
comment on function game.memory_exact_scan_max() is 'Most active facts (of the requested graph types) a player may have for game.search_memory to scan them exactly rather than walk the HNSW index.';
revoke execute on function game.memory_exact_scan_max() from public;
grant execute on function game.memory_exact_scan_max() to service_role;

-- How deep each ranking of a fused search goes.
create or replace function game.memory_rrf_depth()
returns integer
language sql
immutable
security invoker
set search_path = ''
as $$
  select 50
$$;
comment on function game.memory_rrf_depth() is 'How many candidates each ranking (vector, text) of a fused game.search_memory contributes.';
revoke execute on function game.memory_rrf_depth() from public;
grant execute on function game.memory_rrf_depth() to service_role;

-- True while the player has at most memory_exact_scan_max() active facts of the given types (null: all). Counts
-- no further than that, on the b-tree alone. plpgsql: its cached plan follows a new memory_exact_scan_max().
create or replace function game.memory_scan_is_exact(p_user_id uuid, p_graph_types text[])
returns boolean
language plpgsql
stable
security invoker
set search_path = ''
as $$
begin
  return (
    select count(*) <= game.memory_exact_scan_max()
    from (
      select 1 from game.memory_facts f
      where f.user_id = p_user_id and f.is_active and (p_graph_types is null or f.graph_type = any (p_graph_types))
      limit game.memory_exact_scan_max() + 1
    ) s);
end
$$;
comment on function game.memory_scan_is_exact(uuid, text[]) is 'Whether the player''s active facts of the given graph types are few enough (memory_exact_scan_max) to scan exactly.';
revoke execute on function game.memory_scan_is_exact(uuid, text[]) from public;
grant execute on function game.memory_scan_is_exact(uuid, text[]) to service_role;

-- The words of a search text as the 'simple' configuration reads them (so they match game.memory_facts.fact_tsv),
-- English stop words left out (the player's "the" and "you" would match most facts), at most 32; null when none is
-- left.
create or replace function game.memory_text_words(p_text text)
returns text[]
language sql
immutable
security invoker
set search_path = ''
as $$
  select nullif(array(
    select l.word from pg_catalog.unnest(pg_catalog.tsvector_to_array(
      pg_catalog.to_tsvector('simple'::regconfig, pg_catalog.left(p_text, 2000)))) l (word)
    where pg_catalog.to_tsvector('english'::regconfig, l.word) <> ''::tsvector
    limit 32), '{}')
$$;
comment on function game.memory_text_words(text) is 'The words of a search text (''simple'' configuration, English stop words left out, at most 32), null when none is left.';
revoke execute on function game.memory_text_words(text) from public;
grant execute on function game.memory_text_words(text) to service_role;

-- The tsquery matching a fact that holds any of the words (the lexemes as they are, quoted).
create or replace function game.memory_words_query(p_words text[])
returns tsquery
language sql
immutable
security invoker
set search_path = ''
as $$
  select pg_catalog.string_agg(
      '''' || pg_catalog.replace(pg_catalog.replace(w.word, '\', '\\'), '''', '''''') || '''', ' | ')::tsquery
  from pg_catalog.unnest(p_words) w (word)
$$;
comment on function game.memory_words_query(text[]) is 'The OR of the given lexemes as a tsquery (null for none).';
revoke execute on function game.memory_words_query(text[]) from public;
grant execute on function game.memory_words_query(text[]) to service_role;

-- The HNSW path of game.memory_vector_ranking: the index walked in distance order, keeping the player's rows.
-- hnsw.iterative_scan = relaxed_order lets the walk go on past ef_search until p_limit rows passed the player filter
-- (up to hnsw.max_scan_tuples), so the filter cannot starve it; the rows, slightly out of order, are sorted again.
-- Sorting and heap or bitmap scans are ruled out while it plans: the planner costs an average player, and for a
-- large one would read the b-tree and sort instead, the path game.memory_scan_is_exact already turned down. Those
-- penalties lift the plan's cost past jit_above_cost, and compiling it would take longer (70 ms) than the walk: no JIT.
create or replace function game.walk_memory_index(p_user_id uuid, p_query extensions.vector, p_limit integer,
  p_graph_types text[], p_min_confidence real)
returns table (id uuid, graph_type text, fact text, confidence real, created_at timestamptz, distance double precision)
language sql
stable
security invoker
set search_path = ''
set hnsw.iterative_scan = relaxed_order
set enable_seqscan = off
set enable_bitmapscan = off
set enable_sort = off
set jit = off
as $$
  with walked as materialized (
    select f.id, f.graph_type, f.fact, f.confidence, f.created_at,
      f.embedding operator(extensions.<=>) p_query as distance
    from game.memory_facts f
    where f.user_id = p_user_id and f.is_active
      and (p_graph_types is null or f.graph_type = any (p_graph_types)) and f.confidence >= p_min_confidence
    order by f.embedding operator(extensions.<=>) p_query
    limit p_limit
  )
  select w.id, w.graph_type, w.fact, w.confidence, w.created_at, w.distance
  from walked w order by w.distance, w.id
$$;
comment on function game.walk_memory_index(uuid, extensions.vector, integer, text[], real) is 'The player''s p_limit active facts nearest to p_query by the HNSW index (iterative scan, relaxed order, re-sorted): the path of players with many facts.';
revoke execute on function game.walk_memory_index(uuid, extensions.vector, integer, text[], real) from public;
grant execute on function game.walk_memory_index(uuid, extensions.vector, integer, text[], real) to service_role;

-- The player's p_depth active facts nearest to p_query, vector_rank 1 the nearest, by one of two paths:
-- - exact: every active fact of the player (the b-tree on user_id), its distance computed, the nearest kept;
--   materialized, so the planner cannot turn the distance order into an index walk;
-- - HNSW: game.walk_memory_index.
create or replace function game.memory_vector_ranking(p_user_id uuid, p_query extensions.vector, p_depth integer,
  p_graph_types text[], p_min_confidence real, p_exact boolean)
returns table (id uuid, graph_type text, fact text, confidence real, created_at timestamptz, distance double precision,
  vector_rank bigint)
language plpgsql
stable
security invoker
set search_path = ''
as $$
begin
  if not p_exact then
    return query
    select w.id, w.graph_type, w.fact, w.confidence, w.created_at, w.distance,
      row_number() over (order by w.distance, w.id)
    from game.walk_memory_index(p_user_id, p_query, p_depth, p_graph_types, p_min_confidence) w;
    return;
  end if;
  return query
  with own as materialized (
    select f.id, f.graph_type, f.fact, f.confidence, f.created_at,
      f.embedding operator(extensions.<=>) p_query as distance
    from game.memory_facts f
    where f.user_id = p_user_id and f.is_active and (p_graph_types is null or f.graph_type = any (p_graph_types))
      and f.confidence >= p_min_confidence
  ),
  nearest as (
    select o.* from own o order by o.distance, o.id limit p_depth
  )
  select n.id, n.graph_type, n.fact, n.confidence, n.created_at, n.distance,
    row_number() over (order by n.distance, n.id)
  from nearest n;
end
$$;
comment on function game.memory_vector_ranking(uuid, extensions.vector, integer, text[], real, boolean) is 'The player''s p_depth active facts nearest to p_query (cosine distance) with their rank: an exact scan of the player''s rows, or the HNSW walk of game.walk_memory_index.';
revoke execute on function game.memory_vector_ranking(uuid, extensions.vector, integer, text[], real, boolean) from public;
grant execute on function game.memory_vector_ranking(uuid, extensions.vector, integer, text[], real, boolean) to service_role;

-- The text ranking of a fused search: the player's active facts holding any of p_words, best first, at most
-- p_depth. ts_rank_cd alone weighs every matched word alike (it knows no document frequency), so a fact holding the
-- name the player used would tie with facts holding a commoner word of the same query. The ranking goes by the
-- rarity of the matched words among the matching facts, the sum of ln(1 + matching facts / facts holding the word),
-- then ts_rank_cd, then the newest. Rarity is counted over at most 1,000 matching facts (a word in more of them is
-- common whatever the exact count).
create or replace function game.memory_text_ranking(p_user_id uuid, p_words text[], p_depth integer,
  p_graph_types text[], p_min_confidence real)
returns table (id uuid, text_rank bigint)
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  -- Once: a function call in the query would run for every fact.
  v_query tsquery := game.memory_words_query(p_words);
begin
  return query
  with matching as materialized (
    select f.id, f.created_at, f.fact_tsv, pg_catalog.ts_rank_cd(f.fact_tsv, v_query) as cover
    from game.memory_facts f
    where f.user_id = p_user_id and f.is_active and f.fact_tsv operator(pg_catalog.@@) v_query
      and (p_graph_types is null or f.graph_type = any (p_graph_types)) and f.confidence >= p_min_confidence
    limit 1000
  ),
  hits as (
    select m.id, l.word
    from matching m cross join lateral pg_catalog.unnest(pg_catalog.tsvector_to_array(m.fact_tsv)) l (word)
    where l.word = any (p_words)
  ),
  rarity as (
    select h.word, pg_catalog.ln(1 + (select count(*) from matching)::double precision / count(*)) as weight
    from hits h group by h.word
  ),
  scored as (
    select m.id, m.created_at, m.cover, sum(r.weight) as weight
    from matching m join hits h on h.id = m.id join rarity r on r.word = h.word
    group by m.id, m.created_at, m.cover
  )
  select s.id, row_number() over (order by s.weight desc, s.cover desc, s.created_at desc, s.id) as rank
  from scored s
  order by rank
  limit p_depth;
end
$$;
comment on function game.memory_text_ranking(uuid, text[], integer, text[], real) is 'The player''s active facts holding any of the words, ranked by the summed rarity of the matched words among the matching facts, then ts_rank_cd, then the newest; at most p_depth.';
revoke execute on function game.memory_text_ranking(uuid, text[], integer, text[], real) from public;
grant execute on function game.memory_text_ranking(uuid, text[], integer, text[], real) to service_role;

-- The candidates of a search: the vector ranking's p_depth facts (vector_rank) and, with p_words, the text
-- ranking's p_depth facts (text_rank); a fact in both carries both ranks, one only in the text ranking its distance.
create or replace function game.memory_candidates(p_user_id uuid, p_query extensions.vector, p_words text[],
  p_depth integer, p_graph_types text[], p_min_confidence real, p_exact boolean)
returns table (id uuid, graph_type text, fact text, confidence real, created_at timestamptz, distance double precision,
  vector_rank bigint, text_rank bigint)
language sql
stable
security invoker
set search_path = ''
as $$
  with by_vector as materialized (
    select * from game.memory_vector_ranking(p_user_id, p_query, p_depth, p_graph_types, p_min_confidence, p_exact)
  ),
  by_text as materialized (
    select t.id, t.text_rank
    from game.memory_text_ranking(p_user_id, p_words, p_depth, p_graph_types, p_min_confidence) t
    where p_words is not null
  )
  select v.id, v.graph_type, v.fact, v.confidence, v.created_at, v.distance, v.vector_rank, t.text_rank
  from by_vector v left join by_text t on t.id = v.id
  union all
  select f.id, f.graph_type, f.fact, f.confidence, f.created_at, f.embedding operator(extensions.<=>) p_query, null,
    t.text_rank
  from by_text t join game.memory_facts f on f.id = t.id
  where not exists (select 1 from by_vector v where v.id = t.id)
$$;
comment on function game.memory_candidates(uuid, extensions.vector, text[], integer, text[], real, boolean) is 'The candidates of a memory search: the vector ranking''s p_depth facts (exact or HNSW) and, with p_words, the text ranking''s, with both ranks.';
revoke execute on function game.memory_candidates(uuid, extensions.vector, text[], integer, text[], real, boolean) from public;
grant execute on function game.memory_candidates(uuid, extensions.vector, text[], integer, text[], real, boolean) to service_role;
