-- Her life (GAME_RULES.md §13): the Berlin date, 3-5 events and their slots, the weekly routine and her days off,
-- arcs opening (0.2 while fewer than 3), resolving (min(0.9, days / (2 x typical))) with weighted outcomes, her mood
-- from the 3 dates before and its lean, recent events, the §13.1 bounds, her feelings towards the people involved,
-- the day's mark, eligibility, the job's due players and the events whose slot has begun. January is UTC+1 in
-- Berlin; 2026-01-05 is a Monday (ISO week 2).
begin;
select plan(115);

create function pg_temp.draws(p_count numeric default 0.5, p_slots numeric default 0, p_open numeric default 0.99,
  p_kind numeric default 0, p_resolve numeric[] default '{0.99, 0.99, 0.99}', p_outcome numeric[] default '{0, 0, 0}')
returns jsonb language sql as $$
  select jsonb_build_object('count', p_count, 'slots', p_slots, 'arc_open', p_open, 'arc_kind', p_kind,
    'arc_resolve', to_jsonb(p_resolve), 'arc_outcome', to_jsonb(p_outcome))
$$;
create function pg_temp.plan(p_user uuid, p_now timestamptz, p_draws jsonb default null) returns jsonb
language sql as $$ select game.plan_life_day(p_user, p_now, coalesce(p_draws, pg_temp.draws())) $$;
create function pg_temp.ev(p_slot text, p_domain text, p_type text, p_impact jsonb default '{"valence": 0}',
  p_people text[] default '{}', p_arc text default null,
  p_description text default 'A quiet hour at Bluestone Cafe with a book.', p_importance numeric default 0.4)
returns jsonb language sql as $$
  select jsonb_build_object('time_of_day', p_slot, 'domain', p_domain, 'event_type', p_type,
    'description', p_description, 'people', to_jsonb(p_people), 'places', '["Bluestone Cafe"]'::jsonb,
    'emotional_impact', p_impact, 'importance', p_importance, 'arc', p_arc)
$$;
-- One personal errand per slot of the plan.
create function pg_temp.day(p_plan jsonb) returns jsonb language sql as $$
  select jsonb_agg(pg_temp.ev(s, 'personal', 'errand') order by n)
  from jsonb_array_elements_text(p_plan -> 'slots') with ordinality t(s, n)
$$;
-- The plan's day with event p_index (1-based) replaced by p_event.
create function pg_temp.day_with(p_plan jsonb, p_index int, p_event jsonb) returns jsonb language sql as $$
  select jsonb_set(pg_temp.day(p_plan), array[(p_index - 1)::text], p_event)
$$;
create function pg_temp.save(p_user uuid, p_plan jsonb, p_events jsonb, p_now timestamptz default '2026-01-05 05:00+00')
returns jsonb language sql as $$
  select game.save_life_day(p_user, (p_plan ->> 'date')::date, p_plan, p_events, p_now)
$$;
create function pg_temp.past(p_user uuid, p_date date, p_ordinal int, p_impact jsonb, p_description text default 'An ordinary day of hers.')
returns void language sql as $$
  insert into public.life_events (user_id, event_date, ordinal, time_of_day, domain, event_type, description,
    emotional_impact, importance)
  values (p_user, p_date, p_ordinal, 'afternoon', 'personal', 'errand', p_description, p_impact, 0.3)
$$;

select tests.create_onboarded_player('life', '2026-01-01 09:00+00') as life \gset

-- The Berlin date: 23:30 UTC on the 6th is 00:30 on the 7th in Berlin.
select is(game.berlin_date('2026-01-06 23:30+00'), '2026-01-07'::date, 'Berlin date: 00:30 Berlin is the next date');
select is(game.berlin_date('2026-01-06 22:59+00'), '2026-01-06'::date, 'Berlin date: 23:59 Berlin is still the date');

-- 3-5 events: 3 + floor(draw x 3).
select is((pg_temp.plan(:'life', '2026-01-05 05:00+00', pg_temp.draws(p_count => 0)) ->> 'count')::int, 3, 'count: draw 0 gives 3');
select is((pg_temp.plan(:'life', '2026-01-05 05:00+00', pg_temp.draws(p_count => 0.3333)) ->> 'count')::int, 3, 'count: draw 0.3333 gives 3');
select is((pg_temp.plan(:'life', '2026-01-05 05:00+00', pg_temp.draws(p_count => 0.3334)) ->> 'count')::int, 4, 'count: draw 0.3334 gives 4');
select is((pg_temp.plan(:'life', '2026-01-05 05:00+00', pg_temp.draws(p_count => 0.6667)) ->> 'count')::int, 5, 'count: draw 0.6667 gives 5');
select is((pg_temp.plan(:'life', '2026-01-05 05:00+00', pg_temp.draws(p_count => 0.9999)) ->> 'count')::int, 5, 'count: draw 0.9999 gives 5');

