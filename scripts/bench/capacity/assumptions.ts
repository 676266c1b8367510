// What the capacity model assumes: every number here is printed in docs/capacity.md under "Assumptions" with its
// reason. Nothing here is measured (the bench's figures.json is) or documented by a platform (limits.ts); the game's
// own rates come from the repository (the simulator's personas, sql/data), read by inputs.ts.
import type { ModelClass } from "./limits.ts";

export interface Assumption {
  value: number;
  unit: string;
  why: string;
}

export interface ModelCall {
  purpose: string;
  model: ModelClass;
  /** How often: per player message, per conversation, or a fixed number per player-day. */
  per: "message" | "conversation" | "day";
  count: number;
  /** Input tokens that count towards the input limit: the prompt minus its cached prefix. */
  uncachedInputTokens: number;
  /** Counted at max_tokens when the request starts (limits.ts). */
  maxTokens: number;
  where: string;
}

export interface Assumptions {
  utilisation: Assumption;
  coresPerBenchCore: Assumption;
  repliesPerMessage: Assumption;
  partsPerReply: Assumption;
  proactivePerDay: Assumption;
  searchesPerReply: Assumption;
  portalReadsPerDay: Assumption;
  historyRowsPerExchange: Assumption;
  decayRowsPerDay: Assumption;
  turnSeconds: Assumption;
  connectionsPerIsolate: Assumption;
  calls: ModelCall[];
  /** The deployment "1x" means in the 10x / 100x section. */
  reference: { compute: string; tier: string; bots: number; why: string };
}

export const ASSUMPTIONS: Assumptions = {
  utilisation: {
    value: 0.5,
    unit: "of the cores at the peak hour",
    why: "headroom for autovacuum, checkpoints, bursts within the hour and this machine's noise (figures vary " +
      "between runs by tens of percent)",
  },
  coresPerBenchCore: {
    value: 1,
    unit: "Supabase vCPU per bench core",
    why: "a Supabase ARM core does the work of one core of the bench machine (the bench runs on " +
      "the machine named above, not on Supabase)",
  },
  repliesPerMessage: {
    value: 1,
    unit: "replies per player message",
    why: "she never ignores a message (GAME_RULES.md §1); quick messages answered together would make it fewer, " +
      "so this is an upper bound",
  },
  partsPerReply: {
    value: 1,
    unit: "Telegram messages per reply",
    why: "a reply is split only past 4,096 characters (GAME_RULES.md §14.4); hers are a few lines",
  },
  proactivePerDay: {
    value: 2,
    unit: "proactive messages per player-day",
    why: "at most one per morning and evening slot (GAME_RULES.md §15), an upper bound; each is delivered like a " +
      "reply and written by one summary-model call",
  },
  searchesPerReply: {
    value: 1,
    unit: "memory searches per reply",
    why: "game.reply_context searches her memory once for each message (functions/_shared/memory/context.ts)",
  },
  portalReadsPerDay: {
    value: 1,
    unit: "portal visits per player-day",
    why: "a player opens the portal once a day: player_stats and 30 days of score_history (the bench's two reads)",
  },
  historyRowsPerExchange: {
    value: 1,
    unit: "score_history rows per scored exchange",
    why: "game.apply_exchange writes one history row per exchange (README: the game engine)",
  },
  decayRowsPerDay: {
    value: 1,
    unit: "score_history decay rows per player-day, at most",
    why: "one decay row per player per UTC day (GAME_RULES.md §7), written only when decay removed something",
  },
  turnSeconds: {
    value: 6,
    unit: "seconds a turn is in flight",
    why: "her reply and the analysis, one after the other, at a few seconds each (the bench's model is a 2 s fake, " +
      "so real latency is outside the bench); the drain holds its isolate, not a database connection, meanwhile",
  },
  connectionsPerIsolate: {
    value: 6,
    unit: "pooler client connections per isolate, at most",
    why: "the functions' pool (max 4) and the acknowledgement's own (max 2) in functions/_shared/app.ts, both kept " +
      "open across a model call (idle_timeout 20 s, functions/_shared/platform/db.ts)",
  },
  calls: [
    {
      purpose: "her reply",
      model: "sonnet",
      per: "message",
      count: 1,
      uncachedInputTokens: 2_000,
      maxTokens: 600,
      where: "functions/_shared/llm/reply.ts (max_tokens 600); the persona and ready prompt (about 6,000 tokens, " +
        "README) are cached, the live tail and the conversation are not",
    },
    {
      purpose: "the analysis of the exchange",
      model: "haiku",
      per: "message",
      count: 1,
      uncachedInputTokens: 3_000,
      maxTokens: 800,
      where: "functions/_shared/llm/analyze.ts, a forced tool call (max_tokens 800, llm/client.ts)",
    },
    {
      purpose: "extraction of a closed conversation",
      model: "sonnet",
      per: "conversation",
      count: 1,
      uncachedInputTokens: 4_000,
      maxTokens: 4_096,
      where: "functions/_shared/llm/extract.ts (EXTRACT_MAX_TOKENS)",
    },
    {
      purpose: "her psyche, quick tier (first message of the day)",
      model: "haiku",
      per: "day",
      count: 1,
      uncachedInputTokens: 3_000,
      maxTokens: 1_024,
      where: "functions/_shared/llm/psyche.ts (PSYCHE_MAX_TOKENS); the daily batch goes through the Batches API, " +
        "whose limits are separate",
    },
    {
      purpose: "her day's life events",
      model: "haiku",
      per: "day",
      count: 1,
      uncachedInputTokens: 2_000,
      maxTokens: 3_000,
      where: "functions/_shared/llm/life_events.ts (LIFE_EVENTS_MAX_TOKENS)",
    },
    {
      purpose: "the daily summary",
      model: "haiku",
      per: "day",
      count: 1,
      uncachedInputTokens: 2_000,
      maxTokens: 800,
      where: "functions/_shared/llm/daily_summary.ts (forced tool call)",
    },
    {
      purpose: "proactive messages",
      model: "haiku",
      per: "day",
      count: 2,
      uncachedInputTokens: 2_000,
      maxTokens: 800,
      where: "functions/_shared/llm/touchpoint.ts (forced tool call), one per proactive message above",
    },
  ],
  reference: {
    compute: "Large",
    tier: "Tier 4",
    bots: 1,
    why: "the smallest compute with dedicated CPU, the highest self-serve Anthropic tier, the one bot the backend " +
      "has today",
  },
};
