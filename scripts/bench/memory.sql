-- Memory search bench fixtures (scripts/bench/run, section 5), loaded after bench.sql into the throwaway bench database
-- only (never a migration): players of their own, facts with 1536-d embeddings generated in SQL, search queries, and
-- the timed searches with their recall against an exact search.
--
-- The embeddings have structure, so that nearest neighbours mean something: 400 topics shared by all players (a
-- centre of norm 1), 12 subtopics per topic (an offset of norm 0.7) and noise per fact (norm 0.5). Each player talks
-- about 8 of the topics. A fact's similarity to another of its subtopic is about 0.86, of its topic 0.57, of another
-- topic about 0. A query is one of the player's (topic, subtopic) pairs plus noise of its own, so its top 10 are
-- the player's facts of that subtopic (about 10 of a player's 1,000) and the best of the topic: near ties, the hard
-- case for an approximate index.

-- Memory player n (1-based): players of this section only, clear of the ids the other sections seed.
create or replace function bench.memory_player(p_n bigint)
returns uuid
language sql
immutable
set search_path = ''
as $$
  select bench.player_id(5000000 + p_n)
$$;

-- A random vector of 1536 components with the given expected norm (uniform components: norm = s * sqrt(1536 / 12)).
create or replace function bench.random_vector(p_norm double precision)
returns extensions.vector
language sql
volatile
set search_path = ''
as $$
  select array(select (pg_catalog.random() - 0.5) * p_norm / pg_catalog.sqrt(1536 / 12.0)
               from pg_catalog.generate_series(1, 1536))::extensions.vector
$$;

-- The players p_from..p_to and the vector pools: topic centres, subtopic offsets, fact noise and query noise,
-- stored in the row so the seeding join reads them without a TOAST lookup each.
create or replace function bench.memory_setup(p_from bigint, p_to bigint, p_now timestamptz)
returns void
language plpgsql
volatile
set search_path = ''
as $$
begin
  perform bench.seed_players(5000000 + p_from, 5000000 + p_to, p_now);
  drop table if exists bench.memory_pool;
  create table bench.memory_pool (kind text, n integer, v extensions.vector(1536), primary key (kind, n))
    with (toast_tuple_target = 8160);
  insert into bench.memory_pool
  select 'topic', n, bench.random_vector(1.0) from pg_catalog.generate_series(0, 399) n
  union all select 'sub', n, bench.random_vector(0.7) from pg_catalog.generate_series(0, 4799) n
  union all select 'noise', n, bench.random_vector(0.5) from pg_catalog.generate_series(0, 19999) n
  union all select 'query', n, bench.random_vector(0.5) from pg_catalog.generate_series(0, 1999) n;
  analyze bench.memory_pool;
  drop table if exists bench.memory_query;
  -- Query vectors in the row, as a query arrives from the client: a TOAST pointer would be fetched again for every
  -- fact compared.
  create table bench.memory_query (set_name text, id integer, user_id uuid, embedding extensions.vector(1536),
    query_text text, word_fact uuid, primary key (set_name, id)) with (toast_tuple_target = 8160);
end
$$;

-- Player p's topic in slot 0..7.
create or replace function bench.memory_topic(p_player bigint, p_slot bigint)
returns integer
language sql
immutable
set search_path = ''
as $$
  select ((p_player * 37 + p_slot * 101) % 400)::integer
$$;

-- Facts g = p_from..p_to; fact g belongs to memory player p_first + (g - 1) % p_players, so a player's facts arrive
-- interleaved with everyone else's, as over months of play, and lie on as many pages. Its topic is one of the
-- player's 8, its subtopic one of 12, its noise one of 20,000, each by a hash of g; half are about the player, a
-- quarter about the relationship, a quarter her own; confidence 0.5..1; created over the year before p_now. The text
-- holds four words of a 5,000-word vocabulary and a word of its own (f<g>), for the fused search. Written the way
-- game.remember_fact writes a row, in bulk (a million calls would measure the pipeline, not the search).
create or replace function bench.seed_memory(p_from bigint, p_to bigint, p_first bigint, p_players bigint,
  p_now timestamptz)
