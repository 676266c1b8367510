-- Her ready prompts (PLATFORM.md §6 Ready prompts, §3 prompt layout): the per-player context block of her system
-- prompt, rebuilt after each conversation and at onboarding, and what a reply adds to it live.

create table game.ready_prompts (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references public.users (id) on delete cascade,
  platform text not null check (platform in ('text', 'voice')),
  prompt_text text not null,
  token_estimate integer not null check (token_estimate >= 0),
  sections jsonb not null default '{}',
  conversation_id uuid references public.conversations (id) on delete set null,
  built_at timestamptz not null,
  is_current boolean not null default true
);
comment on table game.ready_prompts is 'The current per-player context block of her prompt, one per player and platform (text, voice): text, token estimate, the sections kept, the conversation it was built after.';
create unique index ready_prompts_current_idx on game.ready_prompts (user_id, platform) where is_current;
create index ready_prompts_conversation_idx on game.ready_prompts (conversation_id) where conversation_id is not null;

alter table game.ready_prompts enable row level security;
grant select, insert, update, delete on game.ready_prompts to service_role;
create policy "ready_prompts: backend only"
  on game.ready_prompts for select to service_role
  using (true);

-- Stores the player's ready prompt for a platform, replacing the current one (the same inputs give the same text,
-- so a rerun of the stage writes the same row again). Returns its id.
create or replace function game.save_ready_prompt(p_user_id uuid, p_platform text, p_prompt_text text,
  p_token_estimate integer, p_sections jsonb, p_conversation_id uuid, p_now timestamptz)
returns uuid
language sql
volatile
security invoker
set search_path = ''
as $$
  insert into game.ready_prompts (user_id, platform, prompt_text, token_estimate, sections, conversation_id, built_at)
  values (p_user_id, p_platform, p_prompt_text, p_token_estimate, p_sections, p_conversation_id, p_now)
  on conflict (user_id, platform) where is_current do update set
    prompt_text = excluded.prompt_text, token_estimate = excluded.token_estimate, sections = excluded.sections,
    conversation_id = excluded.conversation_id, built_at = excluded.built_at
  returning id
$$;
comment on function game.save_ready_prompt(uuid, text, text, integer, jsonb, uuid, timestamptz) is 'Replaces a player''s current ready prompt for text or voice.';
revoke execute on function game.save_ready_prompt(uuid, text, text, integer, jsonb, uuid, timestamptz) from public;
grant execute on function game.save_ready_prompt(uuid, text, text, integer, jsonb, uuid, timestamptz) to service_role;

-- Everything a ready prompt is built from, at p_now (the pipeline's prompt stage assembles the text within its
-- budget): the player and her local time, the relationship (status band, engagement, conflict zone, a boss fight
-- under way), her memory (game.memory_context), continuity (the last conversations' summaries), her inner life (mood,
-- thoughts), her vices for this chapter (GAME_RULES.md §10.4: top 3 within the caps, the expression level, and
-- whether she is still discovering), her current psyche state (§12.1). Never a score or a metric: only what she may
-- act on.
create or replace function game.prompt_inputs(p_user_id uuid, p_now timestamptz)
returns jsonb
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  v_t jsonb := game.tunables_json();
  v_user public.users;
  v_conflict game.conflict_state;
  v_status jsonb;
  v_discovered int;
begin
  select * into v_user from public.users where id = p_user_id;
  if not found then
    raise exception 'player not found: %', p_user_id using errcode = 'PNFND';
  end if;
  select * into v_conflict from game.conflict_state where user_id = p_user_id;
  v_status := game.player_status(p_user_id, p_now);
  select count(*) into v_discovered from public.user_vice_preferences
  where user_id = p_user_id and discovered_at is not null;
  return jsonb_build_object(
    'player', jsonb_build_object('display_name', v_user.display_name, 'city', v_user.city, 'chapter', v_user.chapter,
      'chapter_name', v_status ->> 'chapter_name', 'days_played', v_user.days_played,
      'game_status', v_user.game_status, 'timezone', v_user.timezone,
      'local_time', to_char(p_now at time zone v_user.timezone, 'Dy DD Mon HH24:MI')),
    'relationship', jsonb_build_object('band', v_status ->> 'band',
      'engagement_state', (select e.state from public.engagement_state e where e.user_id = p_user_id),
      'conflict_zone', game.conflict_zone(coalesce(game.cooled_temperature(v_conflict, v_t, p_now), 0), v_t),
      'in_boss_fight', v_user.game_status = 'boss_fight'),
    'memory', game.memory_context(p_user_id, p_now, 30),
    'conversations', coalesce((
      select jsonb_agg(jsonb_build_object('date', to_char(c.started_at at time zone v_user.timezone, 'YYYY-MM-DD'),
               'platform', c.platform, 'summary', c.summary, 'tone', c.emotional_tone) order by c.started_at desc)
      from (select * from public.conversations
            where user_id = p_user_id and status = 'closed' and summary is not null
            order by started_at desc limit 5) c), '[]'::jsonb),
    'mood', (select jsonb_build_object('arousal', s.arousal, 'valence', s.valence, 'dominance', s.dominance,
               'intimacy', s.intimacy, 'conflict_state', s.conflict_state, 'recorded_at', s.recorded_at)
             from public.emotional_states s where s.user_id = p_user_id order by s.recorded_at desc limit 1),
    'vices', jsonb_build_object('top', game.top_vices(p_user_id, v_user.chapter),
      'expression', (array['hint', 'guarded', 'confident', 'direct', 'open'])[v_user.chapter],
      'discovering', v_discovered < (v_t ->> 'vice_discovery_below')::int),
    'psyche', game.current_psyche(p_user_id) -> 'state',
    'life_today', game.todays_life_events(p_user_id, p_now));