-- Slots in day order: 4 events one each; 3 leave out the drawn slot; 5 double it.
select is(game.life_slots(4, 0.9), array['morning', 'afternoon', 'evening', 'night'], 'slots: 4 events, one per slot');
select is(game.life_slots(3, 0), array['afternoon', 'evening', 'night'], 'slots: 3 events, draw 0 leaves out the morning');
select is(game.life_slots(3, 0.5), array['morning', 'afternoon', 'night'], 'slots: 3 events, draw 0.5 leaves out the evening');
select is(game.life_slots(5, 0.99), array['morning', 'afternoon', 'evening', 'night', 'night'], 'slots: 5 events, draw 0.99 doubles the night');
select is(pg_temp.plan(:'life', '2026-01-05 05:00+00', pg_temp.draws(p_count => 0, p_slots => 0.25)) -> 'slots',
  '["morning", "evening", "night"]'::jsonb, 'plan: its slots follow the slots draw');

-- The weekly routine (§13.2) by Berlin weekday; Saturday and Sunday are days off.
select is(pg_temp.plan(:'life', '2026-01-05 05:00+00') -> 'routine',
  '{"day": "Monday", "wake": "07:30", "work": "co-working", "activities": "work, gym in the evening", "energy": "normal", "social": "low"}'::jsonb,
  'routine: Monday wakes 07:30, co-working, gym in the evening, normal energy, low social');
select is(pg_temp.plan(:'life', '2026-01-05 05:00+00') -> 'allowed_domains', '["work", "social", "personal"]'::jsonb,
  'routine: a work day allows work events');
select is(pg_temp.plan(:'life', '2026-01-08 05:00+00') -> 'routine' ->> 'energy', 'high', 'routine: Thursday energy high');
select is(pg_temp.plan(:'life', '2026-01-10 05:00+00') -> 'routine' ->> 'wake', '09:30', 'routine: Saturday wakes 09:30');
select is((pg_temp.plan(:'life', '2026-01-10 05:00+00') ->> 'day_off')::boolean, true, 'routine: Saturday is a day off');
select is(pg_temp.plan(:'life', '2026-01-11 05:00+00') -> 'allowed_domains', '["social", "personal"]'::jsonb,
  'routine: Sunday allows no work events');
select is(pg_temp.plan(:'life', '2026-01-11 05:00+00') -> 'routine' ->> 'activities', 'self-care, call with her mother, meal prep',
  'routine: Sunday is self-care, the call with her mother, meal prep');
select is((pg_temp.plan(:'life', '2026-01-09 05:00+00') ->> 'day_off')::boolean, false, 'routine: Friday is no day off');
select is((pg_temp.plan(:'life', '2026-01-07 05:00+00') ->> 'therapy_today')::boolean, true, 'routine: therapy on the Wednesday of week 2');
select is((pg_temp.plan(:'life', '2026-01-14 05:00+00') ->> 'therapy_today')::boolean, false, 'routine: no therapy on the Wednesday of week 3');
select is((pg_temp.plan(:'life', '2026-01-05 05:00+00') ->> 'therapy_today')::boolean, false, 'routine: no therapy on a Monday');
select throws_ok(format('select pg_temp.save(%L, %L, %L)', :'life', pg_temp.plan(:'life', '2026-01-10 05:00+00'),
    pg_temp.day_with(pg_temp.plan(:'life', '2026-01-10 05:00+00'), 2, pg_temp.ev('afternoon', 'work', 'meeting'))),
  '22023', 'life event 2: no work events on her day off', 'bounds: no work event on a Saturday');
select is((select count(*) from public.life_events where user_id = :'life'), 0::bigint, 'bounds: the refused day wrote nothing');

