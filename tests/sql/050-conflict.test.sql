-- Conflict temperature and the Gottman ratio (GAME_RULES.md §9): score and horsemen terms, Gottman terms, zones,
-- passive cooling, repairs, crises and both breakup rules. Every player is in_zone (multiplier 1) in chapter 1.
-- T = 2026-01-10 12:00 UTC.
begin;
select plan(42);

create function pg_temp.player(p_name text, p_temperature numeric default 0, p_crises int default 0,
  p_updated timestamptz default '2026-01-10 12:00+00', p_above_90_since timestamptz default null,
  p_game_start timestamptz default '2026-01-05 09:00+00') returns uuid language plpgsql as $$
declare
  v_id uuid := tests.create_onboarded_player(p_name, p_game_start);
begin
  update public.engagement_state set state = 'in_zone' where user_id = v_id;
  update game.conflict_state set temperature = p_temperature, consecutive_crises = p_crises, updated_at = p_updated,
    above_90_since = p_above_90_since where user_id = v_id;
  return v_id;
end $$;
create function pg_temp.exchange(p_user uuid, p_delta numeric, p_extra jsonb default '{}') returns jsonb language sql as $$
  select game.apply_exchange(p_user, tests.analysis(p_delta, p_delta, p_delta, p_delta, p_extra), '2026-01-10 12:00+00')
$$;
create function pg_temp.conflict(p_user uuid) returns game.conflict_state language sql as $$
  select * from game.conflict_state where user_id = p_user
$$;
-- Scored exchanges already in the history, for the Gottman counts.
create function pg_temp.history(p_user uuid, p_polarity text, p_count int, p_at timestamptz) returns void language sql as $$
  insert into public.score_history (user_id, score, chapter, event_type, event_details, recorded_at)
  select p_user, 50, 1, 'exchange', jsonb_build_object('polarity', p_polarity), p_at from generate_series(1, p_count)
$$;

-- Score term and Gottman term.
select is((pg_temp.exchange(pg_temp.player('neg'), -1) ->> 'temperature')::numeric, 6.5::numeric,
  'a drop of 1: 1.5 x 1, plus Gottman with no positives (2 + 3) = 6.5');
select is((pg_temp.exchange(pg_temp.player('drop'), -3) ->> 'temperature')::numeric, 9.5::numeric,
  'a drop of 3 is not above 3: 4.5 + 5 = 9.5');
select is((pg_temp.exchange(pg_temp.player('pos', 10), 1) ->> 'temperature')::numeric, 8.5::numeric,
  'a gain of 1: -0.5, plus Gottman with no negatives (-1): 10 -> 8.5');
select is((pg_temp.exchange(pg_temp.player('floor', 1), 1) ->> 'temperature')::numeric, 0::numeric, 'the temperature floors at 0');
select is((select event_details ->> 'polarity' from public.score_history where user_id = tests.player('neg')), 'negative',
  'the exchange''s polarity is recorded for later counts');

