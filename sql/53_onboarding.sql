-- Onboarding completion (PLATFORM.md §2.5): the profile, the game's start and the vices of the darkness level.

-- The last onboarding step: profile, timezone, status, the game's start, and the vices of the darkness level.
-- p_profile: {display_name, city, timezone, darkness}. DKINV for a darkness outside 1..5, TZINV for an unknown zone.
create or replace function game.complete_onboarding(p_user_id uuid, p_profile jsonb, p_now timestamptz)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_darkness int;
  v_vices jsonb;
begin
  perform game.lock_player(p_user_id);
  if jsonb_typeof(p_profile -> 'darkness') is distinct from 'number'
     or (p_profile ->> 'darkness')::numeric not in (1, 2, 3, 4, 5) then
    raise exception 'darkness level must be 1..5, got %', coalesce(p_profile ->> 'darkness', 'nothing') using errcode = 'DKINV';
  end if;
  v_darkness := (p_profile ->> 'darkness')::int;
  update public.users set
    display_name = coalesce(nullif(trim(p_profile ->> 'display_name'), ''), display_name),
    city = coalesce(nullif(trim(p_profile ->> 'city'), ''), city),
    timezone = coalesce(p_profile ->> 'timezone', timezone),
    -- Onboarding answers are not an interaction with her: decay waits for the first message to her (§7.2).
    onboarding_status = 'completed', onboarded_at = p_now, game_started_at = p_now,
    decay_through = p_now, updated_at = p_now
  where id = p_user_id;
  v_vices := game.seed_vices(p_user_id, v_darkness, p_now);
  return jsonb_build_object('onboarding_status', 'completed', 'game_started_at', p_now, 'vices', v_vices -> 'categories');
end
$$;
comment on function game.complete_onboarding(uuid, jsonb, timestamptz) is 'Completes onboarding: profile, timezone, status, game start, vices (DKINV, TZINV).';
revoke execute on function game.complete_onboarding(uuid, jsonb, timestamptz) from public;
grant execute on function game.complete_onboarding(uuid, jsonb, timestamptz) to service_role;