-- The §13.1 bounds: every refusal names the problem and writes nothing.
select pg_temp.plan(:'life', '2026-01-05 05:00+00') as mon \gset
select throws_ok(format('select pg_temp.save(%L, %L, %L)', :'life', :'mon',
    pg_temp.day_with(:'mon', 1, pg_temp.ev('morning', 'personal', 'errand', p_description => 'Too short'))),
  '22023', 'life event 1: the description must be 10-500 characters', 'bounds: a description of 9 characters');
select throws_ok(format('select pg_temp.save(%L, %L, %L)', :'life', :'mon',
    pg_temp.day_with(:'mon', 1, pg_temp.ev('morning', 'personal', 'errand', p_description => repeat('a', 501)))),
  '22023', 'life event 1: the description must be 10-500 characters', 'bounds: a description of 501 characters');
select throws_ok(format('select pg_temp.save(%L, %L, %L)', :'life', :'mon',
    pg_temp.day_with(:'mon', 2, pg_temp.ev('afternoon', 'personal', 'errand', '{"valence": 0.31}'))),
  '22023', 'life event 2: emotional_impact.valence must be a number within +-0.3', 'bounds: valence 0.31');
select throws_ok(format('select pg_temp.save(%L, %L, %L)', :'life', :'mon',
    pg_temp.day_with(:'mon', 2, pg_temp.ev('afternoon', 'personal', 'errand', '{"arousal": -0.31}'))),
  '22023', 'life event 2: emotional_impact.arousal must be a number within +-0.3', 'bounds: arousal -0.31');
select throws_ok(format('select pg_temp.save(%L, %L, %L)', :'life', :'mon',
    pg_temp.day_with(:'mon', 2, pg_temp.ev('afternoon', 'personal', 'errand', '{"dominance": 0.21}'))),
  '22023', 'life event 2: emotional_impact.dominance must be a number within +-0.2', 'bounds: dominance 0.21');
select throws_ok(format('select pg_temp.save(%L, %L, %L)', :'life', :'mon',
    pg_temp.day_with(:'mon', 2, pg_temp.ev('afternoon', 'personal', 'errand', '{"intimacy": -0.11}'))),
  '22023', 'life event 2: emotional_impact.intimacy must be a number within +-0.1', 'bounds: intimacy -0.11');
select throws_ok(format('select pg_temp.save(%L, %L, %L)', :'life', :'mon',
    pg_temp.day_with(:'mon', 2, pg_temp.ev('afternoon', 'personal', 'errand', '{"joy": 0.1}'))),
  '22023', 'life event 2: emotional_impact has no dimension joy', 'bounds: an unknown dimension');
select throws_ok(format('select pg_temp.save(%L, %L, %L)', :'life', :'mon',
    pg_temp.day_with(:'mon', 3, pg_temp.ev('evening', 'personal', 'errand', p_importance => 1.01))),
  '22023', 'life event 3: importance must be a number in 0..1', 'bounds: importance 1.01');
select throws_ok(format('select pg_temp.save(%L, %L, %L)', :'life', :'mon',
    pg_temp.day_with(:'mon', 3, pg_temp.ev('evening', 'work', 'gym'))),
  '22023', 'life event 3: gym is not a work event type', 'bounds: a type from another domain');
select throws_ok(format('select pg_temp.save(%L, %L, %L)', :'life', :'mon',
    pg_temp.day_with(:'mon', 3, pg_temp.ev('evening', 'family', 'gym'))),
  '22023', 'life event 3: unknown domain family', 'bounds: an unknown domain');
select throws_ok(format('select pg_temp.save(%L, %L, %L)', :'life', :'mon',
    pg_temp.day_with(:'mon', 4, pg_temp.ev('evening', 'personal', 'errand'))),
  '22023', 'life event 4: the plan puts it in the night slot, not evening', 'bounds: an event out of its slot');
select throws_ok(format('select pg_temp.save(%L, %L, %L)', :'life', :'mon',
    pg_temp.day_with(:'mon', 1, pg_temp.ev('morning', 'personal', 'errand', p_arc => 'home_project'))),
  '22023', 'life event 1: home_project is not one of the day''s arcs', 'bounds: an arc the day does not have');
select throws_ok(format('select pg_temp.save(%L, %L, %L)', :'life', :'mon',
    (pg_temp.day(:'mon') - 3) - 2),
  '22023', 'a day has 3-5 life events, got 2', 'bounds: 2 events');
