// The bot: one grammY Bot per processed update, with the features as Composers. Handlers never call the Bot
// API (everything goes through the outbox); they read the player, call game.* functions and queue lines.
import { Bot, BotError, Composer, type Context } from "npm:grammy@1.46.0";
import type { UserFromGetMe } from "npm:grammy@1.46.0/types";
import { attempt, type Tx } from "../platform/db.ts";
import type { Llm } from "../llm/types.ts";
import type { LoadReplyContext } from "../memory/context.ts";
import type { TextRules } from "../outbox/postprocess.ts";
import type { AuthGateway } from "../platform/auth.ts";
import { IN_CHARACTER, OUT_OF_CHARACTER, pickLine } from "../lines.ts";
import { dedupeKey } from "../outbox/keys.ts";
import { queueText } from "../outbox/queue.ts";
import { loadSignup, resumeSignup, type SignupInput, type SignupRow, signupStep, startSignup } from "./signup.ts";
import type { Step } from "./step.ts";
import { gameTurn, type TurnProgress } from "./turn.ts";

export interface BotSettings {
  token: string;
  username: string;
  portalUrl: string;
  voicePhoneNumber?: string | undefined;
  voiceEnabled: boolean;
}

/** Everything a handler needs for one update, inside the first transaction of the drain pass. */
export interface TurnServices {
  tx: Tx;
  llm: Llm;
  auth: AuthGateway;
  rules: TextRules;
  now: Date;
  updateId: number;
  settings: BotSettings;
  normal: () => number;
  resolveTimezone: (city: string) => Promise<string | null>;
  typing?: (chatId: number) => Promise<unknown>;
  /** What an earlier attempt of this update decided and applied (a game turn resumes from it). */
  progress: TurnProgress | null;
  /** Loads her live context for a message (memory/context.ts), when the app has one. */
  replyContext?: LoadReplyContext;
  /** Records the update's progress in a transaction of this pass, under its claim. */
  saveProgress(tx: Tx, progress: TurnProgress): Promise<void>;
  /** Set by a handler that must wait for a provider: the drain commits this transaction, runs the step's calls
   * holding none, then applies its effects in a second one (step.ts). */
  later?: Step;
  /** Set by the error boundary (handleUpdate below): the drain rolls this transaction back and records the failure. */
  error?: unknown;
}

/** The player bound to the Telegram account of an update, as the handlers read it. */
export interface Player {
  id: string;
  display_name: string | null;
  chapter: number;
  chapter_name: string;
  game_status: string;
  onboarding_status: string;
  timezone: string;
}

export type NikitaContext = Context & { turn: TurnServices; player: Player | null; signup: SignupRow | null };

const services = new WeakMap<object, TurnServices>();

/** grammY's botInfo from the token's numeric prefix and the username: no getMe on a cold start. */
export function botInfo(token: string, username: string): UserFromGetMe {
  return {
    id: Number(token.split(":")[0]),
    is_bot: true,
    first_name: username,
    username,
    can_join_groups: false,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
    can_connect_to_business: false,
    has_main_web_app: false,
  } as UserFromGetMe;
}

async function say(
  ctx: NikitaContext,
  text: string,
  options: { inCharacter?: boolean; markup?: unknown; part?: number } = {},
) {
  const t = ctx.turn;
  await queueText(t.tx, t.rules, {
    key: dedupeKey.command(t.updateId, options.part),
    userId: ctx.player?.id ?? null,
    chatId: ctx.chat!.id,
    kind: "command",
    text,
    dueAt: t.now,
    inCharacter: options.inCharacter ?? false,
    replyMarkup: options.markup,
  });
}

function signupInput(ctx: NikitaContext): SignupInput {
  const t = ctx.turn;
  return {
    tx: t.tx,
    auth: t.auth,
    rules: t.rules,
    telegramId: ctx.from!.id,
    chatId: ctx.chat!.id,
    updateId: t.updateId,
    now: t.now,
    resolveTimezone: t.resolveTimezone,
  };
}

/** Loads the player bound to this Telegram account and their open signup row; takes the player lock. */
const loadPlayer = new Composer<NikitaContext>();
loadPlayer.use(async (ctx, next) => {
  ctx.turn = services.get(ctx.update)!;
  const tx = ctx.turn.tx;
  const [player] = await tx<Player[]>`
    select u.id, u.display_name, u.chapter, c.name as chapter_name, u.game_status, u.onboarding_status, u.timezone
    from public.users u join public.chapters c on c.chapter = u.chapter where u.telegram_id = ${ctx.from?.id ?? -1}`;
  ctx.player = player ?? null;
  if (player) await tx`select pg_advisory_xact_lock(hashtextextended(${`player:${player.id}`}, 0))`;
  ctx.signup = ctx.from ? await loadSignup(tx, ctx.from.id) : null;
  await next();
});