end
$$;
comment on function game.prompt_inputs(uuid, timestamptz) is 'What a ready prompt is built from at p_now: player, relationship (band, engagement, conflict zone), memory, recent summaries, mood, vices (GAME_RULES.md §10.4), psyche state (§12.1), her day so far (§13). PNFND.';
revoke execute on function game.prompt_inputs(uuid, timestamptz) from public;
grant execute on function game.prompt_inputs(uuid, timestamptz) to service_role;

-- What her reply to one message adds to the ready prompt, live (PLATFORM.md §3 dynamic tail): the current text ready
-- prompt, her mood now, the conflict zone (hot and critical: she acts on it, GAME_RULES.md §9.1), her vice shaping
-- (§10.4: the top 3 within the chapter caps and the expression level; in discovery mode up to 3 undiscovered
-- categories to probe, drawn per conversation from p_conversation_id), the open threads, and the memories
-- game.search_memory finds for this message (vector and full text fused), and her current psyche state (GAME_RULES.md
-- §12: {state, source, tier, model, generated_at}). p_query may be null (no embedding).
create or replace function game.reply_context(p_user_id uuid, p_query extensions.vector(1536), p_query_text text,
  p_conversation_id uuid, p_now timestamptz)
returns jsonb
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  v_t jsonb := game.tunables_json();
  v_user public.users;
  v_conflict game.conflict_state;
  v_discovered int;
begin
  select * into v_user from public.users where id = p_user_id;
  if not found then
    raise exception 'player not found: %', p_user_id using errcode = 'PNFND';
  end if;
  select * into v_conflict from game.conflict_state where user_id = p_user_id;
  select count(*) into v_discovered from public.user_vice_preferences
  where user_id = p_user_id and discovered_at is not null;
  return jsonb_build_object(
    'ready_prompt', (select r.prompt_text from game.ready_prompts r
                     where r.user_id = p_user_id and r.platform = 'text' and r.is_current),
    'mood', (select jsonb_build_object('arousal', s.arousal, 'valence', s.valence, 'dominance', s.dominance,
               'intimacy', s.intimacy)
             from public.emotional_states s where s.user_id = p_user_id order by s.recorded_at desc limit 1),
    'conflict_zone', game.conflict_zone(coalesce(game.cooled_temperature(v_conflict, v_t, p_now), 0), v_t),
    'vices', jsonb_build_object('top', game.top_vices(p_user_id, v_user.chapter),
      'expression', (array['hint', 'guarded', 'confident', 'direct', 'open'])[v_user.chapter],
      'probe', case when v_discovered < (v_t ->> 'vice_discovery_below')::int then coalesce((
        select jsonb_agg(p.category order by md5(coalesce(p_conversation_id::text, '') || p.category))
        from (select u.category from unnest(game.vice_categories()) as u(category)
              where not exists (select 1 from public.user_vice_preferences v
                                where v.user_id = p_user_id and v.category = u.category and v.discovered_at is not null)
              order by md5(coalesce(p_conversation_id::text, '') || u.category)
              limit (v_t ->> 'vice_probe_count')::int) p), '[]'::jsonb) else '[]'::jsonb end),
    'threads', coalesce((select jsonb_agg(jsonb_build_object('type', t.type, 'content', t.content) order by t.created_at desc)
                         from (select * from game.conversation_threads
                               where user_id = p_user_id and status = 'open'
                               order by created_at desc limit 5) t), '[]'::jsonb),
    'memories', case when p_query is null then '[]'::jsonb else coalesce((
      select jsonb_agg(jsonb_build_object('graph_type', m.graph_type, 'fact', m.fact,
               'date', to_char(m.created_at at time zone v_user.timezone, 'YYYY-MM-DD')))
      from game.search_memory(p_user_id, p_query, 5, null, 0.3::real, p_query_text) m), '[]'::jsonb) end,
    'psyche', game.current_psyche(p_user_id),
    'life_today', game.todays_life_events(p_user_id, p_now));
end
$$;
comment on function game.reply_context(uuid, extensions.vector, text, uuid, timestamptz) is 'What one reply adds to her ready prompt: mood, conflict zone, vice shaping (top 3, expression, probes), open threads, the memories found for the message, her current psyche and her day so far. PNFND.';
revoke execute on function game.reply_context(uuid, extensions.vector, text, uuid, timestamptz) from public;
grant execute on function game.reply_context(uuid, extensions.vector, text, uuid, timestamptz) to service_role;
