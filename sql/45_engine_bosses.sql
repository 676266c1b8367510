-- Boss encounters (GAME_RULES.md §5): start, the two phases, judging, outcomes and timeouts.

-- Boss encounters (GAME_RULES.md §5): one row per encounter; at most one open per player.
create table game.boss_fights (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references public.users (id) on delete cascade,
  chapter smallint not null check (chapter between 1 and 5),
  conversation_id uuid references public.conversations (id) on delete set null,
  phase text not null default 'opening' check (phase in ('opening', 'resolution', 'judging', 'resolved')),
  started_at timestamptz not null,
  phase_started_at timestamptz not null,
  opening_sent_at timestamptz,
  resolution_replies integer not null default 0 check (resolution_replies >= 0),
  outcome text check (outcome in ('PASS', 'PARTIAL', 'FAIL', 'TIMEOUT')),
  verdict jsonb,
  resolved_at timestamptz,
  check ((phase = 'resolved') = (resolved_at is not null))
);
comment on table game.boss_fights is 'Boss encounters: phase (opening, resolution, judging, resolved), phase start for the 24 h timeout, replies in resolution, verdict and applied outcome.';
comment on column game.boss_fights.opening_sent_at is 'When her opening challenge was delivered: the phases count from then, and a reply that came before it is not the answer to it.';
create unique index boss_fights_one_open_idx on game.boss_fights (user_id) where phase <> 'resolved';
create index boss_fights_user_started_idx on game.boss_fights (user_id, started_at desc);
create index boss_fights_conversation_idx on game.boss_fights (conversation_id) where conversation_id is not null;
-- The hourly timeout sweep: open phases by start time.
create index boss_fights_open_phase_idx on game.boss_fights (phase_started_at) where phase in ('opening', 'resolution');

alter table game.boss_fights enable row level security;
grant select, insert, update, delete on game.boss_fights to service_role;
create policy "boss_fights: backend only"
  on game.boss_fights for select to service_role
  using (true);

-- Starts the chapter's boss for a locked, active player: the open Telegram conversation closes and the
-- encounter gets a conversation of its own. Returns the boss_started event.
create or replace function game.start_boss(p_user public.users, p_tunables jsonb, p_now timestamptz)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_conversation_id uuid;
  v_fight_id uuid;
begin
  update public.conversations set status = 'closed', ended_at = p_now
  where user_id = p_user.id and platform = 'telegram' and status = 'open';
  insert into public.conversations (user_id, platform, status, started_at, last_message_at, chapter_at_start, is_boss_fight)
  values (p_user.id, 'telegram', 'open', p_now, p_now, p_user.chapter, true)
  returning id into v_conversation_id;
  insert into game.boss_fights (user_id, chapter, conversation_id, phase, started_at, phase_started_at)
  values (p_user.id, p_user.chapter, v_conversation_id, 'opening', p_now, p_now)
  returning id into v_fight_id;
  update public.users set game_status = 'boss_fight', boss_fight_started_at = p_now where id = p_user.id;
  return jsonb_build_object('type', 'boss_started', 'boss_fight_id', v_fight_id, 'chapter', p_user.chapter,
    'conversation_id', v_conversation_id, 'opening_delay_seconds', (p_tunables ->> 'boss_opening_delay')::numeric);
end
$$;
comment on function game.start_boss(public.users, jsonb, timestamptz) is 'Starts a boss encounter (GAME_RULES.md §5.1): status boss_fight, phase opening, its own conversation.';
revoke execute on function game.start_boss(public.users, jsonb, timestamptz) from public;
grant execute on function game.start_boss(public.users, jsonb, timestamptz) to service_role;

-- Records a player reply during a boss encounter. Returns {boss_fight_id, phase (after the reply), judge_now,
-- her_reply: follow_up|answer|none, early, resolution_replies, game_status, events}: the step game.boss_step says.
create or replace function game.boss_turn(p_user_id uuid, p_now timestamptz)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_tunables jsonb := game.tunables_json();
  v_late jsonb := game.begin_boss_reply(p_user_id, v_tunables, p_now);
  v_fight game.boss_fights;
  v_step jsonb;
