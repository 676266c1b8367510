-- She texts first (GAME_RULES.md §15): proactive messages (touchpoints) and the occasions that may cause one.
-- The touchpoints job (PLATFORM.md §5.1) evaluates the triggers of due players (game.evaluate_touchpoints) and then
-- claims the due touchpoints (game.claim_due_touchpoints), which applies strategic silence; the pipeline's stage 6
-- evaluates the player of a closed conversation (game.evaluate_touchpoint with the conversation as source). Every
-- number is a tunable and every random draw a parameter, so each rule is pinned by a test.
--
-- Channel (not set by GAME_RULES.md): a touchpoint is a phone call instead of a text when voice is on (p_voice), the
-- player has a phone number and the channel draw is below touchpoint_call_share of the chapter (0 in chapters 1-2,
-- a small share from chapter 3); otherwise a text.

-- Each evaluated occasion, once per player: a time slot of a local day (`time:<local date>:<slot>`), a silence
-- (`gap:<last_interaction_at>`), a life event (`event:<life_events.id>`). An occasion gets one roll, ever.
create table game.touchpoints (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references public.users (id) on delete cascade,
  trigger text not null check (trigger in ('time', 'gap', 'event')),
  occasion text not null,
  channel text not null check (channel in ('text', 'voice')),
  due_at timestamptz not null,
  -- scheduled -> claimed (a job run is writing or queueing it) -> sent (queued to the outbox) or skipped.
  status text not null default 'scheduled' check (status in ('scheduled', 'claimed', 'sent', 'skipped')),
  skip_reason text check (skip_reason in ('conflict_hot', 'conflict_critical', 'mood', 'strategic_silence',
    'not_eligible', 'conversation_open', 'stale', 'too_similar')),
  source_conversation_id uuid references public.conversations (id) on delete set null,
  life_event_id bigint references public.life_events (id) on delete set null,
  -- The drawn initiation rate and the trigger's chance that fired.
  rate numeric(5, 4) not null check (rate between 0 and 1),
  chance numeric(5, 4) not null check (chance between 0 and 1),
  -- Strategic silence as decided at the first claim: {zone, m, p, draw}; never rolled twice.
  silence jsonb,
  claim_token uuid,
  lease_until timestamptz,
  attempts integer not null default 0 check (attempts >= 0),
  last_error text,
  outbox_id bigint references private.outbox (id) on delete set null,
  text text,
  created_at timestamptz not null,
  sent_at timestamptz,
  unique (user_id, occasion),
  unique (user_id, source_conversation_id),
  check ((status = 'skipped') = (skip_reason is not null)),
  check (status <> 'sent' or sent_at is not null)
);
comment on table game.touchpoints is 'Her proactive messages (GAME_RULES.md §15): trigger (time, gap, event), channel (text, voice), due time, status (scheduled, claimed, sent, skipped with its reason), the conversation or life event behind it, the outbox row and her text.';
comment on column game.touchpoints.source_conversation_id is 'The closed conversation whose pipeline stage 6 scheduled it (at most one per conversation), or null when the job did.';
-- Claims: due scheduled rows and claimed rows whose lease ran out, by due time.
create index touchpoints_due_idx on game.touchpoints (due_at) where status in ('scheduled', 'claimed');
-- Spacing and recent texts: a player's touchpoints by due time.
create index touchpoints_user_due_idx on game.touchpoints (user_id, due_at);
create index touchpoints_user_sent_idx on game.touchpoints (user_id, sent_at desc) where status = 'sent';
create index touchpoints_source_conversation_idx on game.touchpoints (source_conversation_id)
  where source_conversation_id is not null;
create index touchpoints_life_event_idx on game.touchpoints (life_event_id) where life_event_id is not null;
create index touchpoints_outbox_idx on game.touchpoints (outbox_id) where outbox_id is not null;

alter table game.touchpoints enable row level security;
grant select, insert, update, delete on game.touchpoints to service_role;
create policy "touchpoints: backend only"
  on game.touchpoints for select to service_role
  using (true);

-- One row per occasion rolled: its roll, its chance and what came of it (fired, missed, or too close to another
-- proactive message), so an occasion is never rolled twice.
create table game.touchpoint_occasions (
  user_id uuid not null references public.users (id) on delete cascade,
  occasion text not null,
  trigger text not null check (trigger in ('time', 'gap', 'event')),
  roll numeric(5, 4) not null check (roll >= 0 and roll < 1),
  chance numeric(5, 4) not null check (chance between 0 and 1),
  outcome text not null check (outcome in ('fired', 'missed', 'too_close')),
  touchpoint_id uuid references game.touchpoints (id) on delete set null,
  rolled_at timestamptz not null,
  primary key (user_id, occasion)
);
comment on table game.touchpoint_occasions is 'Every touchpoint occasion rolled, once per player (GAME_RULES.md §15: one roll per occasion): time slot, silence or life event, the roll, the chance and the outcome.';
create index touchpoint_occasions_touchpoint_idx on game.touchpoint_occasions (touchpoint_id)
  where touchpoint_id is not null;

alter table game.touchpoint_occasions enable row level security;
grant select, insert, update, delete on game.touchpoint_occasions to service_role;
create policy "touchpoint_occasions: backend only"
  on game.touchpoint_occasions for select to service_role
  using (true);

