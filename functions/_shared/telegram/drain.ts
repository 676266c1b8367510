// drain(chat) (PLATFORM.md §2.2): one transaction per pass under the chat's advisory lock; the lowest pending
// update is processed and marked done in the same transaction. A failure rolls the pass back, then a small
// transaction schedules the retry (and, the first time, queues one in-character holding line).
import type { Sql, Tx } from "../platform/db.ts";
import { log } from "../platform/log.ts";
import type { Runtime } from "../platform/runtime.ts";
import type { Llm } from "../llm/types.ts";
import type { AuthGateway } from "../platform/auth.ts";
import { type BotSettings, handleUpdate, type TurnServices } from "./bot.ts";
import { IN_CHARACTER, pickLine } from "../lines.ts";
import { dedupeKey } from "../outbox/keys.ts";
import { loadTextRules, queueText } from "../outbox/queue.ts";
import { standardNormal } from "./turn.ts";

export interface DrainDeps {
  sql: Sql;
  llm: Llm;
  auth: AuthGateway;
  settings: BotSettings;
  resolveTimezone: (city: string) => Promise<string | null>;
  runtime: Runtime;
  /** Uniform draws in [0, 1) for the reply delay (seeded in tests). */
  random: () => number;
  /** Sends a typing action to a chat while models work. */
  typing?: (chatId: number) => Promise<unknown>;
}

interface InboxRow {
  update_id: number;
  chat_id: number;
  payload: Record<string, unknown>;
  status: string;
}

/** A pass that failed, in the one shape the retry, the inbox row's last_error and the log all take. */
class PassFailed extends Error {
  readonly updateId: number;
  readonly chatId: number;
  constructor(row: InboxRow, cause: unknown) {
    const what = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    super(what.slice(0, 1000), { cause });
    this.name = "PassFailed";
    this.updateId = Number(row.update_id);
    this.chatId = Number(row.chat_id);
  }
}

/** Processes the chat's pending updates one at a time, in update_id order. Returns how many were done. */
export async function drainChat(deps: DrainDeps, chatId: number): Promise<number> {
  const now = deps.runtime.now;
  let done = 0;
  for (;;) {
    try {
      const processed = await deps.sql.begin(async (tx) => {
        await tx`set local role service_role`;
        await tx`set local lock_timeout = '30s'`;
        await tx`select pg_advisory_xact_lock(hashtextextended(${`tg:${chatId}`}, 0))`;
        const [row] = await tx<InboxRow[]>`select * from private.claim_inbox(${chatId}, ${now()})`;
        if (!row) return false;
        const turn: TurnServices = {
          tx: tx as unknown as Tx,
          llm: deps.llm,
          auth: deps.auth,
          rules: await loadTextRules(tx as unknown as Tx),
          now: now(),
          updateId: Number(row.update_id),
          settings: deps.settings,
          normal: () => standardNormal(deps.random),
          resolveTimezone: deps.resolveTimezone,
          typing: deps.typing,
        };
        await handleUpdate(deps.settings, row.payload, turn);
        if (turn.error !== undefined) throw new PassFailed(row, turn.error);
        await tx`update private.telegram_updates set status = 'done', processed_at = ${now()}, last_error = null
                 where update_id = ${row.update_id}`;
        return true;
      });
      if (!processed) return done;
      done++;
    } catch (error) {
      if (!(error instanceof PassFailed)) throw error;
      await scheduleRetry(deps, error, now());
    }
  }
}

async function scheduleRetry(deps: DrainDeps, failure: PassFailed, now: Date): Promise<void> {
  log("warn", "update failed, retrying later", { update_id: failure.updateId, error: failure.message.slice(0, 300) });
  await deps.sql.begin(async (tx) => {
    await tx`set local role service_role`;
    const [result] = await tx<{ r: { first_failure: boolean } }[]>`
      select private.fail_inbox(${failure.updateId}, ${failure.message}, ${now}) as r`;
    if (result?.r.first_failure) {
      const [player] = await tx<
        { id: string }[]
      >`select id from public.users where telegram_chat_id = ${failure.chatId}`;
      await queueText(tx as unknown as Tx, await loadTextRules(tx as unknown as Tx), {
        key: dedupeKey.hold(failure.updateId),
        userId: player?.id ?? null,
        chatId: failure.chatId,
        kind: "hold",
        text: pickLine(IN_CHARACTER.holding, failure.updateId),
        dueAt: now,
        inCharacter: true,
      });
    }
  });
}

/** The sweeper (job process-inbox): drains chats with stranded or due updates. */
export async function sweepInbox(deps: DrainDeps, limit: number): Promise<{ chats: number; done: number }> {
  const now = deps.runtime.now;
  const chats = await deps.sql.begin(async (tx) => {
    await tx`set local role service_role`;
    return await tx<{ chat_id: number }[]>`select private.inbox_chats_due(${now()}, ${limit}) as chat_id`;
  });
  let done = 0;
  for (const { chat_id } of chats) done += await drainChat(deps, Number(chat_id));
  return { chats: chats.length, done };
}
