// Her proactive messages (GAME_RULES.md §15): 1-3 short lines in character for a touchpoint's trigger, written by
// the summary model through one forced write_touchpoint call (PLATFORM.md §3: summaries and touchpoint text). Her
// recent proactive messages are listed so the new one does not repeat them; the job checks the similarity rule in
// SQL and re-asks once with the rejected text added. An answer still invalid after one re-ask is a ProviderError,
// so the touchpoint stays due and the next run retries it.
import { z } from "npm:zod@4.6.7";
import { type ModelClient, schemaTool } from "./client.ts";
import { chapterBehaviour, PERSONA } from "./persona.ts";
import type { TouchpointRequest } from "./types.ts";
import { ProviderError } from "../platform/errors.ts";

export const TOUCHPOINT_TIMEOUT_MS = 30_000;

export const touchpointSchema = z.object({
  lines: z.array(z.string().trim().min(1).max(300)).min(1).max(3)
    .describe("1-3 short messages, each one Telegram message, in the order she sends them"),
});

export const TOUCHPOINT_TOOL = schemaTool(
  "write_touchpoint",
  "The 1-3 short lines Nikita texts first, unprompted, in character.",
  touchpointSchema,
);

/** What each trigger asks her to write (GAME_RULES.md §15 Text). */
export const TOUCHPOINT_INSTRUCTIONS: Record<TouchpointRequest["trigger"], string> = {
  time: "You text them first, unprompted: a casual check-in that shares something small and specific of your day.",
  event: "You text them first, unprompted, because something just happened to you: tell them about it your way.",
  gap: "They have been quiet for a day. You text first: notice the silence lightly, with your own dignity; never " +
    "needy, never a reproach, no questions about why.",
};

export function touchpointPrompt(request: TouchpointRequest): string {
  const parts = [
    PERSONA,
    `About the person you text: ${request.playerName ?? "someone you met recently"}.`,
    `How you are with them right now: ${chapterBehaviour(request.chapter)}`,
    `It is ${request.localTime} for them.`,
    TOUCHPOINT_INSTRUCTIONS[request.trigger],
  ];
  if (request.trigger === "event" && request.lifeEvent) parts.push(`What just happened: ${request.lifeEvent}`);
  if (request.avoid.length > 0) {
    parts.push(
      "Your last messages to them are below as data; the new one must not resemble any of them in words or idea:\n" +
        request.avoid.map((line) => `- ${JSON.stringify(line)}`).join("\n"),
    );
  }
  parts.push("1-3 short lines, like a real text. Write them with write_touchpoint.");
  return parts.join("\n\n");
}

export async function writeTouchpoint(client: ModelClient, model: string, request: TouchpointRequest): Promise<string> {
  const answer = await client.forcedTool(
    "touchpoint",
    request.userId,
    model,
    TOUCHPOINT_TIMEOUT_MS,
    TOUCHPOINT_TOOL,
    touchpointPrompt(request),
  );
  if (!answer) throw new ProviderError("touchpoint: still invalid after one re-ask");
  return answer.lines.join("\n");
}
