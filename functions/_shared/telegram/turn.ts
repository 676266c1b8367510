// One game turn (PLATFORM.md §2.3): planned in the update's first transaction (game.begin_turn stores the message and
// says what to do: refuse, her closing line, a boss step or a scored exchange, with the context she needs), then
// steps (step.ts) whose model calls hold no transaction and whose effects (the engine call, her messages queued in
// the outbox) commit under the update's claim. What was decided and applied is saved as the update's progress, so a
// retry resumes instead of deciding or scoring twice. Every rule is a game.* call; this module talks to the models
// and formats.
import { type Analysis, NEUTRAL_ANALYSIS, type Verdict } from "../llm/analysis.ts";
import { type PsycheGeneration, psycheLines } from "../llm/psyche.ts";
import type { BossLineRequest, ChatLine, Llm, TurnContext } from "../llm/types.ts";
import { IN_CHARACTER, pickLine } from "../lines.ts";
import { dedupeKey } from "../outbox/keys.ts";
import type { TextRules } from "../outbox/postprocess.ts";
import { type OutboxKind, queueText } from "../outbox/queue.ts";
import { type LoadReplyContext, withReplyContext } from "../memory/context.ts";
import { attempt, type Tx } from "../platform/db.ts";
import { decidePsyche, generateFor, type PsycheDecision, savePsyche } from "./psyche.ts";
import { StalePlan, type Step } from "./step.ts";

/** What game.begin_turn decided for a player message. */
export interface TurnPlan {
  route: "refused" | "closing" | "boss" | "boss_late" | "exchange";
  game_status: string;
  /** The 450th message of her local day: her reply hints that she may need some space soon. */
  warning: boolean;
  refusal: { window: "minute" | "day"; retry_after_seconds: number; send_line: boolean } | null;
  conversation_id: string;
  player: { display_name: string | null; chapter: number; chapter_name: string; score: number; local_time: string };
  /** Exchange: the open conversation (and failed messages); boss: the whole encounter. Ends with this message. */
  history: ChatLine[];
  /** Boss routes: the step this reply makes (game.boss_step), or the events of a timeout that came first. */
  boss: BossStep | null;
}

export interface BossStep {
  boss_fight_id: string | null;
  phase: string | null;
  her_reply: "follow_up" | "answer" | "none";
  judge_now: boolean;
  /** The reply came before her opening was delivered: it moves nothing and is answered after the opening. */
  early: boolean;
  resolution_replies: number;
  timed_out?: boolean;
  events?: EngineEvent[];
  judge?: { chapter: number; vices: { category: string; intensity: number }[]; engagement_state: string | null };
  /** When her opening is due (an early reply's answer comes after it). */
  answer_after?: string | null;
}

export interface EngineEvent {
  type: string;
  boss_fight_id?: string;
  opening_delay_seconds?: number;
  remaining?: number;
}

/** What a turn has decided and applied so far (private.telegram_updates.progress). */
export interface TurnProgress {
  plan: TurnPlan;
  /** The exchange was scored and her reply queued; her follow-up lines are still to write. */
  exchange?: { reply: string; last_due: string; events: EngineEvent[] };
  /** The verdict was applied; her line for its outcome is still to write. */
  verdict?: { boss_fight_id: string; events: EngineEvent[] };
  /** Her psyche tier for this message (GAME_RULES.md §12.2), decided with the plan. */
  psyche?: PsycheDecision;
}

interface ExchangeResult {
  events: EngineEvent[];
  game_status: string;
  reply_delay_seconds: number;
}

export interface TurnInput {
  /** The update's first transaction: the plan is made and saved here. */
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
  /** What an earlier attempt of this update decided and applied. */
  progress: TurnProgress | null;
  /** Loads her live context for the message (ready prompt, mood, memories found): called while drafting. */
  replyContext?: LoadReplyContext;
  saveProgress(tx: Tx, progress: TurnProgress): Promise<void>;
}

/** Shows "typing" while the models work: now and every 4 s (an action shows for at most 5 s). */
function keepTyping(typing: (() => Promise<unknown>) | undefined): () => void {
  if (!typing) return () => {};
  const send = () => void typing().catch(() => {});
  send();
  const timer = setInterval(send, 4000);
  return () => clearInterval(timer);
}

