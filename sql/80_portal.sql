-- The portal (PLATFORM.md §8): the admin audit trail, the read views players query under RLS, and the engine calls
-- behind the portal function's routes (link codes, the admin tools).

-- One row per admin action, written in the same transaction as the action itself (game.record_admin_action). The
-- trail outlives the people in it: deleting the admin's or the target's account keeps the row, its id null.
create table public.admin_audit_log (
  id bigint generated always as identity primary key,
  at timestamptz not null,
  admin_id uuid references public.users (id) on delete set null,
  action text not null check (action in ('reset_player', 'adjust_metrics', 'reprocess_conversation')),
  target_user_id uuid references public.users (id) on delete set null,
  details jsonb not null default '{}' check (jsonb_typeof(details) = 'object')
);
comment on table public.admin_audit_log is 'Admin actions (PLATFORM.md §8.1): time, admin, action, target player and details (reason, deltas, result); written with the action in one transaction, readable by admins only.';
create index admin_audit_log_admin_idx on public.admin_audit_log (admin_id);
create index admin_audit_log_target_at_idx on public.admin_audit_log (target_user_id, at desc);

alter table public.admin_audit_log enable row level security;
revoke all on public.admin_audit_log from anon, authenticated, service_role;
grant select on public.admin_audit_log to authenticated;
-- Append-only for the backend too: a trail that can be edited proves nothing.
grant select, insert on public.admin_audit_log to service_role;

create policy "admin_audit_log: admins read"
  on public.admin_audit_log for select to authenticated
  using ((select public.is_admin()));

-- What the portal's home page shows (PLATFORM.md §8.2). projected_score_24h is game.apply_decay (47_engine_decay.sql)
-- run 24 hours from now with no interaction in between: the same interval from the watermark (decay_through) or the
-- end of the grace, split by UTC day, each day limited by public.chapters' daily cap minus the ledger
-- (decay_day_amount), rounded to the stored 4 decimals; 190-portal.test.sql runs apply_decay and compares. The
-- score drops by the amount (to 0 when the amount reaches the score, as apply_decay ends the game). apply_decay
-- takes the amount from each metric and clamps each at 0, so where a metric is below the amount it drops less than
-- this: the weights that would tell how much live in game.tunables, which no API role reads.
create view public.player_stats with (security_invoker = true) as
select u.id as user_id, u.display_name, u.chapter, c.name as chapter_name, u.relationship_score, c.boss_threshold,
       least(100, round(100 * u.relationship_score / nullif(c.boss_threshold, 0), 1)) as progress_to_boss,
       u.game_status, u.boss_attempts, u.days_played, u.last_interaction_at, d.overdue_from as decay_starts_at,
       c.decay_per_hour,
       case when d.amount is null then u.relationship_score
            when d.amount >= u.relationship_score then 0::numeric
            else u.relationship_score - d.amount end as projected_score_24h,
       (u.game_status = 'active' and u.last_interaction_at is not null and now() > d.overdue_from) as is_decaying,
       u.onboarded_at
from public.users u
join public.chapters c on c.chapter = u.chapter
cross join lateral (
  select u.last_interaction_at + c.decay_grace_hours * interval '1 hour' as overdue_from,
         now() + interval '24 hours' as at
) t
cross join lateral (
  select t.overdue_from,
         greatest(coalesce(u.decay_through, '-infinity'), t.overdue_from) as f,
         (t.at at time zone 'UTC')::date as today,
         (t.at at time zone 'UTC')::date::timestamp at time zone 'UTC' as today_start
) w
cross join lateral (
  select (w.f at time zone 'UTC')::date as first_day,
         case when u.decay_day = (w.f at time zone 'UTC')::date then u.decay_day_amount else 0 end as already
) s
cross join lateral (
  select w.overdue_from,
         case when u.game_status = 'active' and u.last_interaction_at is not null and t.at > w.overdue_from
                   and (u.decay_through is null or u.decay_through < t.at)
              then (least(c.decay_per_hour * extract(epoch from least(t.at, (s.first_day + 1)::timestamp at time zone 'UTC') - w.f) / 3600,
                          greatest(c.decay_daily_cap - s.already, 0))
                    + greatest(w.today - s.first_day - 1, 0) * least(c.decay_per_hour * 24, c.decay_daily_cap)
                    + case when s.first_day < w.today
                           then least(c.decay_per_hour * extract(epoch from t.at - w.today_start) / 3600, c.decay_daily_cap)
                           else 0 end)::numeric(9, 4)
         end as amount
) d;
comment on view public.player_stats is 'One row per player (own row under RLS; admins all): chapter, score, boss threshold and progress, status, decay start and rate, the score 24 h from now without an interaction (game.apply_decay''s formula), onboarding time.';

