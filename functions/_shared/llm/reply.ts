// Her reply to a text turn (PLATFORM.md §3): plain text under the layered, cached system prompt.
import type { ModelClient } from "./client.ts";
import { textOf } from "./client.ts";
import { herSystem, toMessages } from "./persona.ts";
import type { ChatLine, TurnContext } from "./types.ts";
import { ProviderError } from "../platform/errors.ts";

export const REPLY_TIMEOUT_MS = 40_000;

export async function writeReply(
  client: ModelClient,
  model: string,
  context: TurnContext,
  history: ChatLine[],
): Promise<string> {
  const message = await client.call("reply", context.userId, REPLY_TIMEOUT_MS, {
    model,
    max_tokens: 600,
    system: herSystem(context),
    messages: toMessages(history),
  });
  const reply = textOf(message);
  if (!reply) throw new ProviderError("reply: empty text");
  return reply;
}