-- Evaluates the triggers of one player at p_now (GAME_RULES.md §15), in order time, gap, event; the first that
-- fires and keeps its spacing wins. p_draws: {rate, time, time_due, gap, events: [one per event considered],
-- channel}, each in [0, 1); rate always, the others when their trigger's occasion is on (channel when one fires
-- with voice on for a player with a phone). With p_source_conversation_id (stage 6)
-- a second evaluation for the same conversation returns the touchpoint it scheduled and rolls nothing.
-- Returns {eligible, reason?, rate?, occasions: [{occasion, trigger, roll, chance, outcome}], touchpoint}.
create or replace function game.evaluate_touchpoint(p_user_id uuid, p_now timestamptz, p_draws jsonb,
  p_voice boolean default false, p_source_conversation_id uuid default null)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_t jsonb := game.tunables_json();
  v_user public.users;
  v_existing game.touchpoints;
  v_reason text;
  v_rate numeric;
  v_local timestamp;
  v_slot text;
  v_bounds jsonb;
  v_slot_end timestamptz;
  v_occasions jsonb := '[]'::jsonb;
  v_touchpoint jsonb;
  v_result jsonb;
  v_event record;
  v_event_index integer := 0;
  v_magnitude numeric;
  v_berlin timestamp := p_now at time zone 'Europe/Berlin';
begin
  v_user := game.lock_player(p_user_id);
  if p_source_conversation_id is not null then
    select * into v_existing from game.touchpoints
    where user_id = p_user_id and source_conversation_id = p_source_conversation_id;
    if found then
      return jsonb_build_object('eligible', true, 'occasions', '[]'::jsonb, 'existing', true,
        'touchpoint', game.touchpoint_summary(v_existing));
    end if;
  end if;
  v_reason := game.touchpoint_ineligibility(v_user, p_now, v_t);
  if v_reason is not null then
    return jsonb_build_object('eligible', false, 'reason', v_reason, 'occasions', '[]'::jsonb, 'touchpoint', null);
  end if;

  -- The initiation rate: a uniform draw within the chapter's range.
  v_rate := game.touchpoint_rate(v_user.chapter, game.touchpoint_draw(p_draws, 'rate'), v_t);

  -- time: the first evaluation inside a slot of the player's local day, once per slot per day; due at a uniform
  -- time in the rest of the slot.
  v_local := p_now at time zone v_user.timezone;
  foreach v_slot in array array['morning', 'evening'] loop
    v_bounds := v_t -> ('touchpoint_' || v_slot || '_slot');
    if v_local::time >= (v_bounds ->> 0)::time and v_local::time < (v_bounds ->> 1)::time then
      v_slot_end := (v_local::date + (v_bounds ->> 1)::time) at time zone v_user.timezone;
      v_result := game.roll_touchpoint_occasion(v_user, 'time', 'time:' || v_local::date || ':' || v_slot,
        v_rate, v_rate, 'time', p_now
          + (v_slot_end - p_now) * game.touchpoint_draw(p_draws, 'time_due')::double precision,
        null, p_draws, p_voice, p_source_conversation_id, p_now, v_t);
      if v_result is not null then
        v_occasions := v_occasions || jsonb_build_array(v_result - 'touchpoint');
        if v_result -> 'touchpoint' <> 'null'::jsonb then
          v_touchpoint := v_result -> 'touchpoint';
        end if;
      end if;
    end if;
  end loop;

  -- gap: 24 h since the last interaction, once per silence; due 2 min later.
  if v_touchpoint is null and v_user.last_interaction_at is not null
     and p_now - v_user.last_interaction_at >= make_interval(hours => (v_t ->> 'touchpoint_gap')::int) then
    v_result := game.roll_touchpoint_occasion(v_user, 'gap',
      'gap:' || to_char(v_user.last_interaction_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
      v_rate, game.gap_trigger_chance(v_rate, v_t), 'gap', p_now + make_interval(mins => (v_t ->> 'touchpoint_gap_delay')::int),
      null, p_draws, p_voice, p_source_conversation_id, p_now, v_t);
    if v_result is not null then
      v_occasions := v_occasions || jsonb_build_array(v_result - 'touchpoint');
      if v_result -> 'touchpoint' <> 'null'::jsonb then
        v_touchpoint := v_result -> 'touchpoint';
      end if;
    end if;
  end if;

  -- event: one of today's (Berlin) important events with some impact, while its slot is on; due 5 min later.
  if v_touchpoint is null then
    for v_event in
      select e.* from public.life_events e
      where e.user_id = p_user_id and e.event_date = v_berlin::date
        and e.importance >= (v_t ->> 'touchpoint_event_min_importance')::numeric
        and game.life_event_magnitude(e.emotional_impact) > 0
        and game.life_event_slot_on(e.time_of_day, v_berlin, v_t)
        and not exists (select 1 from game.touchpoint_occasions o
                        where o.user_id = p_user_id and o.occasion = 'event:' || e.id)
      order by e.ordinal
    loop
      v_magnitude := game.life_event_magnitude(v_event.emotional_impact);
      v_result := game.roll_touchpoint_occasion(v_user, 'event', 'event:' || v_event.id, v_rate,
        game.event_trigger_chance(v_rate, v_event.importance, v_magnitude, v_t), 'events:' || v_event_index, p_now + make_interval(mins => (v_t ->> 'touchpoint_event_delay')::int),
        v_event.id, p_draws, p_voice, p_source_conversation_id, p_now, v_t);
      v_event_index := v_event_index + 1;
      v_occasions := v_occasions || jsonb_build_array(v_result - 'touchpoint');
      if v_result -> 'touchpoint' <> 'null'::jsonb then
        v_touchpoint := v_result -> 'touchpoint';
        exit;
      end if;
    end loop;
  end if;

  return jsonb_build_object('eligible', true, 'rate', v_rate, 'occasions', v_occasions, 'touchpoint', v_touchpoint);
end
$$;
comment on function game.evaluate_touchpoint(uuid, timestamptz, jsonb, boolean, uuid) is 'Rolls the player''s pending touchpoint occasions at p_now (time, gap, event; first success wins) with the supplied draws and schedules the touchpoint that fires; once per occasion, and once per source conversation.';
revoke execute on function game.evaluate_touchpoint(uuid, timestamptz, jsonb, boolean, uuid) from public;
grant execute on function game.evaluate_touchpoint(uuid, timestamptz, jsonb, boolean, uuid) to service_role;

-- The job's evaluation pass: up to p_limit eligible players with an occasion pending at p_now (locked with skip
-- locked, so overlapping runs take different players), each evaluated with its element of p_draws (an array of
-- draw objects, at least one per player taken). Returns {evaluated, scheduled}.
create or replace function game.evaluate_touchpoints(p_now timestamptz, p_limit integer, p_draws jsonb,
  p_voice boolean default false)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_t jsonb := game.tunables_json();
  v_ids uuid[];
  v_result jsonb;
  v_scheduled integer := 0;