/** /start link_<code>: the portal's code binds this Telegram account, then onboarding resumes or she says hi. */
async function linkAccount(ctx: NikitaContext, code: string): Promise<void> {
  const t = ctx.turn;
  const result = await attempt(t.tx, (sp) =>
    sp<{ r: { user_id: string; onboarding_status: string } }[]>`
      select game.consume_link_code(${code}, ${ctx.from!.id}, ${ctx.chat!.id}, ${t.now}) as r`);
  if ("code" in result) {
    if (result.code === "LNKEX") return await say(ctx, OUT_OF_CHARACTER.linkExpired);
    if (result.code === "TGBND") {
      return await say(ctx, pickLine(IN_CHARACTER.alreadyBound, t.updateId), { inCharacter: true });
    }
    throw new Error(`consume_link_code: ${result.code}`);
  }
  const linked = result.ok[0]!.r;
  if (linked.onboarding_status === "completed") {
    return await say(ctx, pickLine(IN_CHARACTER.welcomeBack, t.updateId), { inCharacter: true });
  }
  // Signed in through the portal: onboarding continues at the name step.
  await t.tx`insert into private.telegram_signups (telegram_id, chat_id, state, user_id, expires_at, updated_at)
             values (${ctx.from!.id}, ${ctx.chat!.id}, 'ask_name', ${linked.user_id}, ${new Date(
    t.now.getTime() + 600_000,
  )}, ${t.now})
             on conflict (telegram_id) do update set state = 'ask_name', user_id = excluded.user_id, wrong_codes = 0,
               expires_at = excluded.expires_at, updated_at = excluded.updated_at`;
  await say(ctx, OUT_OF_CHARACTER.askName);
}

const commands = new Composer<NikitaContext>();
commands.command("start", async (ctx) => {
  const t = ctx.turn;
  if (ctx.match.startsWith("link_")) return await linkAccount(ctx, ctx.match.slice("link_".length));
  if (!ctx.player) return await startSignup(signupInput(ctx));
  if (ctx.signup) return await resumeSignup(signupInput(ctx), ctx.signup);
  if (ctx.player.onboarding_status !== "completed") return await startSignup(signupInput(ctx));
  if (ctx.player.game_status === "game_over" || ctx.player.game_status === "won") {
    const [reset] = await t.tx<
      { r: { game_started_at: string } }[]
    >`select game.reset_player(${ctx.player.id}, ${t.now}) as r`;
    await say(ctx, pickLine(IN_CHARACTER.freshStart, t.updateId), { inCharacter: true });
    await queueText(t.tx, t.rules, {
      key: dedupeKey.welcome(ctx.player.id, reset!.r.game_started_at),
      userId: ctx.player.id,
      chatId: ctx.chat.id,
      kind: "welcome",
      text: pickLine(IN_CHARACTER.firstMessage, t.updateId),
      dueAt: new Date(t.now.getTime() + 2000),
      inCharacter: true,
    });
    return;
  }
  await say(ctx, pickLine(IN_CHARACTER.welcomeBack, t.updateId), { inCharacter: true });
});
commands.command("help", (ctx) => say(ctx, OUT_OF_CHARACTER.help));
commands.command("status", async (ctx) => {
  if (!ctx.player || ctx.player.onboarding_status !== "completed") return await say(ctx, OUT_OF_CHARACTER.askEmail);
  const [row] = await ctx.turn.tx<
    { s: { chapter: number; chapter_name: string; band: string | null; game_status: string } }[]
  >`
    select game.player_status(${ctx.player.id}, ${ctx.turn.now}) as s`;
  const s = row!.s;
  const state = s.game_status === "game_over"
    ? "It's over. /start to begin again."
    : s.game_status === "won"
    ? "You won her heart."
    : `Things are: ${s.band}.`;
  await say(ctx, `Chapter ${s.chapter} of 5: ${s.chapter_name}. ${state}`);
});
commands.command("call", async (ctx) => {
  const s = ctx.turn.settings;
  if (
    !ctx.player || ctx.player.onboarding_status !== "completed" || ctx.player.game_status === "game_over" ||
    ctx.player.game_status === "won" || !s.voiceEnabled
  ) {
    return await say(ctx, pickLine(IN_CHARACTER.callOff, ctx.turn.updateId), { inCharacter: true });
  }
  const [row] = await ctx.turn.tx<
    { phone: string | null }[]
  >`select phone from public.users where id = ${ctx.player.id}`;
  if (!row?.phone) {
    return await say(ctx, OUT_OF_CHARACTER.callNoPhone, {
      markup: {
        keyboard: [[{ text: "share my number", request_contact: true }]],
        one_time_keyboard: true,
        resize_keyboard: true,
      },
    });
  }
  // The pick-up hint comes from the engine's odds for the chapter (GAME_RULES.md §16), never a number.
  const [odds] = await ctx.turn.tx<{ a: { probability: number | null; reason: string | null } }[]>`
    select game.voice_availability(${ctx.player.id}, ${ctx.turn.now}, 0) as a`;
  await say(ctx, `Call her at ${s.voicePhoneNumber ?? "the number in your portal"}. ${pickUpHint(odds!.a)}`);
});

