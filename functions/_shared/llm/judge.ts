// The boss judge (PLATFORM.md §3, GAME_RULES.md §5.3): one forced judge_boss call; an answer still invalid after
// one re-ask is the ERROR verdict, which the engine turns into PARTIAL.
import { type Verdict, verdictSchema } from "./analysis.ts";
import { type ModelClient, schemaTool } from "./client.ts";
import { transcriptText } from "./persona.ts";
import type { ChatLine, TurnContext } from "./types.ts";

export const JUDGE_TIMEOUT_MS = 30_000;

export const JUDGE_TOOL = schemaTool("judge_boss", "The verdict on a boss encounter.", verdictSchema);

export async function judgeEncounter(
  client: ModelClient,
  model: string,
  context: TurnContext,
  transcript: ChatLine[],
): Promise<Verdict | "ERROR"> {
  const prompt = `Boss encounter of chapter ${context.chapter}. Transcript:\n${transcriptText(transcript)}\n` +
    "PASS = genuine understanding sustained across both phases; PARTIAL = real effort, not sustained; FAIL = dismissive, avoidant or hostile.";
  return await client.forcedTool("judge", context.userId, model, JUDGE_TIMEOUT_MS, JUDGE_TOOL, prompt) ?? "ERROR";
}
