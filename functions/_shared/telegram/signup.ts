// Signup and onboarding in the chat (PLATFORM.md §2.5): one state row per Telegram account, each step a
// compare-and-set on the previous state. Codes go through Supabase Auth; the profile goes to
// game.complete_onboarding.
import { z } from "npm:zod@4.6.7";
import { attempt, type Tx } from "../platform/db.ts";
import type { TextRules } from "../outbox/postprocess.ts";
import type { AuthGateway, SendResult, VerifyResult } from "../platform/auth.ts";
import { rebuildReadyPrompts } from "../pipeline/ready_prompt.ts";
import type { Step } from "./step.ts";
import { IN_CHARACTER, OUT_OF_CHARACTER, pickLine } from "../lines.ts";
import { dedupeKey } from "../outbox/keys.ts";
import { queueText } from "../outbox/queue.ts";

export interface SignupRow {
  telegram_id: number;
  chat_id: number;
  state: "awaiting_email" | "code_sent" | "ask_name" | "ask_city" | "ask_darkness";
  email: string | null;
  user_id: string | null;
  wrong_codes: number;
  profile_draft: Record<string, unknown>;
  expires_at: Date;
}

export interface SignupInput {
  tx: Tx;
  auth: AuthGateway;
  rules: TextRules;
  telegramId: number;
  chatId: number;
  updateId: number;
  now: Date;
  /** Resolves "City, country" to an IANA zone, or null (the summary model live; a lookup offline). */
  resolveTimezone: (city: string) => Promise<string | null>;
}

const DARKNESS_KEYBOARD = {
  keyboard: [[{ text: "1" }, { text: "2" }, { text: "3" }, { text: "4" }, { text: "5" }]],
  one_time_keyboard: true,
  resize_keyboard: true,
};
const TEN_MINUTES = 10 * 60 * 1000;

async function say(
  input: SignupInput,
  text: string,
  part: number,
  options: { userId?: string | null; inCharacter?: boolean; markup?: unknown } = {},
) {
  await queueText(input.tx, input.rules, {
    key: dedupeKey.command(input.updateId, part),
    userId: options.userId ?? null,
    chatId: input.chatId,
    kind: "command",
    text,
    dueAt: input.now,
    inCharacter: options.inCharacter ?? false,
    replyMarkup: options.markup,
  });
}

export async function loadSignup(tx: Tx, telegramId: number): Promise<SignupRow | null> {
  const [row] = await tx<
    SignupRow[]
  >`select * from private.telegram_signups where telegram_id = ${telegramId} for update`;
  return row ?? null;
}

/** /start on an unbound account: (re)start from the email step. */
export async function startSignup(input: SignupInput): Promise<void> {
  await input.tx`
    insert into private.telegram_signups (telegram_id, chat_id, state, expires_at, updated_at)
    values (${input.telegramId}, ${input.chatId}, 'awaiting_email', ${new Date(
    input.now.getTime() + TEN_MINUTES,
  )}, ${input.now})
    on conflict (telegram_id) do update set state = 'awaiting_email', email = null, user_id = null, wrong_codes = 0,
      profile_draft = '{}', chat_id = excluded.chat_id, expires_at = excluded.expires_at, updated_at = excluded.updated_at`;
  await say(input, OUT_OF_CHARACTER.askEmail, 1);
}

/** Resumes an open onboarding step after /start. */
export async function resumeSignup(input: SignupInput, row: SignupRow): Promise<void> {
  const prompts: Record<string, string> = {
    awaiting_email: OUT_OF_CHARACTER.askEmail,
    code_sent: OUT_OF_CHARACTER.codeReminder,
    ask_name: OUT_OF_CHARACTER.askName,
    ask_city: OUT_OF_CHARACTER.askCity,
    ask_darkness: OUT_OF_CHARACTER.askDarkness,
  };
  await say(input, prompts[row.state]!, 1, { markup: row.state === "ask_darkness" ? DARKNESS_KEYBOARD : undefined });
}

async function advance(tx: Tx, row: SignupRow, to: SignupRow["state"], set: Partial<SignupRow>, now: Date) {
  await tx`update private.telegram_signups set state = ${to}, email = ${set.email ?? row.email}, user_id = ${
    set.user_id ?? row.user_id
  },
             wrong_codes = ${set.wrong_codes ?? 0}, profile_draft = ${
    tx.json((set.profile_draft ?? row.profile_draft) as never)
  },
             expires_at = ${new Date(now.getTime() + TEN_MINUTES)}, updated_at = ${now}
           where telegram_id = ${row.telegram_id} and state = ${row.state}`;
}

/** One text message while a signup row is open. The steps that wait for Auth or the summary model return a Step: the
 * call is made holding no transaction, and the state moves in the update's second transaction. */