async function withTyping<T>(input: TurnInput, work: () => Promise<T>): Promise<T> {
  const stop = keepTyping(input.typing);
  try {
    return await work();
  } finally {
    stop();
  }
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
    score: Number(plan.player.score),
    notes,
  };
}

/** Plans the turn (or resumes an earlier attempt's plan) and returns what is left to do after this transaction. */
export async function gameTurn(input: TurnInput): Promise<Step | void> {
  const progress = input.progress ??
    { plan: await planTurn(input.tx, input.userId, input.updateId, input.text, input.now) };
  const plan = progress.plan;
  switch (plan.route) {
    case "refused":
      return await refuse(input.tx, input, plan);
    case "closing":
      return await closingLine(input.tx, input, plan.game_status);
  }
  if (!input.progress) {
    // Decided before her reply, in the plan's transaction; a retry keeps the decision with the plan.
    if (plan.route === "exchange" || plan.route === "boss") {
      progress.psyche = await decidePsyche(input.tx, input.userId, input.text, input.now);
    }
    await input.saveProgress(input.tx, progress);
  }
  if (progress.exchange) return followUpStep(input, plan, progress.exchange);
  if (progress.verdict) return outcomeStep(input, plan, progress.verdict.boss_fight_id, progress.verdict.events);
  if (plan.route === "exchange") return exchangeStep(input, plan, progress.psyche);
  if (plan.route === "boss_late") return lateStep(input, plan);
  return bossStep(input, plan, progress.psyche);
}

function queue(tx: Tx, input: TurnInput, key: string, kind: OutboxKind, text: string, dueAt: Date, payload?: object) {
  return queueText(tx, input.rules, {
    key,
    userId: input.userId,
    chatId: input.chatId,
    kind,
    text,
    dueAt,
    inCharacter: true,
    ...(payload ? { payload: payload as Record<string, unknown> } : {}),
  });
}

/** Over a rate limit: the message is stored, not scored, and gets at most one refusal per window. */
async function refuse(tx: Tx, input: TurnInput, plan: TurnPlan): Promise<void> {
  if (!plan.refusal?.send_line) return;
  const lines = plan.refusal.window === "day" ? IN_CHARACTER.needSpace : IN_CHARACTER.slowDown;
  await queue(tx, input, dedupeKey.command(input.updateId), "command", pickLine(lines, input.updateId), input.now);
}

/** A finished game gets one of her closing lines (also when it ended while the models worked). */
async function closingLine(tx: Tx, input: TurnInput, gameStatus: string): Promise<void> {
  const lines = gameStatus === "won" ? IN_CHARACTER.won : IN_CHARACTER.gameOver;
  await queue(tx, input, dedupeKey.reply(input.updateId), "reply", pickLine(lines, input.updateId), input.now);
}

/** The game's status now, for a turn the engine refused because the game ended meanwhile. */
async function statusNow(tx: Tx, userId: string): Promise<string> {
  const [row] = await tx<{ game_status: string }[]>`select game_status from public.users where id = ${userId}`;
  return row?.game_status ?? "game_over";
}

/** What the player said since her last line (failed messages included), for her psyche to read. */
function playerLines(history: ChatLine[]): string {
  const lastHers = history.findLastIndex((l) => l.role === "nikita");
  return history.slice(lastHers + 1).filter((l) => l.role === "player").map((l) => l.content).join("\n");
}

/** Her context for this message: the plan's, with her ready prompt and live context when the app provides them, and
 * her psyche: the state generated for this message (loaded alongside), else the current one. */
async function liveContext(
  input: TurnInput,
  plan: TurnPlan,
  psyche: Promise<PsycheGeneration | null>,
): Promise<{ ctx: TurnContext; generated: PsycheGeneration | null }> {
  const ctx = turnContext(input.userId, plan);
  if (!input.replyContext) {
    const generated = await psyche;
    return { ctx: generated ? { ...ctx, notes: [...psycheLines(generated.state), ...ctx.notes] } : ctx, generated };
  }
  const [live, generated] = await Promise.all([
    input.replyContext(input.userId, input.text, plan.conversation_id, input.now),
    psyche,
  ]);
  return {
    ctx: withReplyContext(ctx, generated ? { ...live, psyche: { state: generated.state, source: "live" } } : live),
    generated,
  };
}

/** Her psyche (when its tier calls for a generation), her reply and the analyzer's judgment, then the new psyche state
 * and game.apply_exchange with her reply delay in the same transaction. */
