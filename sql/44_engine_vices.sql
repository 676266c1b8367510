-- Vices (GAME_RULES.md §10): seeding at onboarding and the per-exchange signals.

-- Seeds the categories of a darkness level as discovered (engagement 1.5, intensity 0.30). Seeding twice
-- changes nothing. Returns {darkness, seeded: [categories inserted now], categories: [all seeded for the level]}.
create or replace function game.seed_vices(p_user_id uuid, p_darkness int, p_now timestamptz)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_tunables jsonb := game.tunables_json();
  v_categories jsonb;
  v_seeded jsonb;
begin
  if p_darkness is null or p_darkness not between 1 and 5 then
    raise exception 'darkness level must be 1..5, got %', p_darkness using errcode = 'DKINV';
  end if;
  perform game.lock_player(p_user_id);
  v_categories := v_tunables -> 'vice_seeds' -> p_darkness::text;
  with inserted as (
    insert into public.user_vice_preferences (user_id, category, engagement_score, intensity_level, discovered_at, updated_at)
    select p_user_id, c, (v_tunables ->> 'vice_seed_engagement')::numeric,
           game.vice_intensity((v_tunables ->> 'vice_seed_engagement')::numeric, v_tunables), p_now, p_now
    from jsonb_array_elements_text(v_categories) c
    on conflict (user_id, category) do nothing
    returning category
  )
  select coalesce(jsonb_agg(category order by category), '[]') into v_seeded from inserted;
  update public.users set darkness_level = p_darkness where id = p_user_id and darkness_level is distinct from p_darkness;
  return jsonb_build_object('darkness', p_darkness, 'seeded', v_seeded, 'categories', v_categories);
end
$$;
comment on function game.seed_vices(uuid, int, timestamptz) is 'Onboarding: seeds the vice categories of darkness level 1-5 as discovered (GAME_RULES.md §10.2); DKINV outside 1..5; idempotent.';
revoke execute on function game.seed_vices(uuid, int, timestamptz) from public;
grant execute on function game.seed_vices(uuid, int, timestamptz) to service_role;

-- Applies an exchange's vice signals (already validated). Returns the changes [{category, delta, discovered,
-- engagement_score, intensity}].
create or replace function game.apply_vice_signals(p_user_id uuid, p_chapter int, p_signals jsonb, p_tunables jsonb,
  p_now timestamptz)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_sensitivity numeric := (p_tunables -> 'vice_sensitivity' ->> (p_chapter - 1))::numeric;
  v_changes jsonb := '[]'::jsonb;
  v_signal jsonb;
  v_delta numeric;
  v_positive boolean;
  v_row public.user_vice_preferences;
  v_discovered boolean;
begin
  -- Most exchanges carry no signal: no loop query for them.
  if coalesce(jsonb_array_length(p_signals), 0) = 0 then
    return v_changes;
  end if;
  for v_signal in select jsonb_array_elements(p_signals) loop
    continue when (v_signal ->> 'confidence')::numeric < (p_tunables ->> 'vice_min_confidence')::numeric;
    v_positive := (v_signal ->> 'positive')::boolean;
    v_delta := round(case
      when v_positive then (v_signal ->> 'confidence')::numeric * (p_tunables ->> 'vice_positive_weight')::numeric * v_sensitivity
      else -(v_signal ->> 'confidence')::numeric * (p_tunables ->> 'vice_rejection_weight')::numeric * v_sensitivity end, 4);
    select * into v_row from public.user_vice_preferences
    where user_id = p_user_id and category = v_signal ->> 'category' for no key update;
    v_discovered := false;
    if not found or v_row.discovered_at is null then
      -- A rejection of an undiscovered category is ignored; a positive signal discovers it.
      continue when not v_positive;
      v_discovered := true;
      insert into public.user_vice_preferences (user_id, category, engagement_score, intensity_level, discovered_at, updated_at)
      values (p_user_id, v_signal ->> 'category', v_delta, game.vice_intensity(v_delta, p_tunables), p_now, p_now)
      on conflict (user_id, category) do update
        set engagement_score = excluded.engagement_score, intensity_level = excluded.intensity_level,
            discovered_at = excluded.discovered_at, updated_at = excluded.updated_at
      returning * into v_row;
    else
      update public.user_vice_preferences
      set engagement_score = greatest(0, engagement_score + v_delta),
          intensity_level = game.vice_intensity(greatest(0, engagement_score + v_delta), p_tunables),
          updated_at = p_now
      where user_id = p_user_id and category = v_row.category
      returning * into v_row;
    end if;
    v_changes := v_changes || jsonb_build_object('category', v_row.category, 'delta', v_delta,
      'discovered', v_discovered, 'engagement_score', v_row.engagement_score, 'intensity', v_row.intensity_level);
  end loop;
  return v_changes;
