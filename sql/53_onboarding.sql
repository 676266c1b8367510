-- Signup and onboarding in the chat (PLATFORM.md §2.5), the /status line, and the HTTP jobs pg_cron starts.

create table private.telegram_signups (
  telegram_id bigint primary key,
  chat_id bigint not null,
  state text not null check (state in ('awaiting_email', 'code_sent', 'ask_name', 'ask_city', 'ask_darkness')),
  email text,
  user_id uuid references public.users (id) on delete cascade,
  wrong_codes integer not null default 0 check (wrong_codes >= 0),
  profile_draft jsonb not null default '{}',
  expires_at timestamptz not null,
  updated_at timestamptz not null
);
comment on table private.telegram_signups is 'One signup/onboarding state row per Telegram account: the step, the email, wrong codes, the profile so far and the expiry.';
create index telegram_signups_user_idx on private.telegram_signups (user_id) where user_id is not null;
create index telegram_signups_expires_idx on private.telegram_signups (expires_at);

alter table private.telegram_signups enable row level security;
grant select, insert, update, delete on private.telegram_signups to service_role;
create policy "telegram_signups: backend only"
  on private.telegram_signups for select to service_role
  using (true);

-- Binds a Telegram account to a player. A Telegram id bound to another player raises TGBND; a player bound to
-- another Telegram account is re-bound (the verified code proves they own the email).
create or replace function game.bind_telegram(p_user_id uuid, p_telegram_id bigint, p_chat_id bigint, p_now timestamptz)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_user public.users := game.lock_player(p_user_id);
begin
  if exists (select 1 from public.users where telegram_id = p_telegram_id and id <> p_user_id) then
    raise exception 'telegram account already bound to another player' using errcode = 'TGBND';
  end if;
  update public.users set telegram_id = p_telegram_id, telegram_chat_id = p_chat_id, telegram_unreachable_at = null,
    updated_at = p_now
  where id = p_user_id;
  return jsonb_build_object('rebound', v_user.telegram_id is not null and v_user.telegram_id <> p_telegram_id,
    'onboarding_status', v_user.onboarding_status);
end
$$;
comment on function game.bind_telegram(uuid, bigint, bigint, timestamptz) is 'Binds a Telegram account to a player (TGBND when it belongs to another player).';
revoke execute on function game.bind_telegram(uuid, bigint, bigint, timestamptz) from public;
grant execute on function game.bind_telegram(uuid, bigint, bigint, timestamptz) to service_role;

-- The last onboarding step: profile, timezone, status, the game's start, and the vices of the darkness level.
-- p_profile: {display_name, city, timezone, darkness}. DKINV for a darkness outside 1..5, TZINV for an unknown zone.
create or replace function game.complete_onboarding(p_user_id uuid, p_profile jsonb, p_now timestamptz)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_darkness int;
  v_vices jsonb;
begin
  perform game.lock_player(p_user_id);
  if jsonb_typeof(p_profile -> 'darkness') is distinct from 'number'
     or (p_profile ->> 'darkness')::numeric not in (1, 2, 3, 4, 5) then
    raise exception 'darkness level must be 1..5, got %', coalesce(p_profile ->> 'darkness', 'nothing') using errcode = 'DKINV';
  end if;
  v_darkness := (p_profile ->> 'darkness')::int;
  update public.users set
    display_name = coalesce(nullif(trim(p_profile ->> 'display_name'), ''), display_name),
    city = coalesce(nullif(trim(p_profile ->> 'city'), ''), city),
    timezone = coalesce(p_profile ->> 'timezone', timezone),
    onboarding_status = 'completed', onboarded_at = p_now, game_started_at = p_now,
    last_interaction_at = p_now, decay_through = p_now, updated_at = p_now
  where id = p_user_id;
  v_vices := game.seed_vices(p_user_id, v_darkness, p_now);
  return jsonb_build_object('onboarding_status', 'completed', 'game_started_at', p_now, 'vices', v_vices -> 'categories');
end
$$;
comment on function game.complete_onboarding(uuid, jsonb, timestamptz) is 'Completes onboarding: profile, timezone, status, game start, vices (DKINV, TZINV).';
revoke execute on function game.complete_onboarding(uuid, jsonb, timestamptz) from public;
grant execute on function game.complete_onboarding(uuid, jsonb, timestamptz) to service_role;

-- What /status shows: the chapter's name and a vague band from the score's distance to the boss threshold,
-- never a number. Bands are the status_bands tunable.
create or replace function game.player_status(p_user_id uuid, p_now timestamptz)
returns jsonb
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  v_user public.users;
  v_chapter public.chapters;
  v_band text;