begin
  if v_late is not null then
    return v_late;
  end if;
  select * into v_fight from game.boss_fights where user_id = p_user_id and phase <> 'resolved' for no key update;
  v_step := game.boss_step(v_fight, v_tunables);
  update game.boss_fights set phase = v_step ->> 'phase',
    phase_started_at = case when (v_step ->> 'phase_starts')::boolean then p_now else phase_started_at end,
    resolution_replies = (v_step ->> 'resolution_replies')::int
  where id = v_fight.id;
  update public.conversations set last_message_at = greatest(last_message_at, p_now) where id = v_fight.conversation_id;
  return (v_step - 'phase_starts') || jsonb_build_object('game_status', 'boss_fight', 'events', '[]'::jsonb);
end
$$;
comment on function game.boss_turn(uuid, timestamptz) is 'A player reply during a boss encounter (GAME_RULES.md §5.2): opening -> resolution; the 2nd resolution reply asks for the judge; a reply before her opening was delivered moves nothing. GOVER, BOSSN; a due timeout is applied first.';
revoke execute on function game.boss_turn(uuid, timestamptz) from public;
grant execute on function game.boss_turn(uuid, timestamptz) to service_role;

-- A phone call during a boss encounter in which the player spoke (GAME_RULES.md §16): the call is not scored;
-- its transcript joins the boss transcript, both phases count as complete, and the judge runs.
-- Returns {boss_fight_id, phase: judging, judge_now, timed_out, game_status, events}.
create or replace function game.boss_call(p_user_id uuid, p_now timestamptz)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_tunables jsonb := game.tunables_json();
  v_late jsonb := game.begin_boss_reply(p_user_id, v_tunables, p_now);
  v_fight game.boss_fights;
begin
  if v_late is not null then
    return v_late;
  end if;
  update game.boss_fights set phase = 'judging'
  where user_id = p_user_id and phase <> 'resolved'
  returning * into v_fight;
  return jsonb_build_object('boss_fight_id', v_fight.id, 'phase', 'judging', 'judge_now', true, 'timed_out', false,
    'game_status', 'boss_fight', 'events', '[]'::jsonb);
end
$$;
comment on function game.boss_call(uuid, timestamptz) is 'A call in which the player spoke during a boss encounter: both phases complete and the judge runs (GAME_RULES.md §16). GOVER, BOSSN; a due timeout is applied first.';
revoke execute on function game.boss_call(uuid, timestamptz) from public;
grant execute on function game.boss_call(uuid, timestamptz) to service_role;

-- Applies the judge's verdict to the encounter awaiting it. p_verdict: {outcome: PASS|PARTIAL|FAIL|ERROR,
-- confidence: 0..1, reasoning: text}. Confidence below 0.7 turns PASS or FAIL into PARTIAL; ERROR counts as PARTIAL.
create or replace function game.resolve_boss(p_user_id uuid, p_verdict jsonb, p_now timestamptz)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_tunables jsonb := game.tunables_json();
  v_user public.users;
  v_fight game.boss_fights;
  v_outcome text := p_verdict ->> 'outcome';
  v_confidence numeric;
  v_applied text;
begin
  if jsonb_typeof(p_verdict) is distinct from 'object' or v_outcome is null
     or v_outcome not in ('PASS', 'PARTIAL', 'FAIL', 'ERROR') then
    raise exception 'verdict invalid: outcome must be PASS, PARTIAL, FAIL or ERROR' using errcode = 'VRBAD';
  end if;
  if v_outcome <> 'ERROR' and (jsonb_typeof(p_verdict -> 'confidence') is distinct from 'number'
     or (p_verdict ->> 'confidence')::numeric not between 0 and 1) then
    raise exception 'verdict invalid: confidence must be a number in 0..1' using errcode = 'VRBAD';
  end if;
  if p_verdict ? 'reasoning' and jsonb_typeof(p_verdict -> 'reasoning') not in ('string', 'null') then
    raise exception 'verdict invalid: reasoning must be text' using errcode = 'VRBAD';
  end if;
  v_confidence := (p_verdict ->> 'confidence')::numeric;

  v_user := game.lock_player(p_user_id);
  if v_user.game_status in ('game_over', 'won') then
    raise exception 'game finished' using errcode = 'GOVER', detail = v_user.game_status;
  end if;
  select * into v_fight from game.boss_fights where user_id = p_user_id and phase <> 'resolved' for no key update;
  if v_user.game_status <> 'boss_fight' or v_fight.phase is distinct from 'judging' then
    raise exception 'no boss fight awaits a verdict' using errcode = 'BOSSN';
  end if;

  v_applied := case
    when v_outcome = 'ERROR' then 'PARTIAL'
    when v_outcome in ('PASS', 'FAIL') and v_confidence < (v_tunables ->> 'boss_min_confidence')::numeric then 'PARTIAL'
    else v_outcome end;
  return game.apply_boss_outcome(p_user_id, v_fight.id, v_applied, p_verdict, 'boss_' || lower(v_applied), v_tunables, p_now)
    || jsonb_build_object('judged_outcome', v_outcome, 'boss_fight_id', v_fight.id);
