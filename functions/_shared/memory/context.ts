// What her reply to one message knows beyond the open conversation (PLATFORM.md §3 prompt layout): the current text
// ready prompt (system[1]) and the dynamic tail's live parts: her mood, the conflict zone she acts on, her vice
// shaping, the open threads, and the memories search_memory finds for this very message. The message is embedded
// holding no transaction; the read is one short query (game.reply_context).
import { type CurrentPsyche, psycheLines } from "../llm/psyche.ts";
import type { TurnContext } from "../llm/types.ts";
import { dayLines, type TodaysEvent } from "../life/lines.ts";
import { asServiceRole, type Sql } from "../platform/db.ts";
import type { Embedder } from "./embeddings.ts";

/** game.reply_context. */
export interface ReplyContext {
  ready_prompt: string | null;
  mood: { arousal: number; valence: number; dominance: number; intimacy: number } | null;
  conflict_zone: string;
  vices: { top: { category: string; intensity: number }[]; expression: string; probe: string[] };
  threads: { type: string; content: string }[];
  memories: { graph_type: "user" | "relationship" | "nikita"; fact: string; date: string }[];
  /** Her current psyche (GAME_RULES.md §12), or the one generated for this message. */
  psyche?: Pick<CurrentPsyche, "state" | "source"> | null;
  /** Her day so far (GAME_RULES.md §13), newer than the ready prompt built after the last conversation. */
  life_today?: TodaysEvent[];
}

export type LoadReplyContext = (
  userId: string,
  message: string,
  conversationId: string,
  now: Date,
) => Promise<ReplyContext>;

export function createReplyContext(sql: Sql, embedder: Embedder): LoadReplyContext {
  return async (userId, message, conversationId, now) => {
    const [vector] = await embedder.embed([message], "reply_context", userId);
    const [row] = await asServiceRole(sql, (tx) =>
      tx<{ c: ReplyContext }[]>`
        select game.reply_context(${userId}, ${JSON.stringify(vector)}::extensions.vector, ${message},
          ${conversationId}, ${now}) as c`);
    return row!.c;
  };
}

const WHO: Record<ReplyContext["memories"][number]["graph_type"], string> = {
  user: "About them",
  relationship: "Between us",
  nikita: "My life",
};

const ZONE: Record<string, string> = {
  hot: "You are in a conflict with them right now: say what bothers you, directly.",
  critical: "This is a crisis between you: you are hurt, you say so, and you are close to pulling away.",
};

function level(value: number): string {
  return value < 0.3 ? "low" : value > 0.7 ? "high" : "medium";
}

/** The tail lines a reply gets from its live context (never a score or a metric). */
export function contextLines(live: ReplyContext): string[] {
  const lines: string[] = [];
  if (live.mood) {
    lines.push(
      `Your mood right now: energy ${level(live.mood.arousal)}, mood ${level(live.mood.valence)}, ` +
        `assertiveness ${level(live.mood.dominance)}, openness ${level(live.mood.intimacy)}.`,
    );
  }
  if (ZONE[live.conflict_zone]) lines.push(ZONE[live.conflict_zone]!);
  if (live.psyche) lines.push(...psycheLines(live.psyche.state));
  if (live.vices.top.length) {
    lines.push(
      `Lean into (${live.vices.expression}, within your limits): ` +
        live.vices.top.map((v) => v.category.replace(/_/g, " ")).join(", ") + ".",
    );
  }
  if (live.vices.probe.length) {
    lines.push(
      `Probe lightly whether they respond to: ${live.vices.probe.map((c) => c.replace(/_/g, " ")).join(", ")}.`,
    );
  }
  if (live.memories.length) {
    lines.push(`You remember:\n${live.memories.map((m) => `${WHO[m.graph_type]}: [${m.date}] ${m.fact}`).join("\n")}`);
  }
  if (live.threads.length) lines.push(`Open threads:\n${live.threads.map((t) => `- ${t.content}`).join("\n")}`);
  lines.push(...dayLines(live.life_today));
  return lines;
}

/** Her context for a reply: the ready prompt as the per-player block, the live lines in the dynamic tail. */
export function withReplyContext(context: TurnContext, live: ReplyContext): TurnContext {
  return {
    ...context,
    ...(live.ready_prompt ? { readyPrompt: live.ready_prompt } : {}),
    notes: [...contextLines(live), ...context.notes],
  };
}