select throws_ok(format('select pg_temp.save(%L, %L, %L)', :'life', :'mon', pg_temp.day(:'mon') - 3),
  '22023', 'the plan asks for 4 life events, got 3', 'bounds: fewer events than the plan');
select throws_ok(format('select pg_temp.save(%L, %L, %L)', :'life', :'mon',
    pg_temp.day(:'mon') || jsonb_build_array(pg_temp.ev('night', 'personal', 'errand'), pg_temp.ev('night', 'personal', 'errand'))),
  '22023', 'a day has 3-5 life events, got 6', 'bounds: 6 events');
select throws_ok(format('select game.plan_life_day(%L, %L, %L)', :'life', '2026-01-05 05:00+00', pg_temp.draws() - 'count'),
  '22023', 'draws.count must be a number in [0, 1), got nothing', 'draws: a missing draw');
select throws_ok(format('select game.plan_life_day(%L, %L, %L)', :'life', '2026-01-05 05:00+00', pg_temp.draws(p_slots => 1)),
  '22023', 'draws.slots must be a number in [0, 1), got 1', 'draws: a draw of 1');
select is((select count(*) from public.life_events where user_id = :'life'), 0::bigint, 'bounds: nothing was written');

-- At the bounds exactly, the day is stored: 4 events in order, the mark, her feelings (§13.1).
select is(pg_temp.save(:'life', :'mon', jsonb_build_array(
    pg_temp.ev('morning', 'work', 'meeting', '{"arousal": 0.3, "valence": 0.11, "dominance": -0.2, "intimacy": 0.1}', '{Lena, Viktor}', p_description => repeat('b', 10)),
    pg_temp.ev('afternoon', 'work', 'setback', '{"arousal": -0.3, "valence": -0.11}', '{Viktor, Yuki}', p_description => repeat('c', 500)),
    pg_temp.ev('evening', 'social', 'friend_hangout', '{"valence": 0.1}', '{Yuki, Mira}', p_importance => 1),
    pg_temp.ev('night', 'personal', 'self_care', '{"valence": -0.1}', '{Jamie}', p_importance => 0))) - 'people',
  '{"saved": true, "duplicate": false, "date": "2026-01-05", "events": 4, "opened": null, "resolved": 0}'::jsonb,
  'save: a day at the bounds is stored');
select is((select array_agg(time_of_day || ':' || event_type order by ordinal) from public.life_events where user_id = :'life'),
  array['morning:meeting', 'afternoon:setback', 'evening:friend_hangout', 'night:self_care'], 'save: the events in the plan''s order');
select ok(exists (select 1 from private.job_marks where job = 'life-sim' and key = :'life' || ':2026-01-05'), 'save: the day''s mark');
select is((select feeling from game.life_people where user_id = :'life' and person = 'Lena'), 'positive', 'people: valence 0.11 makes Lena positive');
select is((select feeling from game.life_people where user_id = :'life' and person = 'Viktor'), 'negative',
  'people: the last event that involved Viktor (valence -0.11) makes him negative');
select is((select events from game.life_people where user_id = :'life' and person = 'Viktor'), 2, 'people: two events involved Viktor');
select is((select feeling from game.life_people where user_id = :'life' and person = 'Yuki'), 'neutral', 'people: valence 0.1 leaves Yuki neutral');
select is((select feeling from game.life_people where user_id = :'life' and person = 'Jamie'), 'neutral', 'people: valence -0.1 leaves Jamie neutral');

-- Idempotent by the mark: the same day again changes nothing; the plan and the job see it done.
select is(pg_temp.save(:'life', :'mon', pg_temp.day(:'mon')), '{"saved": false, "duplicate": true, "date": "2026-01-05"}'::jsonb,
  'mark: saving the day again is a no-op');
select is((select count(*) from public.life_events where user_id = :'life' and event_date = '2026-01-05'), 4::bigint, 'mark: still 4 events');
select is((select feeling from game.life_people where user_id = :'life' and person = 'Lena'), 'positive', 'mark: her feelings unchanged');
select is(pg_temp.plan(:'life', '2026-01-05 20:00+00'), jsonb_build_object('user_id', :'life', 'date', '2026-01-05', 'due', false, 'reason', 'done'),
  'mark: the plan of a generated day is not due');
select ok(not exists (select 1 from game.due_life_players('2026-01-05 05:00+00', 100) where user_id = :'life'), 'mark: the job skips the day');
select ok(exists (select 1 from game.due_life_players('2026-01-06 05:00+00', 100) where user_id = :'life'), 'mark: the next day is due');