end
$$;
comment on function game.resolve_boss(uuid, jsonb, timestamptz) is 'Applies the boss judge''s verdict (GAME_RULES.md §5.3-5.4); VRBAD for an invalid verdict, BOSSN unless the encounter awaits judgment, GOVER when finished.';
revoke execute on function game.resolve_boss(uuid, jsonb, timestamptz) from public;
grant execute on function game.resolve_boss(uuid, jsonb, timestamptz) to service_role;

-- The hourly sweep: every open phase past its deadline counts as FAIL, each once. Timeouts are few per hour,
-- so each is applied through the same per-player outcome code as a verdict (one home for the outcome table).
create or replace function game.expire_boss_fights(p_now timestamptz)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_tunables jsonb := game.tunables_json();
  v_user_id uuid;
  v_result jsonb;
  v_expired int := 0;
  v_game_overs int := 0;
begin
  for v_user_id in
    select f.user_id from game.boss_fights f
    where f.phase in ('opening', 'resolution')
      and f.phase_started_at + make_interval(hours => (v_tunables ->> 'boss_phase_timeout')::int) <= p_now
    order by f.phase_started_at
  loop
    perform game.lock_player(v_user_id);
    v_result := game.expire_due_boss_fight(v_user_id, v_tunables, p_now);
    continue when v_result is null;
    v_expired := v_expired + 1;
    v_game_overs := v_game_overs + (v_result ->> 'game_status' = 'game_over')::int;
  end loop;
  return jsonb_build_object('expired', v_expired, 'game_overs', v_game_overs);
end
$$;
comment on function game.expire_boss_fights(timestamptz) is 'Hourly: applies every due boss phase timeout as FAIL at its deadline (GAME_RULES.md §5.2); returns counts.';
revoke execute on function game.expire_boss_fights(timestamptz) from public;
grant execute on function game.expire_boss_fights(timestamptz) to service_role;

-- If the locked player's open phase passed its deadline by p_now, applies the timeout (a FAIL effective at the
-- deadline) and returns its result; otherwise null. Once the 2nd resolution reply is in, no timeout applies.
create or replace function game.expire_due_boss_fight(p_user_id uuid, p_tunables jsonb, p_now timestamptz)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_fight game.boss_fights;
  v_deadline timestamptz;
begin
  select * into v_fight from game.boss_fights
  where user_id = p_user_id and phase in ('opening', 'resolution') for no key update;
  if not found then
    return null;
  end if;
  v_deadline := v_fight.phase_started_at + make_interval(hours => (p_tunables ->> 'boss_phase_timeout')::int);
  if p_now < v_deadline then
    return null;
  end if;
  return game.apply_boss_outcome(p_user_id, v_fight.id, 'FAIL',
    jsonb_build_object('outcome', 'TIMEOUT', 'phase', v_fight.phase), 'boss_timeout', p_tunables, v_deadline)
    || jsonb_build_object('timed_out', true, 'deadline', v_deadline);
end
$$;
comment on function game.expire_due_boss_fight(uuid, jsonb, timestamptz) is 'Applies a due boss phase timeout for one locked player (FAIL at the deadline, GAME_RULES.md §5.2); null when none is due.';
revoke execute on function game.expire_due_boss_fight(uuid, jsonb, timestamptz) from public;
grant execute on function game.expire_due_boss_fight(uuid, jsonb, timestamptz) to service_role;

