// The runtime a handler runs in: the clock and background work after the response. Injected everywhere, so tests
// and the simulator can move time and wait for the work a request started.
import { log } from "./log.ts";

export interface Runtime {
  /** The current time; every game rule gets it as a parameter (p_now), never from the database clock. */
  now(): Date;
  /** Runs work after the response: EdgeRuntime.waitUntil on the platform, a tracked promise under plain Deno.
   * Best effort only: every piece of background work is backed by a durable row a job re-drives. */
  waitUntil(work: Promise<unknown>): void;
  /** Waits for the background work started so far (tests, the local gateway on shutdown). */
  settle(): Promise<void>;
}

type EdgeRuntimeGlobal = { EdgeRuntime?: { waitUntil(work: Promise<unknown>): void } };

/** The real clock and the platform's waitUntil when present. */
export function createRuntime(options: { now?: () => Date } = {}): Runtime {
  const pending = new Set<Promise<unknown>>();
  const platform = (globalThis as EdgeRuntimeGlobal).EdgeRuntime;
  return {
    now: options.now ?? (() => new Date()),
    waitUntil(work) {
      const guarded = work.catch((error) => log("error", "background work failed", { error: String(error) }));
      pending.add(guarded);
      void guarded.finally(() => pending.delete(guarded));
      platform?.waitUntil(guarded);
    },
    async settle() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}

/** Runs `work` after the response: registered with waitUntil at once (so the platform keeps the worker for it), but
 * started on a timer turn of the event loop. Work a handler starts itself, even only its synchronous part up to its
 * first await (a drain builds and writes its claim query), and work chained on a promise (a microtask) both run
 * before the handler's response is handed back, so an acknowledgement would wait for them; a timer turn comes after
 * the response has gone out. */
export function afterResponse(runtime: Runtime, work: () => Promise<unknown>): void {
  runtime.waitUntil(new Promise<void>((resolve) => setTimeout(resolve, 0)).then(work));
}
