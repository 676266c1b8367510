-- Portal read fixtures for the bench database (never a migration): 10 M score_history rows in one set-based insert,
-- spread over the first p_players bench players (scripts/bench/bench.sql seeds them), each with an even history
-- reaching back p_days from p_now, so a 30-day read returns 30/p_days of a player's rows. Triggers and FK checks are
-- off for this function only (replica role), as for the players themselves.
create or replace function bench.seed_portal_history(p_players bigint, p_rows bigint, p_days int, p_now timestamptz)
returns bigint
language plpgsql
volatile
set search_path = ''
set session_replication_role = replica
as $$
declare
  v_per_player bigint := p_rows / p_players;
  v_step interval := make_interval(days => p_days) / v_per_player;
  v_rows bigint;
begin
  -- Player by player, oldest first: each player's index entries land together.
  insert into public.score_history (user_id, score, chapter, event_type, event_details, recorded_at)
  select bench.player_id(1 + n / v_per_player), 40 + (n % 20), 1,
         case when n % 5 = 0 then 'decay' else 'exchange' end, '{"source": "bench"}',
         p_now - (v_per_player - n % v_per_player) * v_step
  from pg_catalog.generate_series(0, v_per_player * p_players - 1) n;
  get diagnostics v_rows = row_count;
  return v_rows;
end
$$;
