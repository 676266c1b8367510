-- Decay (GAME_RULES.md §7): one set-based pass over every player at p_now, linear and idempotent.

-- Each player keeps a watermark (decay_through) and a one-day ledger (decay_day, decay_day_amount: nominal decay
-- already applied on that UTC day). A run covers [max(decay_through, last_interaction_at + grace), p_now], split
-- by UTC day, each day limited by the daily cap minus what the ledger says was applied that day. Runs only move
-- forward, so only the first day of an interval can carry earlier decay, and the ledger needs one day.
--
-- One statement, written for its cost per player (it runs hourly over every player):
-- - No locking read. Each player row is read once, with its version (xmin) and address (ctid), and updated by
--   address only while that version is still the current one. A row another transaction changed after this
--   statement's snapshot (an exchange, an admin adjustment, a concurrent run) is skipped: its watermark stays
--   where it was, so the next run applies exactly the decay this one left, and a concurrent run never applies
--   twice. The metrics live on the same row, so score, metrics, watermark and ledger change in one row write.
-- - The player row's update returns what the history row and her messages need, so no second join over the pass.
-- - One decay row per player per UTC day (§7.2): the first run of the day that removes points inserts it, later
--   runs that day update it in place (only players whose ledger is already on today look for it). The row holds
--   what the rule names, the day's drop (score_before - score) and its nominal amount, plus the consequences when
--   there are any: each jsonb value built per row costs about a microsecond, the largest cost of the pass.
-- - JIT off: compiling the expressions costs seconds per run and saves nothing on this plan; work_mem large
--   enough for the pass's hash tables to stay in memory. No memoize: the planner misjudges how many players are
--   overdue (a filter on an expression) and would cache a per-row subquery that never repeats.
-- - Shards: Postgres runs one data-changing statement on one core, so the hourly pass is split by player id into
--   p_shards disjoint parts (the last byte of the id modulo p_shards), one cron job each, running side by side
--   (sql/data/schedules.sql: one per core). Shards never touch the same player, so they need no coordination; a
--   call without shard arguments covers every player.
create or replace function game.apply_decay(p_now timestamptz, p_shard int default 0, p_shards int default 1)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
set jit = off
set work_mem = '256MB'
set enable_memoize = off
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
begin
  if p_shards is null or p_shard is null or p_shards not between 1 and 256 or p_shard not between 0 and p_shards - 1 then
    raise exception 'decay shard % of % is not one of 0..shards - 1 with 1 <= shards <= 256', p_shard, p_shards
      using errcode = '22023';
  end if;
  with candidates as (
    select u.ctid as user_row, u.xmin as user_version,
           u.id, u.chapter, u.relationship_score, u.last_decay_warning_at,
           u.intimacy, u.passion, u.trust, u.secureness,
           c.decay_per_hour as rate, c.decay_daily_cap as cap,
           greatest(coalesce(u.decay_through, '-infinity'), u.last_interaction_at + c.decay_grace_hours * interval '1 hour') as f,
           u.decay_day, u.decay_day_amount
    from public.users u
    join public.chapters c on c.chapter = u.chapter
    where u.game_status = 'active' and u.last_interaction_at is not null
      and p_now > u.last_interaction_at + c.decay_grace_hours * interval '1 hour'
      and (u.decay_through is null or u.decay_through < p_now)
      and (p_shards = 1 or pg_catalog.get_byte(pg_catalog.uuid_send(u.id), 15) % p_shards = p_shard)
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
  users_written as (
    -- By address, and only while the row is the version read above (see the header).
    update public.users u
    set relationship_score = s.new_score, decay_through = p_now, decay_day = v_today, decay_day_amount = s.today_total,
        game_status = case when s.new_score = 0 then 'game_over' else u.game_status end,
        game_over_reason = case when s.new_score = 0 then 'decay' else u.game_over_reason end,
        last_decay_warning_at = case when s.events @> '[{"kind": "where_are_you"}]' then p_now else u.last_decay_warning_at end,
        intimacy = s.new_intimacy, passion = s.new_passion, trust = s.new_trust, secureness = s.new_secureness,
        metrics_updated_at = case when s.amount > 0 then p_now else u.metrics_updated_at end,
        updated_at = p_now
    from scored s where u.ctid = s.user_row and u.xmin = s.user_version
    returning u.id, u.telegram_chat_id, s.chapter, s.amount, s.decay_day as ledger_day,
              s.relationship_score as score_before, s.new_score, s.events
  ),
  todays_rows as (
    -- Today's decay row of a player whose ledger is already on today: an earlier run today may have written it.
    select w.id as user_id, h.id, h.score, h.event_details, w.chapter, w.amount, w.score_before, w.new_score, w.events
    from users_written w
    join lateral (
      select h.id, h.score, h.event_details from public.score_history h
      where h.user_id = w.id and h.event_type = 'decay' and h.recorded_at >= v_today_start and h.recorded_at <= p_now
      order by h.recorded_at desc limit 1
    ) h on true
    where w.amount > 0 and w.ledger_day = v_today
  ),
  history_updated as (
    -- The day's totals: the nominal amounts add up, the events accumulate; score_before moves so that
    -- score_before - score stays the day's total drop.
    update public.score_history h
    set score = t.new_score, chapter = t.chapter, recorded_at = p_now,
        event_details = jsonb_build_object(
          'score_before', (t.event_details ->> 'score_before')::numeric - t.score + t.score_before,
          'nominal_amount', (t.event_details ->> 'nominal_amount')::numeric + t.amount)
          || case when t.event_details ? 'events' or t.events <> '[]'
                  then jsonb_build_object('events', coalesce(t.event_details -> 'events', '[]'::jsonb) || t.events)
                  else '{}'::jsonb end
    from todays_rows t
    where h.id = t.id
    returning h.id
  ),
  history_inserted as (
    insert into public.score_history (user_id, score, chapter, event_type, event_details, recorded_at)
    select w.id, w.new_score, w.chapter, 'decay',
           case when w.events = '[]'
                then jsonb_build_object('score_before', w.score_before, 'nominal_amount', w.amount)
                else jsonb_build_object('score_before', w.score_before, 'nominal_amount', w.amount, 'events', w.events) end,
           p_now
    from users_written w
    where w.amount > 0 and (w.ledger_day is distinct from v_today or not exists (select from todays_rows t where t.user_id = w.id))
    returning id
  ),
  notices as (
    -- Her messages for the few players whose application crossed a threshold or ended the game: one per run
    -- (the day's row may carry several), once per player and p_now (GAME_RULES.md §7.3).
    insert into private.outbox (dedupe_key, user_id, chat_id, channel, kind, payload, due_at)
    select 'decay:' || w.id || ':' || extract(epoch from p_now), w.id, w.telegram_chat_id, 'telegram', 'event',
           jsonb_build_object('event', 'decay', 'chapter', w.chapter, 'events', w.events), p_now
    from users_written w
    where w.amount > 0 and w.events <> '[]' and w.telegram_chat_id is not null
    on conflict (dedupe_key) do nothing
  )
  select jsonb_build_object(
    'decayed', (select count(*) from history_updated) + (select count(*) from history_inserted),
    'game_overs', (select count(*) from users_written where amount > 0 and new_score = 0),
    'warnings', (select count(*) from users_written where amount > 0 and events @> '[{"type": "warning"}]'))
  into v_result;
  return v_result;
end
$$;
comment on function game.apply_decay(timestamptz, int, int) is 'Hourly decay of every active player at p_now (GAME_RULES.md §7), or of shard p_shard of p_shards (players by the last byte of their id): watermark and UTC-day ledger make it idempotent and catch up after downtime; one decay row per player per UTC day, updated in place by later runs; one statement without locking reads (a row changed meanwhile waits for the next run); returns {decayed, game_overs, warnings}.';
revoke execute on function game.apply_decay(timestamptz, int, int) from public;
grant execute on function game.apply_decay(timestamptz, int, int) to service_role;
