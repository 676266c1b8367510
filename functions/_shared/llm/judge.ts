// The boss judge (PLATFORM.md §3, GAME_RULES.md §5.3): one forced judge_boss call over the whole encounter, with the
// chapter's challenge and its PASS and FAIL criteria, her top vices and the player's engagement state. An answer
// still invalid after one re-ask is the ERROR verdict, which the engine turns into PARTIAL.
import { type Verdict, verdictSchema } from "./analysis.ts";
import { type ModelClient, schemaTool } from "./client.ts";
import { CHALLENGES, transcriptText } from "./persona.ts";
import type { ChatLine, Encounter, TurnContext } from "./types.ts";

export const JUDGE_TIMEOUT_MS = 30_000;

export const JUDGE_TOOL = schemaTool("judge_boss", "The verdict on a boss encounter.", verdictSchema);

export function judgePrompt(context: TurnContext, transcript: ChatLine[], encounter?: Encounter): string {
  const challenge = CHALLENGES[context.chapter] ?? CHALLENGES[1]!;
  const vices = encounter?.vices.length
    ? encounter.vices.map((v) => `${v.category} (${v.intensity})`).join(", ")
    : "none known yet";
  return [
    `Boss encounter of chapter ${context.chapter} (${context.chapterName}).`,
    `Her challenge: ${challenge.opening}`,
    `Her follow-up: ${challenge.followUp}`,
    `PASS when the player shows: ${challenge.pass}.`,
    `FAIL when the player shows: ${challenge.fail}.`,
    `Her strongest vices (what draws her in): ${vices}. The player's engagement: ${
      encounter?.engagementState ?? "unknown"
    }.`,
    "PASS = genuine understanding sustained across both phases; PARTIAL = real effort, not sustained; " +
    "FAIL = dismissive, avoidant, hostile, or meets a failure criterion.",
    `The whole encounter, every message of both sides:\n${transcriptText(transcript)}`,
  ].join("\n");
}

export async function judgeEncounter(
  client: ModelClient,
  model: string,
  context: TurnContext,
  transcript: ChatLine[],
  encounter?: Encounter,
): Promise<Verdict | "ERROR"> {
  return await client.forcedTool(
    "judge",
    context.userId,
    model,
    JUDGE_TIMEOUT_MS,
    JUDGE_TOOL,
    judgePrompt(context, transcript, encounter),
  ) ?? "ERROR";
}
