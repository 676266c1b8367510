-- Signup in the chat (PLATFORM.md §2.4, §2.5): the signup state, portal link codes, binding a Telegram account.

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

-- Stores the number a player shared from Telegram (their own contact) for matching inbound calls: 'saved', 'taken'
-- when it belongs to another player (phones are unique), or 'invalid' when it is not E.164. Never an error: the
-- chat answers each case in character.
create or replace function game.save_phone(p_user_id uuid, p_phone text, p_now timestamptz)
returns text
language plpgsql
volatile
security invoker
set search_path = ''
as $$
begin
  perform game.lock_player(p_user_id);
  if p_phone is null or p_phone !~ '^\+[1-9][0-9]{6,14}$' then
    return 'invalid';
  end if;
  if exists (select 1 from public.users where phone = p_phone and id <> p_user_id) then
    return 'taken';
  end if;
  update public.users set phone = p_phone, updated_at = p_now where id = p_user_id;
  return 'saved';
exception when unique_violation then
  -- Another player saved it at the same moment.
  return 'taken';
end
$$;
comment on function game.save_phone(uuid, text, timestamptz) is 'Stores a player''s own phone number (E.164) for inbound calls: saved, taken (another player''s) or invalid.';
revoke execute on function game.save_phone(uuid, text, timestamptz) from public;
grant execute on function game.save_phone(uuid, text, timestamptz) to service_role;

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
