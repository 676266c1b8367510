// The touchpoints job (PLATFORM.md §5.1; GAME_RULES.md §15): she texts (or calls) first. One run evaluates the
// triggers of the players with an occasion due (game.evaluate_touchpoints, every rule and roll in SQL, the draws
// from here), then claims the due touchpoints (game.claim_due_touchpoints applies strategic silence and records the
// skips), has the summary model write each text holding no transaction, checks it against her last proactive
// messages (game.check_touchpoint_text: one re-ask, then skipped as too_similar), and queues it through queueText
// (post-processed as every message of hers) or a call through queueCall, marking the touchpoint sent in the same
// transaction. A provider outage puts the touchpoint back to scheduled, so the next run retries it; the dedupe keys
// `touchpoint:<id>` and `call:<id>` and the claim token keep it from being queued twice. Stage 6 of the pipeline
// evaluates the player of a closed conversation with the same SQL (scheduleAfterConversation).
import type { JobResult } from "../jobs/handler.ts";
import type { Llm, TouchpointRequest } from "../llm/types.ts";
import { dedupeKey, partKey } from "../outbox/keys.ts";
import { loadTextRules, queueCall, queueText } from "../outbox/queue.ts";
import { asServiceRole, type Sql, type Tx } from "../platform/db.ts";
import { ProviderError } from "../platform/errors.ts";
import { log } from "../platform/log.ts";
import type { Runtime } from "../platform/runtime.ts";
import { CLAIM_SHARE } from "../jobs/handler.ts";

export interface TouchpointDeps {
  sql: Sql;
  llm: Llm;
  runtime: Runtime;
  /** Uniform draws in [0, 1) for the rolls SQL makes. */
  random: () => number;
  /** Whether her calls can be placed (voice on and the outbound-call API configured): only then may she call. */
  voiceEnabled: boolean;
}

/** The job's budget (PLATFORM.md §5.1: 60 s); it stops claiming at 60 % of it. */
export const TOUCHPOINTS_BUDGET_MS = 60_000;

/** Event draws per evaluation: one per life event a player can have in a day (GAME_RULES.md §13.1: at most 5). */
const EVENT_DRAWS = 5;

interface ClaimedTouchpoint {
  id: string;
  user_id: string;
  chat_id: number | null;
  trigger: TouchpointRequest["trigger"];
  channel: "text" | "voice";
  due_at: Date;
  claim_token: string;
  chapter: number;
  display_name: string | null;
  local_time: string;
  life_event: string | null;
  recent_texts: string[];
}

/** The draws of one player's evaluation (game.evaluate_touchpoint). */
export function touchpointDraws(random: () => number): Record<string, number | number[]> {
  return {
    rate: random(),
    time: random(),
    time_due: random(),
    gap: random(),
    events: Array.from({ length: EVENT_DRAWS }, () => random()),
    channel: random(),
  };
}

/** One run: evaluate the due players, then claim and send the due touchpoints, until 60 % of the budget is gone. */
export async function runTouchpoints(deps: TouchpointDeps, limit: number): Promise<JobResult> {
  const started = Date.now();
  const inBudget = () => Date.now() - started < TOUCHPOINTS_BUDGET_MS * CLAIM_SHARE;
  const result = { claimed: 0, done: 0, failed: 0, remaining: 0 };
  while (inBudget()) {
    const draws = Array.from({ length: limit }, () => touchpointDraws(deps.random));
    const [row] = await asServiceRole(
      deps.sql,
      (tx) =>
        tx<{ r: { evaluated: number; scheduled: number } }[]>`select game.evaluate_touchpoints(${deps.runtime.now()},
          ${limit}, ${tx.json(draws)}, ${deps.voiceEnabled}) as r`,
    );
    if ((row?.r.evaluated ?? 0) < limit) break;
  }
  while (inBudget()) {
    const silence = Array.from({ length: limit }, () => deps.random());
    const claimed = await asServiceRole(
      deps.sql,
      (tx) =>
        tx<ClaimedTouchpoint[]>`select * from game.claim_due_touchpoints(${deps.runtime.now()}, ${limit},
          ${silence}::float8[])`,
    );
    if (claimed.length === 0) break;
    result.claimed += claimed.length;
    let failed = false;
    for (const touchpoint of claimed) {
      if (await sendTouchpoint(deps, touchpoint)) result.done++;
      else {
        result.failed++;
        failed = true;
      }
    }
    // A failed one is due again at once: the next run retries it, this one does not go round again.
    if (failed) break;
  }
  const [left] = await asServiceRole(
    deps.sql,
    (tx) =>
      tx<{ n: number }[]>`select count(*)::int as n from game.touchpoints
        where status = 'scheduled' and due_at <= ${deps.runtime.now()}`,
  );
  result.remaining = left?.n ?? 0;
  return result;
}

