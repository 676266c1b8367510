-- Her ready prompts and what a reply adds live (PLATFORM.md §6, §3; GAME_RULES.md §9.1, §10.4): one current prompt
-- per player and platform, replaced in place; the inputs a prompt is built from; the live context of a reply.
begin;
select plan(16);

select tests.create_onboarded_player('rae', '2026-01-05 09:00+00', 'Europe/Lisbon') as rae \gset
select game.seed_vices(:'rae', 4, '2026-01-05 09:00+00');

-- One current prompt per player and platform, replaced in place.
select game.save_ready_prompt(:'rae', 'text', 'first', 2, '{}', null, '2026-01-05 10:00+00') as p1 \gset
select game.save_ready_prompt(:'rae', 'text', 'second', 3, '{"kept": ["memory"]}', null, '2026-01-05 11:00+00') as p2 \gset
select is(:'p2'::uuid, :'p1'::uuid, 'a rebuild replaces the current text prompt');
select results_eq($$select prompt_text, token_estimate, built_at from game.ready_prompts where user_id = tests.player('rae') and platform = 'text'$$,
  $$values ('second'::text, 3, '2026-01-05 11:00+00'::timestamptz)$$, 'with the new text');
select game.save_ready_prompt(:'rae', 'voice', 'spoken', 1, '{}', null, '2026-01-05 11:00+00');
select is((select count(*)::int from game.ready_prompts where user_id = :'rae' and is_current), 2, 'one text and one voice prompt');

-- The inputs: the player, the relationship without a number, memory, vices for the chapter.
select game.prompt_inputs(:'rae', '2026-01-05 12:00+00') as i \gset
select is(:'i'::jsonb -> 'player' ->> 'local_time', 'Mon 05 Jan 12:00', 'her local time in the player''s zone');
select is(:'i'::jsonb -> 'relationship', '{"band": "warming up to you", "engagement_state": "calibrating", "conflict_zone": "calm", "in_boss_fight": false}'::jsonb,
  'the relationship as she may act on it: a band, never a score');
select is(:'i'::jsonb -> 'vices' ->> 'expression', 'hint', 'chapter 1 vices are hinted at');
select is(jsonb_array_length(:'i'::jsonb -> 'vices' -> 'top'), 3, 'her top 3 vices');
select is(:'i'::jsonb -> 'memory' -> 'facts', '{"user": [], "relationship": [], "nikita": []}'::jsonb, 'no memory yet');

-- Her day so far (GAME_RULES.md §13): the events of her Berlin date whose slot has begun, in the prompt and the tail.
insert into public.life_events (user_id, event_date, ordinal, time_of_day, domain, event_type, description, people,
  emotional_impact, importance)
values (:'rae', '2026-01-05', 1, 'morning', 'work', 'meeting', 'A stand-up that ran an hour over.', '{David}', '{"valence": -0.1}', 0.4),
       (:'rae', '2026-01-05', 2, 'evening', 'social', 'friend_hangout', 'Drinks with Lena at Sunset Bar.', '{Lena}', '{"valence": 0.2}', 0.6);
select is(jsonb_path_query_array(game.prompt_inputs(:'rae', '2026-01-05 12:00+00') -> 'life_today', '$[*].description'),
  '["A stand-up that ran an hour over."]'::jsonb, 'at noon Berlin her morning is in her prompt, her evening not yet');
select is(jsonb_array_length(game.prompt_inputs(:'rae', '2026-01-05 04:59+00') -> 'life_today'), 0,
  'before 06:00 Berlin her day has had nothing yet');
select is(jsonb_array_length(game.reply_context(:'rae', null, 'hi', null, '2026-01-05 20:00+00') -> 'life_today'), 2,
  'at 21:00 Berlin a reply knows both');

-- The live context of a reply: her current prompt, the conflict zone, probes while discovering.
update game.conflict_state set temperature = 60, updated_at = '2026-01-05 12:00+00' where user_id = :'rae';
select game.reply_context(:'rae', null, 'hello', '00000000-0000-4000-8000-000000000001', '2026-01-05 12:00+00') as r \gset
select is(:'r'::jsonb ->> 'ready_prompt', 'second', 'her current text prompt');
select is(:'r'::jsonb ->> 'conflict_zone', 'hot', 'a hot conflict, which she acts on');
select is(:'r'::jsonb -> 'vices' -> 'probe', '[]'::jsonb, 'five categories discovered: no discovery probes');
select tests.create_onboarded_player('new') as new \gset
select is(jsonb_array_length(game.reply_context(:'new', null, 'hi', '00000000-0000-4000-8000-000000000001', '2026-01-05 12:00+00') -> 'vices' -> 'probe'), 3,
  'fewer than 3 discovered: she probes 3 undiscovered categories');
select is(game.reply_context(:'new', null, 'hi', '00000000-0000-4000-8000-000000000001', '2026-01-05 12:00+00') -> 'vices' -> 'probe',
  game.reply_context(:'new', null, 'hi again', '00000000-0000-4000-8000-000000000001', '2026-01-05 12:05+00') -> 'vices' -> 'probe',
  'the same probes throughout a conversation');

select * from finish();
rollback;
