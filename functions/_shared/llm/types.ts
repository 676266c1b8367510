// The LLM layer's contract: the judgments the engine takes (validated with zod before SQL re-checks them) and
// the calls a turn makes. Live (Anthropic) and offline implementations both satisfy Llm.
import { z } from "npm:zod@4.6.7";

export const VICE_CATEGORIES = [
  "intellectual_dominance", "risk_taking", "substances", "sexuality", "emotional_intensity", "rule_breaking",
  "dark_humor", "vulnerability",
] as const;
export const BEHAVIORS = [
  "horseman:criticism", "horseman:contempt", "horseman:defensiveness", "horseman:stonewalling", "vulnerability_exchange",
] as const;

const delta = z.number().min(-10).max(10);
const unit = z.number().min(0).max(1);

/** The engine's p_analysis (GAME_RULES.md §3.2), the input of the forced tool analyze_exchange. */
export const analysisSchema = z.object({
  deltas: z.object({ intimacy: delta, passion: delta, trust: delta, secureness: delta }),
  behaviors: z.array(z.enum(BEHAVIORS)),
  repair: z.object({ attempted: z.boolean(), quality: z.enum(["excellent", "good", "adequate"]).nullable() }),
  vice_signals: z.array(z.object({ category: z.enum(VICE_CATEGORIES), confidence: unit, positive: z.boolean() })),
  language: z.object({ needy: unit, distracted: unit }),
  confidence: unit,
});
export type Analysis = z.infer<typeof analysisSchema>;

/** The engine's p_verdict without ERROR (which only the caller produces), the input of judge_boss. */
export const verdictSchema = z.object({
  outcome: z.enum(["PASS", "PARTIAL", "FAIL"]),
  confidence: unit,
  reasoning: z.string().max(2000),
});
export type Verdict = z.infer<typeof verdictSchema>;

/** When no judgment can be had, the exchange is applied with nothing in it (GAME_RULES.md §3.2). */
export const NEUTRAL_ANALYSIS: Analysis = {
  deltas: { intimacy: 0, passion: 0, trust: 0, secureness: 0 },
  behaviors: [],
  repair: { attempted: false, quality: null },
  vice_signals: [],
  language: { needy: 0, distracted: 0 },
  confidence: 0,
};

export interface ChatLine {
  role: "player" | "nikita";
  content: string;
}

/** What she knows at a turn: the per-player context block and the dynamic tail of her prompt. */
export interface TurnContext {
  userId: string;
  playerName: string | null;
  chapter: number;
  chapterName: string;
  localTime: string;
  /** Extra instructions for this message only (rate-limit hint, boss phase). */
  notes: string[];
}

export interface BossLineRequest extends TurnContext {
  kind: "opening" | "follow_up" | "answer" | "pass" | "fail" | "partial" | "last_chance" | "goodbye" | "won";
  transcript: ChatLine[];
}

export interface Llm {
  readonly mode: "live" | "offline";
  reply(context: TurnContext, history: ChatLine[]): Promise<string>;
  analyze(context: TurnContext, history: ChatLine[], reply: string): Promise<Analysis>;
  judge(context: TurnContext, transcript: ChatLine[]): Promise<Verdict | "ERROR">;
  bossLine(request: BossLineRequest): Promise<string>;
  /** "City, country" to an IANA zone name, or null (checked against pg_timezone_names by the caller). */
  timezoneFor(city: string): Promise<string | null>;
}

/** The provider could not be reached or kept answering wrongly after its retries: the turn is retried later. */
export class ProviderError extends Error {
  constructor(message: string, override readonly cause?: unknown) {
    super(message);
    this.name = "ProviderError";
  }
}
