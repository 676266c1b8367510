// One game turn (PLATFORM.md §2.3): rate limit, store the message, then her reply scored by the engine, or a
// boss-encounter step, and her messages queued in the outbox. Every rule is a game.* call; this module only
// talks to the models and formats.
import { attempt, type Tx } from "../platform/db.ts";
import type { TextRules } from "../outbox/postprocess.ts";
import type { BossLineRequest, ChatLine, Llm, TurnContext } from "../llm/types.ts";
import { ProviderError } from "../platform/errors.ts";
import { IN_CHARACTER, pickLine } from "../lines.ts";
import { dedupeKey } from "../outbox/keys.ts";
import { queueText } from "../outbox/queue.ts";

export interface Player {
  id: string;
  display_name: string | null;
  chapter: number;
  chapter_name: string;
  game_status: string;
  onboarding_status: string;
  timezone: string;
}

export interface TurnInput {
  tx: Tx;
  llm: Llm;
  rules: TextRules;
  player: Player;
  chatId: number;
  updateId: number;
  text: string;
  now: Date;
  /** A standard normal draw for the reply delay (injectable for tests). */
  normal: () => number;
  /** Sends the typing action (a chat action, not a message: it bypasses the outbox). */
  typing?: () => Promise<unknown>;
}

/** Shows "typing" while the models work: now and every 4 s (an action shows for at most 5 s). */
function keepTyping(typing: (() => Promise<unknown>) | undefined): () => void {
  if (!typing) return () => {};
  const send = () => void typing().catch(() => {});
  send();
  const timer = setInterval(send, 4000);
  return () => clearInterval(timer);
}