begin
  if p_limit is null or p_limit <= 0 then
    raise exception 'evaluate_touchpoints: the limit must be positive, not %', p_limit using errcode = '22023';
  end if;
  select array_agg(id order by id) into v_ids from (
    select u.id from public.users u
    where u.game_status = 'active' and u.onboarding_status = 'completed' and u.notifications_enabled
      and game.touchpoint_ineligibility(u, p_now, v_t) is null
      and game.touchpoint_occasion_pending(u, p_now, v_t)
    order by u.id
    limit p_limit
    for update of u skip locked
  ) s;
  if coalesce(cardinality(v_ids), 0) = 0 then
    return jsonb_build_object('evaluated', 0, 'scheduled', 0);
  end if;
  if jsonb_typeof(p_draws) is distinct from 'array' or jsonb_array_length(p_draws) < cardinality(v_ids) then
    raise exception 'evaluate_touchpoints: % players need % draw objects', cardinality(v_ids), cardinality(v_ids)
      using errcode = '22023';
  end if;
  for i in 1 .. cardinality(v_ids) loop
    v_result := game.evaluate_touchpoint(v_ids[i], p_now, p_draws -> (i - 1), p_voice);
    if v_result -> 'touchpoint' is not null and v_result -> 'touchpoint' <> 'null'::jsonb then
      v_scheduled := v_scheduled + 1;
    end if;
  end loop;
  return jsonb_build_object('evaluated', cardinality(v_ids), 'scheduled', v_scheduled);
end
$$;
comment on function game.evaluate_touchpoints(timestamptz, integer, jsonb, boolean) is 'Evaluates up to p_limit eligible players with a pending touchpoint occasion (skip locked), one draw object each; returns {evaluated, scheduled}.';
revoke execute on function game.evaluate_touchpoints(timestamptz, integer, jsonb, boolean) from public;
grant execute on function game.evaluate_touchpoints(timestamptz, integer, jsonb, boolean) to service_role;

-- Claims up to p_limit due touchpoints (PLATFORM.md §9): scheduled ones due by p_now, and claimed ones whose lease
-- ran out (a run that died; the outbox dedupe key keeps them from being queued twice). Each is first checked at
-- delivery: stale (more than touchpoint_stale_after late), the player no longer eligible (terminal, onboarding,
-- notifications off), a conversation open, then strategic silence (GAME_RULES.md §15), once per touchpoint, with
-- p_draws[i] the silence draw of the i-th row taken. A check that fails records the row as skipped with its reason;
-- the others are claimed with a token and a 3-minute lease and returned.
create or replace function game.claim_due_touchpoints(p_now timestamptz, p_limit integer, p_draws double precision[])
returns table (id uuid, user_id uuid, chat_id bigint, trigger text, channel text, due_at timestamptz,
  claim_token uuid, chapter smallint, display_name text, local_time text, life_event text, recent_texts text[])
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_t jsonb := game.tunables_json();
  v_row game.touchpoints;
  v_user public.users;
  v_i integer := 0;
  v_reason text;
  v_silence jsonb;