-- Her later feelings: a new event with Lena at valence -0.2 turns her negative.
select pg_temp.plan(:'life', '2026-01-06 05:00+00', pg_temp.draws(p_count => 0, p_slots => 0)) as tue \gset
select pg_temp.save(:'life', :'tue', pg_temp.day_with(:'tue', 1, pg_temp.ev('afternoon', 'social', 'friend_drama', '{"valence": -0.2}', '{Lena}')));
select is((select feeling || ' ' || valence || ' ' || event_date || ' ' || events from game.life_people where user_id = :'life' and person = 'Lena'),
  'negative -0.2000 2026-01-06 2', 'people: the latest event decides (Lena negative after a drama on the 6th)');

-- Arcs (§13.3): the resolve chance min(0.9, days / (2 x typical days)).
select is(game.life_arc_resolve_chance(0, 14, game.tunables_json()), 0::numeric, 'arcs: no chance on the day it opened');
select is(game.life_arc_resolve_chance(7, 14, game.tunables_json()), 0.25, 'arcs: 7 of 14 typical days: 0.25');
select is(round(game.life_arc_resolve_chance(25, 14, game.tunables_json()), 6), 0.892857, 'arcs: 25 of 14 typical days: 25/28');
select is(game.life_arc_resolve_chance(26, 14, game.tunables_json()), 0.9, 'arcs: 26 of 14 typical days: capped at 0.9');
select is(game.life_arc_resolve_chance(9, 5, game.tunables_json()), 0.9, 'arcs: family visit, 9 of 5 days: 0.9');
select is(game.life_arc_resolve_chance(3, 30, game.tunables_json()), 0.05, 'arcs: health goal, 3 of 30 days: 0.05');

-- Outcomes by weight, in table order: project_deadline success .7, missed .2, scope_changed .1.
select is(game.life_arc_outcome((game.tunables_json() -> 'life_arc_kinds' -> 0 -> 'outcomes'), 0), 'success', 'outcome: draw 0 is success');
select is(game.life_arc_outcome((game.tunables_json() -> 'life_arc_kinds' -> 0 -> 'outcomes'), 0.6999), 'success', 'outcome: draw 0.6999 is success');
select is(game.life_arc_outcome((game.tunables_json() -> 'life_arc_kinds' -> 0 -> 'outcomes'), 0.7), 'missed', 'outcome: draw 0.7 is missed');
select is(game.life_arc_outcome((game.tunables_json() -> 'life_arc_kinds' -> 0 -> 'outcomes'), 0.8999), 'missed', 'outcome: draw 0.8999 is missed');
select is(game.life_arc_outcome((game.tunables_json() -> 'life_arc_kinds' -> 0 -> 'outcomes'), 0.9), 'scope_changed', 'outcome: draw 0.9 is scope changed');
select is(game.life_arc_outcome((game.tunables_json() -> 'life_arc_kinds' -> 5 -> 'outcomes'), 0.95), 'cancelled', 'outcome: family visit, draw 0.95 is cancelled');

-- Opening: with probability 0.2 while fewer than 3 are active, of a kind not active.
select tests.create_onboarded_player('arcs', '2026-01-01 09:00+00') as arcs \gset
select is(pg_temp.plan(:'arcs', '2026-01-05 05:00+00', pg_temp.draws(p_open => 0.2)) -> 'arcs' -> 'opened', 'null'::jsonb, 'open: draw 0.2 opens none');
select is(pg_temp.plan(:'arcs', '2026-01-05 05:00+00', pg_temp.draws(p_open => 0.1999, p_kind => 0.9999)) -> 'arcs' -> 'opened',
  '{"kind": "personal_growth", "domain": "personal", "typical_days": 21}'::jsonb, 'open: draw 0.1999 opens one; kind draw 0.9999 is the last kind');
select pg_temp.plan(:'arcs', '2026-01-05 05:00+00', pg_temp.draws(p_open => 0, p_kind => 0)) as arcs_mon \gset
select is(:'arcs_mon'::jsonb -> 'arcs' -> 'opened' ->> 'kind', 'project_deadline', 'open: kind draw 0 is the first kind');
select is(pg_temp.save(:'arcs', :'arcs_mon', pg_temp.day_with(:'arcs_mon', 1,
    pg_temp.ev('morning', 'work', 'project_update', '{"valence": 0.05}', '{David}', 'project_deadline'))) ->> 'saved', 'true', 'open: the day is stored');
