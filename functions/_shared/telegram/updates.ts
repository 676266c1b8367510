// What an incoming Telegram update is (PLATFORM.md §2.3), decided from its shape alone.
import { z } from "npm:zod@4.6.7";

/** The one required field; everything else is stored as it arrives. */
export const updateSchema = z.looseObject({ update_id: z.number().int().nonnegative() });

export type UpdateKind = "command" | "text" | "contact" | "media" | "ignored";

export interface ClassifiedUpdate {
  updateId: number;
  kind: UpdateKind;
  chatId: number | null;
  telegramId: number | null;
}

const MEDIA_KEYS = ["photo", "voice", "video", "video_note", "sticker", "animation", "document", "audio", "location"];

export function classifyUpdate(update: z.infer<typeof updateSchema>): ClassifiedUpdate {
  const message = (update as { message?: Record<string, unknown> }).message;
  const chat = message?.chat as { id?: unknown; type?: unknown } | undefined;
  const from = message?.from as { id?: unknown } | undefined;
  const chatId = typeof chat?.id === "number" ? chat.id : null;
  const telegramId = typeof from?.id === "number" ? from.id : null;
  let kind: UpdateKind = "ignored";
  // Only private chats with a sender are played; edited messages, callbacks, groups and the rest are stored only.
  if (message && chatId !== null && telegramId !== null && chat?.type === "private") {
    if (typeof message.text === "string") kind = message.text.startsWith("/") ? "command" : "text";
    else if (message.contact) kind = "contact";
    else if (MEDIA_KEYS.some((key) => key in message)) kind = "media";
  }
  return { updateId: update.update_id, kind, chatId, telegramId };
}
