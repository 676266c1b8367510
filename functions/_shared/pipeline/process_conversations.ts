// The process-conversations job (PLATFORM.md §5.1, §6): after every closed conversation, its stages in order, each
// safe to rerun and recorded in the job's `stages`. The critical ones (a call's score, extraction, memory write) fail
// the job, which is retried after 2, 10 and 30 minutes; the others record their failure and the job goes on. A
// player whose game is over or won gets the summary stage only. Stage 5 generates her day's events when they are
// missing (the life-sim job's code); stage 6 evaluates her proactive messages (touchpoints.ts). Each model or
// embedding call runs holding no transaction.
import { generateLifeDay } from "../life/day.ts";
import type { Extraction } from "../llm/extract.ts";
import type { ChatLine, Llm } from "../llm/types.ts";
import type { Embedder } from "../memory/embeddings.ts";
import { asServiceRole, type Sql } from "../platform/db.ts";
import { log } from "../platform/log.ts";
import type { Runtime } from "../platform/runtime.ts";
import { rebuildReadyPrompts } from "./ready_prompt.ts";
import { scoreCall } from "./score_call.ts";
import { scheduleAfterConversation } from "./touchpoints.ts";
import { CLAIM_SHARE } from "../jobs/handler.ts";

export interface PipelineDeps {
  sql: Sql;
  llm: Llm;
  embedder: Embedder;
  runtime: Runtime;
  /** Draws for her day's plan (stage 5) and stage 6's rolls; Math.random unless a test pins it. */
  random?: () => number;
  /** Whether she may call instead of texting (stage 6; false when not given). */
  voiceEnabled?: boolean;
}

interface ClaimedJob {
  conversation_id: string;
  user_id: string;
  claim_token: string;
  attempts: number;
  stages: Record<string, StageRecord>;
  platform: string;
  game_status: string;
}

interface StageRecord {
  status: "done" | "skipped" | "failed";
  at: string;
  error?: string;
  output?: unknown;
}

interface ConversationView {
  conversation_id: string;
  user_id: string;
  platform: string;
  summary: string | null;
  player: { display_name: string | null; chapter: number; chapter_name: string; game_status: string };
  transcript: ChatLine[];
}

/** The stages in order (PLATFORM.md §6), and whether a failure fails the job. */
export const STAGES = [
  { name: "score", critical: true },
  { name: "extraction", critical: true },
  { name: "memory", critical: true },
  { name: "effects", critical: false },
  { name: "cooling", critical: false },
  { name: "life_sim", critical: false },
  { name: "touchpoints", critical: false },
  { name: "summary", critical: false },
  { name: "prompt", critical: false },
] as const;

type StageName = typeof STAGES[number]["name"];

/** A stage that did not fail: its record's status and what to keep for a rerun. */
type StageOutcome = { status: "done" | "skipped"; output?: unknown };

/** The job's budget (PLATFORM.md §5.1: 120 s); it stops claiming at 60 % of it. */
export const PIPELINE_BUDGET_MS = 120_000;

export interface PipelineResult {
  claimed: number;
  done: number;
  failed: number;
  remaining: number;
}

/** One run: claims due jobs in small batches until 60 % of the budget has gone, and runs each to its end. */
export async function processConversations(deps: PipelineDeps, limit: number): Promise<PipelineResult> {
  const started = Date.now();
  const result: PipelineResult = { claimed: 0, done: 0, failed: 0, remaining: 0 };
  while (Date.now() - started < PIPELINE_BUDGET_MS * CLAIM_SHARE) {
    const jobs = await asServiceRole(
      deps.sql,
      (tx) => tx<ClaimedJob[]>`select * from private.claim_conversation_jobs(${deps.runtime.now()}, ${limit})`,
    );
    if (jobs.length === 0) break;
    result.claimed += jobs.length;
    for (const job of jobs) {
      if (await runJob(deps, job)) result.done++;
      else result.failed++;
    }
  }
  const [left] = await asServiceRole(
    deps.sql,
    (tx) =>
      tx<{ n: number }[]>`select count(*)::int as n from private.conversation_jobs
      where status in ('pending', 'retry') and coalesce(next_attempt_at, created_at) <= ${deps.runtime.now()}`,
  );
  result.remaining = left?.n ?? 0;
  return result;
}

