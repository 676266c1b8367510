-- Player interaction bookkeeping shared by every engine entry point (GAME_RULES.md §1): last_interaction_at
-- and days_played.

-- Records a player interaction at p_now: last_interaction_at = max(last, now); a new local date (player's
-- timezone) since game_started_at counts one more day played. Returns the updated row.
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
  update public.users u
  set last_interaction_at = greatest(u.last_interaction_at, p_now),
      days_played = u.days_played + case
        when p_now >= u.game_started_at
             and (u.last_played_on is null or (p_now at time zone u.timezone)::date > u.last_played_on) then 1
        else 0 end,
      last_played_on = case
        when p_now >= u.game_started_at
             and (u.last_played_on is null or (p_now at time zone u.timezone)::date > u.last_played_on)
          then (p_now at time zone u.timezone)::date
        else u.last_played_on end
  where u.id = p_user_id
  returning u.* into v_user;
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
language sql
volatile
security invoker
set search_path = ''
as $$
  insert into public.score_history (user_id, score, chapter, event_type, event_details, conversation_id, recorded_at)
  values (p_user_id, p_score, p_chapter, p_event_type, p_details, p_conversation_id, p_at)
  returning id
$$;
comment on function game.write_history(uuid, numeric, int, text, jsonb, uuid, timestamptz) is 'Inserts the single score_history row of one mutation (GAME_RULES.md §2).';
revoke execute on function game.write_history(uuid, numeric, int, text, jsonb, uuid, timestamptz) from public;
grant execute on function game.write_history(uuid, numeric, int, text, jsonb, uuid, timestamptz) to service_role;

-- Queues an event message (rendered in character at delivery) for a mutation the player did not cause
-- directly: decay consequences, boss timeouts. Only players with a Telegram chat can be told.
create or replace function game.queue_event(p_user_id uuid, p_history_id bigint, p_payload jsonb, p_due timestamptz)
returns void
language sql
volatile
security invoker
set search_path = ''
as $$
  insert into private.outbox (dedupe_key, user_id, chat_id, channel, kind, payload, due_at)
  select 'event:' || p_history_id, u.id, u.telegram_chat_id, 'telegram', 'event', p_payload, p_due
  from public.users u
  where u.id = p_user_id and u.telegram_chat_id is not null
  on conflict (dedupe_key) do nothing
$$;
comment on function game.queue_event(uuid, bigint, jsonb, timestamptz) is 'Queues one outbox event row (dedupe event:<score_history id>) for a player with a Telegram chat.';
revoke execute on function game.queue_event(uuid, bigint, jsonb, timestamptz) from public;
grant execute on function game.queue_event(uuid, bigint, jsonb, timestamptz) to service_role;
