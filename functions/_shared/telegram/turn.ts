// One game turn (PLATFORM.md §2.3) in three steps: plan (one SQL call stores the message and says what to do:
// refuse, her closing line, a boss step or a scored exchange, with the context she needs), draft (the model calls,
// holding nothing in the database), apply (the engine call and her messages queued in the outbox). Every rule is a
// game.* call; this module only talks to the models and formats.
import type { Analysis, Verdict } from "../llm/analysis.ts";
import type { BossLineRequest, ChatLine, Llm, TurnContext } from "../llm/types.ts";
import { IN_CHARACTER, pickLine } from "../lines.ts";
import { dedupeKey } from "../outbox/keys.ts";
import type { TextRules } from "../outbox/postprocess.ts";
import { queueText } from "../outbox/queue.ts";
import { attempt, type Tx } from "../platform/db.ts";
import { ProviderError } from "../platform/errors.ts";

/** What game.begin_turn decided for a player message (sql: game.begin_turn). */
export interface TurnPlan {
  route: "refused" | "closing" | "boss" | "boss_late" | "exchange";
  game_status: string;
  /** The 450th message of her local day: her reply hints that she may need some space soon. */
  warning: boolean;
  refusal: { window: "minute" | "day"; retry_after_seconds: number; send_line: boolean } | null;
  conversation_id: string;
  player: { display_name: string | null; chapter: number; chapter_name: string; local_time: string };
  /** Exchange: the open conversation; boss: the encounter's transcript. Oldest first, ending with this message. */
  history: ChatLine[];
  /** Boss routes: the step this reply makes (boss_turn applies it), or the events of a timeout that came first. */
  boss: BossStep | null;
}

export interface BossStep {
  boss_fight_id: string | null;
  phase: string | null;
  her_reply: "follow_up" | "answer" | "none";
  judge_now: boolean;
  resolution_replies: number;
  events: EngineEvent[];
}

export interface EngineEvent {
  type: string;
  boss_fight_id?: string;
  opening_delay_seconds?: number;
  remaining?: number;
}

interface ExchangeResult {
  events: EngineEvent[];
  game_status: string;
  reply_delay_seconds: number;
}