returns bigint
language plpgsql
volatile
set search_path = ''
set work_mem = '512MB'
as $$
declare
  v_rows bigint;
begin
  insert into game.memory_facts (user_id, graph_type, fact, source, confidence, embedding, fact_hash, created_at)
  select bench.memory_player(f.player), f.graph_type, f.fact, 'extraction', f.confidence,
    t.v operator(extensions.+) s.v operator(extensions.+) z.v, game.fact_hash(f.fact), f.created_at
  from (
    select h.*, bench.memory_topic(h.player, h.hash & 7) as topic
    from (
      select g, p_first + (g - 1) % p_players as player, pg_catalog.hashint8(g) as hash,
        'fact f' || g || ' about w' || (pg_catalog.hashint8(g + 1) & 1048575) % 5000 || ' and w'
          || (pg_catalog.hashint8(g + 2) & 1048575) % 5000 || ', w' || (pg_catalog.hashint8(g + 3) & 1048575) % 5000
          || ' w' || (pg_catalog.hashint8(g + 4) & 1048575) % 5000 as fact,
        case (pg_catalog.hashint8(g) >> 43) & 3 when 0 then 'relationship' when 1 then 'nikita' else 'user' end
          as graph_type,
        (0.5 + 0.5 * ((pg_catalog.hashint8(g + 7) & 1023) / 1023.0))::real as confidence,
        p_now - ((pg_catalog.hashint8(g + 13) & 1048575) % 525600) * interval '1 minute' as created_at
      from pg_catalog.generate_series(p_from, p_to) g
    ) h
  ) f
  join bench.memory_pool t on t.kind = 'topic' and t.n = f.topic
  join bench.memory_pool s on s.kind = 'sub' and s.n = (f.topic * 12 + ((f.hash >> 3) & 1048575) % 12) % 4800
  join bench.memory_pool z on z.kind = 'noise' and z.n = ((f.hash >> 23) & 1048575) % 20000;
  get diagnostics v_rows = row_count;
  return v_rows;
end
$$;

-- p_count search queries (set p_set) for random memory players p_first..p_first + p_players - 1 whose facts are
-- g = p_base + player offset + k x p_players: one of the player's (topic, subtopic) pairs plus query noise, and the
-- text of the fused search, "did you hear about f<g>, w17 or w4242?", naming the own word of a random fact of the
-- player (word_fact), whatever its topic.
create or replace function bench.memory_queries(p_set text, p_count integer, p_first bigint, p_players bigint,
  p_base bigint, p_per_player bigint)
returns void
language plpgsql
volatile
set search_path = ''
as $$
begin
  delete from bench.memory_query where set_name = p_set;
  insert into bench.memory_query (set_name, id, user_id, embedding, query_text)
  select p_set, q.id, bench.memory_player(q.player), t.v operator(extensions.+) s.v operator(extensions.+) z.v,
    'did you hear about f' || (p_base + q.player - p_first + 1 + p_players * q.k) || ', w17 or w4242?'
  from (
    select id, p_first + (pg_catalog.hashint4(id) & 1048575) % p_players as player,
      bench.memory_topic(p_first + (pg_catalog.hashint4(id) & 1048575) % p_players, pg_catalog.hashint4(id + 1) & 7)
        as topic,
      (pg_catalog.hashint4(id + 2) & 1048575) % 12 as sub, (pg_catalog.hashint4(id + 3) & 1048575) % 2000 as noise,
      (pg_catalog.hashint4(id + 4) & 1048575) % p_per_player as k
    from pg_catalog.generate_series(1, p_count) id
  ) q
  join bench.memory_pool t on t.kind = 'topic' and t.n = q.topic
  join bench.memory_pool s on s.kind = 'sub' and s.n = (q.topic * 12 + q.sub) % 4800
  join bench.memory_pool z on z.kind = 'query' and z.n = q.noise;
  update bench.memory_query q set word_fact = f.id
  from game.memory_facts f
  where q.set_name = p_set and f.is_active and f.user_id = q.user_id
    and f.fact_tsv @@ pg_catalog.to_tsquery('simple', pg_catalog.substring(q.query_text, 'f[0-9]+'));
  analyze bench.memory_query;