begin
  for v_row in
    select t.* from game.touchpoints t
    where (t.status = 'scheduled' and t.due_at <= p_now) or (t.status = 'claimed' and t.lease_until <= p_now)
    order by t.due_at, t.id
    limit greatest(p_limit, 0)
    for update of t skip locked
  loop
    v_i := v_i + 1;
    select * into v_user from public.users u where u.id = v_row.user_id;
    v_silence := v_row.silence;
    v_reason := case
      when p_now - v_row.due_at > make_interval(mins => (v_t ->> 'touchpoint_stale_after')::int) then 'stale'
      when v_user.game_status <> 'active' or v_user.onboarding_status <> 'completed'
        or not v_user.notifications_enabled then 'not_eligible'
      when exists (select 1 from public.conversations c where c.user_id = v_row.user_id and c.status = 'open')
        then 'conversation_open'
      end;
    if v_reason is null and v_silence is null then
      if p_draws is null or cardinality(p_draws) < v_i or p_draws[v_i] is null then
        raise exception 'claim_due_touchpoints: no silence draw for row %', v_i using errcode = '22023';
      end if;
      v_silence := game.strategic_silence(v_row.user_id, v_user.chapter, p_draws[v_i]::numeric, p_now, v_t);
      v_reason := v_silence ->> 'skip';
    end if;
    if v_reason is not null then
      update game.touchpoints t set status = 'skipped', skip_reason = v_reason, silence = v_silence,
        claim_token = null, lease_until = null
      where t.id = v_row.id;
      continue;
    end if;
    update game.touchpoints t set status = 'claimed', claim_token = gen_random_uuid(), silence = v_silence,
      lease_until = p_now + interval '3 minutes', attempts = t.attempts + 1
    where t.id = v_row.id
    returning * into v_row;
    return query select v_row.id, v_row.user_id, v_user.telegram_chat_id, v_row.trigger, v_row.channel, v_row.due_at,
      v_row.claim_token, v_user.chapter, v_user.display_name,
      to_char(p_now at time zone v_user.timezone, 'Dy HH24:MI'),
      (select e.description from public.life_events e where e.id = v_row.life_event_id),
      array(select r.text from game.touchpoints r
            where r.user_id = v_row.user_id and r.status = 'sent' and r.text is not null
            order by r.sent_at desc limit (v_t ->> 'touchpoint_similarity_history')::int);
  end loop;
end
$$;
comment on function game.claim_due_touchpoints(timestamptz, integer, double precision[]) is 'Claims due touchpoints (skip locked, 3-minute lease): skips stale ones, ineligible players, open conversations and strategic silence (recorded with the reason); returns the rest with what her text needs.';
revoke execute on function game.claim_due_touchpoints(timestamptz, integer, double precision[]) from public;
grant execute on function game.claim_due_touchpoints(timestamptz, integer, double precision[]) to service_role;

-- Whether a text of hers resembles one of her last touchpoint_similarity_history sent proactive messages more than
-- touchpoint_similarity_max (pg_trgm trigram similarity, 0..1). Returns {similarity, too_similar}.
create or replace function game.check_touchpoint_text(p_user_id uuid, p_text text)
returns jsonb
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  v_t jsonb := game.tunables_json();
  v_similarity numeric;
begin
  select coalesce(max(extensions.similarity(lower(r.text), lower(p_text))), 0)::numeric into v_similarity
  from (select t.text from game.touchpoints t
        where t.user_id = p_user_id and t.status = 'sent' and t.text is not null
        order by t.sent_at desc limit (v_t ->> 'touchpoint_similarity_history')::int) r;
  return jsonb_build_object('similarity', round(v_similarity, 4),
    'too_similar', v_similarity > (v_t ->> 'touchpoint_similarity_max')::numeric);
end
$$;
comment on function game.check_touchpoint_text(uuid, text) is 'Trigram similarity of a text to her last proactive messages and whether it exceeds touchpoint_similarity_max.';
revoke execute on function game.check_touchpoint_text(uuid, text) from public;
grant execute on function game.check_touchpoint_text(uuid, text) to service_role;

-- The claim's end: queued to the outbox as p_outbox_id (her text, or null for a call). False if the claim was lost.
create or replace function game.finish_touchpoint(p_id uuid, p_claim_token uuid, p_text text, p_outbox_id bigint,
  p_now timestamptz)
returns boolean
language sql
volatile
security invoker
set search_path = ''
as $$
  update game.touchpoints set status = 'sent', text = p_text, outbox_id = p_outbox_id, sent_at = p_now,
    claim_token = null, lease_until = null
  where id = p_id and status = 'claimed' and claim_token = p_claim_token
  returning true
$$;
comment on function game.finish_touchpoint(uuid, uuid, text, bigint, timestamptz) is 'Marks a claimed touchpoint sent (queued to the outbox row p_outbox_id with its text); null if the claim is no longer held.';
revoke execute on function game.finish_touchpoint(uuid, uuid, text, bigint, timestamptz) from public;
grant execute on function game.finish_touchpoint(uuid, uuid, text, bigint, timestamptz) to service_role;

-- A claimed touchpoint the job decided not to send (her text still too similar after one re-ask).
create or replace function game.skip_touchpoint(p_id uuid, p_claim_token uuid, p_reason text, p_now timestamptz)
returns boolean
language sql
volatile
security invoker
set search_path = ''
as $$
  update game.touchpoints set status = 'skipped', skip_reason = p_reason, claim_token = null, lease_until = null,
    last_error = 'skipped at ' || p_now::text
  where id = p_id and status = 'claimed' and claim_token = p_claim_token
  returning true
