-- Decay (GAME_RULES.md §7): one set-based pass over every player at p_now, linear and idempotent.

-- Each player keeps a watermark (decay_through) and a one-day ledger (decay_day, decay_day_amount: nominal decay
-- already applied on that UTC day). A run covers [max(decay_through, last_interaction_at + grace), p_now], split
-- by UTC day, each day limited by the daily cap minus what the ledger says was applied that day. Runs only move
-- forward, so only the first day of an interval can carry earlier decay, and the ledger needs one day. Running
-- twice at the same p_now, concurrently (rows are locked) or once after downtime applies what hourly runs would.
create or replace function game.apply_decay(p_now timestamptz)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_t jsonb := game.tunables_json();
  v_today date := (p_now at time zone 'UTC')::date;
  v_today_start timestamptz := (p_now at time zone 'UTC')::date::timestamp at time zone 'UTC';
  v_scale int := (v_t ->> 'value_scale')::int;
  v_wi numeric := (v_t ->> 'weight_intimacy')::numeric;
  v_wp numeric := (v_t ->> 'weight_passion')::numeric;
  v_wt numeric := (v_t ->> 'weight_trust')::numeric;
  v_ws numeric := (v_t ->> 'weight_secureness')::numeric;
  -- Scalars read out before the pass: a jsonb variable referenced inside the statement is copied per row.
  v_warning_below numeric := (v_t ->> 'decay_warning_below')::numeric;
  v_alert_below numeric := (v_t ->> 'decay_alert_below')::numeric;
  v_warning_gap interval := make_interval(hours => (v_t ->> 'decay_warning_min_gap')::int);
  v_result jsonb;
  v_notice jsonb;
