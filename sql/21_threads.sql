-- Continuity and her inner life between conversations (PLATFORM.md §6 stage 2, §9): the threads a conversation left
-- open and the thoughts she had about the player, and her memory as a prompt reads it. Engine-owned.

create table game.conversation_threads (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references public.users (id) on delete cascade,
  type text not null check (char_length(type) between 1 and 40),
  content text not null check (char_length(content) between 1 and 500),
  status text not null default 'open' check (status in ('open', 'resolved')),
  source_conversation_id uuid references public.conversations (id) on delete set null,
  created_at timestamptz not null,
  resolved_at timestamptz,
  check ((status = 'resolved') = (resolved_at is not null))
);
comment on table game.conversation_threads is 'Something a conversation left open (a plan, a question, a worry) for her to pick up later; resolved once it is.';
-- A player's open threads, newest first (game.memory_context); also the player's foreign key.
create index conversation_threads_user_status_created_idx
  on game.conversation_threads (user_id, status, created_at desc);
create index conversation_threads_source_conversation_idx on game.conversation_threads (source_conversation_id);

alter table game.conversation_threads enable row level security;
grant select, insert, update, delete on game.conversation_threads to service_role;
create policy "conversation_threads: backend only"
  on game.conversation_threads for select to service_role
  using (true);

create table game.thoughts (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references public.users (id) on delete cascade,
  type text not null check (char_length(type) between 1 and 40),
  content text not null check (char_length(content) between 1 and 500),
  expires_at timestamptz not null,
  used_at timestamptz,
  source_conversation_id uuid references public.conversations (id) on delete set null,
  created_at timestamptz not null,
  check (expires_at > created_at)
);
comment on table game.thoughts is 'A thought she had about the player after a conversation, to bring up within a week; used_at once she did.';
-- A player's thoughts, newest first (game.memory_context); also the player's foreign key.
create index thoughts_user_created_idx on game.thoughts (user_id, created_at desc);
create index thoughts_source_conversation_idx on game.thoughts (source_conversation_id);

alter table game.thoughts enable row level security;
grant select, insert, update, delete on game.thoughts to service_role;
create policy "thoughts: backend only"
  on game.thoughts for select to service_role
  using (true);

-- Stores the threads and thoughts the extraction found in a conversation (PLATFORM.md §6 stage 2), once per
-- conversation: a conversation that has any stored is done, so a rerun of the stage stores nothing twice (saves of
-- one conversation take turns under an advisory lock). p_threads and p_thoughts are [{type, content}] (null: none),
-- type 1..40 characters, content 1..500, both trimmed; thoughts expire 7 days after p_now. Returns
-- {threads, thoughts, duplicate}: the rows stored now, and whether an earlier save had stored them.
create or replace function game.save_conversation_memory(p_conversation_id uuid, p_threads jsonb, p_thoughts jsonb,
  p_now timestamptz)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_threads jsonb := game.check_memory_items('thread', p_threads);
  v_thoughts jsonb := game.check_memory_items('thought', p_thoughts);
  v_user_id uuid;
  v_stored_threads integer;
  v_stored_thoughts integer;