function exchangeStep(input: TurnInput, plan: TurnPlan, psyche: PsycheDecision | undefined): Step {
  let ctx = turnContext(input.userId, plan);
  let reply = "";
  let analysis: Analysis = NEUTRAL_ANALYSIS;
  let generated: PsycheGeneration | null = null;
  return {
    userId: input.userId,
    async draft() {
      await withTyping(input, async () => {
        ({ ctx, generated } = await liveContext(
          input,
          plan,
          generateFor(input.llm, input.userId, psyche, playerLines(plan.history)),
        ));
        reply = await input.llm.reply(ctx, plan.history);
        analysis = await input.llm.analyze(turnContext(input.userId, plan), plan.history, reply);
      });
    },
    async apply(tx) {
      await savePsyche(tx, input.userId, psyche, generated, input.now);
      const score = (judgment: Analysis) =>
        attempt(tx, (sp) =>
          sp<{ r: ExchangeResult }[]>`
          select game.apply_exchange(${input.userId}, ${sp.json(judgment as never)}, ${input.now}, 'telegram',
            ${plan.conversation_id}, ${input.normal()}) as r`);
      let scored = await score(analysis);
      // The engine re-checks the judgment; should it still refuse one the schema let through, the exchange is
      // applied with nothing in it (GAME_RULES.md §3.2) rather than left unanswered.
      if ("code" in scored && scored.code === "ANBAD") scored = await score(NEUTRAL_ANALYSIS);
      if ("code" in scored) {
        if (scored.code === "GOVER") return await closingLine(tx, input, await statusNow(tx, input.userId));
        if (scored.code === "BOSSA") throw new StalePlan("a boss fight started while she was writing");
        throw new Error(`apply_exchange: ${scored.code}`);
      }
      const result = scored.ok[0]!.r;
      const due = new Date(input.now.getTime() + Number(result.reply_delay_seconds ?? 0) * 1000);
      const last = await queue(tx, input, dedupeKey.reply(input.updateId), "reply", reply, due);
      const exchange = { reply, last_due: last.toISOString(), events: result.events };
      if (!result.events.some((e) => e.type === "boss_started" || e.type === "game_over")) return;
      await input.saveProgress(tx, { plan, exchange });
      return followUpStep(input, plan, exchange);
    },
  };
}

