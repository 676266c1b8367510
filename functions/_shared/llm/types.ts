// The LLM layer's contract with its callers: what she knows at a turn and the calls a turn makes. Live (Anthropic)
// and offline implementations both satisfy Llm.
import type { Analysis, Verdict } from "./analysis.ts";
import type { DailySummary, DailySummaryInput } from "./daily_summary.ts";
import type { Extraction } from "./extract.ts";
import type { LifeEvent, LifePlan } from "./life_events.ts";
import type { PsycheGeneration, PsycheRequest } from "./psyche.ts";
import type { PsycheBatchApi } from "./psyche_batches.ts";

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
  /** The relationship score before this exchange: the analyzer's context (GAME_RULES.md §3.2), never hers. */
  score?: number;
  /** Her ready prompt (PLATFORM.md §6): the cached per-player block of her system prompt. */
  readyPrompt?: string;
  /** The dynamic tail's lines for this message only (mood, conflict, memories found, a rate-limit hint). */
  notes: string[];
}

/** What the boss judge weighs besides the transcript (GAME_RULES.md §5.3). */
export interface Encounter {
  /** Her top vices for the player, strongest first (GAME_RULES.md §10.4). */
  vices: { category: string; intensity: number }[];
  /** The player's engagement state (GAME_RULES.md §8). */
  engagementState: string | null;
}

/** Who a finished conversation was with, for the post-conversation extraction (a TurnContext satisfies it). */
export interface ConversationContext {
  userId: string;
  playerName: string | null;
  chapter: number;
}

export interface BossLineRequest extends TurnContext {
  kind: "opening" | "follow_up" | "answer" | "pass" | "fail" | "partial" | "last_chance" | "goodbye" | "won";
  transcript: ChatLine[];
}

/** A proactive message to write (GAME_RULES.md §15): its trigger, what happened to her for an event, and her recent
 * proactive messages, which the new one must not resemble. */
export interface TouchpointRequest {
  userId: string;
  playerName: string | null;
  chapter: number;
  /** The player's local time, e.g. "Mon 08:40". */
  localTime: string;
  trigger: "time" | "gap" | "event";
  lifeEvent: string | null;
  avoid: string[];
}

export interface Llm {
  readonly mode: "live" | "offline";
  reply(context: TurnContext, history: ChatLine[]): Promise<string>;
  /** The judgment of an exchange; NEUTRAL_ANALYSIS when the model answers nothing valid after one re-ask. */
  analyze(context: TurnContext, history: ChatLine[], reply: string): Promise<Analysis>;
  /** The judgment of a whole phone call as one exchange (GAME_RULES.md §16); NEUTRAL_ANALYSIS as above. */
  analyzeCall(context: TurnContext, transcript: ChatLine[]): Promise<Analysis>;
  judge(context: TurnContext, transcript: ChatLine[], encounter?: Encounter): Promise<Verdict | "ERROR">;
  bossLine(request: BossLineRequest): Promise<string>;
  /** "City, country" to an IANA zone name, or null (checked against pg_timezone_names by the caller). */
  timezoneFor(city: string): Promise<string | null>;
  /** What she takes away from a finished conversation (PLATFORM.md §6 stage 1); a ProviderError when the model
   * cannot be reached or answers nothing valid after one re-ask, so the pipeline job retries it. */
  extract(context: ConversationContext, transcript: ChatLine[]): Promise<Extraction>;
  /** Her day's events from the plan SQL made (GAME_RULES.md §13); a ProviderError when the model cannot be reached
   * or answers nothing valid after one re-ask, so the life-sim job retries the player later. */
  lifeEvents(plan: LifePlan): Promise<LifeEvent[]>;
  /** Her 1-3 lines of a proactive message; a ProviderError when the model cannot be reached or answers nothing valid
   * after one re-ask, so the touchpoint stays due. */
  touchpoint(request: TouchpointRequest): Promise<string>;
  /** A live psyche generation before her reply (GAME_RULES.md §12.2 deep or quick); null when it fails or misses its
   * deadline, so her current state stays in use. */
  psyche(request: PsycheRequest): Promise<PsycheGeneration | null>;
  /** The daily psyche batch (PLATFORM.md §5.1). */
  readonly psycheBatches: PsycheBatchApi;
  /** Her summary of one player's day (GAME_RULES.md §17); null when the model answers nothing valid after one
   * re-ask, a ProviderError when it cannot be reached: either way the daily-summaries job saves the fallback. */
  dailySummary(input: DailySummaryInput): Promise<DailySummary | null>;
}