export interface TurnInput {
  tx: Tx;
  llm: Llm;
  rules: TextRules;
  userId: string;
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

export async function planTurn(tx: Tx, userId: string, updateId: number, text: string, now: Date): Promise<TurnPlan> {
  const [row] = await tx<{ p: TurnPlan }[]>`select game.begin_turn(${userId}, ${updateId}, ${text}, ${now}) as p`;
  return row!.p;
}

function turnContext(userId: string, plan: TurnPlan): TurnContext {
  const notes = plan.warning ? [`Work in, in your own words: ${IN_CHARACTER.spaceHint[0]}`] : [];
  return {
    userId,
    playerName: plan.player.display_name,
    chapter: plan.player.chapter,
    chapterName: plan.player.chapter_name,
    localTime: plan.player.local_time,
    notes,
  };
}

export async function gameTurn(input: TurnInput): Promise<void> {
  const plan = await planTurn(input.tx, input.userId, input.updateId, input.text, input.now);
  switch (plan.route) {
    case "refused":
      return await refuse(input, plan);
    case "closing":
      return await closingLine(input, plan);
    case "exchange":
      return await exchangeTurn(input, plan);
    case "boss":
    case "boss_late":
      return await bossTurn(input, plan);
  }
}

/** Over a rate limit: the message is stored, not scored, and gets at most one refusal per window. */
async function refuse(input: TurnInput, plan: TurnPlan): Promise<void> {
  if (!plan.refusal?.send_line) return;
  const lines = plan.refusal.window === "day" ? IN_CHARACTER.needSpace : IN_CHARACTER.slowDown;
  await queueText(input.tx, input.rules, {
    key: dedupeKey.command(input.updateId),
    userId: input.userId,
    chatId: input.chatId,
    kind: "command",
    text: pickLine(lines, input.updateId),
    dueAt: input.now,
    inCharacter: true,
  });
}

/** A finished game gets one of her closing lines. */
async function closingLine(input: TurnInput, plan: TurnPlan): Promise<void> {
  const lines = plan.game_status === "won" ? IN_CHARACTER.won : IN_CHARACTER.gameOver;
  await queueText(input.tx, input.rules, {
    key: dedupeKey.reply(input.updateId),
    userId: input.userId,
    chatId: input.chatId,
    kind: "reply",
    text: pickLine(lines, input.updateId),
    dueAt: input.now,
    inCharacter: true,
  });
}

/** Her reply, the analyzer's judgment, and game.apply_exchange with the reply delay drawn in the same call. */
async function exchangeTurn(input: TurnInput, plan: TurnPlan): Promise<void> {
  const { tx, now } = input;
  const ctx = turnContext(input.userId, plan);
  const stopTyping = keepTyping(input.typing);
  let reply: string;
  let analysis: Analysis;
  try {
    reply = await input.llm.reply(ctx, plan.history);
    analysis = await input.llm.analyze(ctx, plan.history, reply);
  } finally {
    stopTyping();
  }
  const scored = await attempt(tx, (sp) =>
    sp<{ r: ExchangeResult }[]>`
      select game.apply_exchange(${input.userId}, ${sp.json(analysis as never)}, ${now}, 'telegram',
        ${plan.conversation_id}, ${input.normal()}) as r`);
  if ("code" in scored) {
    // The engine re-checks the judgment; a rejection means the analyzer must try again on a later attempt.
    if (scored.code === "ANBAD") throw new ProviderError("analysis rejected by the engine");
    throw new Error(`apply_exchange: ${scored.code}`);
  }
  const result = scored.ok[0]!.r;
  const due = new Date(now.getTime() + result.reply_delay_seconds * 1000);
  const last = await queueText(tx, input.rules, {
    key: dedupeKey.reply(input.updateId),
    userId: input.userId,
    chatId: input.chatId,
    kind: "reply",
    text: reply,
    dueAt: due,
    inCharacter: true,
  });

  for (const event of result.events) {
    if (event.type === "boss_started") {
      const opening = await input.llm.bossLine({
        ...ctx,
        kind: "opening",
        transcript: [...plan.history, { role: "nikita", content: reply }],
      });
      await queueText(tx, input.rules, {
        key: dedupeKey.boss(event.boss_fight_id!, "opening"),
        userId: input.userId,
        chatId: input.chatId,
        kind: "boss",
        text: opening,
        dueAt: new Date(last.getTime() + (event.opening_delay_seconds ?? 2) * 1000),
        inCharacter: true,
      });
    } else if (event.type === "game_over") {
      const goodbye = await input.llm.bossLine({ ...ctx, kind: "goodbye", transcript: plan.history });
      await queueText(tx, input.rules, {
        key: dedupeKey.goodbye(input.updateId),
        userId: input.userId,
        chatId: input.chatId,
        kind: "reply",
        text: goodbye,
        dueAt: new Date(last.getTime() + 2000),
        inCharacter: true,
      });
    }
  }
}

/** Her line for the outcome events of an encounter (a verdict or a timeout), if any. */
function outcomeLine(events: EngineEvent[]): BossLineRequest["kind"] | null {
  let kind: BossLineRequest["kind"] | null = null;
  for (const event of events) {
    if (event.type === "chapter_advanced") kind = "pass";
    else if (event.type === "won") kind = "won";
    else if (event.type === "boss_partial") kind = "partial";
    else if (event.type === "game_over") kind = "goodbye";
    else if (event.type === "boss_failed") kind = event.remaining === 1 ? "last_chance" : "fail";
  }
  return kind;
}

/** A reply during an encounter: the phase step, and the judge once the second resolution reply is in. A reply
 * that came after its phase's deadline gets her line for the timeout that begin_turn applied first. */
async function bossTurn(input: TurnInput, plan: TurnPlan): Promise<void> {
  const { tx, now } = input;
  const step = plan.boss!;
  const ctx = turnContext(input.userId, plan);
  let kind: BossLineRequest["kind"] | null = null;
  let key = dedupeKey.reply(input.updateId);

  if (plan.route === "boss_late") {
    kind = outcomeLine(step.events);
  } else {
    const [row] = await tx<{ r: BossStep }[]>`select game.boss_turn(${input.userId}, ${now}) as r`;
    const applied = row!.r;
    key = dedupeKey.boss(applied.boss_fight_id!, `${applied.phase}:${applied.resolution_replies}`);
    if (applied.judge_now) {
      const verdict: Verdict | "ERROR" = await input.llm.judge(ctx, plan.history);
      const [resolved] = await tx<{ r: { events: EngineEvent[] } }[]>`
        select game.resolve_boss(${input.userId}, ${
        tx.json((verdict === "ERROR" ? { outcome: "ERROR" } : verdict) as never)
      }, ${now}) as r`;
      kind = outcomeLine(resolved!.r.events);
      key = dedupeKey.boss(applied.boss_fight_id!, "verdict");
    } else if (applied.her_reply === "follow_up") kind = "follow_up";
    else if (applied.her_reply === "answer") kind = "answer";
  }
  if (!kind) return;
  const line = await input.llm.bossLine({ ...ctx, kind, transcript: plan.history });
  await queueText(tx, input.rules, {
    key,
    userId: input.userId,
    chatId: input.chatId,
    kind: "boss",
    text: line,
    dueAt: now,
    inCharacter: true,
  });
}
