-- Her top vices for the prompt and the judge (GAME_RULES.md §10.4), and a voice call scored exactly once (§16).
begin;
select plan(7);

-- Effective intensity = min(intensity, the chapter's cap); kept from 0.30; the top 3; ties by engagement, then
-- discovery. In chapter 1 substances is capped at 0.30 and sexuality at 0.35.
select tests.create_onboarded_player('vic') as vic \gset
insert into public.user_vice_preferences (user_id, category, engagement_score, intensity_level, discovered_at) values
  (:'vic', 'substances', 5.0, 1.0, '2026-01-05 09:00+00'),
  (:'vic', 'sexuality', 4.0, 0.8, '2026-01-05 09:00+00'),
  (:'vic', 'dark_humor', 2.0, 0.4, '2026-01-05 09:00+00'),
  (:'vic', 'risk_taking', 1.75, 0.35, '2026-01-05 08:00+00'),
  (:'vic', 'vulnerability', 1.75, 0.35, '2026-01-05 09:00+00'),
  (:'vic', 'rule_breaking', 1.45, 0.29, '2026-01-05 09:00+00'),
  (:'vic', 'emotional_intensity', 5.0, 1.0, null);
select is(game.top_vices(:'vic', 1),
  '[{"category": "dark_humor", "intensity": 0.4, "engagement_score": 2.0},
    {"category": "sexuality", "intensity": 0.35, "engagement_score": 4.0},
    {"category": "risk_taking", "intensity": 0.35, "engagement_score": 1.75}]'::jsonb,
  'chapter 1: sexuality capped at 0.35, ties broken by engagement then earlier discovery; undiscovered left out');
select is(jsonb_path_query_array(game.top_vices(:'vic', 5), '$[*].category'), '["substances", "sexuality", "dark_humor"]'::jsonb,
  'chapter 5: substances capped at 0.80, sexuality at 0.85 (0.80 here), both above dark humour');
update public.user_vice_preferences set intensity_level = 0.29 where user_id = :'vic';
select is(game.top_vices(:'vic', 3), '[]'::jsonb, 'nothing below 0.30 shapes her');

-- A voice call is scored once: a replayed post-call finds the conversation scored and changes nothing.
select tests.create_onboarded_player('caller') as caller \gset
insert into public.conversations (user_id, platform, status, started_at, last_message_at, ended_at, chapter_at_start)
values (:'caller', 'voice', 'closed', '2026-01-05 12:00+00', '2026-01-05 12:10+00', '2026-01-05 12:10+00', 1)
returning id as call \gset
select is((game.apply_exchange(:'caller', tests.analysis(2, 2, 2, 2), '2026-01-05 12:11+00', 'voice', :'call') ->> 'scored')::boolean,
  true, 'the call is scored');
select is(game.apply_exchange(:'caller', tests.analysis(2, 2, 2, 2), '2026-01-05 12:12+00', 'voice', :'call') - 'score_before' - 'score_after',
  '{"scored": false, "duplicate": true, "delta": 0, "chapter": 1, "game_status": "active", "events": []}'::jsonb,
  'a second scoring of the same call is a duplicate');
select is((select count(*)::int from public.score_history where user_id = :'caller' and event_type = 'voice_call'), 1,
  'one voice_call row');
select is(tests.score(:'caller'), 51.8000, 'the score moved once (+2 x 0.9 while calibrating)');

select * from finish();
rollback;
