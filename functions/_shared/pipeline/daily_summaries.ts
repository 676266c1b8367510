// The daily-summaries job (PLATFORM.md §5.1; GAME_RULES.md §17): for each player-date that is due
// (game.due_daily_summaries: an ended local date with a conversation and no summary, up to 7 days back), her summary
// written by the summary model from game.daily_summary_inputs, saved by game.save_daily_summary, which computes the
// numbers (score start and end, the real decay sums of score_history, conversations) and is idempotent per player
// and date. A model that cannot be reached after the SDK's retries, or answers nothing valid after one re-ask, gets
// the fallback saved instead (SQL writes its text), so a day is never skipped. One run at a time holds the job's
// lease; a run claims during the first 60 % of its budget and no transaction is held while a model works.
import type { DailySummary, DailySummaryInput } from "../llm/daily_summary.ts";
import type { Llm } from "../llm/types.ts";
import { asServiceRole, attempt, type Sql } from "../platform/db.ts";
import { log } from "../platform/log.ts";
import type { Runtime } from "../platform/runtime.ts";
import { releaseJobLease, takeJobLease } from "../jobs/lease.ts";
import { CLAIM_SHARE } from "../jobs/handler.ts";

export interface DailySummaryDeps {
  sql: Sql;
  llm: Llm;
  runtime: Runtime;
}

export interface DailySummaryResult {
  claimed: number;
  done: number;
  failed: number;
  remaining: number | null;
}

/** The job's budget (PLATFORM.md §5.1: 120 s); it stops taking player-dates at CLAIM_SHARE of it. */
export const DAILY_SUMMARIES_BUDGET_MS = 120_000;
export const DAILY_SUMMARIES_LEASE = "daily-summaries";
/** Model calls in flight at once within a run: the job is bound by the model's latency (a run writes about
 * CONCURRENCY x 72 s / latency summaries), not by SQL. */
const CONCURRENCY = 8;
/** The lease outlives the budget by this much. */
const LEASE_MARGIN_S = 5;
/** The most players `remaining` counts the due dates of. */
const REMAINING_SCAN = 10_000;

interface Due {
  user_id: string;
  date: string;
}

interface Saved {
  saved: boolean;
  fallback: boolean;
}

/** One run: up to `limit` players per batch, every due date of each, until 60 % of the budget has gone. */
export async function runDailySummaries(
  deps: DailySummaryDeps,
  limit: number,
  budgetMs = DAILY_SUMMARIES_BUDGET_MS,
): Promise<DailySummaryResult> {
  const holder = crypto.randomUUID();
  const leaseSeconds = Math.ceil(budgetMs / 1000) + LEASE_MARGIN_S;
  if (!await takeJobLease(deps.sql, DAILY_SUMMARIES_LEASE, holder, leaseSeconds, deps.runtime.now())) {
    return { claimed: 0, done: 0, failed: 0, remaining: null };
  }
  try {
    return await run(deps, limit, performance.now() + budgetMs * CLAIM_SHARE);
  } finally {
    await releaseJobLease(deps.sql, DAILY_SUMMARIES_LEASE, holder);
  }
}

async function run(deps: DailySummaryDeps, limit: number, claimUntil: number): Promise<DailySummaryResult> {
  const result: DailySummaryResult = { claimed: 0, done: 0, failed: 0, remaining: 0 };
  // A date whose save failed stays due; it is not taken again in this run, so a broken row cannot spin the loop.
  const tried = new Set<string>();
  while (performance.now() < claimUntil) {
    const due = (await dueDates(deps, limit)).filter((d) => !tried.has(`${d.user_id}:${d.date}`));
    if (due.length === 0) break;
    const queue = [...due];
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        if (performance.now() >= claimUntil) return;
        tried.add(`${next.user_id}:${next.date}`);
        result.claimed++;
        try {
          if ((await summarise(deps, next)).saved) result.done++;
        } catch (error) {
          result.failed++;
          log("error", "daily summary not saved; the date stays due", { error: String(error).slice(0, 300) });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, worker));
  }
  const [left] = await asServiceRole(
    deps.sql,
    (tx) =>
      tx<{ n: number }[]>`select count(*)::int as n from game.due_daily_summaries(${deps.runtime.now()},
        ${REMAINING_SCAN})`,
  );
  result.remaining = left?.n ?? 0;
  return result;
}

function dueDates(deps: DailySummaryDeps, limit: number): Promise<Due[]> {
  return asServiceRole(
    deps.sql,
    (tx) =>
      tx<Due[]>`select user_id, to_char(date, 'YYYY-MM-DD') as date
        from game.due_daily_summaries(${deps.runtime.now()}, ${limit})`,
  );
}

/** One player-date: the inputs, the model with no transaction held, then the save (the fallback when the model
 * gave nothing usable, or an answer the save refuses). */
async function summarise(deps: DailySummaryDeps, due: Due): Promise<Saved> {
  const [row] = await asServiceRole(
    deps.sql,
    (tx) =>
      tx<
        { inputs: DailySummaryInput }[]
      >`select game.daily_summary_inputs(${due.user_id}, ${due.date}::date) as inputs`,
  );
  let summary: DailySummary | null = null;
  try {
    summary = await deps.llm.dailySummary(row!.inputs);
  } catch (error) {
    log("warn", "daily summary model failed; saving the fallback", { error: String(error).slice(0, 300) });
  }
  const now = deps.runtime.now();
  return await asServiceRole(deps.sql, async (tx) => {
    if (summary) {
      const saved = await attempt(
        tx,
        (sp) =>
          sp<{ r: Saved }[]>`select game.save_daily_summary(${due.user_id}, ${due.date}::date,
          ${sp.json(summary as never)}, ${now}) as r`,
      );
      if ("ok" in saved) return saved.ok[0]!.r;
      log("warn", "daily summary refused; saving the fallback", { code: saved.code, detail: saved.detail });
    }
    const [fallback] = await tx<{ r: Saved }[]>`
      select game.save_daily_summary(${due.user_id}, ${due.date}::date, null, ${now}) as r`;
    return fallback!.r;
  });
}