begin
  if p_now is null then
    raise exception 'memory invalid: p_now is required' using errcode = 'MEMBD';
  end if;
  select c.user_id into v_user_id from public.conversations c where c.id = p_conversation_id;
  if not found then
    raise exception 'conversation not found: %', p_conversation_id using errcode = 'CVNFD';
  end if;
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('memory-save:' || p_conversation_id, 0));
  if exists (select 1 from game.conversation_threads t where t.source_conversation_id = p_conversation_id)
     or exists (select 1 from game.thoughts t where t.source_conversation_id = p_conversation_id) then
    return jsonb_build_object('threads', 0, 'thoughts', 0, 'duplicate', true);
  end if;

  insert into game.conversation_threads (user_id, type, content, source_conversation_id, created_at)
  select v_user_id, i.value ->> 'type', i.value ->> 'content', p_conversation_id, p_now
  from pg_catalog.jsonb_array_elements(v_threads) with ordinality i (value, n)
  order by i.n;
  get diagnostics v_stored_threads = row_count;
  insert into game.thoughts (user_id, type, content, expires_at, source_conversation_id, created_at)
  select v_user_id, i.value ->> 'type', i.value ->> 'content', p_now + interval '7 days', p_conversation_id, p_now
  from pg_catalog.jsonb_array_elements(v_thoughts) with ordinality i (value, n)
  order by i.n;
  get diagnostics v_stored_thoughts = row_count;
  return jsonb_build_object('threads', v_stored_threads, 'thoughts', v_stored_thoughts, 'duplicate', false);
end
$$;
comment on function game.save_conversation_memory(uuid, jsonb, jsonb, timestamptz) is 'Stores a conversation''s threads and thoughts ([{type, content}], type 1..40 characters, content 1..500; thoughts expire 7 days after p_now) once per conversation; a rerun stores nothing. Returns {threads, thoughts, duplicate}. CVNFD, MEMBD.';
revoke execute on function game.save_conversation_memory(uuid, jsonb, jsonb, timestamptz) from public;
grant execute on function game.save_conversation_memory(uuid, jsonb, jsonb, timestamptz) to service_role;

-- Her memory of the player for a prompt at p_now (PLATFORM.md §6 ready prompts, §7 prompt formatting):
-- {facts: {user, relationship, nikita}, threads, thoughts}. facts: the p_limit (1..200) most recent active facts in
-- all, grouped by graph type, each [{date, fact}] newest first, date the player's local YYYY-MM-DD; threads: the 10
-- newest open threads [{type, content}]; thoughts: the 5 newest thoughts not used and not expired at p_now. Nothing
-- created after p_now.
create or replace function game.memory_context(p_user_id uuid, p_now timestamptz, p_limit integer default 30)
returns jsonb
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  v_timezone text;
  v_facts jsonb;
begin
  if p_now is null or p_limit is null or p_limit not between 1 and 200 then
    raise exception 'memory context invalid: p_now is required and p_limit must be between 1 and 200 (got %)', p_limit
      using errcode = 'MEMBD';
  end if;
  select u.timezone into v_timezone from public.users u where u.id = p_user_id;
  if not found then
    raise exception 'player not found: %', p_user_id using errcode = 'PNFND';
  end if;

  -- The newest p_limit of each type through the b-tree (user_id, graph_type, created_at desc), then the newest
  -- p_limit of those.
  with recent as (
    select r.graph_type, r.fact, r.created_at, r.id
    from pg_catalog.unnest(array['user', 'relationship', 'nikita']) g (graph_type)
    cross join lateral (
      select f.graph_type, f.fact, f.created_at, f.id from game.memory_facts f
      where f.user_id = p_user_id and f.graph_type = g.graph_type and f.is_active and f.created_at <= p_now
      order by f.created_at desc
      limit p_limit
    ) r
    order by r.created_at desc, r.id
    limit p_limit
  )
  select jsonb_build_object(
    'user', coalesce(jsonb_agg(e.item order by e.created_at desc, e.id) filter (where e.graph_type = 'user'), '[]'),
    'relationship', coalesce(jsonb_agg(e.item order by e.created_at desc, e.id)
      filter (where e.graph_type = 'relationship'), '[]'),
    'nikita', coalesce(jsonb_agg(e.item order by e.created_at desc, e.id) filter (where e.graph_type = 'nikita'), '[]'))
  into v_facts
  from (
    select r.graph_type, r.created_at, r.id, jsonb_build_object(
      'date', pg_catalog.to_char(r.created_at at time zone v_timezone, 'YYYY-MM-DD'), 'fact', r.fact) as item
    from recent r
  ) e;

  return jsonb_build_object(
    'facts', v_facts,
    'threads', coalesce((
      select jsonb_agg(jsonb_build_object('type', t.type, 'content', t.content) order by t.created_at desc, t.id)
      from (
        select t.type, t.content, t.created_at, t.id from game.conversation_threads t
        where t.user_id = p_user_id and t.status = 'open' and t.created_at <= p_now
        order by t.created_at desc, t.id
        limit 10
      ) t), '[]'),
    'thoughts', coalesce((
      select jsonb_agg(jsonb_build_object('type', t.type, 'content', t.content) order by t.created_at desc, t.id)
      from (
        select t.type, t.content, t.created_at, t.id from game.thoughts t
        where t.user_id = p_user_id and t.used_at is null and t.expires_at > p_now and t.created_at <= p_now
        order by t.created_at desc, t.id
        limit 5
      ) t), '[]'));
