// The LLM ledger (PLATFORM.md §3): one private.llm_calls row per call, priced by private.llm_cost (the one home of the
// pricing; batch items are ledgered in SQL as their results are saved), written in its own transaction so a turn
// that rolls back still leaves its cost on record.
import { asServiceRole, type Sql } from "../platform/db.ts";
import { log } from "../platform/log.ts";

export interface LedgerEntry {
  userId: string | null;
  purpose: string;
  model: string;
  requestId: string | null;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  latencyMs: number;
  status: "ok" | "error" | "invalid";
  error?: string;
}

export type Ledger = (entry: LedgerEntry) => Promise<void>;

export function createLedger(sql: Sql): Ledger {
  return async (e) => {
    try {
      await asServiceRole(
        sql,
        (tx) =>
          tx`insert into private.llm_calls (user_id, purpose, model, request_id, input_tokens, output_tokens,
             cache_read_tokens, cache_write_tokens, latency_ms, status, error, cost_usd)
           select ${e.userId}, ${e.purpose}, ${e.model}, ${e.requestId}, ${e.inputTokens}, ${e.outputTokens},
             ${e.cacheReadTokens}, ${e.cacheWriteTokens}, ${e.latencyMs}, ${e.status}, ${e.error ?? null},
             private.llm_cost(${e.model}, ${e.inputTokens}, ${e.outputTokens}, ${e.cacheReadTokens},
               ${e.cacheWriteTokens}, false)`,
      );
    } catch (error) {
      // The ledger never blocks a turn.
      log("warn", "ledger write failed", { purpose: e.purpose, error: String(error) });
    }
  };
}