$$;
comment on function game.skip_touchpoint(uuid, uuid, text, timestamptz) is 'Records a claimed touchpoint as skipped with p_reason; null if the claim is no longer held.';
revoke execute on function game.skip_touchpoint(uuid, uuid, text, timestamptz) from public;
grant execute on function game.skip_touchpoint(uuid, uuid, text, timestamptz) to service_role;

-- A provider outage: the touchpoint is scheduled (and due) again for the next run; its silence is kept.
create or replace function game.release_touchpoint(p_id uuid, p_claim_token uuid, p_error text, p_now timestamptz)
returns boolean
language sql
volatile
security invoker
set search_path = ''
as $$
  update game.touchpoints set status = 'scheduled', claim_token = null, lease_until = null,
    last_error = left(coalesce(p_error, 'provider unavailable') || ' (at ' || p_now::text || ')', 1000)
  where id = p_id and status = 'claimed' and claim_token = p_claim_token
  returning true
$$;
comment on function game.release_touchpoint(uuid, uuid, text, timestamptz) is 'Puts a claimed touchpoint back to scheduled after a provider outage, so the next run retries it; null if the claim is no longer held.';
revoke execute on function game.release_touchpoint(uuid, uuid, text, timestamptz) from public;
grant execute on function game.release_touchpoint(uuid, uuid, text, timestamptz) to service_role;

-- Helpers.

-- The initiation rate of a roll: a uniform draw within the chapter's touchpoint_initiation range.
create or replace function game.touchpoint_rate(p_chapter integer, p_draw numeric, p_t jsonb)
returns numeric
language plpgsql
immutable
security invoker
set search_path = ''
as $$
declare
  v_range jsonb := p_t -> 'touchpoint_initiation' -> (p_chapter - 1);
begin
  return round((v_range ->> 0)::numeric + p_draw * ((v_range ->> 1)::numeric - (v_range ->> 0)::numeric), 4);
end
$$;
comment on function game.touchpoint_rate(integer, numeric, jsonb) is 'Initiation rate = low + draw x (high - low) of the chapter''s touchpoint_initiation range.';
revoke execute on function game.touchpoint_rate(integer, numeric, jsonb) from public;
grant execute on function game.touchpoint_rate(integer, numeric, jsonb) to service_role;

-- The gap trigger's chance: min(touchpoint_gap_max_p, touchpoint_gap_factor x rate).
create or replace function game.gap_trigger_chance(p_rate numeric, p_t jsonb)
returns numeric
language sql
immutable
security invoker
set search_path = ''
as $$
  select round(least((p_t ->> 'touchpoint_gap_max_p')::numeric, (p_t ->> 'touchpoint_gap_factor')::numeric * p_rate), 4)
$$;
comment on function game.gap_trigger_chance(numeric, jsonb) is 'Gap trigger chance = min(0.5, 1.5 x rate) (tunables).';
revoke execute on function game.gap_trigger_chance(numeric, jsonb) from public;
grant execute on function game.gap_trigger_chance(numeric, jsonb) to service_role;

-- The event trigger's chance: min(max_p, rate x (1 + importance) x (1 + 0.5 x min(1, magnitude / norm))).
create or replace function game.event_trigger_chance(p_rate numeric, p_importance numeric, p_magnitude numeric,
  p_t jsonb)
returns numeric
language sql
immutable
security invoker
set search_path = ''
as $$
  select round(least((p_t ->> 'touchpoint_event_max_p')::numeric, p_rate * (1 + p_importance)
    * (1 + 0.5 * least(1, p_magnitude / (p_t ->> 'touchpoint_event_magnitude_norm')::numeric))), 4)
$$;
comment on function game.event_trigger_chance(numeric, numeric, numeric, jsonb) is 'Event trigger chance = min(0.8, rate x (1 + importance) x (1 + 0.5 x min(1, magnitude / 0.6))) (tunables).';
revoke execute on function game.event_trigger_chance(numeric, numeric, numeric, jsonb) from public;
grant execute on function game.event_trigger_chance(numeric, numeric, numeric, jsonb) to service_role;

-- Why a player cannot get a new touchpoint at p_now, or null: not active (terminal and boss fights never), not
-- onboarded, notifications off, a conversation open, or another proactive message due or delivered closer than
-- touchpoint_min_spacing to p_now (each new one is due at p_now or later and checked again for its own due time).
create or replace function game.touchpoint_ineligibility(p_user public.users, p_now timestamptz, p_t jsonb)
returns text
language plpgsql
stable
security invoker
set search_path = ''
as $$
begin
  return case
    when p_user.game_status <> 'active' then 'not_active'
    when p_user.onboarding_status <> 'completed' then 'not_onboarded'
    when not p_user.notifications_enabled then 'notifications_off'
    when exists (select 1 from public.conversations c where c.user_id = p_user.id and c.status = 'open')
      then 'conversation_open'
    when not game.touchpoint_spacing_ok(p_user.id, p_now, p_t) then 'too_close'
    end;
end
$$;
comment on function game.touchpoint_ineligibility(public.users, timestamptz, jsonb) is 'Why a player may not get a new touchpoint now (not_active, not_onboarded, notifications_off, conversation_open, too_close), or null.';
revoke execute on function game.touchpoint_ineligibility(public.users, timestamptz, jsonb) from public;
grant execute on function game.touchpoint_ineligibility(public.users, timestamptz, jsonb) to service_role;

