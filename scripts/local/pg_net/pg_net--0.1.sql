-- The local stand-in for pg_net (Supabase's async HTTP extension), as far as this project uses it: the `net`
-- schema, net.http_post with pg_net's signature and return value, and the request queue it writes. pg_net's
-- background worker sends each request after the queuing transaction commits; here there is no worker and the
-- local gateway (scripts/local/gateway.ts) drains net.http_request_queue instead. Never deployed: hosted projects
-- run the real extension.
\echo Use "create extension pg_net" to load this file. \quit

-- Created by the script, as pg_net does, so the schema belongs to the extension and leaves with it.
create schema net;

create type net.http_method as enum ('GET', 'POST', 'DELETE');

-- Unlogged, like pg_net's: a request that a crash loses is one a job re-drives from its durable rows.
create unlogged table net.http_request_queue (
  id bigserial primary key,
  method net.http_method not null,
  url text not null,
  headers jsonb not null,
  body bytea,
  timeout_milliseconds integer not null
);
comment on table net.http_request_queue is 'Requests net.http_post queued, waiting for the sender (locally: the gateway).';

create function net.http_post(
  url text,
  body jsonb default '{}'::jsonb,
  params jsonb default '{}'::jsonb,
  headers jsonb default '{"Content-Type": "application/json"}'::jsonb,
  timeout_milliseconds integer default 5000
) returns bigint
language plpgsql volatile
set search_path = ''
as $$
declare
  request_id bigint;
  query text;
begin
  select string_agg(format('%s=%s', key, value), '&') into query from jsonb_each_text(params);
  insert into net.http_request_queue (method, url, headers, body, timeout_milliseconds)
  values ('POST', url || coalesce('?' || query, ''), headers, convert_to(body::text, 'UTF8'), timeout_milliseconds)
  returning id into request_id;
  return request_id;
end
$$;
comment on function net.http_post(text, jsonb, jsonb, jsonb, integer) is 'Queues a POST of body (JSON) to url with params and headers; returns the request id (sent after commit).';

revoke all on schema net from public;
revoke all on all tables in schema net from public;
revoke execute on all functions in schema net from public;
