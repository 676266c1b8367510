-- Helpers every engine function shares: the player lock, the score, an interaction, the history row, events.

-- Every mutation starts here: the player's row, locked, so one player's mutations never interleave. FOR NO KEY
-- UPDATE rather than FOR UPDATE: rows that merely reference the player (ledger, inbox, history) can still be
-- inserted by other transactions meanwhile, instead of waiting on this one.
create or replace function game.lock_player(p_user_id uuid)
returns public.users
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_user public.users;
begin
  select * into v_user from public.users where id = p_user_id for no key update;
  if not found then
    raise exception 'player not found: %', p_user_id using errcode = 'PNFND';
  end if;
  return v_user;
end
$$;
comment on function game.lock_player(uuid) is 'Locks and returns the player row (raises PNFND); the first step of every per-player mutation.';
revoke execute on function game.lock_player(uuid) from public;
grant execute on function game.lock_player(uuid) to service_role;

-- The relationship score from the four metrics (GAME_RULES.md §2): weights from the tunables, 4 decimals.
create or replace function game.score_of(p_tunables jsonb, p_intimacy numeric, p_passion numeric, p_trust numeric,
  p_secureness numeric)
returns numeric
language plpgsql
immutable
security invoker
set search_path = ''
as $$
begin
  return round(
    (p_tunables ->> 'weight_intimacy')::numeric * p_intimacy
    + (p_tunables ->> 'weight_passion')::numeric * p_passion
    + (p_tunables ->> 'weight_trust')::numeric * p_trust
    + (p_tunables ->> 'weight_secureness')::numeric * p_secureness,
    (p_tunables ->> 'value_scale')::int);
end
$$;
comment on function game.score_of(jsonb, numeric, numeric, numeric, numeric) is 'Relationship score = weighted sum of the four metrics (weights and scale from the tunables).';
revoke execute on function game.score_of(jsonb, numeric, numeric, numeric, numeric) from public;
grant execute on function game.score_of(jsonb, numeric, numeric, numeric, numeric) to service_role;

-- A player interaction at p_now (GAME_RULES.md §1), computed on the player's row: last_interaction_at =
-- max(last, now); a new local date (player's timezone) since game_started_at counts one more day played.
create or replace function game.after_interaction(p_user public.users, p_now timestamptz)
returns public.users
language plpgsql
immutable
security invoker
set search_path = ''
as $$
declare
  v_today date := (p_now at time zone p_user.timezone)::date;
begin
  p_user.last_interaction_at := greatest(p_user.last_interaction_at, p_now);
  if p_now >= p_user.game_started_at and (p_user.last_played_on is null or v_today > p_user.last_played_on) then
    p_user.days_played := p_user.days_played + 1;
    p_user.last_played_on := v_today;
  end if;
  return p_user;
end
$$;
comment on function game.after_interaction(public.users, timestamptz) is 'The player row after an interaction at p_now: last_interaction_at moved forward, a new local date counted in days_played.';
revoke execute on function game.after_interaction(public.users, timestamptz) from public;
grant execute on function game.after_interaction(public.users, timestamptz) to service_role;

-- Records a player interaction at p_now on the (locked) player row. Returns the updated row.
create or replace function game.touch_interaction(p_user_id uuid, p_now timestamptz)
returns public.users
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_user public.users;
begin
  select * into v_user from public.users where id = p_user_id;
  v_user := game.after_interaction(v_user, p_now);
  update public.users
  set last_interaction_at = v_user.last_interaction_at, days_played = v_user.days_played,
      last_played_on = v_user.last_played_on, updated_at = p_now
  where id = p_user_id
  returning * into v_user;
  return v_user;
end
$$;
comment on function game.touch_interaction(uuid, timestamptz) is 'A player interaction at p_now: moves last_interaction_at forward and counts a new local date in days_played.';
revoke execute on function game.touch_interaction(uuid, timestamptz) from public;
grant execute on function game.touch_interaction(uuid, timestamptz) to service_role;

-- Writes the one score_history row of a mutation and returns its id.
create or replace function game.write_history(p_user_id uuid, p_score numeric, p_chapter int, p_event_type text,
  p_details jsonb, p_conversation_id uuid, p_at timestamptz)
returns bigint
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_id bigint;
begin
  insert into public.score_history (user_id, score, chapter, event_type, event_details, conversation_id, recorded_at)
  values (p_user_id, p_score, p_chapter, p_event_type, p_details, p_conversation_id, p_at)
  returning id into v_id;
  return v_id;
end
$$;
comment on function game.write_history(uuid, numeric, int, text, jsonb, uuid, timestamptz) is 'Inserts the single score_history row of one mutation (GAME_RULES.md §2).';
revoke execute on function game.write_history(uuid, numeric, int, text, jsonb, uuid, timestamptz) from public;
grant execute on function game.write_history(uuid, numeric, int, text, jsonb, uuid, timestamptz) to service_role;

-- Queues an event message (rendered in character at delivery) for a mutation the player did not cause
-- directly: decay consequences, boss timeouts. Only players with a Telegram chat can be told.
create or replace function game.queue_event(p_user_id uuid, p_history_id bigint, p_payload jsonb, p_due timestamptz)
returns void
language plpgsql
volatile
security invoker
set search_path = ''
as $$
begin
  insert into private.outbox (dedupe_key, user_id, chat_id, channel, kind, payload, due_at)
  select 'event:' || p_history_id, u.id, u.telegram_chat_id, 'telegram', 'event', p_payload, p_due
  from public.users u
  where u.id = p_user_id and u.telegram_chat_id is not null
  on conflict (dedupe_key) do nothing;
end
$$;
comment on function game.queue_event(uuid, bigint, jsonb, timestamptz) is 'Queues one outbox event row (dedupe event:<score_history id>) for a player with a Telegram chat.';
revoke execute on function game.queue_event(uuid, bigint, jsonb, timestamptz) from public;
grant execute on function game.queue_event(uuid, bigint, jsonb, timestamptz) to service_role;