revoke all on public.player_stats from anon, authenticated, service_role;
grant select on public.player_stats to authenticated, service_role;

-- The conversation list without message text; user_id lets a client filter by the index the policy reads. A
-- conversation whose messages retention removed keeps the count it had (removed_message_count).
create view public.conversation_list with (security_invoker = true) as
select c.id, c.user_id, c.platform, c.started_at, c.ended_at,
       coalesce(c.removed_message_count::bigint,
                (select count(*) from public.messages m where m.conversation_id = c.id)) as message_count,
       c.score_delta, c.emotional_tone, c.summary, c.is_boss_fight
from public.conversations c;
comment on view public.conversation_list is 'A player''s conversations (own rows under RLS; admins all): platform, times, message count, score delta, tone, summary, boss flag; no message text.';

revoke all on public.conversation_list from anon, authenticated, service_role;
grant select on public.conversation_list to authenticated, service_role;

-- The zones a player may choose: the list private.check_user_timezone accepts.
create view public.timezone_options with (security_invoker = true) as
select z.name, z.utc_offset from pg_catalog.pg_timezone_names z;
comment on view public.timezone_options is 'The IANA time zones Postgres knows (pg_timezone_names) with their current UTC offset: what the settings form offers and the timezone check accepts.';

revoke all on public.timezone_options from anon, authenticated, service_role;
grant select on public.timezone_options to authenticated, service_role;

-- A link code for the portal's POST /telegram-link (PLATFORM.md §8.1): the player's unexpired code when there is one
-- (reused: {reused: true}), else p_code, valid for link_code_ttl minutes. p_code is drawn by the caller (8
-- characters of A-Z and 2-9 without I and O); one that another player holds comes back as {code: null}, and the
-- caller draws again. /start link_<code> consumes it (game.consume_link_code).
create or replace function game.issue_link_code(p_user_id uuid, p_code text, p_now timestamptz)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  -- The player's row lock makes two requests at once get one code.
  v_user public.users := game.lock_player(p_user_id);
  v_ttl interval := make_interval(mins => (game.tunables_json() ->> 'link_code_ttl')::int);
  v_code text;
  v_expires_at timestamptz;
  v_reused boolean := true;
begin
  delete from private.telegram_link_codes where user_id = p_user_id and expires_at <= p_now;
  select code, expires_at into v_code, v_expires_at from private.telegram_link_codes
  where user_id = p_user_id order by expires_at desc limit 1;
  if v_code is null then
    if p_code is null or p_code !~ '^[A-HJ-NP-Z2-9]{8}$' then
      raise exception 'a link code is 8 characters of A-H, J-N, P-Z, 2-9, got %', p_code using errcode = '22023';
    end if;
    insert into private.telegram_link_codes (code, user_id, expires_at, created_at)
    values (p_code, p_user_id, p_now + v_ttl, p_now)
    on conflict (code) do nothing
    returning code, expires_at into v_code, v_expires_at;
    v_reused := false;
  end if;
  return jsonb_build_object('code', v_code, 'expires_at', v_expires_at, 'reused', v_reused,
    'currently_linked', v_user.telegram_id is not null);
end
$$;
comment on function game.issue_link_code(uuid, text, timestamptz) is 'The player''s Telegram link code: the unexpired one reused, else p_code for link_code_ttl minutes ({code: null} when another player holds it); PNFND.';
revoke execute on function game.issue_link_code(uuid, text, timestamptz) from public;
grant execute on function game.issue_link_code(uuid, text, timestamptz) to service_role;

-- An admin adjustment (GAME_RULES.md §19): per-metric deltas within ±admin_delta_limit, each metric clamped to
-- metric_min..metric_max, the score recomputed, one manual_adjustment history row and one audit row. It never
-- changes the status: a boss starts at the next scored exchange if §5.1 holds then. Raises ADMRQ when p_admin_id is
-- no admin, 22023 for deltas or a reason out of bounds, PNFND.
create or replace function game.admin_adjust(p_user_id uuid, p_deltas jsonb, p_reason text, p_admin_id uuid,
  p_now timestamptz)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_t jsonb := game.tunables_json();
  v_limit numeric := (v_t ->> 'admin_delta_limit')::numeric;
  v_min numeric := (v_t ->> 'metric_min')::numeric;
  v_max numeric := (v_t ->> 'metric_max')::numeric;
  v_user public.users;
  v_new public.users;
  v_score numeric;
  v_applied jsonb;
  v_history_id bigint;
  v_audit_id bigint;
