// Her day's events (GAME_RULES.md §13; PLATFORM.md §5.1 life-sim, §6 stage 5), the same code for the job and the
// pipeline: SQL plans the day from draws made here (game.plan_life_day), the model writes the events holding no
// transaction, SQL validates and stores them with the arcs, her feelings and the day's mark in one transaction
// (game.save_life_day, a no-op once the mark exists). A model that cannot be reached or keeps answering nonsense
// throws before anything is written, so a later run simply plans the day again.
import type { LifePlan } from "../llm/life_events.ts";
import type { Llm } from "../llm/types.ts";
import { asServiceRole, type Sql } from "../platform/db.ts";
import { log } from "../platform/log.ts";
import type { Runtime } from "../platform/runtime.ts";
import { CLAIM_SHARE } from "../jobs/handler.ts";

export interface LifeDeps {
  sql: Sql;
  llm: Llm;
  runtime: Runtime;
  /** The day's randomness, uniform in [0, 1); Math.random unless a test pins it. */
  random?: () => number;
}

export type LifeDayOutcome =
  | { status: "saved"; date: string; events: number; opened: number | null; resolved: number }
  | { status: "duplicate"; date: string }
  | { status: "not_due"; date: string; reason: string };

type PlanRow = LifePlan | { user_id: string; date: string; due: false; reason: string };

/** The job's budget (PLATFORM.md §5.1: 120 s); a run stops claiming at 60 % of it. */
export const LIFE_SIM_BUDGET_MS = 120_000;
/** Players generated at once within a run: the model calls overlap, the database work stays short. */
export const LIFE_SIM_CONCURRENCY = 5;

/** Draws for game.plan_life_day: one of each, and one resolve and one outcome draw per arc active now. */
function drawsFor(activeArcs: number, random: () => number) {
  const many = () => Array.from({ length: activeArcs }, () => random());
  return {
    count: random(),
    slots: random(),
    arc_open: random(),
    arc_kind: random(),
    arc_resolve: many(),
    arc_outcome: many(),
  };
}

/** Plans, writes and stores the player's day for the Berlin date of `now` (the runtime's clock by default). */
export async function generateLifeDay(
  deps: LifeDeps,
  userId: string,
  now = deps.runtime.now(),
): Promise<LifeDayOutcome> {
  const random = deps.random ?? Math.random;
  const plan = await asServiceRole(deps.sql, async (tx) => {
    const [arcs] = await tx<{ n: number }[]>`
      select count(*)::int as n from game.life_arcs where user_id = ${userId} and status = 'active'`;
    const [row] = await tx<{ p: PlanRow }[]>`
      select game.plan_life_day(${userId}, ${now}, ${tx.json(drawsFor(arcs!.n, random))}) as p`;
    return row!.p;
  });
  if (!plan.due) return { status: "not_due", date: plan.date, reason: plan.reason };
  const events = await deps.llm.lifeEvents(plan);
  const [saved] = await asServiceRole(
    deps.sql,
    (tx) =>
      tx<
        {
          r: {
            saved: boolean;
            duplicate: boolean;
            reason?: string;
            events?: number;
            opened?: number | null;
            resolved?: number;
          };
        }[]
      >`
      select game.save_life_day(${userId}, ${plan.date}::date, ${tx.json(plan as never)}, ${tx.json(events as never)},
        ${now}) as r`,
  );
  const r = saved!.r;
  if (r.saved) {
    return {
      status: "saved",
      date: plan.date,
      events: r.events ?? 0,
      opened: r.opened ?? null,
      resolved: r.resolved ?? 0,
    };
  }
  return r.duplicate
    ? { status: "duplicate", date: plan.date }
    : { status: "not_due", date: plan.date, reason: r.reason ?? "not eligible" };
}

export interface LifeSimResult {
  claimed: number;
  done: number;
  failed: number;
  remaining: number;
}

/** One run of the life-sim job: the due players (game.due_life_players) in batches of `limit`, until 60 % of the
 * budget has gone. A player whose day failed is counted and left for the next run; no player is taken twice in one
 * run. */
export async function runLifeSim(deps: LifeDeps, limit: number): Promise<LifeSimResult> {
  const started = Date.now();
  const result: LifeSimResult = { claimed: 0, done: 0, failed: 0, remaining: 0 };
  const skip: string[] = [];
  while (Date.now() - started < LIFE_SIM_BUDGET_MS * CLAIM_SHARE) {
    const now = deps.runtime.now();
    const due = await asServiceRole(
      deps.sql,
      (tx) => tx<{ user_id: string }[]>`select user_id from game.due_life_players(${now}, ${limit}, ${skip}::uuid[])`,
    );
    if (due.length === 0) break;
    result.claimed += due.length;
    for (let i = 0; i < due.length; i += LIFE_SIM_CONCURRENCY) {
      await Promise.all(
        due.slice(i, i + LIFE_SIM_CONCURRENCY).map(async ({ user_id }) => {
          // Taken once per run whatever happens, so a run always moves on.
          skip.push(user_id);
          try {
            await generateLifeDay(deps, user_id, now);
            result.done++;
          } catch (error) {
            result.failed++;
            log("warn", "life-sim: her day failed; a later run retries it", {
              user_id,
              error: (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 300),
            });
          }
        }),
      );
    }
  }
  const [left] = await asServiceRole(
    deps.sql,
    (tx) =>
      tx<{ n: number }[]>`select count(*)::int as n from game.due_life_players(${deps.runtime.now()}, 2147483647)`,
  );
  result.remaining = left?.n ?? 0;
  return result;
}