-- True when no other proactive message of the player is due (scheduled or being sent) or delivered closer than
-- touchpoint_min_spacing minutes to p_due (exactly that far apart is allowed).
create or replace function game.touchpoint_spacing_ok(p_user_id uuid, p_due timestamptz, p_t jsonb)
returns boolean
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  v_spacing interval := make_interval(mins => (p_t ->> 'touchpoint_min_spacing')::int);
begin
  return not exists (
    select 1 from game.touchpoints t
    where t.user_id = p_user_id and t.status in ('scheduled', 'claimed', 'sent')
      and coalesce(t.sent_at, t.due_at) > p_due - v_spacing and coalesce(t.sent_at, t.due_at) < p_due + v_spacing);
end
$$;
comment on function game.touchpoint_spacing_ok(uuid, timestamptz, jsonb) is 'No other proactive message due or delivered closer than touchpoint_min_spacing to p_due.';
revoke execute on function game.touchpoint_spacing_ok(uuid, timestamptz, jsonb) from public;
grant execute on function game.touchpoint_spacing_ok(uuid, timestamptz, jsonb) to service_role;

-- Whether the player has an occasion not yet rolled at p_now: inside a local slot not rolled today, a 24 h silence
-- not rolled, or one of today's important events whose slot is on and that was not rolled.
create or replace function game.touchpoint_occasion_pending(p_user public.users, p_now timestamptz, p_t jsonb)
returns boolean
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  v_local timestamp := p_now at time zone p_user.timezone;
  v_berlin timestamp := p_now at time zone 'Europe/Berlin';
  v_slot text;
  v_bounds jsonb;