/** Runs a job's stages in order; true when it finished, false when a critical stage failed (and it will retry). */
export async function runJob(deps: PipelineDeps, job: ClaimedJob): Promise<boolean> {
  const stages = { ...job.stages };
  const view = await asServiceRole(
    deps.sql,
    (tx) => tx<{ c: ConversationView }[]>`select game.conversation_for_pipeline(${job.conversation_id}) as c`,
  ).then((r) => r[0]!.c);
  const terminal = job.game_status === "game_over" || job.game_status === "won";
  for (const stage of STAGES) {
    if (stages[stage.name]?.status === "done" || stages[stage.name]?.status === "skipped") continue;
    let record: StageRecord;
    try {
      const outcome = terminal && stage.name !== "summary"
        ? { status: "skipped" as const, output: { reason: "the game is over" } }
        : await runStage(deps, stage.name, job, view, stages);
      record = { status: outcome.status, at: deps.runtime.now().toISOString(), output: outcome.output };
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      record = { status: "failed", at: deps.runtime.now().toISOString(), error: message.slice(0, 500) };
      if (stage.critical) {
        log("warn", "post-conversation stage failed; the job retries", {
          stage: stage.name,
          error: message.slice(0, 300),
        });
        await asServiceRole(deps.sql, async (tx) => {
          await tx`select private.record_conversation_stage(${job.conversation_id}, ${job.claim_token}::uuid,
            ${stage.name}, ${tx.json(record as never)})`;
          await tx`select private.fail_conversation_job(${job.conversation_id}, ${job.claim_token}::uuid, ${message},
            ${deps.runtime.now()})`;
        });
        return false;
      }
      log("warn", "post-conversation stage failed; the job goes on", {
        stage: stage.name,
        error: message.slice(0, 300),
      });
    }
    stages[stage.name] = record;
    const held = await asServiceRole(
      deps.sql,
      (tx) =>
        tx<{ ok: boolean | null }[]>`select private.record_conversation_stage(${job.conversation_id},
        ${job.claim_token}::uuid, ${stage.name}, ${tx.json(record as never)}) as ok`,
    );
    if (!held[0]?.ok) return false;
  }
  await asServiceRole(
    deps.sql,
    (tx) =>
      tx`select private.finish_conversation_job(${job.conversation_id}, ${job.claim_token}::uuid, ${deps.runtime.now()})`,
  );
  return true;
}

/** The extraction a rerun reuses: the saved output of a completed extraction stage. */
function extractionOf(stages: Record<string, StageRecord>): Extraction | null {
  return stages.extraction?.status === "done" ? stages.extraction.output as Extraction : null;
}

