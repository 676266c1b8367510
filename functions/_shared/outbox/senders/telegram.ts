// The Telegram sender: typing (a chat action, not a message) as its announcement, then sendMessage with HTML
// parse mode and her text escaped, so nothing she says becomes markup. When typing shows and for how long is the
// deliver routine's (it overlaps the pauses of many chats); errors are told apart as Telegram documents them.
import { Api, GrammyError, HttpError } from "npm:grammy@1.46.0";
import type { OutboxRow, Sender, SendFailure } from "../deliver.ts";

/** Telegram shows a chat action for 5 s or less (Bot API, sendChatAction), so a longer pause renews it. */
export const CHAT_ACTION_MS = 5000;
const TYPING_RENEW_MS = 4000;

/** Telegram parses HTML; her text is escaped so nothing she says becomes markup. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** typingMs: the longest typing pause before a message; the pause is min(her delay, the typing window, typingMs)
 * (GAME_RULES.md §14.2). 0, the default, shows typing and sends at once. */
export function telegramSender(api: Api, options: { typingMs?: number } = {}): Sender {
  return {
    announce: {
      maxMs: Math.max(0, options.typingMs ?? 0),
      refreshMs: TYPING_RENEW_MS,
      show: (row: OutboxRow) => api.sendChatAction(Number(row.chat_id), "typing").then(() => {}, () => {}),
    },
    async send(row: OutboxRow, text: string) {
      const message = await api.sendMessage(Number(row.chat_id), escapeHtml(text), {
        parse_mode: "HTML",
        link_preview_options: { is_disabled: true },
        ...(row.payload.reply_markup ? { reply_markup: row.payload.reply_markup as never } : {}),
      });
      return { providerRef: String(message.message_id) };
    },
    classify(error: unknown): SendFailure {
      if (error instanceof GrammyError) {
        const message = `${error.error_code} ${error.description}`;
        if (error.error_code === 429) {
          return { message, permanent: false, retryAfter: error.parameters.retry_after ?? 5 };
        }
        const permanent = error.error_code === 403 ||
          (error.error_code === 400 && /chat not found/i.test(error.description));
        return { message, permanent, retryAfter: null };
      }
      if (error instanceof HttpError) {
        return { message: `network: ${error.message}`, permanent: false, retryAfter: null };
      }
      return { message: String(error), permanent: false, retryAfter: null };
    },
  };
}
