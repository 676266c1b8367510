// The analyzer's judgment (GAME_RULES.md §3.2), the engine's p_analysis: one zod schema that validates the model's
// answer and generates the analyze_exchange tool's JSON schema, so the two can never disagree. The vocabulary
// lists are the ones the engine's SQL checks accept (a test compares them).
import { z } from "npm:zod@4.6.7";

/** Vice categories (GAME_RULES.md §10.1), with what each means. */
export const VICE_CATEGORIES = {
  intellectual_dominance: "debate, expertise, mental sparring",
  risk_taking: "danger, adrenaline, spontaneity",
  substances: "alcohol, party culture, without judgment",
  sexuality: "flirtation, innuendo, attraction",
  emotional_intensity: "deep feelings, drama",
  rule_breaking: "anti-authority, defying norms",
  dark_humor: "morbid, edgy jokes",
  vulnerability: "sharing fears, emotional openness",
} as const;

/** Behaviour tags (GAME_RULES.md §3.2), with what each means. */
export const BEHAVIORS = {
  "horseman:criticism": "the player attacks her character",
  "horseman:contempt": "mockery, disgust",
  "horseman:defensiveness": "counter-attack, playing the victim",
  "horseman:stonewalling": 'withdrawal, "k", "whatever"; ordinary short replies are not stonewalling',
  "vulnerability_exchange": "she shared something vulnerable and the player answered with empathy or matching openness",
} as const;

export type ViceCategory = keyof typeof VICE_CATEGORIES;
export type Behavior = keyof typeof BEHAVIORS;

export const viceCategoryNames = Object.keys(VICE_CATEGORIES) as [ViceCategory, ...ViceCategory[]];
export const behaviorNames = Object.keys(BEHAVIORS) as [Behavior, ...Behavior[]];

const delta = z.number().min(-10).max(10);
const unit = z.number().min(0).max(1);

export const analysisSchema = z.object({
  deltas: z.object({ intimacy: delta, passion: delta, trust: delta, secureness: delta })
    .describe("Metric deltas, -10..10; typical exchanges land in -3..3"),
  behaviors: z.array(z.enum(behaviorNames)).describe("Behaviour tags present in the exchange, usually none"),
  repair: z.object({ attempted: z.boolean(), quality: z.enum(["excellent", "good", "adequate"]).nullable() })
    .describe("A repair attempt judged on the player's message alone"),
  vice_signals: z.array(z.object({ category: z.enum(viceCategoryNames), confidence: unit, positive: z.boolean() }))
    .describe("Interest in (positive) or rejection of (negative) one of her vice categories"),
  language: z.object({ needy: unit, distracted: unit }),
  confidence: unit,
});
export type Analysis = z.infer<typeof analysisSchema>;

/** When no judgment can be had, the exchange is applied with nothing in it (GAME_RULES.md §3.2). */
export const NEUTRAL_ANALYSIS: Analysis = {
  deltas: { intimacy: 0, passion: 0, trust: 0, secureness: 0 },
  behaviors: [],
  repair: { attempted: false, quality: null },
  vice_signals: [],
  language: { needy: 0, distracted: 0 },
  confidence: 0,
};

/** The boss judge's verdict without ERROR (which only the caller produces), the engine's p_verdict. */
export const verdictSchema = z.object({
  outcome: z.enum(["PASS", "PARTIAL", "FAIL"]),
  confidence: unit,
  reasoning: z.string().max(2000),
});
export type Verdict = z.infer<typeof verdictSchema>;