end
$$;
comment on function game.memory_context(uuid, timestamptz, integer) is 'Her memory of the player for a prompt at p_now: {facts: {user, relationship, nikita} each [{date, fact}] newest first (the p_limit newest active facts in all, local dates), threads: 10 newest open [{type, content}], thoughts: 5 newest unused unexpired [{type, content}]}. PNFND, MEMBD.';
revoke execute on function game.memory_context(uuid, timestamptz, integer) from public;
grant execute on function game.memory_context(uuid, timestamptz, integer) to service_role;

-- Helpers.

-- Checks a list of threads or thoughts ([{type, content}], null: none) and returns it with type and content trimmed.
-- Raises MEMBD saying which item is wrong.
create or replace function game.check_memory_items(p_kind text, p_items jsonb)
returns jsonb
language plpgsql
immutable
security invoker
set search_path = ''
as $$
declare
  v_item jsonb;
  v_n integer := 0;
  v_type text;
  v_content text;
  v_checked jsonb := '[]'::jsonb;
begin
  if p_items is null or p_items = 'null'::jsonb then
    return v_checked;
  end if;
  if jsonb_typeof(p_items) <> 'array' then
    raise exception 'memory % list invalid: expected a JSON array of {type, content}', p_kind using errcode = 'MEMBD';
  end if;
  for v_item in select e.value from pg_catalog.jsonb_array_elements(p_items) e loop
    v_n := v_n + 1;
    if jsonb_typeof(v_item) <> 'object' or jsonb_typeof(v_item -> 'type') is distinct from 'string'
       or jsonb_typeof(v_item -> 'content') is distinct from 'string' then
      raise exception 'memory % % invalid: expected {type, content} with two strings', p_kind, v_n using errcode = 'MEMBD';
    end if;
    v_type := pg_catalog.regexp_replace(v_item ->> 'type', '^\s+|\s+$', '', 'g');
    v_content := pg_catalog.regexp_replace(v_item ->> 'content', '^\s+|\s+$', '', 'g');
    if pg_catalog.char_length(v_type) not between 1 and 40 then
      raise exception 'memory % % invalid: type must be 1..40 characters (got %)', p_kind, v_n, pg_catalog.char_length(v_type)
        using errcode = 'MEMBD';
    end if;
    if pg_catalog.char_length(v_content) not between 1 and 500 then
      raise exception 'memory % % invalid: content must be 1..500 characters (got %)', p_kind, v_n,
        pg_catalog.char_length(v_content) using errcode = 'MEMBD';
    end if;
    v_checked := v_checked || jsonb_build_array(jsonb_build_object('type', v_type, 'content', v_content));
  end loop;
  return v_checked;
end
$$;
comment on function game.check_memory_items(text, jsonb) is 'Checks a list of threads or thoughts ([{type 1..40, content 1..500}], null: none) and returns it trimmed. MEMBD.';
revoke execute on function game.check_memory_items(text, jsonb) from public;
grant execute on function game.check_memory_items(text, jsonb) to service_role;
