// The deliver routine (PLATFORM.md §2.6), the only path that sends: claim due rows (committed), mark each one
// sending (committed) just before the call, send with typing first, then sent or failed. A crash after the claim
// resends after the lease; a crash while sending leaves the row unconfirmed, never sent twice.
import { Api, GrammyError, HttpError } from "npm:grammy@1.46.0";
import type { Sql } from "../db.ts";
import { log } from "../log.ts";
import { renderEvent } from "./events.ts";

export interface DeliverDeps {
  sql: Sql;
  api: Api;
  now?: () => Date;
  /** Pause between the typing action and the message (GAME_RULES.md §14.2: typing shows up to 5 s). */
  typingMs?: number;
  /** At most this many sends per second across chats (Telegram tolerates about 30). */
  perSecond?: number;
}

interface OutboxRow {
  id: number;
  chat_id: number;
  kind: string;
  text: string | null;
  payload: { reply_markup?: unknown; events?: { type: string; kind?: string }[]; event?: string; chapter?: number };
  due_at: Date;
}

export interface DeliverResult {
  claimed: number;
  sent: number;
  failed: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Telegram parses HTML; her text is escaped so nothing she says becomes markup. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export async function deliver(deps: DeliverDeps, options: { limit: number; chatId?: number }): Promise<DeliverResult> {
  const now = deps.now ?? (() => new Date());
  const rows = await deps.sql.begin(async (tx) => {
    await tx`set local role service_role`;
    return await tx<OutboxRow[]>`select * from private.claim_outbox(${now()}, ${options.limit}, ${options.chatId ?? null})`;
  });
  const result: DeliverResult = { claimed: rows.length, sent: 0, failed: 0 };
  const gap = 1000 / (deps.perSecond ?? 25);
  for (const row of rows) {
    const text = row.text ?? renderEvent(row.payload, row.id);
    const sending = await deps.sql.begin(async (tx) => {
      await tx`set local role service_role`;
      const [r] = await tx<{ ok: boolean | null }[]>`select private.mark_sending(${row.id}, ${text}, ${now()}) as ok`;
      return r?.ok === true;
    });
    if (!sending) continue;
    try {
      await deps.api.sendChatAction(Number(row.chat_id), "typing").catch(() => {});
      if (deps.typingMs) await sleep(deps.typingMs);
      const message = await deps.api.sendMessage(Number(row.chat_id), escapeHtml(text), {
        parse_mode: "HTML",
        link_preview_options: { is_disabled: true },
        ...(row.payload.reply_markup ? { reply_markup: row.payload.reply_markup as never } : {}),
      });
      await deps.sql.begin(async (tx) => {
        await tx`set local role service_role`;
        await tx`select private.mark_sent(${row.id}, ${String(message.message_id)}, ${now()})`;
      });
      result.sent++;
    } catch (error) {
      const failure = classify(error);
      log("warn", "send failed", { outbox_id: row.id, error: failure.message });
      await deps.sql.begin(async (tx) => {
        await tx`set local role service_role`;
        await tx`select private.mark_send_failed(${row.id}, ${failure.message}, ${failure.permanent}, ${failure.retryAfter}, ${now()})`;
      });
      result.failed++;
      // A 429 holds the whole run for retry_after: the next sends would only be refused too.
      if (failure.retryAfter !== null) break;
    }
    await sleep(gap);
  }
  return result;
}

function classify(error: unknown): { message: string; permanent: boolean; retryAfter: number | null } {
  if (error instanceof GrammyError) {
    const message = `${error.error_code} ${error.description}`;
    if (error.error_code === 429) return { message, permanent: false, retryAfter: error.parameters.retry_after ?? 5 };
    const permanent = error.error_code === 403 || (error.error_code === 400 && /chat not found/i.test(error.description));
    return { message, permanent, retryAfter: null };
  }
  if (error instanceof HttpError) return { message: `network: ${error.message}`, permanent: false, retryAfter: null };
  return { message: String(error), permanent: false, retryAfter: null };
}
