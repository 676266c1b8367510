-- Binding a Telegram account, completing onboarding, and the /status line.
begin;
select plan(27);

select tests.create_player('una') as una \gset
select tests.create_player('vik') as vik \gset
select is(game.bind_telegram(:'una', 5001, 5001, '2026-01-05 10:00+00'), '{"rebound": false, "onboarding_status": "pending"}'::jsonb, 'a Telegram account binds');
select results_eq($$select telegram_id, telegram_chat_id from public.users where id = tests.player('una')$$, $$values (5001::bigint, 5001::bigint)$$, 'ids stored');
select throws_ok(format('select game.bind_telegram(%L, 5001, 5001, %L)', :'vik', '2026-01-05 10:00+00'), 'TGBND',
  'telegram account already bound to another player', 'an account bound to another player is TGBND');
select is(game.bind_telegram(:'una', 5002, 5002, '2026-01-05 10:05+00') ->> 'rebound', 'true', 'a verified player moving to another account is re-bound');

select throws_ok(format('select game.complete_onboarding(%L, %L, %L)', :'una', '{"display_name": "Una", "timezone": "UTC", "darkness": 9}', '2026-01-05 10:10+00'),
  'DKINV', 'darkness level must be 1..5, got 9', 'darkness outside 1..5 is DKINV');
select throws_ok(format('select game.complete_onboarding(%L, %L, %L)', :'una', '{"display_name": "Una", "timezone": "Moon/Base", "darkness": 3}', '2026-01-05 10:10+00'),
  'TZINV', 'unknown timezone: Moon/Base', 'an unknown zone is TZINV');
select is((select onboarding_status from public.users where id = :'una'), 'pending', 'failed completions change nothing');
select is(game.complete_onboarding(:'una', '{"display_name": "Una", "city": "Lisbon, Portugal", "timezone": "Europe/Lisbon", "darkness": 3}', '2026-01-05 10:10+00') -> 'vices',
  '["vulnerability", "intellectual_dominance", "emotional_intensity", "dark_humor", "sexuality"]'::jsonb, 'onboarding seeds the darkness level''s vices');
select results_eq($$select display_name, city, timezone, onboarding_status, onboarded_at, game_started_at, last_interaction_at, decay_through, darkness_level
  from public.users where id = tests.player('una')$$,
  $$values ('Una'::text, 'Lisbon, Portugal'::text, 'Europe/Lisbon'::text, 'completed'::text, '2026-01-05 10:10+00'::timestamptz,
            '2026-01-05 10:10+00'::timestamptz, null::timestamptz, '2026-01-05 10:10+00'::timestamptz, 3::smallint)$$,
  'profile, zone, status, game start and decay watermark at completion; onboarding answers are no interaction with her');

-- Decay counts from the first message to her (GAME_RULES.md §7.2), not from onboarding.
select tests.create_player('quiet') as quiet \gset
select game.complete_onboarding(:'quiet', '{"display_name": "Quiet", "timezone": "UTC", "darkness": 2}', '2026-01-05 10:00+00');
select game.apply_decay('2026-01-08 10:00+00');
select is(tests.score(:'quiet'), 50.0000, 'a player who finished onboarding and never wrote to her does not decay');
select game.store_player_message(:'quiet', 880001, 'hi, finally', '2026-01-08 10:00+00');
select game.apply_decay('2026-01-08 20:00+00');
-- Chapter 1: 8 h grace after 10:00, then 0.8 per hour for 2 h = 1.6.
select is(tests.score(:'quiet'), 48.4000, 'after the first message, decay counts from it (8 h grace, then 0.8 per hour)');

-- /status: chapter name and a band by score / threshold (0.6, 0.8, 0.95), never a number.
select is(game.player_status(:'una', '2026-01-05 11:00+00') - 'as_of',
  '{"chapter": 1, "chapter_name": "Curiosity", "band": "warming up to you", "game_status": "active", "onboarding_status": "completed"}'::jsonb,
  '50 of 55 (91 %): warming up to you');
select tests.set_metrics(:'una', 40, 40, 40, 40);
select is(game.player_status(:'una', '2026-01-05 11:00+00') ->> 'band', 'it''s complicated', '40 of 55 (73 %): it''s complicated');
select tests.set_metrics(:'una', 30, 30, 30, 30);
select is(game.player_status(:'una', '2026-01-05 11:00+00') ->> 'band', 'on thin ice', 'below 60 % of the threshold: on thin ice');
select tests.set_metrics(:'una', 53, 53, 53, 53);
select is(game.player_status(:'una', '2026-01-05 11:00+00') ->> 'band', 'something is about to happen', '53 of 55 (96 %): something is about to happen');
update public.users set game_status = 'won' where id = :'una';
select is(game.player_status(:'una', '2026-01-05 11:00+00') ->> 'band', null, 'no band after the end');
select throws_ok(format('select game.player_status(%L, %L)', gen_random_uuid(), '2026-01-05 11:00+00'), 'PNFND', null, 'unknown player: PNFND');

-- Portal link codes: single use, 10 minutes, LNKEX otherwise.
select tests.create_player('wes') as wes \gset
insert into private.telegram_link_codes (code, user_id, expires_at) values ('ABCD2345', :'wes', '2026-01-05 12:10+00'), ('ZZZZ9999', :'wes', '2026-01-05 11:59+00');
select throws_ok(format('select game.consume_link_code(%L, 6001, 6001, %L)', 'ZZZZ9999', '2026-01-05 12:00+00'), 'LNKEX', 'link code unknown or expired', 'an expired code is LNKEX');
select is(game.consume_link_code('abcd2345', 6001, 6001, '2026-01-05 12:00+00') ->> 'user_id', :'wes', 'a valid code binds the account to its player');
select is((select telegram_id from public.users where id = :'wes'), 6001::bigint, 'the Telegram id is stored');
select throws_ok(format('select game.consume_link_code(%L, 6001, 6001, %L)', 'ABCD2345', '2026-01-05 12:01+00'), 'LNKEX', 'link code unknown or expired', 'a code works once');

-- A shared contact: the player's own number, once; another player's number or a malformed one is refused.
select tests.create_player('pia') as pia \gset
select tests.create_player('rex') as rex \gset
select is(game.save_phone(:'pia', '+4915112345678', '2026-01-05 12:00+00'), 'saved', 'a player''s own number is saved');
select is((select phone from public.users where id = :'pia'), '+4915112345678', 'and stored');
select is(game.save_phone(:'rex', '+4915112345678', '2026-01-05 12:01+00'), 'taken', 'another player''s number is refused');
select is((select phone from public.users where id = :'rex'), null, 'and nothing is stored');
select is(game.save_phone(:'rex', '+12', '2026-01-05 12:02+00'), 'invalid', 'a number that is not E.164 is refused');
select is(game.save_phone(:'pia', '+4915112345678', '2026-01-05 12:03+00'), 'saved', 'saving one''s own number again is fine');

select * from finish();
rollback;