select is((select kind || ' ' || status || ' ' || opened_on || ' ' || array_to_string(people, ',') from game.life_arcs where user_id = :'arcs'),
  'project_deadline active 2026-01-05 David', 'open: the arc is active from the date, with the people of its first event');
select is((select e.arc_id from public.life_events e where e.user_id = :'arcs' and e.ordinal = 1),
  (select id from game.life_arcs where user_id = :'arcs'), 'open: its event belongs to it');
select is(pg_temp.plan(:'arcs', '2026-01-06 05:00+00', pg_temp.draws(p_open => 0, p_kind => 0)) -> 'arcs' -> 'opened' ->> 'kind',
  'work_conflict', 'open: an active kind is not drawn again (kind draw 0 is now work_conflict)');

-- Resolving on day 7 of the 14-day project: chance 0.25 (arcs opened 2026-01-05, planned 2026-01-12).
select is((pg_temp.plan(:'arcs', '2026-01-12 05:00+00', pg_temp.draws(p_resolve => '{0.25}')) -> 'arcs' -> 'continuing' -> 0 ->> 'resolve_chance')::numeric,
  0.25, 'resolve: day 7 of 14, chance 0.25');
select is(jsonb_array_length(pg_temp.plan(:'arcs', '2026-01-12 05:00+00', pg_temp.draws(p_resolve => '{0.25}')) -> 'arcs' -> 'resolving'), 0,
  'resolve: draw 0.25 does not resolve it');
select is(jsonb_array_length(pg_temp.plan(:'arcs', '2026-01-06 05:00+00', pg_temp.draws(p_resolve => '{0}')) -> 'arcs' -> 'resolving'), 1,
  'resolve: day 1 of 14 (chance 1/28), draw 0 resolves it');
select pg_temp.plan(:'arcs', '2026-01-12 05:00+00', pg_temp.draws(p_resolve => '{0.2499}', p_outcome => '{0.7}')) as arcs_res \gset
select is(:'arcs_res'::jsonb -> 'arcs' -> 'resolving' -> 0 ->> 'outcome', 'missed', 'resolve: draw 0.2499 resolves it, outcome draw 0.7 is missed');
select pg_temp.save(:'arcs', :'arcs_res', pg_temp.day(:'arcs_res'));
select is((select status || ' ' || resolved_on || ' ' || outcome from game.life_arcs where user_id = :'arcs'),
  'resolved 2026-01-12 missed', 'resolve: stored resolved on the date with its outcome');

-- At most 3 active: with three, no arc opens even on draw 0.
insert into game.life_arcs (user_id, kind, domain, opened_on, created_at, updated_at)
select :'arcs', k, d, '2026-01-13', '2026-01-13 05:00+00', '2026-01-13 05:00+00'
from (values ('work_conflict', 'work'), ('friend_crisis', 'social')) v(k, d);
select is(pg_temp.plan(:'arcs', '2026-01-14 05:00+00', pg_temp.draws(p_open => 0, p_resolve => '{0.99, 0.99}')) -> 'arcs' -> 'opened' ->> 'kind',
  'project_deadline', 'max: with 2 active a third opens (a resolved kind may come back)');
insert into game.life_arcs (user_id, kind, domain, opened_on, created_at, updated_at)
values (:'arcs', 'home_project', 'personal', '2026-01-13', '2026-01-13 05:00+00', '2026-01-13 05:00+00');
select is(pg_temp.plan(:'arcs', '2026-01-14 05:00+00', pg_temp.draws(p_open => 0)) -> 'arcs' -> 'opened', 'null'::jsonb,
  'max: with 3 active none opens, even on draw 0');
select throws_ok(format('select game.plan_life_day(%L, %L, %L)', :'arcs', '2026-01-14 05:00+00', pg_temp.draws(p_resolve => '{0.5, 0.5}')),
  '22023', 'draws.arc_resolve[2] must be a number in [0, 1), got nothing', 'draws: one resolve draw per active arc');