export function standardNormal(random: () => number = Math.random): number {
  // Box-Muller.
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

async function context(tx: Tx, player: Player, now: Date, notes: string[] = []): Promise<TurnContext> {
  const [row] = await tx<{ local: string }[]>`select to_char(${now}::timestamptz at time zone ${player.timezone}, 'Dy HH24:MI') as local`;
  return {
    userId: player.id, playerName: player.display_name, chapter: player.chapter, chapterName: player.chapter_name,
    localTime: row?.local ?? "", notes,
  };
}

/** The open conversation's recent lines, oldest first, within a character budget. */
async function recentLines(tx: Tx, conversationId: string, budgetChars = 12_000): Promise<ChatLine[]> {
  const rows = await tx<ChatLine[]>`
    select role, content from public.messages where conversation_id = ${conversationId}
    order by created_at desc, id desc limit 60`;
  const lines: ChatLine[] = [];
  let used = 0;
  for (const row of rows) {
    used += row.content.length;
    if (used > budgetChars && lines.length > 0) break;
    lines.unshift(row);
  }
  return lines;
}

export async function gameTurn(input: TurnInput): Promise<void> {
  const { tx, player, now } = input;
  const key = input.updateId;

  // 1. Rate limits: a refused message is stored (not scored) and gets at most one refusal per window.
  const limit = await attempt(tx, (sp) => sp<{ r: { warning: boolean } }[]>`select game.check_rate_limit(${player.id}, ${now}) as r`);
  if ("code" in limit) {
    if (limit.code !== "RATEL") throw new Error(`check_rate_limit: ${limit.code}`);
    await tx`select game.store_player_message(${player.id}, ${key}, ${input.text}, ${now})`;
    const detail = JSON.parse(limit.detail) as { window: "minute" | "day"; refuse: boolean };
    if (detail.refuse) {
      const lines = detail.window === "day" ? IN_CHARACTER.needSpace : IN_CHARACTER.slowDown;
      await queueText(tx, input.rules, { key: dedupeKey.command(key), userId: player.id, chatId: input.chatId, kind: "command",
        text: pickLine(lines, key), dueAt: now, inCharacter: true });
      await tx`select game.note_rate_refusal(${player.id}, ${detail.window}, ${now})`;
    }
    return;
  }
  const warning = limit.ok[0]?.r.warning ?? false;

  // 2. The message, once.
  const [stored] = await tx<{ s: { duplicate: boolean; conversation_id: string } }[]>`
    select game.store_player_message(${player.id}, ${key}, ${input.text}, ${now}) as s`;
  if (!stored || stored.s.duplicate) return;

  // 3. Finished games get one of her closing lines; encounters go to the boss flow; the rest is a scored exchange.
  if (player.game_status === "game_over" || player.game_status === "won") {
    const lines = player.game_status === "won" ? IN_CHARACTER.won : IN_CHARACTER.gameOver;
    await queueText(tx, input.rules, { key: dedupeKey.reply(key), userId: player.id, chatId: input.chatId, kind: "reply",
      text: pickLine(lines, key), dueAt: now, inCharacter: true });
    return;
  }
  if (player.game_status === "boss_fight") return await bossTurn(input, stored.s.conversation_id);

  const ctx = await context(tx, player, now, warning ? [`Work in, in your own words: ${IN_CHARACTER.spaceHint[0]}`] : []);
  const history = await recentLines(tx, stored.s.conversation_id);
  const stopTyping = keepTyping(input.typing);
  let reply: string;
  let analysis;
  try {
    reply = await input.llm.reply(ctx, history);
    analysis = await input.llm.analyze(ctx, history, reply);
  } finally {
    stopTyping();
  }
  const scored = await attempt(tx, (sp) => sp<{ r: ExchangeResult }[]>`
    select game.apply_exchange(${player.id}, ${sp.json(analysis as never)}, ${now}, 'telegram', ${stored.s.conversation_id}) as r`);
  if ("code" in scored) {
    // The engine re-checks the judgment; a rejection means the analyzer must try again on a later attempt.
    if (scored.code === "ANBAD") throw new ProviderError("analysis rejected by the engine");
    if (scored.code === "BOSSA") return await bossTurn(input, stored.s.conversation_id);
    throw new Error(`apply_exchange: ${scored.code}`);
  }
  const result = scored.ok[0]!.r;
  const [delay] = await tx<{ d: { delay_seconds: number } }[]>`select game.reply_delay(${player.id}, ${now}, ${input.normal()}) as d`;
  const due = new Date(now.getTime() + (delay?.d.delay_seconds ?? 0) * 1000);
  const last = await queueText(tx, input.rules, { key: dedupeKey.reply(key), userId: player.id, chatId: input.chatId,
    kind: "reply", text: reply, dueAt: due, inCharacter: true });

  for (const event of result.events) {
    if (event.type === "boss_started") {
      const opening = await input.llm.bossLine({ ...ctx, kind: "opening", transcript: [...history, { role: "nikita", content: reply }] });
      await queueText(tx, input.rules, { key: dedupeKey.boss(event.boss_fight_id!, "opening"), userId: player.id,
        chatId: input.chatId, kind: "boss", text: opening,
        dueAt: new Date(last.getTime() + (event.opening_delay_seconds ?? 2) * 1000), inCharacter: true });
    } else if (event.type === "game_over") {
      const goodbye = await input.llm.bossLine({ ...ctx, kind: "goodbye", transcript: history });
      await queueText(tx, input.rules, { key: dedupeKey.goodbye(key), userId: player.id, chatId: input.chatId,
        kind: "reply", text: goodbye, dueAt: new Date(last.getTime() + 2000), inCharacter: true });
    }
  }
}

interface EngineEvent {
  type: string;
  boss_fight_id?: string;
  opening_delay_seconds?: number;
  remaining?: number;
}

interface ExchangeResult {
  events: EngineEvent[];
  game_status: string;
}

/** A reply during an encounter: the phase step, and the judge once the second resolution reply is in. */
async function bossTurn(input: TurnInput, conversationId: string): Promise<void> {
  const { tx, player, now } = input;
  const [row] = await tx<{ r: { boss_fight_id: string | null; phase: string | null; judge_now: boolean; her_reply: string;
    resolution_replies: number; conversation_id: string | null; events: EngineEvent[] } }[]>`
    select game.boss_turn(${player.id}, ${now}) as r`;
  const step = row!.r;
  const ctx = await context(tx, player, now);
  const transcript = await recentLines(tx, step.conversation_id ?? conversationId);
  let kind: BossLineRequest["kind"] | null = null;
  let events = step.events;
  let outboxKey = step.boss_fight_id ? dedupeKey.boss(step.boss_fight_id, `${step.phase}:${step.resolution_replies}`) : "";

  if (step.judge_now) {
    const verdict = await input.llm.judge(ctx, transcript);
    const [resolved] = await tx<{ r: { events: EngineEvent[] } }[]>`
      select game.resolve_boss(${player.id}, ${tx.json((verdict === "ERROR" ? { outcome: "ERROR" } : verdict) as never)}, ${now}) as r`;
    events = resolved!.r.events;
    outboxKey = dedupeKey.boss(step.boss_fight_id!, "verdict");
  } else if (step.her_reply === "follow_up") kind = "follow_up";
  else if (step.her_reply === "answer") kind = "answer";
  else if (step.boss_fight_id === null) outboxKey = dedupeKey.reply(input.updateId);

  for (const event of events) {
    if (event.type === "chapter_advanced") kind = "pass";
    else if (event.type === "won") kind = "won";
    else if (event.type === "boss_partial") kind = "partial";
    else if (event.type === "game_over") kind = "goodbye";
    else if (event.type === "boss_failed") kind = event.remaining === 1 ? "last_chance" : "fail";
  }
  if (!kind) return;
  const line = await input.llm.bossLine({ ...ctx, kind, transcript });
  await queueText(tx, input.rules, { key: outboxKey, userId: player.id, chatId: input.chatId, kind: "boss", text: line,
    dueAt: now, inCharacter: true });
}
