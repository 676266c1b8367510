-- The LLM ledger: prices by model (the rows are sql/data/llm_prices.sql) and one row per model call.

create table private.llm_prices (
  model text primary key,
  input_per_mtok numeric(10, 4) not null check (input_per_mtok >= 0),
  output_per_mtok numeric(10, 4) not null check (output_per_mtok >= 0),
  updated_at timestamptz not null default now()
);
comment on table private.llm_prices is 'Price per million tokens by model (USD), used to cost the LLM ledger. Cache writes 1.25x, cache reads 0.1x, batches 0.5x of base.';

alter table private.llm_prices enable row level security;
grant select, insert, update, delete on private.llm_prices to service_role;
create policy "llm_prices: backend only"
  on private.llm_prices for select to service_role
  using (true);

create table private.llm_calls (
  id bigint generated always as identity primary key,
  user_id uuid references public.users (id) on delete set null,
  purpose text not null,
  model text not null,
  request_id text,
  input_tokens integer not null default 0 check (input_tokens >= 0),
  output_tokens integer not null default 0 check (output_tokens >= 0),
  cache_read_tokens integer not null default 0 check (cache_read_tokens >= 0),
  cache_write_tokens integer not null default 0 check (cache_write_tokens >= 0),
  batch boolean not null default false,
  latency_ms integer check (latency_ms >= 0),
  status text not null check (status in ('ok', 'error', 'invalid')),
  error text,
  cost_usd numeric(12, 6),
  created_at timestamptz not null default now()
);
comment on table private.llm_calls is 'LLM ledger: one row per model call (batch items included) with tokens, cache use, latency, status and cost.';
create index llm_calls_user_created_idx on private.llm_calls (user_id, created_at desc);
create index llm_calls_created_idx on private.llm_calls (created_at);

alter table private.llm_calls enable row level security;
grant select, insert, update, delete on private.llm_calls to service_role;
create policy "llm_calls: backend only"
  on private.llm_calls for select to service_role
  using (true);

-- The cost of one call in USD from private.llm_prices (PLATFORM.md §3): cache writes 1.25x, cache reads 0.1x of the
-- input price; a batch item (Message Batches API) at 0.5x of all of it. Null for a model without a price row.
create or replace function private.llm_cost(p_model text, p_input_tokens integer, p_output_tokens integer,
  p_cache_read_tokens integer, p_cache_write_tokens integer, p_batch boolean)
returns numeric
language sql
stable
security invoker
set search_path = ''
as $$
  select (p_input_tokens * p.input_per_mtok + p_cache_write_tokens * p.input_per_mtok * 1.25
          + p_cache_read_tokens * p.input_per_mtok * 0.1 + p_output_tokens * p.output_per_mtok) / 1e6
         * case when p_batch then 0.5 else 1 end
  from private.llm_prices p where p.model = p_model
$$;
comment on function private.llm_cost(text, integer, integer, integer, integer, boolean) is 'USD cost of one LLM call from private.llm_prices: cache writes 1.25x, cache reads 0.1x, batch items 0.5x.';
revoke execute on function private.llm_cost(text, integer, integer, integer, integer, boolean) from public;
grant execute on function private.llm_cost(text, integer, integer, integer, integer, boolean) to service_role;
