// drain(chat) (PLATFORM.md §2.2): one update at a time per chat, in update_id order, and no transaction held while a
// provider works. A pass claims the chat's lowest open update with a lease and a claim token (committed), handles it
// in a short transaction (commands, signup steps, the turn's plan), calls the models or Auth holding no transaction
// (step.ts), and applies the effects in another short transaction that checks the claim is still held, marking the
// update done. A retry row not yet due blocks the chat's later updates, so messages are answered in order.
import { IN_CHARACTER, pickLine } from "../lines.ts";
import type { Llm } from "../llm/types.ts";
import type { LoadReplyContext } from "../memory/context.ts";
import { dedupeKey } from "../outbox/keys.ts";
import type { TextRules } from "../outbox/postprocess.ts";
import { loadTextRules, queueText } from "../outbox/queue.ts";
import type { AuthGateway } from "../platform/auth.ts";
import { serviceRole, type Sql, type Tx } from "../platform/db.ts";
import { ProviderError } from "../platform/errors.ts";
import { log } from "../platform/log.ts";
import type { Runtime } from "../platform/runtime.ts";
import { type BotSettings, handleUpdate, type TurnServices } from "./bot.ts";
import { StalePlan, type Step } from "./step.ts";
import { standardNormal, type TurnProgress } from "./turn.ts";
import { CLAIM_SHARE } from "../jobs/handler.ts";

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
  /** Loads her live context for a message (memory/context.ts). */
  replyContext?: LoadReplyContext;
}

/** The lease a claim holds: the time a pass may take before the sweeper may take the update again. */
export const CLAIM_LEASE_SECONDS = 90;
/** How often a pass plans a turn again when the world moved between planning and applying. */
const MAX_REPLANS = 3;

interface Claim {
  update_id: number;
  chat_id: number;
  payload: Record<string, unknown>;
  claim_token: string;
  progress: TurnProgress | null;
}

/** A pass whose claim was taken over (its lease ran out and another worker claimed the update): it applies nothing. */
class ClaimLost extends Error {
  constructor(updateId: number) {
    super(`the claim on update ${updateId} is no longer held`);
    this.name = "ClaimLost";
  }
}

/** A pass that failed, in the one shape the retry, the inbox row's last_error and the log all take. */
class PassFailed extends Error {
  readonly updateId: number;
  readonly chatId: number;
  readonly token: string;
  /** A provider (or the database) could not be reached: worth a retry. Anything else would fail again. */
  readonly retryable: boolean;
  constructor(claim: Claim, cause: unknown) {
    const what = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    super(what.slice(0, 1000), { cause });
    this.name = "PassFailed";
    this.updateId = Number(claim.update_id);
    this.chatId = Number(claim.chat_id);
    this.token = claim.claim_token;
    this.retryable = isRetryable(cause);
  }
}

// SQLSTATEs of a database that is busy or briefly away, as opposed to a statement that is wrong.
const TRANSIENT_SQLSTATES = new Set(["40001", "40P01", "55P03", "57014", "57P01", "08000", "08003", "08006", "53300"]);

