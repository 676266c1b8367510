// A tool's time budget (PLATFORM.md §4.2): ElevenLabs gives up on a tool after response_timeout_secs (5 s), so every
// tool answers within its budget, degraded if it must. Work still running when the budget ends is handed to
// waitUntil: it finishes (a write stays whole, and its idempotency row lets a repeat find it), and the runtime
// waits for it on shutdown instead of dropping it.
import type { Runtime } from "../platform/runtime.ts";

export type Budgeted<T> = { done: true; value: T } | { done: false };

/** Resolves with the work's value if it settles within `ms`, else with `{done: false}`; a failure within the budget
 * rejects as the work did. */
export async function withinBudget<T>(work: Promise<T>, ms: number, runtime: Runtime): Promise<Budgeted<T>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<{ done: false }>((resolve) => {
    timer = setTimeout(() => resolve({ done: false }), Math.max(0, ms));
  });
  try {
    const outcome = await Promise.race([work.then((value) => ({ done: true as const, value })), timeout]);
    if (!outcome.done) runtime.waitUntil(work);
    return outcome;
  } finally {
    clearTimeout(timer);
  }
}