-- Her mood (§13.1): 0.5 + the impacts of the 3 dates before, clamped; the 4th date before is left out.
select tests.create_onboarded_player('mood', '2026-01-01 09:00+00') as mood \gset
select pg_temp.past(:'mood', '2026-02-06', 1, '{"valence": -0.3}');
select pg_temp.past(:'mood', '2026-02-07', 1, '{"valence": 0.2, "arousal": 0.3}');
select pg_temp.past(:'mood', '2026-02-08', 1, '{"arousal": 0.3, "intimacy": -0.1}');
select pg_temp.past(:'mood', '2026-02-09', 1, '{"valence": 0.05, "dominance": -0.2}');
select pg_temp.past(:'mood', '2026-02-09', 2, '{"dominance": -0.2, "intimacy": -0.1}');
select is(pg_temp.plan(:'mood', '2026-02-10 05:00+00') -> 'mood',
  '{"arousal": 1, "valence": 0.75, "dominance": 0.1, "intimacy": 0.3}'::jsonb,
  'mood: 0.5 + the 7th-9th (valence 0.2 + 0.05; arousal 0.6 clamped to 1), the 6th left out');
select is(pg_temp.plan(:'mood', '2026-02-10 05:00+00') ->> 'lean', 'positive', 'lean: valence 0.75 leans positive');
select is((pg_temp.plan(:'mood', '2026-02-11 05:00+00') -> 'mood' ->> 'valence')::numeric, 0.55, 'mood: on the 11th the window is the 8th-10th');
select is((pg_temp.plan(:'mood', '2026-02-12 05:00+00') -> 'mood' ->> 'valence')::numeric, 0.55, 'mood: on the 12th the window is the 9th-11th');
select is((pg_temp.plan(:'mood', '2026-02-13 05:00+00') -> 'mood' ->> 'valence')::numeric, 0.5, 'mood: on the 13th only the 10th-12th count');
select pg_temp.past(:'mood', '2026-03-09', 1, '{"valence": -0.1}');
select pg_temp.past(:'mood', '2026-04-09', 1, '{"valence": -0.11}');
select pg_temp.past(:'mood', '2026-05-09', 1, '{"valence": 0.1}');
select pg_temp.past(:'mood', '2026-06-09', 1, '{"valence": 0.11}');
select is(pg_temp.plan(:'mood', '2026-03-10 05:00+00') ->> 'lean', 'mixed', 'lean: valence 0.4 is mixed');
select is(pg_temp.plan(:'mood', '2026-04-10 05:00+00') ->> 'lean', 'negative', 'lean: valence 0.39 leans negative');
select is(pg_temp.plan(:'mood', '2026-05-10 05:00+00') ->> 'lean', 'mixed', 'lean: valence 0.6 is mixed');
select is(pg_temp.plan(:'mood', '2026-06-10 04:00+00') ->> 'lean', 'positive', 'lean: valence 0.61 leans positive');

-- Her last 5 events of the 7 dates before, newest first.
select tests.create_onboarded_player('recent', '2026-01-01 09:00+00') as recent \gset
select pg_temp.past(:'recent', '2026-02-02', 1, '{}', 'Eight days ago, too old.');
select pg_temp.past(:'recent', '2026-02-03', 1, '{}', 'Seven days ago, in the window.');
select pg_temp.past(:'recent', '2026-02-07', o, '{}', 'Three days ago, number ' || o) from generate_series(1, 3) o;
select pg_temp.past(:'recent', '2026-02-09', o, '{}', 'Yesterday, number ' || o) from generate_series(1, 2) o;
select is((select array_agg(r ->> 'description') from jsonb_array_elements(pg_temp.plan(:'recent', '2026-02-10 05:00+00') -> 'recent') r),
  array['Yesterday, number 2', 'Yesterday, number 1', 'Three days ago, number 3', 'Three days ago, number 2', 'Three days ago, number 1'],
  'recent: the last 5 events, newest first');
select is((select array_agg(r ->> 'description') from jsonb_array_elements(pg_temp.plan(:'recent', '2026-02-10 05:00+00',
    null) -> 'recent') r where r ->> 'date' < '2026-02-07'), null, 'recent: the one of the 7th date before is cut by the limit of 5');
select tests.create_onboarded_player('older', '2026-01-01 09:00+00') as older \gset
select pg_temp.past(:'older', '2026-02-02', 1, '{}', 'Eight days ago, too old.');
select pg_temp.past(:'older', '2026-02-03', 1, '{}', 'Seven days ago, in the window.');
select is((select array_agg(r ->> 'description') from jsonb_array_elements(pg_temp.plan(:'older', '2026-02-10 05:00+00') -> 'recent') r),
  array['Seven days ago, in the window.'], 'recent: the 7th date before is in, the 8th is out');

