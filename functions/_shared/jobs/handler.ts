// POST /{job} of the jobs function (PLATFORM.md §5.1): X-Jobs-Secret, a zod-checked body, a job_runs row per run;
// 202 at once with the work under waitUntil, or ?wait=true to run inline and answer with the counts. The jobs
// themselves are the registry's (registry.ts).
import { z } from "npm:zod@4.6.7";
import { asServiceRole, type Sql } from "../platform/db.ts";
import {
  BodyError,
  errorResponse,
  functionPath,
  json,
  methodNotAllowed,
  parseJson,
  readBody,
  secretEquals,
} from "../platform/http.ts";
import { log } from "../platform/log.ts";
import type { Runtime } from "../platform/runtime.ts";

/** Every job stops claiming at this share of its budget (PLATFORM.md §5.1), so what it claimed finishes within it. */
export const CLAIM_SHARE = 0.6;

export interface JobResult {
  claimed: number;
  done: number;
  failed: number;
  remaining?: number | null;
}

/** A runnable job: `limit` is the batch size to use (the body's limit can only lower the job's own batch). */
export type Job = (limit: number) => Promise<JobResult>;

export interface JobEntry {
  run: Job;
  /** The batch size of one run (PLATFORM.md §5.1). */
  batch: number;
}

const bodySchema = z.object({
  scheduled_at: z.iso.datetime({ offset: true }).optional(),
  limit: z.number().int().positive().max(10_000).optional(),
});

export function createJobsHandler(
  deps: { sql: Sql; runtime: Runtime; secret: string; jobs: Record<string, JobEntry> },
): (req: Request) => Promise<Response> {
  return async (req) => {
    const url = new URL(req.url);
    // Exactly one route per job: POST /<job>; any other path is unknown.
    const segments = functionPath(req, "jobs").split("/").filter(Boolean);
    if (segments.length !== 1) return errorResponse(404, "not_found", "jobs has one route per job: POST /<job>");
    const name = segments[0]!;
    if (req.method !== "POST") return methodNotAllowed(["POST"]);
    if (!secretEquals(req.headers.get("x-jobs-secret"), deps.secret)) {
      return errorResponse(401, "unauthorized", "missing or wrong X-Jobs-Secret");
    }
    const job = Object.hasOwn(deps.jobs, name) ? deps.jobs[name] : undefined;
    if (!job) return errorResponse(404, "unknown_job", `no job named ${name}`);
    let body: z.infer<typeof bodySchema>;
    try {
      const raw = await readBody(req);
      const parsed = bodySchema.safeParse(raw.trim() === "" ? {} : parseJson(raw));
      if (!parsed.success) {
        return errorResponse(
          422,
          "invalid_body",
          parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "),
        );
      }
      body = parsed.data;
    } catch (error) {
      if (error instanceof BodyError) return error.response;
      throw error;
    }
    const [run] = await asServiceRole(
      deps.sql,
      (tx) =>
        tx<{ id: number }[]>`insert into private.job_runs (job, scheduled_at) values (${name}, ${
          body.scheduled_at ?? null
        }) returning id`,
    );
    const started = Date.now();
    const work = job.run(Math.min(body.limit ?? job.batch, job.batch)).then(
      (r) => finish(deps.sql, run!.id, "done", r, null).then(() => r),
      async (error) => {
        await finish(deps.sql, run!.id, "failed", { claimed: 0, done: 0, failed: 0 }, String(error));
        throw error;
      },
    );
    if (url.searchParams.get("wait") !== "true") {
      deps.runtime.waitUntil(work);
      return json({ job: name, run_id: run!.id }, 202);
    }
    try {
      const r = await work;
      return json({
        job: name,
        run_id: run!.id,
        claimed: r.claimed,
        done: r.done,
        failed: r.failed,
        remaining: r.remaining ?? null,
        ms: Date.now() - started,
      });
    } catch (error) {
      log("error", "job failed", { job: name, error: String(error) });
      return errorResponse(500, "job_failed", "the job failed; see job_runs");
    }
  };
}

async function finish(sql: Sql, id: number, status: string, r: JobResult, error: string | null): Promise<void> {
  await asServiceRole(
    sql,
    (tx) =>
      tx`update private.job_runs set finished_at = now(), status = ${status}, claimed = ${r.claimed}, done = ${r.done},
         failed = ${r.failed}, remaining = ${r.remaining ?? null}, error = ${error} where id = ${id}`,
  );
}
