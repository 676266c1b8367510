// The daily psyche batch (PLATFORM.md §5.1; GAME_RULES.md §12.2): psyche-submit sends one request per eligible player
// per UTC date through the Message Batches API (SQL decides who, when and which chunk; resubmitting is a no-op), and
// psyche-collect polls the open batches, streams the results of ended ones into game.save_psyche_results (upserts by
// custom_id, errored and expired items retried once, ledger rows at batch prices) and then closes them. No
// transaction is held while the vendor works.
import type { JobResult } from "../jobs/handler.ts";
import type { PsycheContext, PsycheLimits } from "../llm/psyche.ts";
import type { PsycheBatchResult } from "../llm/psyche_batches.ts";
import type { Llm } from "../llm/types.ts";
import { asServiceRole, type Sql } from "../platform/db.ts";
import { ProviderError } from "../platform/errors.ts";
import { log } from "../platform/log.ts";
import type { Runtime } from "../platform/runtime.ts";

export interface PsycheJobDeps {
  sql: Sql;
  llm: Pick<Llm, "psycheBatches">;
  runtime: Runtime;
}

/** A run stops starting new chunks after this much of its 120 s budget (PLATFORM.md §5.1: 60 %). */
const RUN_BUDGET_MS = 72_000;
/** Results saved per transaction while a batch's results stream in. */
const SAVE_CHUNK = 500;

interface ClaimedRequest {
  user_id: string;
  custom_id: string;
  context: PsycheContext;
}

/** psyche-submit: batches of at most `limit` requests until none is due (or the run's budget is spent). */
export async function submitPsyche(deps: PsycheJobDeps, limit: number): Promise<JobResult> {
  const started = Date.now();
  const result = { claimed: 0, done: 0, failed: 0 };
  while (Date.now() - started < RUN_BUDGET_MS) {
    const now = deps.runtime.now();
    const claimed = await asServiceRole(deps.sql, (tx) =>
      tx<ClaimedRequest[]>`
        select user_id, custom_id, context from game.claim_psyche_requests(${now}, ${limit})`);
    if (claimed.length === 0) break;
    result.claimed += claimed.length;
    const ids = claimed.map((r) => r.custom_id);
    let batchId: string;
    try {
      ({ id: batchId } = await deps.llm.psycheBatches.create(
        claimed.map((r) => ({ customId: r.custom_id, userId: r.user_id, context: r.context })),
      ));
    } catch (error) {
      // Back to wait for the next run (the vendor may be out); anything else is a fault of ours.
      await asServiceRole(
        deps.sql,
        (tx) => tx`select game.release_psyche_requests(${ids}::text[], ${String(error)}, ${deps.runtime.now()})`,
      );
      if (!(error instanceof ProviderError)) throw error;
      log("warn", "psyche batch not created; the requests wait for the next run", { error: String(error) });
      result.failed += claimed.length;
      break;
    }
    await asServiceRole(
      deps.sql,
      (tx) => tx`select game.record_psyche_batch(${batchId}, ${ids}::text[], ${deps.runtime.now()})`,
    );
    result.done += claimed.length;
    if (claimed.length < limit) break;
  }
  return { ...result, remaining: null };
}

/** psyche-collect: polls every open batch (up to `limit`); an ended one has its results saved and is closed. Counts
 * are batches: claimed polled, done collected, failed unreachable, remaining still processing. */
export async function collectPsyche(deps: PsycheJobDeps, limit: number): Promise<JobResult> {
  const open = await asServiceRole(
    deps.sql,
    (tx) => tx<{ batch_id: string }[]>`select batch_id from game.open_psyche_batches() limit ${limit}`,
  );
  const result = { claimed: open.length, done: 0, failed: 0, remaining: 0 };
  if (open.length === 0) return result;
  const [row] = await asServiceRole(deps.sql, (tx) => tx<{ l: PsycheLimits }[]>`select game.psyche_limits() as l`);
  const limits = row!.l;
  for (const { batch_id } of open) {
    try {
      const status = await deps.llm.psycheBatches.status(batch_id);
      await asServiceRole(
        deps.sql,
        (tx) => tx`select game.note_psyche_batch(${batch_id}, ${status}, ${deps.runtime.now()})`,
      );
      if (status !== "ended") {
        result.remaining++;
        continue;
      }
      let chunk: PsycheBatchResult[] = [];
      const save = async () => {
        if (chunk.length === 0) return;
        const items = chunk;
        chunk = [];
        await asServiceRole(
          deps.sql,
          (tx) => tx`select game.save_psyche_results(${batch_id}, ${tx.json(items as never)}, ${deps.runtime.now()})`,
        );
      };
      for await (const item of deps.llm.psycheBatches.results(batch_id, limits)) {
        chunk.push(item);
        if (chunk.length >= SAVE_CHUNK) await save();
      }
      await save();
      await asServiceRole(deps.sql, (tx) => tx`select game.finish_psyche_batch(${batch_id}, ${deps.runtime.now()})`);
      result.done++;
    } catch (error) {
      // Results already saved stay saved; the batch is read again by the next run, and repeats are skipped.
      if (!(error instanceof ProviderError)) throw error;
      log("warn", "psyche batch not collected; the next run tries again", { batch_id, error: String(error) });
      result.failed++;
    }
  }
  return result;
}