-- Eligibility: never for game_over, won or before onboarding; boss_fight is playable.
select tests.create_onboarded_player('ended', '2026-01-01 09:00+00') as ended \gset
select tests.create_onboarded_player('winner', '2026-01-01 09:00+00') as winner \gset
select tests.create_onboarded_player('boss', '2026-01-01 09:00+00') as boss \gset
select tests.create_player('newbie', '2026-01-01 09:00+00') as newbie \gset
select pg_temp.plan(:'ended', '2026-01-05 05:00+00') as ended_plan \gset
update public.users set game_status = 'game_over', game_over_reason = 'decay' where id = :'ended';
update public.users set game_status = 'won' where id = :'winner';
update public.users set game_status = 'boss_fight' where id = :'boss';
select is(pg_temp.plan(:'ended', '2026-01-05 05:00+00') ->> 'reason', 'game_over', 'eligible: no day for game_over');
select is(pg_temp.plan(:'winner', '2026-01-05 05:00+00') ->> 'reason', 'won', 'eligible: no day for won');
select is(pg_temp.plan(:'newbie', '2026-01-05 05:00+00') ->> 'reason', 'not_onboarded', 'eligible: no day before onboarding');
select is((pg_temp.plan(:'boss', '2026-01-05 05:00+00') ->> 'due')::boolean, true, 'eligible: a boss fight gets her day');
select is(pg_temp.save(:'ended', :'ended_plan', pg_temp.day(:'ended_plan')) ->> 'reason', 'game_over',
  'eligible: a day planned before the game ended is not stored');
select is((select count(*) from public.life_events where user_id = :'ended')
  + (select count(*) from private.job_marks where key like :'ended' || ':%'), 0::bigint, 'eligible: no events and no mark for the ended game');
select is((select array_agg(u.display_name order by u.display_name) from game.due_life_players('2026-01-07 03:00+00', 100) d
           join public.users u on u.id = d.user_id),
  array['Arcs', 'Boss', 'Life', 'Mood', 'Older', 'Recent'], 'due: the eligible players without the day''s mark, at 04:00 Berlin');
select is((select count(*) from game.due_life_players('2026-01-07 02:59+00', 100)), 0::bigint, 'due: nobody before 04:00 Berlin');
select is((select count(*) from game.due_life_players('2026-01-07 03:00+00', 2)), 2::bigint, 'due: at most the limit');
select is((select count(*) from game.due_life_players('2026-01-07 03:00+00', 100, array[:'boss'::uuid, :'mood'::uuid])), 4::bigint,
  'due: the players a run skips are left out');

-- Today's events whose slot has begun (§11 step 2): morning 06, afternoon 12, evening 17, night 21 Berlin.
select tests.create_onboarded_player('today', '2026-01-01 09:00+00') as today \gset
select pg_temp.plan(:'today', '2026-01-07 05:00+00') as wed \gset
select pg_temp.save(:'today', :'wed', pg_temp.day(:'wed'));
select is(jsonb_array_length(game.todays_life_events(:'today', '2026-01-07 04:59+00')), 0, 'today: none at 05:59 Berlin');
select is(game.todays_life_events(:'today', '2026-01-07 05:00+00') -> 0 ->> 'time_of_day', 'morning', 'today: the morning one from 06:00');
select is(jsonb_array_length(game.todays_life_events(:'today', '2026-01-07 10:59+00')), 1, 'today: 1 at 11:59');
select is(jsonb_array_length(game.todays_life_events(:'today', '2026-01-07 11:00+00')), 2, 'today: 2 from 12:00');
select is(jsonb_array_length(game.todays_life_events(:'today', '2026-01-07 16:00+00')), 3, 'today: 3 from 17:00');
select is(jsonb_array_length(game.todays_life_events(:'today', '2026-01-07 20:00+00')), 4, 'today: all 4 from 21:00');
select is(jsonb_array_length(game.todays_life_events(:'today', '2026-01-07 23:00+00')), 0, 'today: none just after midnight, a new date');
select is(game.todays_life_events(:'today', '2026-01-07 20:00+00') -> 0 -> 'emotional_impact', '{"valence": 0}'::jsonb, 'today: with their impacts');

select * from finish();
rollback;
