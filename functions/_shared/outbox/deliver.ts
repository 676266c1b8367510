// The deliver routine (PLATFORM.md §2.6), the only path that sends, for every channel: claim due rows (committed),
// mark each one sending (committed) just before the provider call, hand it to its channel's sender, then sent or
// failed. A crash after the claim resends after the lease; a crash while sending leaves the row unconfirmed, never
// sent twice.
import type { Sql } from "../platform/db.ts";
import { log } from "../platform/log.ts";
import { renderEvent } from "./events.ts";

export type Channel = "telegram" | "voice";

export interface OutboxRow {
  id: number;
  channel: Channel;
  chat_id: number;
  user_id: string | null;
  kind: string;
  text: string | null;
  payload: { reply_markup?: unknown; events?: { type: string; kind?: string }[]; event?: string; chapter?: number };
  due_at: Date;
}

/** How a send failed: permanent failures are not retried; retryAfter (seconds, a rate limit) holds the run. */
export interface SendFailure {
  message: string;
  permanent: boolean;
  retryAfter: number | null;
}

/** One channel's provider: sends a claimed row and says how a failure should be treated. */
export interface Sender {
  send(row: OutboxRow, text: string): Promise<{ providerRef: string }>;
  classify(error: unknown): SendFailure;
}

export interface DeliverDeps {
  sql: Sql;
  senders: Partial<Record<Channel, Sender>>;
  now: () => Date;
  /** At most this many sends per second across chats (Telegram tolerates about 30). */
  perSecond?: number;
}

export interface DeliverResult {
  claimed: number;
  sent: number;
  failed: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function deliver(deps: DeliverDeps, options: { limit: number; chatId?: number }): Promise<DeliverResult> {
  const rows = await deps.sql.begin(async (tx) => {
    await tx`set local role service_role`;
    return await tx<OutboxRow[]>`select * from private.claim_outbox(${deps.now()}, ${options.limit}, ${
      options.chatId ?? null
    })`;
  });
  const result: DeliverResult = { claimed: rows.length, sent: 0, failed: 0 };
  const gap = 1000 / (deps.perSecond ?? 25);
  for (const row of rows) {
    const text = row.text ?? renderEvent(row.payload, row.id);
    const sending = await deps.sql.begin(async (tx) => {
      await tx`set local role service_role`;
      const [r] = await tx<
        { ok: boolean | null }[]
      >`select private.mark_sending(${row.id}, ${text}, ${deps.now()}) as ok`;
      return r?.ok === true;
    });
    if (!sending) continue;
    const sender = deps.senders[row.channel];
    try {
      if (!sender) throw new Error(`no sender for channel ${row.channel}`);
      const sent = await sender.send(row, text);
      await deps.sql.begin(async (tx) => {
        await tx`set local role service_role`;
        await tx`select private.mark_sent(${row.id}, ${sent.providerRef}, ${deps.now()})`;
      });
      result.sent++;
    } catch (error) {
      const failure = sender?.classify(error) ?? { message: String(error), permanent: false, retryAfter: null };
      log("warn", "send failed", { outbox_id: row.id, channel: row.channel, error: failure.message });
      await deps.sql.begin(async (tx) => {
        await tx`set local role service_role`;
        await tx`select private.mark_send_failed(${row.id}, ${failure.message}, ${failure.permanent}, ${failure.retryAfter}, ${deps.now()})`;
      });
      result.failed++;
      // A rate limit holds the whole run for retry_after: the next sends would only be refused too.
      if (failure.retryAfter !== null) break;
    }
    await sleep(gap);
  }
  return result;
}