-- Horsemen: criticism 4, contempt 8, defensiveness 3, stonewalling 5, once per tag present.
select is((pg_temp.exchange(pg_temp.player('hor'), 0, '{"behaviors": ["horseman:criticism", "horseman:contempt",
  "horseman:defensiveness", "horseman:stonewalling"]}') ->> 'temperature')::numeric, 20::numeric, 'the four horsemen add 4 + 8 + 3 + 5');
select is((pg_temp.exchange(pg_temp.player('hor2'), 0, '{"behaviors": ["horseman:contempt", "horseman:contempt"]}') ->> 'temperature')::numeric,
  8::numeric, 'a tag counts once per exchange');

-- Zones.
select results_eq(
  $$select t, game.conflict_zone(t, game.tunables_json()) from unnest(array[0, 24.9999, 25, 49.9999, 50, 74.9999, 75, 100]::numeric[]) t$$,
  $$values (0::numeric, 'calm'::text), (24.9999, 'calm'), (25, 'warm'), (49.9999, 'warm'), (50, 'hot'), (74.9999, 'hot'), (75, 'critical'), (100, 'critical')$$,
  'zones: calm < 25 <= warm < 50 <= hot < 75 <= critical');

-- Passive cooling, applied lazily: 0.5 per hour since the last update, floor 0.
select is((pg_temp.exchange(pg_temp.player('cool', 40, 0, '2026-01-10 02:00+00'), 0) ->> 'temperature')::numeric, 35::numeric,
  '40, ten hours later: 35');
select is(game.cooled_temperature(pg_temp.conflict(pg_temp.player('cold', 3, 0, '2026-01-10 02:00+00')), game.tunables_json(), '2026-01-10 12:00+00'),
  0::numeric, 'cooling stops at 0');
select is((pg_temp.exchange(pg_temp.player('zb', 55, 0, '2026-01-10 02:00+00'), 0) ->> 'zone'), 'hot',
  '55 cooled to 50 is still hot');

-- Repairs bypass the heating, count as positive; excellent and good reset the crises.
select is((pg_temp.exchange(pg_temp.player('rep_e', 60, 2), -1, '{"repair": {"attempted": true, "quality": "excellent"}}') ->> 'temperature')::numeric,
  35::numeric, 'an excellent repair: -25, no heating from the drop');
select is((pg_temp.conflict(tests.player('rep_e'))).consecutive_crises, 0, 'and resets the crises');
select is((select event_details ->> 'polarity' from public.score_history where user_id = tests.player('rep_e')), 'positive',
  'a repair counts as a positive exchange');
select is((pg_temp.exchange(pg_temp.player('rep_g', 80, 2), 0, '{"repair": {"attempted": true, "quality": "good"}}') ->> 'temperature')::numeric,
  65::numeric, 'a good repair: -15');
select is((pg_temp.conflict(tests.player('rep_g'))).consecutive_crises, 0, 'and resets the crises');
select is((pg_temp.exchange(pg_temp.player('rep_a', 80, 2), 0, '{"repair": {"attempted": true, "quality": "adequate"}}') ->> 'temperature')::numeric,
  75::numeric, 'an adequate repair: -5');
select is((pg_temp.conflict(tests.player('rep_a'))).consecutive_crises, 2, 'and keeps the crises');
select is((pg_temp.exchange(pg_temp.player('rep_n', 0), -1, '{"repair": {"attempted": true, "quality": null}}') ->> 'temperature')::numeric,
  6.5::numeric, 'an attempt without a quality is no repair');

-- Crises: a negative exchange while critical; three in a row end the game; below 50 they reset.
select pg_temp.exchange(pg_temp.player('cri', 80), -1) as r \gset
select is((:'r'::jsonb ->> 'temperature')::numeric, 86.5::numeric, '80 + 1.5 + Gottman in conflict (target 5, no positives: 5)');
select is((pg_temp.conflict(tests.player('cri'))).consecutive_crises, 1, 'a negative exchange while critical is a crisis');
select ok(:'r'::jsonb -> 'events' @> '[{"type": "warning", "kind": "crisis"}]', 'a crisis is a warning event');
select is((pg_temp.exchange(pg_temp.player('warm_neg', 74), -1) -> 'events'), '[{"type": "warning", "kind": "conflict_critical"}]'::jsonb,
  'a drop while hot is no crisis, but entering critical is a warning');
select is(pg_temp.exchange(pg_temp.player('cri3', 80, 2), -1) -> 'events' -> -1, '{"type": "game_over", "reason": "conflict", "kind": "crises"}'::jsonb,
  'the third consecutive crisis ends the game');
select is((select game_status || '/' || game_over_reason from public.users where id = tests.player('cri3')), 'game_over/conflict', 'game over, reason conflict');
select pg_temp.exchange(pg_temp.player('rst', 51, 2), 1);
select is((pg_temp.conflict(tests.player('rst'))).consecutive_crises, 0, '51 - 0.5 - 1 = 49.5: below 50 the crises reset');

-- Above 90 for more than 48 h ends the game.
select is(pg_temp.exchange(pg_temp.player('h49', 95, 0, '2026-01-10 12:00+00', '2026-01-08 11:00+00'), 0, '{"behaviors": ["horseman:contempt"]}') -> 'events' -> -1,
  '{"type": "game_over", "reason": "conflict", "kind": "temperature"}'::jsonb, 'above 90 for 49 h: the game ends');
select is(pg_temp.exchange(pg_temp.player('h47', 95, 0, '2026-01-10 12:00+00', '2026-01-08 13:00+00'), 0, '{"behaviors": ["horseman:contempt"]}') ->> 'game_status',
  'active', 'above 90 for 47 h: still together');
select pg_temp.exchange(pg_temp.player('lift', 85), 0, '{"behaviors": ["horseman:contempt"]}');
select is((pg_temp.conflict(tests.player('lift'))).above_90_since, '2026-01-10 12:00+00'::timestamptz, 'the update that lifts it above 90 starts the clock');
select pg_temp.exchange(pg_temp.player('dip', 95, 0, '2026-01-09 16:00+00', '2026-01-09 16:00+00'), 0, '{"behaviors": ["horseman:contempt"]}');
select is((pg_temp.conflict(tests.player('dip'))).above_90_since, '2026-01-10 12:00+00'::timestamptz,
  'cooling to 90 or below in between clears it; the clock restarts');

-- The Gottman ratio over the last 7 days of this game.
select pg_temp.history(pg_temp.player('gm'), 'positive', 9, '2026-01-09 12:00+00');
select pg_temp.history(tests.player('gm'), 'negative', 1, '2026-01-09 12:00+00');
select is((pg_temp.exchange(tests.player('gm'), -1) ->> 'temperature')::numeric, 5.825::numeric,
  '9 positive, 2 negative: ratio 4.5 < 20 -> 2 + 3 x 15.5/20; plus 1.5');
select pg_temp.history(pg_temp.player('gm_hot', 60), 'positive', 9, '2026-01-09 12:00+00');
select pg_temp.history(tests.player('gm_hot'), 'negative', 1, '2026-01-09 12:00+00');
select is((pg_temp.exchange(tests.player('gm_hot'), -1) ->> 'temperature')::numeric, 63.8::numeric,
  'in conflict the target is 5: 2 + 3 x 0.5/5 = 2.3; 60 + 1.5 + 2.3');
select pg_temp.history(pg_temp.player('gm_hi', 10), 'positive', 30, '2026-01-09 12:00+00');
select pg_temp.history(tests.player('gm_hi'), 'negative', 1, '2026-01-09 12:00+00');
select is((pg_temp.exchange(tests.player('gm_hi'), 1) ->> 'temperature')::numeric, 7.95::numeric,
  'ratio 31 >= 20: -1 - 11/20; 10 - 0.5 - 1.55 = 7.95');
select pg_temp.history(pg_temp.player('gm_old', 10, 0, '2026-01-10 12:00+00', null, '2025-12-20 09:00+00'), 'negative', 5, '2026-01-02 12:00+00');
select is((pg_temp.exchange(tests.player('gm_old'), 1) ->> 'temperature')::numeric, 8.5::numeric,
  'exchanges older than 7 days do not count');

-- The big-drop bonus (+5 when the drop exceeds 3) cannot fire while chapter caps keep a drop at 3 or less; a designer
-- who lowers big_drop_above sees it.
update game.tunables set value = '2' where name = 'big_drop_above';
select is((pg_temp.exchange(pg_temp.player('big'), -3) ->> 'temperature')::numeric, 14.5::numeric,
  'with big_drop_above = 2 a drop of 3 adds the bonus: 4.5 + 5 + 5');
select is((select event_details ->> 'chapter_cap' from public.score_history where user_id = tests.player('big')), '3.0000',
  'chapter 1 caps a drop at 3.0');

-- The kept Gottman counts: each exchange reads only the rows that entered or left the window since the last one, and
-- must land where a fresh count over (now - 7 d, now] of this game does. Exchanges every 11 h for 12 days (so rows
-- leave the window from day 7), signs by a fixed pattern, one row written behind the engine's back.
create function pg_temp.fresh_counts(p_user uuid, p_now timestamptz) returns int[] language sql as $$
  select array[count(*) filter (where h.event_details ->> 'polarity' = 'positive'),
               count(*) filter (where h.event_details ->> 'polarity' = 'negative')]::int[]
  from public.score_history h join public.users u on u.id = h.user_id
  where h.user_id = p_user and h.event_type in ('exchange', 'voice_call')
    and h.recorded_at > p_now - interval '7 days' and h.recorded_at <= p_now and h.recorded_at >= u.game_started_at
$$;
create function pg_temp.kept_counts(p_user uuid) returns int[] language sql as $$
  select array[gottman_positives, gottman_negatives] from game.conflict_state where user_id = p_user
$$;
create function pg_temp.walk(p_user uuid, p_from timestamptz, p_steps int) returns text[] language plpgsql as $$
declare
  v_at timestamptz;
  v_wrong text[] := '{}';
begin
  for i in 0 .. p_steps - 1 loop
    v_at := p_from + make_interval(hours => 11 * i);
    if i = 9 then -- a row the kept counts did not write: counted as entering the window
      insert into public.score_history (user_id, score, chapter, event_type, event_details, recorded_at)
      values (p_user, 50, 1, 'exchange', '{"polarity": "negative"}', v_at - interval '1 hour');
    end if;
    perform game.apply_exchange(p_user, tests.analysis(case when i % 3 = 2 then -1 else 1 end * 0.5, 0, 0, 0), v_at);
    if pg_temp.kept_counts(p_user) is distinct from pg_temp.fresh_counts(p_user, v_at) then
      v_wrong := v_wrong || format('%s: kept %s, fresh %s', v_at, pg_temp.kept_counts(p_user), pg_temp.fresh_counts(p_user, v_at));
    end if;
  end loop;
  return v_wrong;
end $$;
select pg_temp.player('kept');
update public.users set game_started_at = '2026-01-01 00:00+00' where id = tests.player('kept');
select is(pg_temp.walk(tests.player('kept'), '2026-01-01 08:00+00', 27), '{}'::text[],
  'after each of 27 exchanges over 12 days the kept counts equal a fresh count of the window');
select is(pg_temp.kept_counts(tests.player('kept')), array[10, 6],
  'and on the last day they hold the week''s 10 positive and 6 negative exchanges (one written outside the engine)');
select is((select gottman_through from game.conflict_state where user_id = tests.player('kept')),
  '2026-01-01 08:00+00'::timestamptz + interval '286 hours', 'counted through the last exchange');
-- A call scored before the last text (the clock goes back) counts afresh over its own window.
select game.apply_exchange(tests.player('kept'), tests.analysis(-1, 0, 0, 0), '2026-01-11 00:00+00', 'voice');
select is(pg_temp.kept_counts(tests.player('kept')), pg_temp.fresh_counts(tests.player('kept'), '2026-01-11 00:00+00'),
  'an exchange at an earlier time counts its own window afresh');
select is(pg_temp.walk(tests.player('kept'), '2026-01-13 07:00+00', 3), '{}'::text[],
  'and the next ones go on from it');
-- A new game starts its counts at zero: the previous game's exchanges are not its own.
update public.users set game_status = 'game_over', game_over_reason = 'score' where id = tests.player('kept');
select game.reset_player(tests.player('kept'), '2026-01-14 12:00+00');
select is(pg_temp.walk(tests.player('kept'), '2026-01-14 13:00+00', 2), '{}'::text[],
  'after a reset the counts are those of the new game only');

select * from finish();
rollback;