end
$$;
comment on function game.apply_vice_signals(uuid, int, jsonb, jsonb, timestamptz) is 'Vice signals of one exchange (GAME_RULES.md §10.3): confidence >= 0.5, chapter sensitivity, discovery on a positive signal, engagement floor 0, intensity.';
revoke execute on function game.apply_vice_signals(uuid, int, jsonb, jsonb, timestamptz) from public;
grant execute on function game.apply_vice_signals(uuid, int, jsonb, jsonb, timestamptz) to service_role;

-- Her top vices for the player in p_chapter (GAME_RULES.md §10.4): effective intensity = min(intensity, the
-- category's chapter cap; 1.0 for uncapped categories), kept from 0.30, the top 3 by effective intensity (ties: higher
-- engagement score, then earlier discovery). Returns [{category, intensity, engagement_score}], strongest first.
-- plpgsql, so its plan is kept (see private.inbox_claim_held).
create or replace function game.top_vices(p_user_id uuid, p_chapter int)
returns jsonb
language plpgsql
stable
security invoker
set search_path = ''
as $$
begin
  return (select coalesce(jsonb_agg(jsonb_build_object('category', v.category, 'intensity', v.effective,
           'engagement_score', v.engagement_score) order by v.effective desc, v.engagement_score desc, v.discovered_at), '[]')
  from (
    select c.category, c.engagement_score, c.discovered_at, c.effective
    from (
      select p.category, p.engagement_score, p.discovered_at,
             least(p.intensity_level, coalesce((t.t -> ('vice_cap_' || p.category) ->> (p_chapter - 1))::numeric, 1)) as effective,
             (t.t ->> 'vice_inject_min_intensity')::numeric as min_intensity
      from public.user_vice_preferences p cross join (select game.tunables_json() as t) t
      where p.user_id = p_user_id and p.discovered_at is not null
    ) c
    where c.effective >= c.min_intensity
    order by c.effective desc, c.engagement_score desc, c.discovered_at
    limit (select (game.tunables_json() ->> 'vice_inject_top')::int)
  ) v);
end
$$;
comment on function game.top_vices(uuid, int) is 'Her top 3 vices for a player in a chapter (GAME_RULES.md §10.4): effective intensity capped by chapter, from 0.30, ties by engagement then discovery.';
revoke execute on function game.top_vices(uuid, int) from public;
grant execute on function game.top_vices(uuid, int) to service_role;

-- intensity = min(engagement_score / divisor, 1), 4 decimals.
create or replace function game.vice_intensity(p_engagement_score numeric, p_tunables jsonb)
returns numeric
language plpgsql
immutable
security invoker
set search_path = ''
as $$
begin
  return round(least(p_engagement_score / (p_tunables ->> 'vice_intensity_divisor')::numeric, 1), 4);
end
$$;
comment on function game.vice_intensity(numeric, jsonb) is 'Vice intensity from its engagement score: min(score / 5, 1).';
revoke execute on function game.vice_intensity(numeric, jsonb) from public;
grant execute on function game.vice_intensity(numeric, jsonb) to service_role;
