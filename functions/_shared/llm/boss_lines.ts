// Her boss lines (GAME_RULES.md §5): the opening challenge, the follow-up, in-encounter answers and the outcome
// lines, written by the reply model from the chapter's challenge.
import { textOf } from "./client.ts";
import type { ModelClient } from "./client.ts";
import { CHALLENGES, herSystem, toMessages } from "./persona.ts";
import type { BossLineRequest } from "./types.ts";
import { ProviderError } from "../platform/errors.ts";

export const BOSS_LINE_TIMEOUT_MS = 40_000;

export async function writeBossLine(client: ModelClient, model: string, request: BossLineRequest): Promise<string> {
  const message = await client.call(`boss_${request.kind}`, request.userId, BOSS_LINE_TIMEOUT_MS, {
    model,
    max_tokens: 400,
    system: herSystem(request, bossInstruction(request)),
    messages: toMessages(request.transcript.length > 0 ? request.transcript : [{ role: "player", content: "…" }]),
  });
  const line = textOf(message);
  if (!line) throw new ProviderError("boss line: empty text");
  return line;
}

export function bossInstruction(request: BossLineRequest): string {
  const challenge = CHALLENGES[request.chapter] ?? CHALLENGES[1]!;
  switch (request.kind) {
    case "opening":
      return `Something has been on your mind. In character, without announcing any test: ${challenge.opening}`;
    case "follow_up":
      return `Answer their reply in character and push further: ${challenge.followUp}`;
    case "answer":
      return "Answer their reply in character, briefly, and wait for what they say next.";
    case "pass":
      return "They got through to you. Let them know, in character, without naming any test.";
    case "won":
      return "Your closing declaration: you choose them, as yourself, in character.";
    case "fail":
      return "They disappointed you. Say so in character; they still have two more chances, say it your way.";
    case "last_chance":
      return "They disappointed you again. In character, make clear this is their last chance.";
    case "partial":
      return "You need a moment to collect your thoughts. A truce line, in character.";
    case "goodbye":
      return "You are done. Your goodbye, in character, final.";
  }
}
