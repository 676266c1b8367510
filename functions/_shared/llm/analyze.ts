// The analyzer (PLATFORM.md §3, GAME_RULES.md §3.2): one forced analyze_exchange call per exchange; the tool's
// schema and the validation of its answer both come from analysisSchema.
import { type Analysis, analysisSchema } from "./analysis.ts";
import { type ModelClient, schemaTool } from "./client.ts";
import { transcriptText } from "./persona.ts";
import type { ChatLine, TurnContext } from "./types.ts";
import { ProviderError } from "../platform/errors.ts";

export const ANALYZE_TIMEOUT_MS = 15_000;

export const ANALYZE_TOOL = schemaTool(
  "analyze_exchange",
  "Judge one exchange of the relationship game: metric deltas, behaviour tags, repair, vice signals, language.",
  analysisSchema,
);

export function analyzePrompt(context: TurnContext, history: ChatLine[], reply: string): string {
  return `Chapter ${context.chapter} (${context.chapterName}). Recent lines:\n${transcriptText(history.slice(-6))}\n` +
    `Nikita: ${reply}\nJudge this exchange with analyze_exchange. Typical deltas are -3..3.`;
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
  if (!analysis) throw new ProviderError("analyze: invalid judgment after one re-ask");
  return analysis;
}