begin
  with candidates as (
    -- Locking both rows makes the values read current even when an exchange committed while this pass waited.
    select u.id, u.chapter, u.relationship_score, u.last_decay_warning_at,
           m.intimacy, m.passion, m.trust, m.secureness,
           c.decay_per_hour as rate, c.decay_daily_cap as cap,
           u.last_interaction_at + c.decay_grace_hours * interval '1 hour' as overdue_from,
           greatest(coalesce(u.decay_through, '-infinity'), u.last_interaction_at + c.decay_grace_hours * interval '1 hour') as f,
           u.decay_day, u.decay_day_amount
    from public.users u
    join public.user_metrics m on m.user_id = u.id
    join public.chapters c on c.chapter = u.chapter
    where u.game_status = 'active' and u.last_interaction_at is not null
      and p_now > u.last_interaction_at + c.decay_grace_hours * interval '1 hour'
      and (u.decay_through is null or u.decay_through < p_now)
    for no key update of u, m
  ),
  spans as (
    -- The interval's first UTC day and what the ledger says was already applied on it.
    select c.*, (c.f at time zone 'UTC')::date as first_day,
           case when c.decay_day = (c.f at time zone 'UTC')::date then c.decay_day_amount else 0 end as already
    from candidates c
  ),
  days as (
    -- Per UTC day: min(rate x hours, cap - already). First day (the only one the ledger can hold), whole days in
    -- between, and today's part when the interval reaches past the first day.
    select s.*,
           least(s.rate * extract(epoch from least(p_now, (s.first_day + 1)::timestamp at time zone 'UTC') - s.f) / 3600,
                 greatest(s.cap - s.already, 0)) as first_amount,
           greatest(v_today - s.first_day - 1, 0) * least(s.rate * 24, s.cap) as middle_amount,
           case when s.first_day < v_today
                then least(s.rate * extract(epoch from p_now - v_today_start) / 3600, s.cap) else 0 end as last_amount
    from spans s
  ),
  applied as (
    select d.*, a.amount, a.today_total,
           case when a.amount >= d.relationship_score then 0 else greatest(0, d.intimacy - a.amount) end as new_intimacy,
           case when a.amount >= d.relationship_score then 0 else greatest(0, d.passion - a.amount) end as new_passion,
           case when a.amount >= d.relationship_score then 0 else greatest(0, d.trust - a.amount) end as new_trust,
           case when a.amount >= d.relationship_score then 0 else greatest(0, d.secureness - a.amount) end as new_secureness
    from days d
    cross join lateral (
      select round(d.first_amount + d.middle_amount + d.last_amount, v_scale) as amount,
             round(case when d.first_day = v_today then d.already + d.first_amount else d.last_amount end, v_scale) as today_total
      -- offset 0 keeps the subquery from being flattened, so each row computes its amounts once instead of once
      -- per reference below.
      offset 0
    ) a
  ),
  scored as (
    select a.*, s.new_score,
      -- Consequences (§7.3): the goodbye alone when the game ends, else the warning (at most one per 24 h) and
      -- the alert when their thresholds are crossed.
      case
        when s.new_score = 0 then jsonb_build_array(jsonb_build_object('type', 'game_over', 'reason', 'decay'))
        else
          case when a.relationship_score >= v_warning_below and s.new_score < v_warning_below
                    and (a.last_decay_warning_at is null
                         or a.last_decay_warning_at <= p_now - v_warning_gap)
               then jsonb_build_array(jsonb_build_object('type', 'warning', 'kind', 'where_are_you')) else '[]'::jsonb end
          || case when a.relationship_score >= v_alert_below and s.new_score < v_alert_below
               then jsonb_build_array(jsonb_build_object('type', 'warning', 'kind', 'dont_forget_me')) else '[]'::jsonb end
      end as events
    from applied a
    -- game.score_of's weighted sum, written out: a per-row function call costs more than the rest of the pass.
    cross join lateral (select round(v_wi * a.new_intimacy + v_wp * a.new_passion + v_wt * a.new_trust + v_ws * a.new_secureness,
      v_scale) as new_score offset 0) s
  ),
  metrics_written as (
    update public.user_metrics m
    set intimacy = s.new_intimacy, passion = s.new_passion, trust = s.new_trust, secureness = s.new_secureness, updated_at = p_now
    from scored s where m.user_id = s.id and s.amount > 0
  ),
  users_written as (
    update public.users u
    set relationship_score = s.new_score, decay_through = p_now, decay_day = v_today, decay_day_amount = s.today_total,
        game_status = case when s.new_score = 0 then 'game_over' else u.game_status end,
        game_over_reason = case when s.new_score = 0 then 'decay' else u.game_over_reason end,
        last_decay_warning_at = case when s.events @> '[{"kind": "where_are_you"}]' then p_now else u.last_decay_warning_at end,
        updated_at = p_now
    from scored s where u.id = s.id
  ),
  history as (
    insert into public.score_history (user_id, score, chapter, event_type, event_details, recorded_at)
    select s.id, s.new_score, s.chapter, 'decay', jsonb_build_object(
             'deltas', jsonb_build_object('intimacy', s.new_intimacy - s.intimacy, 'passion', s.new_passion - s.passion,
               'trust', s.new_trust - s.trust, 'secureness', s.new_secureness - s.secureness),
             'nominal_amount', s.amount, 'interval', jsonb_build_object('from', s.f, 'to', p_now),
             'overdue_hours', round(extract(epoch from p_now - s.overdue_from) / 3600, v_scale),
             'score_before', s.relationship_score, 'events', s.events),
           p_now
    from scored s where s.amount > 0
    returning id, user_id, chapter, event_details -> 'events' as events
  )
  select jsonb_build_object(
    'decayed', (select count(*) from history),
    'game_overs', (select count(*) from scored where amount > 0 and new_score = 0),
    'warnings', (select count(*) from scored where amount > 0 and events @> '[{"type": "warning"}]'),
    'notices', (select coalesce(jsonb_agg(jsonb_build_object('user_id', h.user_id, 'history_id', h.id, 'chapter', h.chapter,
                  'events', h.events)), '[]')
                from history h where jsonb_array_length(h.events) > 0))
  into v_result;

  -- Her messages for the few players whose application crossed a threshold or ended the game.
  for v_notice in select jsonb_array_elements(v_result -> 'notices') loop
    perform game.queue_event((v_notice ->> 'user_id')::uuid, (v_notice ->> 'history_id')::bigint,
      jsonb_build_object('event', 'decay', 'chapter', v_notice -> 'chapter', 'events', v_notice -> 'events'), p_now);
  end loop;
  return v_result - 'notices';
end
$$;
comment on function game.apply_decay(timestamptz) is 'Hourly decay of every active player at p_now (GAME_RULES.md §7): watermark and UTC-day ledger make it idempotent and catch up after downtime; one set-based statement; returns {decayed, game_overs, warnings}.';
revoke execute on function game.apply_decay(timestamptz) from public;
grant execute on function game.apply_decay(timestamptz) to service_role;
