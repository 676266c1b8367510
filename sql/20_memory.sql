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
  unique (conversation_id, fact_hash)
);
comment on table game.memory_facts is 'Facts she remembers (about the player, the relationship, her own life) with a 1536-d embedding; superseded facts stay inactive.';
-- Nearest neighbours by cosine distance (pgvector HNSW takes up to 2,000 dimensions).
create index memory_facts_embedding_idx on game.memory_facts using hnsw (embedding extensions.vector_cosine_ops);
-- A player's active facts by type, newest first: the exact path for small players and for prompts.
create index memory_facts_user_type_created_idx on game.memory_facts (user_id, graph_type, created_at desc)
  where is_active;
create index memory_facts_superseded_by_idx on game.memory_facts (superseded_by) where superseded_by is not null;
create index memory_facts_conversation_idx on game.memory_facts (conversation_id) where conversation_id is not null;

alter table game.memory_facts enable row level security;
grant select, insert, update, delete on game.memory_facts to service_role;
create policy "memory_facts: backend only"
  on game.memory_facts for select to service_role
  using (true);