begin
  foreach v_slot in array array['morning', 'evening'] loop
    v_bounds := p_t -> ('touchpoint_' || v_slot || '_slot');
    if v_local::time >= (v_bounds ->> 0)::time and v_local::time < (v_bounds ->> 1)::time
       and not exists (select 1 from game.touchpoint_occasions o
                       where o.user_id = p_user.id and o.occasion = 'time:' || v_local::date || ':' || v_slot) then
      return true;
    end if;
  end loop;
  if p_user.last_interaction_at is not null
     and p_now - p_user.last_interaction_at >= make_interval(hours => (p_t ->> 'touchpoint_gap')::int)
     and not exists (select 1 from game.touchpoint_occasions o where o.user_id = p_user.id
       and o.occasion = 'gap:' || to_char(p_user.last_interaction_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
  then
    return true;
  end if;
  return exists (
    select 1 from public.life_events e
    where e.user_id = p_user.id and e.event_date = v_berlin::date
      and e.importance >= (p_t ->> 'touchpoint_event_min_importance')::numeric
      and game.life_event_magnitude(e.emotional_impact) > 0
      and game.life_event_slot_on(e.time_of_day, v_berlin, p_t)
      and not exists (select 1 from game.touchpoint_occasions o
                      where o.user_id = p_user.id and o.occasion = 'event:' || e.id));
end
$$;
comment on function game.touchpoint_occasion_pending(public.users, timestamptz, jsonb) is 'Whether the player has a touchpoint occasion (time slot, silence, life event) not yet rolled at p_now.';
revoke execute on function game.touchpoint_occasion_pending(public.users, timestamptz, jsonb) from public;
grant execute on function game.touchpoint_occasion_pending(public.users, timestamptz, jsonb) to service_role;

-- Rolls one occasion (if not rolled before): fires when the draw p_draw_key is below p_chance; a fired one that
-- keeps its spacing becomes a touchpoint due at p_due, else the occasion is too_close. Returns {occasion, trigger,
-- roll, chance, outcome, touchpoint} or null when the occasion was rolled before.
create or replace function game.roll_touchpoint_occasion(p_user public.users, p_trigger text, p_occasion text,
  p_rate numeric, p_chance numeric, p_draw_key text, p_due timestamptz, p_life_event_id bigint, p_draws jsonb,
  p_voice boolean, p_source_conversation_id uuid, p_now timestamptz, p_t jsonb)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_roll numeric;
  v_chance numeric := round(p_chance, 4);
  v_outcome text;
  v_channel text := 'text';
  v_row game.touchpoints;
begin
  if exists (select 1 from game.touchpoint_occasions o where o.user_id = p_user.id and o.occasion = p_occasion) then
    return null;
  end if;
  v_roll := case when p_draw_key like 'events:%'
    then game.touchpoint_event_draw(p_draws, split_part(p_draw_key, ':', 2)::int)
    else game.touchpoint_draw(p_draws, p_draw_key) end;
  v_outcome := case
    when v_roll >= v_chance then 'missed'
    when not game.touchpoint_spacing_ok(p_user.id, p_due, p_t) then 'too_close'
    else 'fired' end;
  if v_outcome = 'fired' then
    if p_voice and p_user.phone is not null
       and game.touchpoint_draw(p_draws, 'channel')
         < coalesce((p_t -> 'touchpoint_call_share' ->> (p_user.chapter - 1))::numeric, 0) then
      v_channel := 'voice';
    end if;
    insert into game.touchpoints (user_id, trigger, occasion, channel, due_at, source_conversation_id, life_event_id,
      rate, chance, created_at)
    values (p_user.id, p_trigger, p_occasion, v_channel, p_due, p_source_conversation_id, p_life_event_id, p_rate,
      v_chance, p_now)
    returning * into v_row;
  end if;
  insert into game.touchpoint_occasions (user_id, occasion, trigger, roll, chance, outcome, touchpoint_id, rolled_at)
  values (p_user.id, p_occasion, p_trigger, v_roll, v_chance, v_outcome, v_row.id, p_now);
  return jsonb_build_object('occasion', p_occasion, 'trigger', p_trigger, 'roll', v_roll, 'chance', v_chance,
    'outcome', v_outcome, 'touchpoint', case when v_row.id is null then null else game.touchpoint_summary(v_row) end);
end
$$;
comment on function game.roll_touchpoint_occasion(public.users, text, text, numeric, numeric, text, timestamptz, bigint, jsonb, boolean, uuid, timestamptz, jsonb) is 'Rolls one touchpoint occasion once: missed, too_close or fired (scheduling the touchpoint, channel by touchpoint_call_share).';
revoke execute on function game.roll_touchpoint_occasion(public.users, text, text, numeric, numeric, text, timestamptz, bigint, jsonb, boolean, uuid, timestamptz, jsonb) from public;
grant execute on function game.roll_touchpoint_occasion(public.users, text, text, numeric, numeric, text, timestamptz, bigint, jsonb, boolean, uuid, timestamptz, jsonb) to service_role;

-- A draw of p_draws by key (an object) or index (an array): a number in [0, 1), or a 22023 error naming it.
create or replace function game.touchpoint_draw(p_draws jsonb, p_key text)
returns numeric
language plpgsql
immutable
security invoker
set search_path = ''
as $$
declare
  v_value jsonb := p_draws -> p_key;
begin
  if v_value is null or jsonb_typeof(v_value) <> 'number' or (v_value #>> '{}')::numeric < 0
     or (v_value #>> '{}')::numeric >= 1 then
    raise exception 'touchpoint draw % missing or outside [0, 1): %', p_key, coalesce(v_value::text, 'none')
      using errcode = '22023';
  end if;
  return (v_value #>> '{}')::numeric;
end
$$;
comment on function game.touchpoint_draw(jsonb, text) is 'The named draw of a touchpoint evaluation, checked to be a number in [0, 1).';
revoke execute on function game.touchpoint_draw(jsonb, text) from public;
grant execute on function game.touchpoint_draw(jsonb, text) to service_role;

-- The i-th event draw (p_draws.events[i], from 0): a number in [0, 1), or a 22023 error naming it.
create or replace function game.touchpoint_event_draw(p_draws jsonb, p_index integer)
returns numeric
language plpgsql
immutable
security invoker
set search_path = ''
as $$
declare
  v_value jsonb := p_draws -> 'events' -> p_index;
begin
  if v_value is null or jsonb_typeof(v_value) <> 'number' or (v_value #>> '{}')::numeric < 0
     or (v_value #>> '{}')::numeric >= 1 then
    raise exception 'touchpoint draw events[%] missing or outside [0, 1): %', p_index, coalesce(v_value::text, 'none')
      using errcode = '22023';
  end if;
  return (v_value #>> '{}')::numeric;
end
$$;
comment on function game.touchpoint_event_draw(jsonb, integer) is 'The i-th event draw of a touchpoint evaluation, checked to be a number in [0, 1).';
revoke execute on function game.touchpoint_event_draw(jsonb, integer) from public;
grant execute on function game.touchpoint_event_draw(jsonb, integer) to service_role;

-- A life event's magnitude for the event trigger: abs(arousal impact) + abs(valence impact).
create or replace function game.life_event_magnitude(p_impact jsonb)
returns numeric
language sql
immutable
security invoker
set search_path = ''
as $$
  select abs(coalesce((p_impact ->> 'arousal')::numeric, 0)) + abs(coalesce((p_impact ->> 'valence')::numeric, 0))
$$;
comment on function game.life_event_magnitude(jsonb) is 'abs(arousal) + abs(valence) of a life event''s emotional impact (GAME_RULES.md §15 event trigger).';
revoke execute on function game.life_event_magnitude(jsonb) from public;
grant execute on function game.life_event_magnitude(jsonb) to service_role;

-- Whether a life event slot (life_event_slots, Berlin hours) of today is on at the Berlin time p_berlin: begun and
-- not over. The night slot (21-06) runs to the end of its Berlin date here, as its events belong to that date.
create or replace function game.life_event_slot_on(p_slot text, p_berlin timestamp, p_t jsonb)
returns boolean
language plpgsql
immutable
security invoker
set search_path = ''
as $$
declare
  v_start integer := (p_t -> 'life_event_slots' -> p_slot ->> 0)::int;
  v_end integer := (p_t -> 'life_event_slots' -> p_slot ->> 1)::int;
  v_hour integer := extract(hour from p_berlin)::int;
begin
  if v_end <= v_start then
    v_end := 24;
  end if;
  return v_hour >= v_start and v_hour < v_end;
end
$$;
comment on function game.life_event_slot_on(text, timestamp, jsonb) is 'Whether a life event slot has begun and is not over at a Berlin time (the night slot ends with its date).';
revoke execute on function game.life_event_slot_on(text, timestamp, jsonb) from public;
grant execute on function game.life_event_slot_on(text, timestamp, jsonb) to service_role;

-- The modifier m of strategic silence (GAME_RULES.md §15) from her emotional state.
create or replace function game.silence_modifier(p_valence numeric, p_arousal numeric, p_dominance numeric, p_t jsonb)
returns numeric
language plpgsql
immutable
security invoker
set search_path = ''
as $$
declare
  v_m numeric := 1;
  v_low numeric := (p_t ->> 'silence_valence_low')::numeric;
  v_mid numeric := (p_t ->> 'silence_valence_mid')::numeric;
begin
  if p_valence < v_low then
    v_m := v_m + (p_t ->> 'silence_low_factor')::numeric * (v_low - p_valence);
  elsif p_valence < v_mid then
    v_m := v_m + (p_t ->> 'silence_mid_factor')::numeric * (v_mid - p_valence);
  end if;
  if p_valence < v_mid and p_arousal > (p_t ->> 'silence_arousal_above')::numeric then
    v_m := v_m + (p_t ->> 'silence_arousal_add')::numeric;
  end if;
  if p_dominance < (p_t ->> 'silence_dominance_below')::numeric then
    v_m := v_m + (p_t ->> 'silence_dominance_add')::numeric;
  end if;
  return round(v_m, 4);
end
$$;
comment on function game.silence_modifier(numeric, numeric, numeric, jsonb) is 'm = 1 + 3(0.3 - valence) below 0.3, else + 1.5(0.4 - valence) below 0.4; + 0.5 for valence < 0.4 with arousal > 0.6; + 0.2 for dominance < 0.3.';
revoke execute on function game.silence_modifier(numeric, numeric, numeric, jsonb) from public;
grant execute on function game.silence_modifier(numeric, numeric, numeric, jsonb) to service_role;

-- Strategic silence at delivery: {zone, valence, arousal, dominance, m, p, draw, skip}: skip is conflict_hot or
-- conflict_critical in those zones, mood when m > silence_skip_above, strategic_silence when the draw is below
-- p = min(silence_base(ch) x m, silence_max_p), else null. Her latest emotional state (neutral without one).
create or replace function game.strategic_silence(p_user_id uuid, p_chapter integer, p_draw numeric,
  p_now timestamptz, p_t jsonb)
returns jsonb
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  v_conflict game.conflict_state;
  v_zone text;
  v_state record;
  v_neutral numeric := coalesce((p_t ->> 'emotion_neutral')::numeric, 0.5);
  v_m numeric;
  v_p numeric;
  v_skip text;
begin
  select * into v_conflict from game.conflict_state c where c.user_id = p_user_id;
  v_zone := game.conflict_zone(coalesce(game.cooled_temperature(v_conflict, p_t, p_now), 0), p_t);
  select e.valence, e.arousal, e.dominance into v_state from public.emotional_states e
  where e.user_id = p_user_id and e.recorded_at <= p_now
  order by e.recorded_at desc, e.id desc limit 1;
  v_m := game.silence_modifier(coalesce(v_state.valence, v_neutral), coalesce(v_state.arousal, v_neutral),
    coalesce(v_state.dominance, v_neutral), p_t);
  v_p := round(least((p_t -> 'silence_base' ->> (p_chapter - 1))::numeric * v_m,
    (p_t ->> 'silence_max_p')::numeric), 4);
  v_skip := case
    when v_zone in ('hot', 'critical') then 'conflict_' || v_zone
    when v_m > (p_t ->> 'silence_skip_above')::numeric then 'mood'
    when p_draw < v_p then 'strategic_silence'
    end;
  return jsonb_build_object('zone', v_zone, 'valence', coalesce(v_state.valence, v_neutral),
    'arousal', coalesce(v_state.arousal, v_neutral), 'dominance', coalesce(v_state.dominance, v_neutral),
    'm', v_m, 'p', v_p, 'draw', p_draw, 'skip', v_skip);
end
$$;
comment on function game.strategic_silence(uuid, integer, numeric, timestamptz, jsonb) is 'Strategic silence of a touchpoint at delivery (GAME_RULES.md §15): the conflict zone, m from her latest emotional state, p and the verdict.';
revoke execute on function game.strategic_silence(uuid, integer, numeric, timestamptz, jsonb) from public;
grant execute on function game.strategic_silence(uuid, integer, numeric, timestamptz, jsonb) to service_role;

-- What callers see of a touchpoint: {id, trigger, channel, due_at, status, life_event_id}.
create or replace function game.touchpoint_summary(p_row game.touchpoints)
returns jsonb
language sql
immutable
security invoker
set search_path = ''
as $$
  select jsonb_build_object('id', p_row.id, 'trigger', p_row.trigger, 'channel', p_row.channel,
    'due_at', p_row.due_at, 'status', p_row.status, 'life_event_id', p_row.life_event_id)
$$;
comment on function game.touchpoint_summary(game.touchpoints) is 'A touchpoint as callers see it: id, trigger, channel, due time, status, life event.';
revoke execute on function game.touchpoint_summary(game.touchpoints) from public;
grant execute on function game.touchpoint_summary(game.touchpoints) to service_role;
