// The turn worker's delivery of its own chat (PLATFORM.md §2.3): her reply is queued at the player's message and
// falls due after the reply delay, usually seconds after the drain. Rather than leave it to the next deliver job,
// the worker delivers that chat's rows as they fall due, sleeping until each one's typing window opens, up to a
// deadline; whatever falls due later is the deliver job's.
import type { Api } from "npm:grammy@1.46.0";
import type { Sql } from "../platform/db.ts";
import { deliver, type DeliverDeps, type DeliverResult, outboxOutlook } from "./deliver.ts";
import { sleep } from "./pacing.ts";
import { CHAT_ACTION_MS, telegramSender } from "./senders/telegram.ts";

/** How long after the drain the turn worker keeps delivering its chat (well inside an edge function's wall clock). */
export const TURN_DELIVERY_BUDGET_MS = 60_000;
/** A single chat sends at most one message a second, so a small batch is plenty. */
const CHAT_BATCH = 20;

/** Delivers one chat's rows until nothing of that chat falls due before now + budgetMs; never sleeps past that. */
export async function deliverChatUntil(deps: DeliverDeps, chatId: number, budgetMs: number): Promise<DeliverResult> {
  const started = performance.now();
  const left = () => budgetMs - (performance.now() - started);
  const total: DeliverResult = { claimed: 0, sent: 0, failed: 0, remaining: 0 };
  while (left() > 0) {
    const r = await deliver(deps, { limit: CHAT_BATCH, chatId, budgetMs: left() });
    total.claimed += r.claimed;
    total.sent += r.sent;
    total.failed += r.failed;
    const o = await outboxOutlook(deps.sql, deps.now(), chatId);
    total.remaining = o.due;
    if (o.next_due === null) break;
    const dueIn = o.next_due.getTime() - deps.now().getTime();
    if (dueIn >= left()) break;
    const opensIn = dueIn - o.typing_window_ms;
    // Its typing window is open and the run still took nothing: the chat's head is another worker's.
    if (opensIn <= 0 && r.claimed === 0) break;
    await sleep(Math.min(opensIn, left()));
  }
  return total;
}

/** The turn worker's run, as app.ts wires it: the chat's rows through the Telegram sender, typing shown. */
export function deliverTurnReplies(
  app: { sql: Sql; runtime: { now(): Date }; telegram: Api },
  chatId: number,
): Promise<DeliverResult> {
  const deps: DeliverDeps = {
    sql: app.sql,
    now: () => app.runtime.now(),
    senders: { telegram: telegramSender(app.telegram, { typingMs: CHAT_ACTION_MS }) },
  };
  return deliverChatUntil(deps, chatId, TURN_DELIVERY_BUDGET_MS);
}