end
$$;

-- The player's exact top 10: every active fact's distance, sorted; no index but the b-tree that finds the rows.
create or replace function bench.exact_top10(p_user_id uuid, p_query extensions.vector)
returns uuid[]
language sql
stable
set search_path = ''
as $$
  with own as materialized (
    select f.id, f.embedding operator(extensions.<=>) p_query as distance
    from game.memory_facts f where f.user_id = p_user_id and f.is_active
  )
  select array(select o.id from own o order by o.distance, o.id limit 10)
$$;

-- Times p_count top-10 searches of set p_set, one after another, server side (clock_timestamp() around each call,
-- the time game.search_memory takes in the backend). p_path: 'search' (game.search_memory as the turn calls it),
-- 'fused' (with the query text), 'exact' and 'hnsw' (game.memory_vector_ranking forced onto one path), 'floor'
-- (bench.exact_top10: the bare exact query). Returns the searches, p50, p95 and p99 in ms, recall@10 against
-- bench.exact_top10 (the mean share of the exact top 10 found) and, for 'fused', the share of searches whose top 10
-- holds the fact with the query's own word.
create or replace function bench.time_memory_search(p_path text, p_set text, p_count integer)
returns table (searches integer, p50_ms double precision, p95_ms double precision, p99_ms double precision,
  recall double precision, word_found double precision)
language plpgsql
volatile
set search_path = ''
as $$
declare
  v_q record;
  v_t0 timestamptz;
  v_ms double precision[] := '{}';
  v_recall double precision[] := '{}';
  v_found integer := 0;
  v_got uuid[];
begin
  for v_q in select * from bench.memory_query where set_name = p_set and id <= p_count order by id loop
    v_t0 := pg_catalog.clock_timestamp();
    if p_path = 'search' then
      v_got := array(select s.id from game.search_memory(v_q.user_id, v_q.embedding, 10, null, 0) s);
    elsif p_path = 'fused' then
      v_got := array(select s.id from game.search_memory(v_q.user_id, v_q.embedding, 10, null, 0, v_q.query_text) s);
    elsif p_path = 'floor' then
      v_got := bench.exact_top10(v_q.user_id, v_q.embedding);
    else
      v_got := array(select v.id from game.memory_vector_ranking(v_q.user_id, v_q.embedding, 10, null, 0,
        p_path = 'exact') v order by v.vector_rank);
    end if;
    v_ms := v_ms || extract(epoch from pg_catalog.clock_timestamp() - v_t0)::double precision * 1000;
    if p_path = 'fused' then
      v_found := v_found + (v_q.word_fact = any (v_got))::integer;
    else
      v_recall := v_recall || (select count(*)::double precision / 10 from pg_catalog.unnest(v_got) g
                               where g = any (bench.exact_top10(v_q.user_id, v_q.embedding)));
    end if;
  end loop;
  return query
  select pg_catalog.cardinality(v_ms),
    (select pg_catalog.percentile_cont(0.5) within group (order by m) from pg_catalog.unnest(v_ms) m),
    (select pg_catalog.percentile_cont(0.95) within group (order by m) from pg_catalog.unnest(v_ms) m),
    (select pg_catalog.percentile_cont(0.99) within group (order by m) from pg_catalog.unnest(v_ms) m),
    (select pg_catalog.avg(r) from pg_catalog.unnest(v_recall) r),
    case when p_path = 'fused' then v_found::double precision / pg_catalog.cardinality(v_ms) end;
end
$$;