begin
  select * into v_user from public.users where id = p_user_id;
  if not found then
    raise exception 'player not found: %', p_user_id using errcode = 'PNFND';
  end if;
  select * into v_chapter from public.chapters where chapter = v_user.chapter;
  if v_user.game_status in ('active', 'boss_fight') then
    select b ->> 'band' into v_band
    from jsonb_array_elements(game.tunables_json() -> 'status_bands') with ordinality as bands(b, n)
    where b ->> 'below' is null or v_user.relationship_score < (b ->> 'below')::numeric * v_chapter.boss_threshold
    order by n limit 1;
  end if;
  return jsonb_build_object('chapter', v_user.chapter, 'chapter_name', v_chapter.name, 'band', v_band,
    'game_status', v_user.game_status, 'onboarding_status', v_user.onboarding_status, 'as_of', p_now);
end
$$;
comment on function game.player_status(uuid, timestamptz) is 'The /status line: chapter, chapter name, a vague band (status_bands tunable), status and onboarding status.';
revoke execute on function game.player_status(uuid, timestamptz) from public;
grant execute on function game.player_status(uuid, timestamptz) to service_role;

-- Starts an HTTP job of the jobs function (PLATFORM.md §5.2): the URL and secret come from Vault, the request
-- is sent by pg_net after commit and never retried, which is why every job works from durable tables.
create or replace function private.invoke_job(p_job text)
returns bigint
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_url text;
  v_secret text;
begin
  select decrypted_secret into v_url from vault.decrypted_secrets where name = 'project_url';
  select decrypted_secret into v_secret from vault.decrypted_secrets where name = 'jobs_secret';
  if v_url is null or v_secret is null then
    raise warning 'invoke_job(%): vault secrets project_url and jobs_secret are not set', p_job;
    return null;
  end if;
  return net.http_post(
    url := rtrim(v_url, '/') || '/functions/v1/jobs/' || p_job,
    body := jsonb_build_object('scheduled_at', now()),
    headers := jsonb_build_object('Content-Type', 'application/json', 'X-Jobs-Secret', v_secret),
    timeout_milliseconds := 5000);
end
$$;
comment on function private.invoke_job(text) is 'Posts to the jobs function through pg_net with the Vault project_url and jobs_secret (cron jobs call it).';
revoke execute on function private.invoke_job(text) from public;

-- Portal link codes (PLATFORM.md §8.1, §2.4): 8 characters, single use, 10 minutes. The portal creates them;
-- /start link_<code> in Telegram consumes one.
create table private.telegram_link_codes (
  code text primary key check (code ~ '^[A-HJ-NP-Z2-9]{8}$'),
  user_id uuid not null references public.users (id) on delete cascade,
  expires_at timestamptz not null,
  created_at timestamptz not null default now()
);
comment on table private.telegram_link_codes is 'Single-use codes (10 min) that bind a Telegram account to a portal player through /start link_<code>.';
create index telegram_link_codes_user_idx on private.telegram_link_codes (user_id);

alter table private.telegram_link_codes enable row level security;
grant select, insert, update, delete on private.telegram_link_codes to service_role;
create policy "telegram_link_codes: backend only"
  on private.telegram_link_codes for select to service_role
  using (true);

-- Consumes a link code atomically (delete ... returning) and binds this Telegram account to its player.
-- An unknown or expired code raises LNKEX; an account bound to someone else raises TGBND (and keeps the code).
create or replace function game.consume_link_code(p_code text, p_telegram_id bigint, p_chat_id bigint, p_now timestamptz)
returns jsonb
language plpgsql
volatile
security invoker
set search_path = ''
as $$
declare
  v_user_id uuid;
begin
  delete from private.telegram_link_codes where code = upper(p_code) and expires_at > p_now
  returning user_id into v_user_id;
  if v_user_id is null then
    raise exception 'link code unknown or expired' using errcode = 'LNKEX';
  end if;
  return game.bind_telegram(v_user_id, p_telegram_id, p_chat_id, p_now) || jsonb_build_object('user_id', v_user_id);
end
$$;
comment on function game.consume_link_code(text, bigint, bigint, timestamptz) is 'Consumes a portal link code once and binds the Telegram account (LNKEX, TGBND).';
revoke execute on function game.consume_link_code(text, bigint, bigint, timestamptz) from public;
grant execute on function game.consume_link_code(text, bigint, bigint, timestamptz) to service_role;