/** Stage 6 (PLATFORM.md §6): evaluates the conversation's player now; at most one touchpoint per conversation. */
export async function scheduleAfterConversation(
  deps: Pick<TouchpointDeps, "sql" | "random" | "voiceEnabled">,
  userId: string,
  conversationId: string,
  now: Date,
): Promise<unknown> {
  const [row] = await asServiceRole(
    deps.sql,
    (tx) =>
      tx<{ r: unknown }[]>`select game.evaluate_touchpoint(${userId}, ${now}, ${
        tx.json(touchpointDraws(deps.random))
      }, ${deps.voiceEnabled}, ${conversationId}) as r`,
  );
  return row!.r;
}

/** Sends one claimed touchpoint; true when it was queued or deliberately skipped, false when it waits for a retry. */
async function sendTouchpoint(deps: TouchpointDeps, t: ClaimedTouchpoint): Promise<boolean> {
  try {
    if (t.channel === "voice") {
      await queueFinished(deps, t, null, async (tx, now) => {
        const key = dedupeKey.call(t.id);
        await queueCall(tx, { key, userId: t.user_id, reason: callReason(t), dueAt: now });
        return key;
      });
      return true;
    }
    if (t.chat_id === null) return await skip(deps, t, "not_eligible");
    const request: TouchpointRequest = {
      userId: t.user_id,
      playerName: t.display_name,
      chapter: t.chapter,
      localTime: t.local_time,
      trigger: t.trigger,
      lifeEvent: t.life_event,
      avoid: [...t.recent_texts].reverse(),
    };
    let text = await deps.llm.touchpoint(request);
    if (await tooSimilar(deps.sql, t.user_id, text)) {
      // One re-ask, told what it must not repeat; a second miss skips the touchpoint with its reason.
      text = await deps.llm.touchpoint({ ...request, avoid: [...request.avoid, text] });
      if (await tooSimilar(deps.sql, t.user_id, text)) return await skip(deps, t, "too_similar");
    }
    await queueFinished(deps, t, text, async (tx, now) => {
      const key = dedupeKey.touchpoint(t.id);
      await queueText(tx, await loadTextRules(tx), {
        key,
        userId: t.user_id,
        chatId: t.chat_id!,
        kind: "touchpoint",
        text,
        dueAt: now,
        inCharacter: true,
        payload: { touchpoint_id: t.id, trigger: t.trigger },
      });
      return partKey(key, 1);
    });
    return true;
  } catch (error) {
    // A provider outage (or any other fault) leaves the touchpoint due for the next run.
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    if (!(error instanceof ProviderError)) log("error", "touchpoint failed", { error: message.slice(0, 300) });
    await asServiceRole(
      deps.sql,
      (tx) =>
        tx`select game.release_touchpoint(${t.id}::uuid, ${t.claim_token}::uuid, ${message}, ${deps.runtime.now()})`,
    );
    return false;
  }
}

/** Queues the message and marks the touchpoint sent in one transaction; a lost claim rolls the queueing back. */
async function queueFinished(
  deps: TouchpointDeps,
  t: ClaimedTouchpoint,
  text: string | null,
  queue: (tx: Tx, now: Date) => Promise<string>,
): Promise<void> {
  const now = deps.runtime.now();
  await asServiceRole(deps.sql, async (tx) => {
    const key = await queue(tx, now);
    const [row] = await tx<{ id: number }[]>`select id from private.outbox where dedupe_key = ${key}`;
    const [done] = await tx<{ ok: boolean | null }[]>`
      select game.finish_touchpoint(${t.id}::uuid, ${t.claim_token}::uuid, ${text}, ${row?.id ?? null}, ${now}) as ok`;
    if (!done?.ok) throw new Error(`touchpoint ${t.id}: the claim was lost before it was queued`);
  });
}

async function skip(deps: TouchpointDeps, t: ClaimedTouchpoint, reason: string): Promise<boolean> {
  await asServiceRole(
    deps.sql,
    (tx) => tx`select game.skip_touchpoint(${t.id}::uuid, ${t.claim_token}::uuid, ${reason}, ${deps.runtime.now()})`,
  );
  return true;
}

async function tooSimilar(sql: Sql, userId: string, text: string): Promise<boolean> {
  const [row] = await asServiceRole(
    sql,
    (tx) => tx<{ r: { too_similar: boolean } }[]>`select game.check_touchpoint_text(${userId}, ${text}) as r`,
  );
  return row?.r.too_similar === true;
}

/** Why she calls, told to the voice agent as call_reason. */
function callReason(t: ClaimedTouchpoint): string {
  switch (t.trigger) {
    case "time":
      return "You felt like hearing their voice and telling them about your day.";
    case "gap":
      return "They have been quiet for a day; you call, light and unbothered, to hear how they are.";
    case "event":
      return `Something just happened to you and you want to tell them: ${t.life_event ?? "your day took a turn"}`;
  }
}