-- The start of every player reply in an encounter (a message or a call): GOVER when the game is finished, BOSSN
-- without an encounter, then the interaction is recorded and a due timeout applied first. Returns the late-reply
-- result when the timeout ended the encounter, else null.
create or replace function game.begin_boss_reply(p_user_id uuid, p_tunables jsonb, p_now timestamptz)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_user public.users := game.lock_player(p_user_id);
  v_timeout jsonb;
begin
  if v_user.game_status in ('game_over', 'won') then
    raise exception 'game finished' using errcode = 'GOVER', detail = v_user.game_status;
  end if;
  if v_user.game_status <> 'boss_fight' then
    raise exception 'no boss fight active' using errcode = 'BOSSN';
  end if;
  perform game.touch_interaction(p_user_id, p_now);
  -- A late reply: the timeout is applied (and kept); the reply belongs to no phase.
  v_timeout := game.expire_due_boss_fight(p_user_id, p_tunables, p_now);
  if v_timeout is null then
    return null;
  end if;
  return jsonb_build_object('boss_fight_id', null, 'phase', null, 'judge_now', false, 'her_reply', 'none',
    'timed_out', true, 'game_status', v_timeout ->> 'game_status', 'events',
    jsonb_build_array(jsonb_build_object('type', 'boss_timeout')) || (v_timeout -> 'events'));
end
$$;
comment on function game.begin_boss_reply(uuid, jsonb, timestamptz) is 'Checks and bookkeeping shared by boss_turn and boss_call: GOVER, BOSSN, the interaction, a due timeout first.';
revoke execute on function game.begin_boss_reply(uuid, jsonb, timestamptz) from public;
grant execute on function game.begin_boss_reply(uuid, jsonb, timestamptz) to service_role;

-- Applies an outcome (PASS, PARTIAL, FAIL) at p_at to a locked player and their open encounter: the outcome
-- table of §5.4, one history row, and for timeouts an event message. Scores never change here.
create or replace function game.apply_boss_outcome(p_user_id uuid, p_fight_id uuid, p_applied text, p_judged jsonb,
  p_event_type text, p_tunables jsonb, p_at timestamptz)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_user public.users;
  v_attempts int;
  v_chapter int;
  v_status text;
  v_reason text;
  v_cooldown timestamptz;
  v_events jsonb := '[]'::jsonb;
  v_history_id bigint;
begin
  select * into v_user from public.users where id = p_user_id;
  v_attempts := v_user.boss_attempts;
  v_chapter := v_user.chapter;
  v_status := 'active';
  if p_applied = 'PASS' then
    v_attempts := 0;
    if v_user.chapter < 5 then
      v_chapter := v_user.chapter + 1;
      v_events := v_events || jsonb_build_object('type', 'chapter_advanced', 'from', v_user.chapter, 'to', v_chapter);
    else
      v_status := 'won';
      v_events := v_events || jsonb_build_object('type', 'won');
    end if;
  elsif p_applied = 'FAIL' then
    v_attempts := v_user.boss_attempts + 1;
    if v_attempts >= (p_tunables ->> 'boss_max_attempts')::int then
      v_status := 'game_over';
      v_reason := 'boss';
      v_events := v_events || jsonb_build_object('type', 'game_over', 'reason', 'boss');
    else
      v_cooldown := p_at + make_interval(hours => (p_tunables ->> 'boss_cooldown')::int);
      v_events := v_events || jsonb_build_object('type', 'boss_failed', 'attempts', v_attempts,
        'remaining', (p_tunables ->> 'boss_max_attempts')::int - v_attempts);
    end if;
  else
    v_cooldown := p_at + make_interval(hours => (p_tunables ->> 'boss_cooldown')::int);
    v_events := v_events || jsonb_build_object('type', 'boss_partial', 'judge_error', coalesce(p_judged ->> 'outcome' = 'ERROR', false));
  end if;

  update public.users set
    boss_attempts = v_attempts, chapter = v_chapter, game_status = v_status, game_over_reason = v_reason,
    cool_down_until = v_cooldown, boss_fight_started_at = null,
    -- Back to active: time spent in the encounter never decays (§7.2).
    decay_through = case when v_status = 'active' then p_at else decay_through end
  where id = p_user_id;
  update game.boss_fights set phase = 'resolved', outcome = case when p_event_type = 'boss_timeout' then 'TIMEOUT' else p_applied end,
    verdict = p_judged, resolved_at = p_at
  where id = p_fight_id;

  v_history_id := game.write_history(p_user_id, v_user.relationship_score, v_chapter, p_event_type,
    jsonb_build_object('boss_fight_id', p_fight_id, 'judged_outcome', p_judged ->> 'outcome',
      'confidence', p_judged -> 'confidence', 'applied_outcome', p_applied, 'attempts', v_attempts,
      'from_chapter', v_user.chapter, 'to_chapter', v_chapter, 'cooldown_until', v_cooldown, 'events', v_events),
    null, p_at);
  if p_event_type = 'boss_timeout' then
    perform game.queue_event(p_user_id, v_history_id,
      jsonb_build_object('event', 'boss_timeout', 'chapter', v_user.chapter, 'events', v_events), p_at);
  end if;
  return jsonb_build_object('applied_outcome', p_applied, 'boss_attempts', v_attempts, 'chapter', v_chapter,
    'game_status', v_status, 'cool_down_until', v_cooldown, 'history_id', v_history_id, 'events', v_events);