export async function signupStep(input: SignupInput, row: SignupRow, text: string): Promise<Step | void> {
  const { tx, now } = input;
  const value = text.trim();
  // Before the code is verified a stale row starts over; afterwards the player is known and simply continues.
  if (row.user_id === null && row.expires_at.getTime() <= now.getTime()) {
    await tx`delete from private.telegram_signups where telegram_id = ${row.telegram_id}`;
    return await say(input, OUT_OF_CHARACTER.restart, 1);
  }
  switch (row.state) {
    case "awaiting_email": {
      const email = z.email().safeParse(value.toLowerCase());
      if (!email.success) return await say(input, OUT_OF_CHARACTER.badEmail, 1);
      let sent: SendResult = "sent";
      return {
        async draft() {
          sent = await input.auth.sendCode(email.data);
        },
        async apply(tx) {
          const later = { ...input, tx };
          if (sent === "rate_limited") return await say(later, OUT_OF_CHARACTER.rateLimitedEmail, 1);
          await advance(tx, row, "code_sent", { email: email.data }, now);
          await say(later, OUT_OF_CHARACTER.codeSent, 1);
        },
      };
    }
    case "code_sent": {
      if (!/^\d{6,8}$/.test(value)) return await say(input, OUT_OF_CHARACTER.codeReminder, 1);
      let verified: VerifyResult = "wrong";
      return {
        async draft() {
          verified = await input.auth.verifyCode(row.email!, value);
        },
        async apply(tx) {
          const later = { ...input, tx };
          const result: VerifyResult = verified;
          if (result === "wrong" && row.wrong_codes + 1 >= 3) {
            await tx`delete from private.telegram_signups where telegram_id = ${row.telegram_id}`;
            return await say(later, OUT_OF_CHARACTER.restart, 1);
          }
          if (result === "wrong") {
            await tx`update private.telegram_signups set wrong_codes = wrong_codes + 1 where telegram_id = ${row.telegram_id}`;
            return await say(later, OUT_OF_CHARACTER.wrongCode, 1);
          }
          const bound = await attempt(
            tx,
            (sp) => sp`select game.bind_telegram(${result.userId}, ${later.telegramId}, ${later.chatId}, ${now})`,
          );
          if ("code" in bound) {
            if (bound.code !== "TGBND") throw new Error(`bind_telegram: ${bound.code}`);
            await tx`delete from private.telegram_signups where telegram_id = ${row.telegram_id}`;
            return await say(later, pickLine(IN_CHARACTER.alreadyBound, later.updateId), 1, { inCharacter: true });
          }
          const [player] = await tx<
            { onboarding_status: string }[]
          >`select onboarding_status from public.users where id = ${result.userId}`;
          if (player?.onboarding_status === "completed") {
            await tx`delete from private.telegram_signups where telegram_id = ${row.telegram_id}`;
            return await say(later, pickLine(IN_CHARACTER.welcomeBack, later.updateId), 1, {
              userId: result.userId,
              inCharacter: true,
            });
          }
          await advance(tx, row, "ask_name", { user_id: result.userId }, now);
          return await say(later, OUT_OF_CHARACTER.askName, 1, { userId: result.userId });
        },
      };
    }
    case "ask_name": {
      if (value.length < 1 || value.length > 40) {
        return await say(input, OUT_OF_CHARACTER.badName, 1, { userId: row.user_id });
      }
      await advance(tx, row, "ask_city", { profile_draft: { ...row.profile_draft, display_name: value } }, now);
      return await say(input, OUT_OF_CHARACTER.askCity, 1, { userId: row.user_id });
    }
    case "ask_city": {
      // A second answer at this step may be a zone typed by hand.
      const asked = row.profile_draft.city !== undefined;
      if (asked) return await cityAnswered(input, row, value, await validZone(tx, value));
      let resolved: string | null = null;
      return {
        async draft() {
          resolved = await input.resolveTimezone(value);
        },
        async apply(tx) {
          await cityAnswered({ ...input, tx }, row, value, resolved && await validZone(tx, resolved));
        },
      };
    }
    case "ask_darkness": {
      const darkness = Number(value);
      if (!Number.isInteger(darkness) || darkness < 1 || darkness > 5) {
        return await say(input, OUT_OF_CHARACTER.badDarkness, 1, { userId: row.user_id, markup: DARKNESS_KEYBOARD });
      }
      await tx`select game.complete_onboarding(${row.user_id}, ${
        tx.json({ ...row.profile_draft, darkness } as never)
      }, ${now})`;
      await tx`delete from private.telegram_signups where telegram_id = ${row.telegram_id}`;
      // Her bootstrap prompt: what she knows of them from onboarding, ready for the first message (PLATFORM.md §6).
      await rebuildReadyPrompts(tx, row.user_id!, null, now);
      const [player] = await tx<
        { game_started_at: Date }[]
      >`select game_started_at from public.users where id = ${row.user_id}`;
      await queueText(tx, input.rules, {
        key: dedupeKey.welcome(row.user_id!, player!.game_started_at),
        userId: row.user_id,
        chatId: input.chatId,
        kind: "welcome",
        text: pickLine(IN_CHARACTER.firstMessage, input.updateId),
        dueAt: new Date(now.getTime() + 2000),
        inCharacter: true,
        replyMarkup: { remove_keyboard: true },
      });
    }
  }
}

/** The city step's answer: the zone it resolved to, or a request to type the zone (a second answer may be one). */
async function cityAnswered(input: SignupInput, row: SignupRow, value: string, zone: string | null): Promise<void> {
  const { tx, now } = input;
  if (!zone) {
    await advance(tx, row, "ask_city", {
      profile_draft: { ...row.profile_draft, city: row.profile_draft.city ?? value },
    }, now);
    return await say(input, OUT_OF_CHARACTER.askTimezone, 1, { userId: row.user_id });
  }
  await advance(tx, row, "ask_darkness", {
    profile_draft: { ...row.profile_draft, city: row.profile_draft.city ?? value, timezone: zone },
  }, now);
  await say(input, OUT_OF_CHARACTER.askDarkness, 1, { userId: row.user_id, markup: DARKNESS_KEYBOARD });
}

async function validZone(tx: Tx, zone: string): Promise<string | null> {
  const [row] = await tx<
    { name: string }[]
  >`select name from pg_timezone_names where lower(name) = lower(${zone.trim()}) limit 1`;
  return row?.name ?? null;
}