function isRetryable(error: unknown): boolean {
  if (error instanceof ProviderError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" &&
    (TRANSIENT_SQLSTATES.has(code) || code.startsWith("CONNECT") || code === "ECONNRESET");
}

/** The start of every transaction of a pass, pipelined into one round trip: the role and limits, the chat's advisory
 * lock, and the player's when known. */
async function prelude(tx: Tx, chatId: number, userId?: string | null): Promise<void> {
  await Promise.all([
    serviceRole(tx),
    tx`select pg_advisory_xact_lock(hashtextextended(${`tg:${chatId}`}, 0))`,
    userId ? tx`select pg_advisory_xact_lock(hashtextextended(${`player:${userId}`}, 0))` : null,
  ]);
}

/** Processes the chat's open updates one at a time, in update_id order. Returns how many were done. */
export async function drainChat(deps: DrainDeps, chatId: number): Promise<number> {
  let done = 0;
  for (;;) {
    const first = await claimAndHandle(deps, chatId);
    if (!first) return done;
    const { claim } = first;
    try {
      if ("failed" in first) throw first.failed;
      await runPass(deps, claim, first.step);
      done++;
    } catch (error) {
      if (error instanceof ClaimLost) {
        log("warn", "claim taken over; the other worker applies the update", { update_id: claim.update_id });
        continue;
      }
      await recordFailure(deps, new PassFailed(claim, error));
    }
  }
}

type FirstPass = { claim: Claim; step: Step | undefined } | { claim: Claim; failed: unknown };

/** (a) One short transaction: claim the chat's lowest open update (a lease and a token) and handle it: commands and
 * signup steps complete here; a turn's plan is made and saved. Handling runs in a savepoint, so a failure keeps the
 * claim (committed) for the failure to be recorded under. */
async function claimAndHandle(deps: DrainDeps, chatId: number): Promise<FirstPass | null> {
  return await deps.sql.begin(async (tx) => {
    const t = tx as unknown as Tx;
    const [, [claim]] = await Promise.all([
      prelude(t, chatId),
      tx<Claim[]>`
        select update_id, chat_id, payload, claim_token, progress
        from private.claim_inbox(${chatId}, ${deps.runtime.now()}, ${CLAIM_LEASE_SECONDS})`,
    ]);
    if (!claim) return null;
    try {
      const step = await tx.savepoint((sp) => handle(deps, sp as unknown as Tx, claim, claim.progress));
      return { claim, step };
    } catch (failed) {
      return { claim, failed };
    }
  }) as FirstPass | null;
}

/** Runs the update through the bot; finishes it when nothing is left, else returns the step that is. */
async function handle(deps: DrainDeps, tx: Tx, claim: Claim, progress: TurnProgress | null): Promise<Step | undefined> {
  const turn = services(deps, tx, await textRules(deps, tx), claim, progress);
  await handleUpdate(deps.settings, claim.payload, turn);
  if (turn.error !== undefined) throw turn.error;
  if (!turn.later) await finish(tx, deps, claim);
  return turn.later;
}

/** A transaction of the pass: under the chat's (and the player's) lock, and only while the claim is held. */
async function underClaim<T>(
  deps: DrainDeps,
  claim: Claim,
  userId: string | null | undefined,
  work: (tx: Tx) => Promise<T>,
): Promise<T> {
  return await deps.sql.begin(async (tx) => {
    const t = tx as unknown as Tx;
    const [, [held]] = await Promise.all([
      prelude(t, Number(claim.chat_id), userId),
      tx<{ held: boolean }[]>`select private.inbox_claim_held(${claim.update_id}, ${claim.claim_token}::uuid) as held`,
    ]);
    if (!held?.held) throw new ClaimLost(Number(claim.update_id));
    return await work(t);
  }) as T;
}

async function finish(tx: Tx, deps: DrainDeps, claim: Claim): Promise<void> {
  await tx`select private.finish_inbox(${claim.update_id}, ${claim.claim_token}::uuid, ${deps.runtime.now()})`;
}

// Her text rules (emoji, message length) are tunables: read at most once a minute per isolate, not once a pass.
const RULES_TTL_MS = 60_000;
const rulesCache = new WeakMap<DrainDeps, { rules: TextRules; at: number }>();

async function textRules(deps: DrainDeps, tx: Tx): Promise<TextRules> {
  const cached = rulesCache.get(deps);
  if (cached && Date.now() - cached.at < RULES_TTL_MS) return cached.rules;
  const rules = await loadTextRules(tx);
  rulesCache.set(deps, { rules, at: Date.now() });
  return rules;
}

/** (b) each step's provider calls and (c) its effects, until nothing is left; a plan the world overtook is made
 * again (under the same claim). */
async function runPass(deps: DrainDeps, claim: Claim, first: Step | undefined): Promise<void> {
  let step = first;
  for (let plans = 1;; plans++) {
    try {
      while (step) {
        const current: Step = step;
        await current.draft();
        step = await underClaim(deps, claim, current.userId, async (tx) => {
          const next = await current.apply(tx);
          if (!next) await finish(tx, deps, claim);
          return next ?? undefined;
        });
      }
      return;
    } catch (error) {
      if (!(error instanceof StalePlan) || plans >= MAX_REPLANS) throw error;
      log("info", "planning the turn again", { update_id: claim.update_id, reason: error.message });
      step = await underClaim(deps, claim, null, async (tx) => {
        await tx`select private.save_inbox_progress(${claim.update_id}, ${claim.claim_token}::uuid, null)`;
        return await handle(deps, tx, claim, null);
      });
    }
  }
}

function services(
  deps: DrainDeps,
  tx: Tx,
  rules: TextRules,
  claim: Claim,
  progress: TurnProgress | null,
): TurnServices {
  return {
    tx,
    llm: deps.llm,
    auth: deps.auth,
    rules,
    now: deps.runtime.now(),
    updateId: Number(claim.update_id),
    settings: deps.settings,
    normal: () => standardNormal(deps.random),
    resolveTimezone: deps.resolveTimezone,
    typing: deps.typing,
    progress,
    ...(deps.replyContext ? { replyContext: deps.replyContext } : {}),
    async saveProgress(t, next) {
      await t`select private.save_inbox_progress(${claim.update_id}, ${claim.claim_token}::uuid, ${
        t.json(next as never)
      })`;
    },
  };
}

/** The failure under the claim: a retry with backoff while a provider is unreachable (and, once per outage, her
 * holding line), else failed at once; the update's text stays in its payload for the next turn's context. */
async function recordFailure(deps: DrainDeps, failure: PassFailed): Promise<void> {
  log(failure.retryable ? "warn" : "error", failure.retryable ? "update failed, retrying later" : "update failed", {
    update_id: failure.updateId,
    error: failure.message.slice(0, 300),
  });
  await deps.sql.begin(async (tx) => {
    await serviceRole(tx as unknown as Tx);
    const [result] = await tx<{ r: { status: string; hold: boolean } | null }[]>`
      select private.fail_inbox(${failure.updateId}, ${failure.token}::uuid, ${failure.message}, ${failure.retryable},
        ${deps.runtime.now()}) as r`;
    if (!result?.r?.hold) return;
    const [player] = await tx<{ id: string }[]>`select id from public.users where telegram_chat_id = ${failure.chatId}`;
    await queueText(tx as unknown as Tx, await loadTextRules(tx as unknown as Tx), {
      key: dedupeKey.hold(failure.updateId),
      userId: player?.id ?? null,
      chatId: failure.chatId,
      kind: "hold",
      text: pickLine(IN_CHARACTER.holding, failure.updateId),
      dueAt: deps.runtime.now(),
      inCharacter: true,
    });
  });
}

/** The sweeper (job process-inbox): drains chats with stranded or due updates. */
/** The process-inbox job's budget (PLATFORM.md §5.1); a run starts no new chat after CLAIM_SHARE of it. */
export const SWEEP_BUDGET_MS = 120_000;

export async function sweepInbox(
  deps: DrainDeps,
  limit: number,
  budgetMs = SWEEP_BUDGET_MS,
): Promise<{ chats: number; done: number; remaining: number }> {
  const started = performance.now();
  const due = (n: number) =>
    deps.sql.begin(async (tx) => {
      await serviceRole(tx as unknown as Tx);
      return await tx<{ chat_id: number }[]>`select private.inbox_chats_due(${deps.runtime.now()}, ${n}) as chat_id`;
    });
  const chats = await due(limit);
  let done = 0;
  let drained = 0;
  for (const { chat_id } of chats) {
    if (performance.now() - started >= budgetMs * CLAIM_SHARE) break;
    done += await drainChat(deps, Number(chat_id));
    drained++;
  }
  // What the next run finds: chats still due now (those this run left, and any that came due meanwhile).
  const remaining = (await due(10_000)).length;
  return { chats: drained, done, remaining };
}
