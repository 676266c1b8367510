// The play console's game clock: the real time plus an offset the player moves with `/wait 3h`, so what happens
// over hours or days (her day's events, a text she sends first, decay, the end of a conversation) can be seen in
// minutes. Moving it runs, at the new time, what pg_cron and the jobs would have run in between: the SQL jobs with
// the new time as p_now (each applies only what is due, so pg_cron's own runs on the real clock later change
// nothing), then the HTTP jobs from the registry, then a deliver run.
import type { App } from "../../functions/_shared/app.ts";
import { jobRegistry } from "../../functions/_shared/jobs/registry.ts";
import { asServiceRole } from "../../functions/_shared/platform/db.ts";

export interface GameClock {
  now(): Date;
  /** Moves the clock on by `ms`. */
  advance(ms: number): void;
}

export function createGameClock(): GameClock {
  let offsetMs = 0;
  return {
    now: () => new Date(Date.now() + offsetMs),
    advance: (ms) => void (offsetMs += Math.max(0, ms)),
  };
}

/** `/wait 90m`, `/wait 3h`, `/wait 2d` → milliseconds; null when the text is not a wait command. */
export function parseWait(text: string): number | null {
  const m = text.trim().toLowerCase().match(/^\/wait\s+(\d+(?:\.\d+)?)\s*([mhd])$/);
  if (!m) return null;
  const unit = { m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as "m" | "h" | "d"];
  return Math.round(Number(m[1]) * unit);
}

/** The HTTP jobs a move of the clock runs, in the order the day would bring them (those the registry has). */
const JOBS_AFTER_A_WAIT = ["process-conversations", "life-sim", "psyche-submit", "touchpoints", "daily-summaries"];

/** Runs what the time between brought, in steps of at most an hour (decay and the slots of her day are hourly). */
export async function catchUp(app: App, clock: GameClock, ms: number): Promise<string[]> {
  const done: string[] = [];
  const jobs = jobRegistry(app);
  let left = ms;
  while (left > 0) {
    const step = Math.min(left, 3_600_000);
    clock.advance(step);
    left -= step;
    const now = clock.now();
    await asServiceRole(app.sql, async (tx) => {
      await tx`select game.close_idle_conversations(${now})`;
      await tx`select game.apply_decay(${now})`;
      await tx`select game.expire_boss_fights(${now})`;
    });
    for (const name of JOBS_AFTER_A_WAIT) {
      const job = jobs[name];
      if (!job) continue;
      const r = await job.run(job.batch);
      if (r.done > 0) done.push(`${name}: ${r.done}`);
    }
    await app.deliver({ limit: 50, typingMs: 800 });
  }
  return done;
}
