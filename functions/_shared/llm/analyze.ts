// The analyzer (PLATFORM.md §3, GAME_RULES.md §3.2): one forced analyze_exchange call per exchange; the tool's
// schema and the validation of its answer both come from analysisSchema, and the prompt defines every tag and
// category the schema allows. A judgment still invalid after one re-ask becomes the neutral judgment (zero deltas,
// confidence 0): the exchange is applied and she replies. Only an unreachable model fails the turn.
import { type Analysis, analysisSchema, BEHAVIORS, NEUTRAL_ANALYSIS, VICE_CATEGORIES } from "./analysis.ts";
import { type ModelClient, schemaTool } from "./client.ts";
import { chapterBehaviour, transcriptText } from "./persona.ts";
import type { ChatLine, TurnContext } from "./types.ts";

export const ANALYZE_TIMEOUT_MS = 15_000;

export const ANALYZE_TOOL = schemaTool(
  "analyze_exchange",
  "Judge one exchange of the relationship game: metric deltas, behaviour tags, repair, vice signals, language.",
  analysisSchema,
);

const definitions = (entries: Record<string, string>) =>
  Object.entries(entries).map(([name, meaning]) => `- ${name}: ${meaning}`).join("\n");

/** What the analyzer is told once: the metrics, every tag and category with its meaning, and the scales. */
export const ANALYZER_GUIDE = `You judge one exchange between a player and Nikita in a relationship game.
Metrics (deltas -10..10; typical exchanges land in -3..3, larger values only for exceptional ones):
- intimacy: emotional closeness, vulnerability, deep sharing
- passion: excitement, desire, playful or romantic energy
- trust: reliability, honesty, keeping confidences
- secureness: feeling safe, supported and valued
In the early chapters ghosting, rudeness and dismissiveness score negative; genuine interest, support and humour score positive.
behaviors: only these tags, and only when clearly present (usually none):
${definitions(BEHAVIORS)}
repair: judged on the player's message alone. excellent = accountability + vulnerability + specifics; good = a clear
apology or openness with some specifics; adequate = a vague move to reconnect; null quality when no repair was
attempted. Sarcastic, conditional or manipulative apologies are not repairs.
vice_signals: only these categories, each with confidence 0..1 and positive (enthusiasm, follow-ups, long replies)
or not (rejection, short replies, changing the subject):
${definitions(VICE_CATEGORIES)}
language: needy 0..1 ("are you there??", validation seeking, urgency, over-apologising, double texting);
distracted 0..1 ("k/ok/fine", "busy rn", no questions, abrupt topic changes).
confidence: 0..1, how sure you are.`;

export function analyzePrompt(context: TurnContext, history: ChatLine[], reply: string): string {
  return `${ANALYZER_GUIDE}\n\nChapter ${context.chapter} (${context.chapterName})` +
    (context.score === undefined ? "" : `, current score ${context.score}`) +
    `. Her behaviour in this chapter: ${chapterBehaviour(context.chapter)}\n` +
    `Recent lines:\n${transcriptText(history.slice(-6))}\nNikita: ${reply}\nJudge this exchange with analyze_exchange.`;
}

/** A phone call is judged as one exchange (GAME_RULES.md §16): the whole transcript, however long. */
export function analyzeCallPrompt(context: TurnContext, transcript: ChatLine[]): string {
  return `${ANALYZER_GUIDE}\n\nChapter ${context.chapter} (${context.chapterName})` +
    (context.score === undefined ? "" : `, current score ${context.score}`) +
    `. Her behaviour in this chapter: ${chapterBehaviour(context.chapter)}\n` +
    `This exchange is a whole phone call. Transcript:\n${transcriptText(transcript)}\n` +
    `Judge the call as one exchange with analyze_exchange.`;
}

export async function analyzeExchange(
  client: ModelClient,
  model: string,
  context: TurnContext,
  history: ChatLine[],
  reply: string,
): Promise<Analysis> {
  const analysis = await client.forcedTool(
    "analyze",
    context.userId,
    model,
    ANALYZE_TIMEOUT_MS,
    ANALYZE_TOOL,
    analyzePrompt(context, history, reply),
  );
  return analysis ?? NEUTRAL_ANALYSIS;
}

export async function analyzeCall(
  client: ModelClient,
  model: string,
  context: TurnContext,
  transcript: ChatLine[],
): Promise<Analysis> {
  const analysis = await client.forcedTool(
    "analyze",
    context.userId,
    model,
    ANALYZE_TIMEOUT_MS,
    ANALYZE_TOOL,
    analyzeCallPrompt(context, transcript),
  );
  return analysis ?? NEUTRAL_ANALYSIS;
}