/** After an exchange that started a boss fight (her opening challenge) or ended the game (her goodbye). */
function followUpStep(input: TurnInput, plan: TurnPlan, exchange: NonNullable<TurnProgress["exchange"]>): Step {
  const ctx = turnContext(input.userId, plan);
  const started = exchange.events.find((e) => e.type === "boss_started");
  const ended = exchange.events.some((e) => e.type === "game_over");
  let opening = "";
  let goodbye = "";
  return {
    userId: input.userId,
    async draft() {
      await withTyping(input, async () => {
        if (started) {
          const transcript: ChatLine[] = [...plan.history, { role: "nikita", content: exchange.reply }];
          opening = await input.llm.bossLine({ ...ctx, kind: "opening", transcript });
        }
        if (ended) goodbye = await input.llm.bossLine({ ...ctx, kind: "goodbye", transcript: plan.history });
      });
    },
    async apply(tx) {
      const last = new Date(exchange.last_due);
      if (started) {
        // Her reply goes first; the opening follows it (GAME_RULES.md §5.1), and the phases count from its delivery.
        const due = new Date(last.getTime() + (started.opening_delay_seconds ?? 2) * 1000);
        await queue(tx, input, dedupeKey.boss(started.boss_fight_id!, "opening"), "boss", opening, due, {
          boss_fight_id: started.boss_fight_id,
          boss_line: "opening",
        });
      }
      if (ended) {
        await queue(tx, input, dedupeKey.goodbye(input.updateId), "reply", goodbye, new Date(last.getTime() + 2000));
      }
    },
  };
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

function sameStep(planned: BossStep, applied: BossStep): boolean {
  return applied.boss_fight_id === planned.boss_fight_id && applied.phase === planned.phase &&
    applied.her_reply === planned.her_reply && applied.judge_now === planned.judge_now &&
    applied.early === planned.early && applied.resolution_replies === planned.resolution_replies;
}

/** A reply during an encounter: her follow-up or answer, or the judge once the second resolution reply is in. The
 * models work from the step begin_turn foresaw; game.boss_turn applies it, and a different step means the
 * encounter changed meanwhile (a timeout, a call), so the turn is planned again. */
function bossStep(input: TurnInput, plan: TurnPlan, psyche: PsycheDecision | undefined): Step {
  const planned = plan.boss!;
  let ctx = turnContext(input.userId, plan);
  let verdict: Verdict | "ERROR" = "ERROR";
  let line = "";
  let generated: PsycheGeneration | null = null;
  return {
    userId: input.userId,
    async draft() {
      await withTyping(input, async () => {
        // A boss fight is a deep tier (GAME_RULES.md §12.2): her lines in it follow the new state.
        generated = await generateFor(input.llm, input.userId, psyche, playerLines(plan.history));
        if (generated) ctx = { ...ctx, notes: [...psycheLines(generated.state), ...ctx.notes] };
        if (planned.judge_now) {
          verdict = await input.llm.judge(ctx, plan.history, {
            vices: planned.judge?.vices ?? [],
            engagementState: planned.judge?.engagement_state ?? null,
          });
        } else if (planned.her_reply !== "none") {
          line = await input.llm.bossLine({ ...ctx, kind: planned.her_reply, transcript: plan.history });
        }
      });
    },
    async apply(tx) {
      await savePsyche(tx, input.userId, psyche, generated, input.now);
      const stepped = await attempt(
        tx,
        (sp) => sp<{ r: BossStep }[]>`select game.boss_turn(${input.userId}, ${input.now}) as r`,
      );
      if ("code" in stepped) {
        if (stepped.code === "GOVER") return await closingLine(tx, input, await statusNow(tx, input.userId));
        if (stepped.code === "BOSSN") throw new StalePlan("the encounter ended while she was writing");
        throw new Error(`boss_turn: ${stepped.code}`);
      }
      const applied = stepped.ok[0]!.r;
      if (!sameStep(planned, applied)) throw new StalePlan("the encounter moved while she was writing");
      const fightId = applied.boss_fight_id!;
      if (applied.judge_now) {
        const judged = verdict === "ERROR" ? { outcome: "ERROR" } : verdict;
        const [resolved] = await tx<{ r: { events: EngineEvent[] } }[]>`
          select game.resolve_boss(${input.userId}, ${tx.json(judged as never)}, ${input.now}) as r`;
        const outcome = { boss_fight_id: fightId, events: resolved!.r.events };
        if (!outcomeLine(outcome.events)) return;
        await input.saveProgress(tx, { plan, verdict: outcome });
        return outcomeStep(input, plan, fightId, outcome.events);
      }
      if (!line) return;
      if (applied.early) {
        // Before her opening was delivered: answered after it, never instead of it.
        const after = planned.answer_after ? new Date(planned.answer_after).getTime() + 1000 : 0;
        const due = new Date(Math.max(input.now.getTime(), after));
        return void await queue(tx, input, dedupeKey.boss(fightId, `early:${input.updateId}`), "boss", line, due);
      }
      await queue(
        tx,
        input,
        dedupeKey.boss(fightId, `${applied.phase}:${applied.resolution_replies}`),
        "boss",
        line,
        input.now,
      );
    },
  };
}

/** One of her boss lines of the given kind, queued under `key` once written. */
function bossLineStep(input: TurnInput, plan: TurnPlan, kind: BossLineRequest["kind"], key: string): Step {
  const ctx = turnContext(input.userId, plan);
  let line = "";
  return {
    userId: input.userId,
    async draft() {
      line = await withTyping(input, () => input.llm.bossLine({ ...ctx, kind, transcript: plan.history }));
    },
    async apply(tx) {
      await queue(tx, input, key, "boss", line, input.now);
    },
  };
}

/** Her line for a verdict's outcome (she got through / two more chances / last chance / goodbye / won / a truce). */
function outcomeStep(input: TurnInput, plan: TurnPlan, fightId: string, events: EngineEvent[]): Step {
  return bossLineStep(input, plan, outcomeLine(events)!, dedupeKey.boss(fightId, "verdict"));
}

/** A reply that came after its phase's deadline: begin_turn applied the timeout; she says what it means. */
function lateStep(input: TurnInput, plan: TurnPlan): Step | void {
  const kind = outcomeLine(plan.boss?.events ?? []);
  if (kind) return bossLineStep(input, plan, kind, dedupeKey.reply(input.updateId));
}
