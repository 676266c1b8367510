// Every HTTP job of the jobs function (PLATFORM.md §5.1), one entry each: its batch and what one run does. A new
// job is one entry here plus its cron.schedule in a migration (and sql/data/schedules.sql).
import type { App } from "../app.ts";
import { runLifeSim } from "../life/day.ts";
import { CHAT_ACTION_MS } from "../outbox/senders/telegram.ts";
import { runDailySummaries } from "../pipeline/daily_summaries.ts";
import { processConversations } from "../pipeline/process_conversations.ts";
import { runTouchpoints } from "../pipeline/touchpoints.ts";
import { collectPsyche, submitPsyche } from "../pipeline/psyche.ts";
import { sweepInbox } from "../telegram/drain.ts";
import type { JobEntry } from "./handler.ts";

export function jobRegistry(app: App): Record<string, JobEntry> {
  return {
    // §2.6: text sends (and, later, outbound calls) at Telegram's pace, one run at a time (the deliver lease),
    // typing shown before each message for min(her delay, the typing window).
    "deliver": {
      batch: 200,
      run: async (limit) => {
        const r = await app.deliver({ limit, typingMs: CHAT_ACTION_MS });
        return { claimed: r.claimed, done: r.sent, failed: r.failed, remaining: r.remaining };
      },
    },
    // §2.2: the sweeper drains chats with stranded or due updates.
    "process-inbox": {
      batch: 20,
      run: async (limit) => {
        const r = await sweepInbox(app.drain, limit);
        return { claimed: r.chats, done: r.done, failed: 0, remaining: r.remaining };
      },
    },
    // §6: the stages after every closed conversation (memory, her mood, the ready prompts).
    "process-conversations": {
      batch: 5,
      run: (limit) => processConversations(app.pipeline, limit),
    },
    // GAME_RULES.md §15: she texts (or calls) first; triggers evaluated, silence applied, text written and queued.
    "touchpoints": {
      batch: 50,
      run: (limit) =>
        runTouchpoints({
          sql: app.sql,
          llm: app.llm,
          runtime: app.runtime,
          random: app.drain.random,
          voiceEnabled: app.pipeline.voiceEnabled ?? false,
        }, limit),
    },
    // §5.1 / GAME_RULES.md §13: her day's events for players whose Berlin date has none yet, past 04:00 Berlin.
    "life-sim": {
      batch: 20,
      run: (limit) => runLifeSim(app.pipeline, limit),
    },
    // §5.1, GAME_RULES.md §12.2: her daily psyche, one request per eligible player per UTC date (from 05:00 UTC),
    // sent through the Message Batches API; resubmitting the same day is a no-op.
    "psyche-submit": {
      batch: 10_000,
      run: (limit) => submitPsyche({ sql: app.sql, llm: app.llm, runtime: app.runtime }, limit),
    },
    // §5.1: polls the open psyche batches and saves the results of ended ones by custom_id.
    "psyche-collect": {
      batch: 1_000,
      run: (limit) => collectPsyche({ sql: app.sql, llm: app.llm, runtime: app.runtime }, limit),
    },
    // §5.1, GAME_RULES §17: her summary of each player's ended local day, catching up to 7 missed days.
    "daily-summaries": {
      batch: 25,
      run: (limit) => runDailySummaries({ sql: app.sql, llm: app.llm, runtime: app.runtime }, limit),
    },
  };
}
