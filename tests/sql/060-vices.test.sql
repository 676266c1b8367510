-- Vices (GAME_RULES.md §10): seeding by darkness level, and the signals of an exchange: confidence threshold,
-- chapter sensitivity, discovery, rejection, the floor at 0 and intensity.
begin;
select plan(16);

create function pg_temp.vices(p_user uuid) returns table (category text, engagement_score numeric, intensity_level numeric)
language sql as $$
  select category, engagement_score, intensity_level from public.user_vice_preferences where user_id = p_user order by category
$$;
create function pg_temp.signal(p_user uuid, p_signals jsonb, p_at timestamptz default '2026-01-05 12:00+00') returns jsonb language sql as $$
  select game.apply_exchange(p_user, tests.analysis(0, 0, 0, 0, jsonb_build_object('vice_signals', p_signals)), p_at)
$$;

-- Seeding: the categories of each darkness level, discovered, engagement 1.5, intensity 0.30.
select tests.create_onboarded_player('dark_' || d) from generate_series(1, 5) d;
select game.seed_vices(tests.player('dark_' || d), d, '2026-01-05 09:30+00') from generate_series(1, 5) d;
select results_eq(
  $$select d, array_agg(v.category order by v.category) from generate_series(1, 5) d
    join public.user_vice_preferences v on v.user_id = tests.player('dark_' || d) group by d order by d$$,
  $$values (1, array['intellectual_dominance', 'vulnerability']), (2, array['intellectual_dominance', 'vulnerability']),
           (3, array['dark_humor', 'emotional_intensity', 'intellectual_dominance', 'sexuality', 'vulnerability']),
           (4, array['dark_humor', 'emotional_intensity', 'risk_taking', 'sexuality', 'vulnerability']),
           (5, array['dark_humor', 'emotional_intensity', 'risk_taking', 'sexuality', 'vulnerability'])$$,
  'darkness 1-2, 3 and 4-5 seed their categories');
select is((select count(*) from public.user_vice_preferences where user_id in (select tests.player('dark_' || d) from generate_series(1, 5) d)
           and (engagement_score, intensity_level, discovered_at) is distinct from (1.5, 0.3, '2026-01-05 09:30+00'::timestamptz)), 0::bigint,
  'seeded categories are discovered with engagement 1.5 and intensity 0.30');
select is((select darkness_level from public.users where id = tests.player('dark_4')), 4::smallint, 'the darkness level is stored');
select is(game.seed_vices(tests.player('dark_3'), 3, '2026-01-06 09:30+00') -> 'seeded', '[]'::jsonb, 'seeding twice seeds nothing');
select is((select max(discovered_at) from public.user_vice_preferences where user_id = tests.player('dark_3')), '2026-01-05 09:30+00'::timestamptz,
  'and changes nothing');
select throws_ok(format('select game.seed_vices(%L, 0, %L)', tests.player('dark_1'), '2026-01-05 10:00+00'), 'DKINV',
  'darkness level must be 1..5, got 0', 'darkness 0 is DKINV');
select throws_ok(format('select game.seed_vices(%L, 6, %L)', tests.player('dark_1'), '2026-01-05 10:00+00'), 'DKINV',
  'darkness level must be 1..5, got 6', 'darkness 6 is DKINV');
select throws_ok(format('select game.seed_vices(%L, 3, %L)', gen_random_uuid(), '2026-01-05 10:00+00'), 'PNFND', null,
  'an unknown player is PNFND');

-- Signals in chapter 1 (sensitivity 1.5).
select tests.create_onboarded_player('vic') as vic \gset
select game.seed_vices(:'vic', 1, '2026-01-05 09:30+00');
select pg_temp.signal(:'vic', '[{"category": "risk_taking", "confidence": 0.8, "positive": true},
  {"category": "vulnerability", "confidence": 0.8, "positive": false},
  {"category": "substances", "confidence": 0.9, "positive": false},
  {"category": "dark_humor", "confidence": 0.49, "positive": true},
  {"category": "intellectual_dominance", "confidence": 0.5, "positive": true}]');
select results_eq($$select * from pg_temp.vices(tests.player('vic'))$$,
  $$values ('intellectual_dominance'::text, 2.25::numeric, 0.45::numeric), ('risk_taking', 1.2, 0.24), ('vulnerability', 0.9, 0.18)$$,
  'positive: +conf x 1.0 x 1.5 (discovering risk_taking); rejection: -conf x 0.5 x 1.5; undiscovered rejections and confidence < 0.5 ignored');
select is((select discovered_at from public.user_vice_preferences where user_id = :'vic' and category = 'risk_taking'),
  '2026-01-05 12:00+00'::timestamptz, 'a positive signal discovers the category at now');
select is((select event_details -> 'vices' -> 0 ->> 'discovered' from public.score_history where user_id = :'vic'), 'true',
  'the change is recorded in the exchange''s history row');

select pg_temp.signal(:'vic', '[{"category": "vulnerability", "confidence": 1, "positive": false}]', '2026-01-05 12:05+00');
select is((select engagement_score from public.user_vice_preferences where user_id = :'vic' and category = 'vulnerability'), 0.15::numeric,
  '0.9 - 0.75 = 0.15');
select pg_temp.signal(:'vic', '[{"category": "vulnerability", "confidence": 1, "positive": false}]', '2026-01-05 12:10+00');
select is((select engagement_score from public.user_vice_preferences where user_id = :'vic' and category = 'vulnerability'), 0::numeric,
  'engagement never goes below 0');
update public.user_vice_preferences set engagement_score = 4.5 where user_id = :'vic' and category = 'risk_taking';
select pg_temp.signal(:'vic', '[{"category": "risk_taking", "confidence": 1, "positive": true}]', '2026-01-05 12:15+00');
select results_eq($$select engagement_score, intensity_level from public.user_vice_preferences where user_id = tests.player('vic') and category = 'risk_taking'$$,
  $$values (6::numeric, 1::numeric)$$, 'intensity = min(engagement / 5, 1)');

-- Sensitivity by chapter: 1.5, 1.25, 1.0, 0.75, 0.5.
select tests.create_onboarded_player('sens_' || c) from generate_series(1, 5) c;
update public.users set chapter = c from generate_series(1, 5) c where id = tests.player('sens_' || c);
select pg_temp.signal(tests.player('sens_' || c), '[{"category": "dark_humor", "confidence": 1, "positive": true}]') from generate_series(1, 5) c;
select results_eq(
  $$select c, (select engagement_score from public.user_vice_preferences where user_id = tests.player('sens_' || c)) from generate_series(1, 5) c$$,
  $$values (1, 1.5::numeric), (2, 1.25), (3, 1.0), (4, 0.75), (5, 0.5)$$,
  'a full-confidence positive signal by chapter: 1.5, 1.25, 1.0, 0.75, 0.5');
select tests.create_onboarded_player('rej5') as rej5 \gset
update public.users set chapter = 5 where id = :'rej5';
select game.seed_vices(:'rej5', 1, '2026-01-05 09:30+00');
select pg_temp.signal(:'rej5', '[{"category": "vulnerability", "confidence": 1, "positive": false}]');
select is((select engagement_score from public.user_vice_preferences where user_id = :'rej5' and category = 'vulnerability'), 1.25::numeric,
  'a rejection in chapter 5: -1 x 0.5 x 0.5');

select * from finish();
rollback;