begin
  perform game.require_admin(p_admin_id);
  perform game.check_admin_deltas(p_deltas, v_limit);
  if p_reason is null or char_length(btrim(p_reason)) not between 1 and 500 then
    raise exception 'a reason of 1 to 500 characters is required' using errcode = '22023';
  end if;
  v_user := game.lock_player(p_user_id);
  v_new := v_user;
  v_new.intimacy := least(v_max, greatest(v_min, v_user.intimacy + coalesce((p_deltas ->> 'intimacy')::numeric, 0)));
  v_new.passion := least(v_max, greatest(v_min, v_user.passion + coalesce((p_deltas ->> 'passion')::numeric, 0)));
  v_new.trust := least(v_max, greatest(v_min, v_user.trust + coalesce((p_deltas ->> 'trust')::numeric, 0)));
  v_new.secureness := least(v_max, greatest(v_min, v_user.secureness + coalesce((p_deltas ->> 'secureness')::numeric, 0)));
  v_score := game.score_of(v_t, v_new.intimacy, v_new.passion, v_new.trust, v_new.secureness);
  v_applied := jsonb_build_object('intimacy', v_new.intimacy - v_user.intimacy, 'passion', v_new.passion - v_user.passion,
    'trust', v_new.trust - v_user.trust, 'secureness', v_new.secureness - v_user.secureness);

  update public.users set intimacy = v_new.intimacy, passion = v_new.passion, trust = v_new.trust,
    secureness = v_new.secureness, metrics_updated_at = p_now, relationship_score = v_score, updated_at = p_now
  where id = p_user_id;
  v_history_id := game.write_history(p_user_id, v_score, v_user.chapter, 'manual_adjustment', jsonb_build_object(
    'deltas', v_applied, 'requested', p_deltas, 'reason', p_reason, 'admin_id', p_admin_id,
    'score_before', v_user.relationship_score, 'events', '[]'::jsonb), null, p_now);
  v_audit_id := game.record_admin_action(p_admin_id, 'adjust_metrics', p_user_id, jsonb_build_object(
    'reason', p_reason, 'requested', p_deltas, 'deltas', v_applied, 'score_before', v_user.relationship_score,
    'score', v_score, 'history_id', v_history_id), p_now);
  return jsonb_build_object('score', v_score, 'score_before', v_user.relationship_score, 'chapter', v_user.chapter,
    'game_status', v_user.game_status, 'deltas', v_applied,
    'metrics', jsonb_build_object('intimacy', v_new.intimacy, 'passion', v_new.passion, 'trust', v_new.trust,
      'secureness', v_new.secureness),
    'history_id', v_history_id, 'audit_id', v_audit_id);
end
$$;
comment on function game.admin_adjust(uuid, jsonb, text, uuid, timestamptz) is 'Admin adjustment (GAME_RULES.md §19): deltas within ±admin_delta_limit, metrics clamped, score recomputed, one manual_adjustment row and one audit row, status untouched; ADMRQ, 22023, PNFND.';
revoke execute on function game.admin_adjust(uuid, jsonb, text, uuid, timestamptz) from public;
grant execute on function game.admin_adjust(uuid, jsonb, text, uuid, timestamptz) to service_role;

-- POST /admin/players/{id}/reset: game.reset_player (a new game after game over or victory; anything else is left as
-- it is and says {reset: false}) and its audit row. ADMRQ, 22023 (reason), PNFND.
create or replace function game.admin_reset(p_user_id uuid, p_reason text, p_admin_id uuid, p_now timestamptz)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_result jsonb;
begin
  perform game.require_admin(p_admin_id);
  if p_reason is null or char_length(btrim(p_reason)) not between 1 and 500 then
    raise exception 'a reason of 1 to 500 characters is required' using errcode = '22023';
  end if;
  v_result := game.reset_player(p_user_id, p_now);
  return v_result || jsonb_build_object('audit_id', game.record_admin_action(p_admin_id, 'reset_player', p_user_id,
    jsonb_build_object('reason', p_reason, 'result', v_result), p_now));
end
$$;
comment on function game.admin_reset(uuid, text, uuid, timestamptz) is 'Admin reset: game.reset_player plus its audit row, one transaction; ADMRQ, 22023, PNFND.';
revoke execute on function game.admin_reset(uuid, text, uuid, timestamptz) from public;
grant execute on function game.admin_reset(uuid, text, uuid, timestamptz) to service_role;

