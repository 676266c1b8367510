// The Telegram sender: typing first (a chat action, not a message), then sendMessage with HTML parse mode and her
// text escaped, so nothing she says becomes markup. Errors are told apart as Telegram documents them.
import { Api, GrammyError, HttpError } from "npm:grammy@1.46.0";
import type { OutboxRow, Sender, SendFailure } from "../deliver.ts";

/** Telegram parses HTML; her text is escaped so nothing she says becomes markup. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** typingMs: the pause between the typing action and the message (GAME_RULES.md §14.2: typing shows up to 5 s). */
export function telegramSender(api: Api, options: { typingMs?: number } = {}): Sender {
  return {
    async send(row: OutboxRow, text: string) {
      await api.sendChatAction(Number(row.chat_id), "typing").catch(() => {});
      if (options.typingMs) await sleep(options.typingMs);
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