/** How likely she is to pick up, in words (OUT_OF_CHARACTER.pickUp by the chapter's odds). */
function pickUpHint(availability: { probability: number | null; reason: string | null }): string {
  if (availability.reason === "cooldown") return OUT_OF_CHARACTER.pickUp.justCalled;
  const p = Number(availability.probability ?? 1);
  if (p < 0.25) return OUT_OF_CHARACTER.pickUp.rarely;
  if (p < 0.6) return OUT_OF_CHARACTER.pickUp.sometimes;
  if (p < 0.9) return OUT_OF_CHARACTER.pickUp.usually;
  return OUT_OF_CHARACTER.pickUp.almostAlways;
}
commands.command(
  "portal",
  (ctx) =>
    say(ctx, OUT_OF_CHARACTER.portal, {
      markup: { inline_keyboard: [[{ text: "Open your portal", url: ctx.turn.settings.portalUrl }]] },
    }),
);
commands.command("settings", async (ctx) => {
  if (!ctx.player) return await say(ctx, OUT_OF_CHARACTER.askEmail);
  const [row] = await ctx.turn.tx<{ timezone: string; notifications_enabled: boolean }[]>`
    select timezone, notifications_enabled from public.users where id = ${ctx.player.id}`;
  await say(
    ctx,
    `Timezone: ${row!.timezone}. Notifications: ${
      row!.notifications_enabled ? "on" : "off"
    }. Change them in your portal.`,
    { markup: { inline_keyboard: [[{ text: "Open your portal", url: ctx.turn.settings.portalUrl }]] } },
  );
});
commands.on("message:text", async (ctx, next) => {
  if (!ctx.message.text.startsWith("/")) return await next();
  await say(ctx, pickLine(IN_CHARACTER.unknownCommand, ctx.turn.updateId), { inCharacter: true });
});

const signup = new Composer<NikitaContext>();
signup.on("message:text", async (ctx, next) => {
  if (ctx.signup) {
    const step = await signupStep(signupInput(ctx), ctx.signup, ctx.message.text);
    if (step) ctx.turn.later = step;
    return;
  }
  if (!ctx.player || ctx.player.onboarding_status !== "completed") return await startSignup(signupInput(ctx));
  await next();
});

const media = new Composer<NikitaContext>();
media.on([
  "message:photo",
  "message:voice",
  "message:video",
  "message:video_note",
  "message:sticker",
  "message:animation",
  "message:document",
  "message:audio",
  "message:location",
], (ctx) => say(ctx, pickLine(IN_CHARACTER.textPlease, ctx.turn.updateId), { inCharacter: true }));

const contact = new Composer<NikitaContext>();
contact.on("message:contact", async (ctx) => {
  const own = ctx.message.contact.user_id === ctx.from.id;
  if (!own || !ctx.player) {
    return await say(ctx, pickLine(IN_CHARACTER.contactRefused, ctx.turn.updateId), { inCharacter: true });
  }
  const digits = ctx.message.contact.phone_number.replace(/[^\d]/g, "");
  const [row] = await ctx.turn.tx<{ saved: "saved" | "taken" | "invalid" }[]>`
    select game.save_phone(${ctx.player.id}, ${`+${digits}`}, ${ctx.turn.now}) as saved`;
  const lines = row!.saved === "saved"
    ? IN_CHARACTER.contactSaved
    : row!.saved === "taken"
    ? IN_CHARACTER.contactTaken
    : IN_CHARACTER.contactInvalid;
  await say(ctx, pickLine(lines, ctx.turn.updateId), {
    inCharacter: true,
    markup: { remove_keyboard: true },
  });
});

const game = new Composer<NikitaContext>();
game.on("message:text", async (ctx) => {
  const t = ctx.turn;
  const chatId = ctx.chat.id;
  const step = await gameTurn({
    tx: t.tx,
    llm: t.llm,
    rules: t.rules,
    userId: ctx.player!.id,
    chatId,
    updateId: t.updateId,
    text: ctx.message.text,
    now: t.now,
    normal: t.normal,
    typing: t.typing && (() => t.typing!(chatId)),
    progress: t.progress,
    saveProgress: t.saveProgress,
    ...(t.replyContext ? { replyContext: t.replyContext } : {}),
  });
  if (step) t.later = step;
});

// One bot per configuration, built once: grammY handles concurrent updates on one instance, and every update's
// services travel with the update object itself (the WeakMap above).
const bots = new WeakMap<BotSettings, Bot<NikitaContext>>();

function botFor(settings: BotSettings): Bot<NikitaContext> {
  let bot = bots.get(settings);
  if (!bot) {
    bot = new Bot<NikitaContext>(settings.token, { botInfo: botInfo(settings.token, settings.username) });
    bot.use(loadPlayer, commands, signup, media, contact, game);
    bots.set(settings, bot);
  }
  return bot;
}

/** Runs one stored update through the features; errors surface in `turn.error` for the drain to handle. */
export async function handleUpdate(
  settings: BotSettings,
  update: Record<string, unknown>,
  turn: TurnServices,
): Promise<void> {
  const bot = botFor(settings);
  // The error boundary: handleUpdate rethrows a handler's error as a BotError; the drain rolls the pass back
  // and retries, so no error text ever reaches the player.
  services.set(update, turn);
  try {
    await bot.handleUpdate(update as never);
  } catch (error) {
    turn.error = error instanceof BotError ? error.error : error;
  }
}