async function runStage(
  deps: PipelineDeps,
  stage: StageName,
  job: ClaimedJob,
  view: ConversationView,
  stages: Record<string, StageRecord>,
): Promise<StageOutcome> {
  const now = deps.runtime.now();
  const context = {
    userId: job.user_id,
    playerName: view.player.display_name,
    chapter: view.player.chapter,
    chapterName: view.player.chapter_name,
    localTime: "",
    notes: [],
  };
  switch (stage) {
    case "score":
      // A call is scored here, once, as one exchange; a Telegram conversation was scored exchange by exchange.
      if (job.platform !== "voice") {
        return { status: "skipped", output: { reason: `${job.platform} conversations are scored as they happen` } };
      }
      return await scoreCall(deps, job.user_id, job.conversation_id, view.transcript, context, now);
    case "extraction": {
      if (view.transcript.length === 0) return { status: "skipped", output: { reason: "no messages" } };
      // Saved in `stages` and reused on a rerun: the model is asked once per conversation.
      return { status: "done", output: await deps.llm.extract(context, view.transcript) };
    }
    case "memory": {
      const extraction = extractionOf(stages);
      if (!extraction) return { status: "skipped", output: { reason: "nothing extracted" } };
      const facts = extraction.facts;
      // One batched embedding call for the stage; the facts are unique per conversation, so a rerun adds nothing.
      const vectors = facts.length ? await deps.embedder.embed(facts.map((f) => f.fact), "memory", job.user_id) : [];
      const written = await asServiceRole(deps.sql, async (tx) => {
        const ids: unknown[] = [];
        for (const [i, f] of facts.entries()) {
          const [row] = await tx<{ r: unknown }[]>`
            select game.remember_fact(${job.user_id}, ${f.graph_type}, ${f.fact}, ${
            JSON.stringify(vectors[i])
          }::extensions.vector,
              'extraction', ${f.confidence}, ${job.conversation_id}, ${now}) as r`;
          ids.push(row!.r);
        }
        const [saved] = await tx<{ r: unknown }[]>`
          select game.save_conversation_memory(${job.conversation_id}, ${tx.json(extraction.threads as never)},
            ${tx.json(extraction.thoughts as never)}, ${now}) as r`;
        return { facts: ids, memory: saved!.r };
      });
      return { status: "done", output: written };
    }
    case "effects": {
      const extraction = extractionOf(stages);
      const [row] = await asServiceRole(deps.sql, async (tx) => {
        // Her emotional state counts today's life events whose slot has begun (GAME_RULES.md §11 step 2).
        const [today] = await tx<{ e: { emotional_impact: Record<string, number> }[] }[]>`
          select game.todays_life_events(${job.user_id}, ${now}) as e`;
        const effects = {
          tones: extraction?.emotional_tone ?? ["neutral"],
          vice_signals: extraction?.vice_signals ?? [],
          life_events: today!.e.map((e) => e.emotional_impact),
        };
        return await tx<{ r: unknown }[]>`select game.apply_conversation_effects(${job.conversation_id}, ${
          tx.json(effects)
        }, ${now}) as r`;
      });
      return { status: "done", output: row!.r };
    }
    case "cooling": {
      const [row] = await asServiceRole(
        deps.sql,
        (tx) => tx<{ r: unknown }[]>`select game.cool_conflict(${job.user_id}, ${now}) as r`,
      );
      return { status: "done", output: row!.r };
    }
    case "life_sim": {
      // Today's events if the job has not made them yet (PLATFORM.md §6 stage 5); the day's mark makes it once.
      const day = await generateLifeDay(deps, job.user_id, now);
      return { status: day.status === "saved" ? "done" : "skipped", output: day };
    }
    case "touchpoints": {
      // GAME_RULES.md §15 at the conversation's end: one evaluation, at most one touchpoint per conversation.
      const output = await scheduleAfterConversation(
        { sql: deps.sql, random: deps.random ?? Math.random, voiceEnabled: deps.voiceEnabled ?? false },
        job.user_id,
        job.conversation_id,
        now,
      );
      return { status: "done", output };
    }
    case "summary": {
      if (view.summary) return { status: "skipped", output: { reason: "already written" } };
      // The summary and tone come from the extraction; a finished game, which gets no extraction stage, has the
      // extraction prompt write them now.
      const extraction = extractionOf(stages) ??
        (view.transcript.length ? await deps.llm.extract(context, view.transcript) : null);
      if (!extraction) return { status: "skipped", output: { reason: "no messages" } };
      await asServiceRole(
        deps.sql,
        (tx) =>
          tx`select game.set_conversation_summary(${job.conversation_id}, ${extraction.summary},
          ${extraction.emotional_tone}::text[])`,
      );
      return { status: "done", output: { summary: extraction.summary, tones: extraction.emotional_tone } };
    }
    case "prompt": {
      const built = await asServiceRole(
        deps.sql,
        (tx) => rebuildReadyPrompts(tx, job.user_id, job.conversation_id, now),
      );
      return { status: "done", output: { text: built.text.tokenEstimate, voice: built.voice.tokenEstimate } };
    }
  }
}