-- POST /admin/conversations/{id}/reprocess: the conversation's existing pipeline job runs again from its first stage
-- (PLATFORM.md §6: every stage is safe to rerun), due at p_now with its attempts restored. A worker holding the old
-- claim loses it and stops at its next stage. CVNFD when the conversation has no job (unknown, or still open).
create or replace function game.admin_reprocess(p_conversation_id uuid, p_admin_id uuid, p_now timestamptz)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_user_id uuid;
  v_previous text;
begin
  perform game.require_admin(p_admin_id);
  select j.user_id, j.status into v_user_id, v_previous from private.conversation_jobs j
  where j.conversation_id = p_conversation_id for update;
  if not found then
    -- No job: the conversation is unknown, still open, or past retention (its messages gone with its job).
    raise exception 'conversation not found, not closed or past retention: %', p_conversation_id using errcode = 'CVNFD';
  end if;
  update private.conversation_jobs set status = 'pending', attempts = 0, next_attempt_at = p_now, lease_until = null,
    claim_token = null, last_error = null, finished_at = null, stages = '{}'
  where conversation_id = p_conversation_id;
  return jsonb_build_object('queued', true, 'conversation_id', p_conversation_id, 'previous_status', v_previous,
    'audit_id', game.record_admin_action(p_admin_id, 'reprocess_conversation', v_user_id,
      jsonb_build_object('conversation_id', p_conversation_id, 'previous_status', v_previous), p_now));
end
$$;
comment on function game.admin_reprocess(uuid, uuid, timestamptz) is 'Admin reprocess: re-arms the conversation''s pipeline job (pending, due now, attempts and stages cleared) plus its audit row; ADMRQ, CVNFD.';
revoke execute on function game.admin_reprocess(uuid, uuid, timestamptz) from public;
grant execute on function game.admin_reprocess(uuid, uuid, timestamptz) to service_role;

-- Defence in depth behind the portal's own check of the access token: the acting user's app_metadata (writable only
-- with the service key) must say admin, or nothing happens (ADMRQ).
create or replace function game.require_admin(p_admin_id uuid)
returns void
language plpgsql
stable
security invoker
set search_path = ''
as $$
begin
  if p_admin_id is null or not exists (
    select 1 from auth.users where id = p_admin_id and raw_app_meta_data ->> 'role' = 'admin'
  ) then
    raise exception 'admin role required' using errcode = 'ADMRQ';
  end if;
end
$$;
comment on function game.require_admin(uuid) is 'Raises ADMRQ unless the user''s app_metadata.role is admin (defence in depth for the admin functions).';
revoke execute on function game.require_admin(uuid) from public;
grant execute on function game.require_admin(uuid) to service_role;

-- An admin adjustment's deltas: an object of one to four metrics, each a number within ±p_limit (22023 otherwise).
create or replace function game.check_admin_deltas(p_deltas jsonb, p_limit numeric)
returns void
language plpgsql
immutable
security invoker
set search_path = ''
as $$
declare
  v_bad text;
begin
  if p_deltas is null or jsonb_typeof(p_deltas) <> 'object' or p_deltas = '{}'::jsonb then
    raise exception 'deltas must be an object of one to four metrics' using errcode = '22023';
  end if;
  select string_agg(e.key, ', ' order by e.key) into v_bad from jsonb_each(p_deltas) e
  where e.key not in ('intimacy', 'passion', 'trust', 'secureness') or jsonb_typeof(e.value) <> 'number'
     or abs(e.value::numeric) > p_limit;
  if v_bad is not null then
    raise exception 'deltas: % must be metrics with a number from % to %', v_bad, -p_limit, p_limit
      using errcode = '22023';
  end if;
end
$$;
comment on function game.check_admin_deltas(jsonb, numeric) is 'Checks an admin adjustment''s deltas: known metrics, numbers within ±p_limit (22023).';
revoke execute on function game.check_admin_deltas(jsonb, numeric) from public;
grant execute on function game.check_admin_deltas(jsonb, numeric) to service_role;

-- The audit row of an admin action, inside the action's transaction.
create or replace function game.record_admin_action(p_admin_id uuid, p_action text, p_target_user_id uuid,
  p_details jsonb, p_now timestamptz)
returns bigint
language sql
volatile
security invoker
set search_path = ''
as $$
  insert into public.admin_audit_log (at, admin_id, action, target_user_id, details)
  values (p_now, p_admin_id, p_action, p_target_user_id, p_details)
  returning id
$$;
comment on function game.record_admin_action(uuid, text, uuid, jsonb, timestamptz) is 'Inserts the audit row of an admin action (called inside the action''s transaction).';
revoke execute on function game.record_admin_action(uuid, text, uuid, jsonb, timestamptz) from public;
grant execute on function game.record_admin_action(uuid, text, uuid, jsonb, timestamptz) to service_role;