end
$$;
comment on function game.apply_boss_outcome(uuid, uuid, text, jsonb, text, jsonb, timestamptz) is 'The boss outcome table (GAME_RULES.md §5.4) for one locked player: attempts, chapter, status, cooldown, won, game over; one history row.';
revoke execute on function game.apply_boss_outcome(uuid, uuid, text, jsonb, text, jsonb, timestamptz) from public;
grant execute on function game.apply_boss_outcome(uuid, uuid, text, jsonb, text, jsonb, timestamptz) to service_role;

-- What a player reply does to an open encounter (GAME_RULES.md §5.2), without applying it: game.boss_turn applies
-- it, game.begin_turn shows it to the turn before the models write her line. A reply before her opening challenge
-- was delivered is not the answer to it: nothing moves and she answers it after the opening (early). In the opening
-- phase the reply starts the resolution; in the resolution the 2nd reply asks for the judge; while judging, the
-- reply joins the transcript only. Returns {boss_fight_id, chapter, conversation_id, phase, phase_starts,
-- resolution_replies, her_reply: follow_up|answer|none, judge_now, early, timed_out: false}.
create or replace function game.boss_step(p_fight game.boss_fights, p_tunables jsonb)
returns jsonb
language plpgsql
immutable
security invoker
set search_path = ''
as $$
declare
  v_phase text := p_fight.phase;
  v_replies int := p_fight.resolution_replies;
  v_her_reply text := 'none';
  v_judge boolean := false;
  v_starts boolean := false;
  v_early boolean := false;
begin
  if v_phase = 'opening' and p_fight.opening_sent_at is null then
    v_early := true;
    v_her_reply := 'answer';
  elsif v_phase = 'opening' then
    v_phase := 'resolution';
    v_starts := true;
    v_her_reply := 'follow_up';
  elsif v_phase = 'resolution' then
    v_replies := v_replies + 1;
    if v_replies >= (p_tunables ->> 'boss_resolution_replies')::int then
      v_phase := 'judging';
      v_judge := true;
    else
      v_her_reply := 'answer';
    end if;
  end if;
  return jsonb_build_object('boss_fight_id', p_fight.id, 'chapter', p_fight.chapter,
    'conversation_id', p_fight.conversation_id, 'phase', v_phase, 'phase_starts', v_starts,
    'resolution_replies', v_replies, 'her_reply', v_her_reply, 'judge_now', v_judge, 'early', v_early,
    'timed_out', false);
end
$$;
comment on function game.boss_step(game.boss_fights, jsonb) is 'The step a player reply makes in an open encounter (GAME_RULES.md §5.2), computed, not applied: phase, resolution replies, her reply, whether the judge runs, whether the reply came before her opening.';
revoke execute on function game.boss_step(game.boss_fights, jsonb) from public;
grant execute on function game.boss_step(game.boss_fights, jsonb) to service_role;
