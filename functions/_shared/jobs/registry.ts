// Every HTTP job of the jobs function (PLATFORM.md §5.1), one entry each: its batch and what one run does. A new
// job is one entry here plus its cron.schedule in a migration (and sql/data/schedules.sql).
import type { App } from "../app.ts";
import { CHAT_ACTION_MS } from "../outbox/senders/telegram.ts";
import { runDailySummaries } from "../pipeline/daily_summaries.ts";
import { processConversations } from "../pipeline/process_conversations.ts";
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
        return { claimed: r.chats, done: r.done, failed: 0 };
      },
    },
    // §6: the stages after every closed conversation (memory, her mood, the ready prompts).
    "process-conversations": {
      batch: 5,
      run: (limit) =>
        processConversations({ sql: app.sql, llm: app.llm, embedder: app.embedder, runtime: app.runtime }, limit),
    },
    // §5.1, GAME_RULES §17: her summary of each player's ended local day, catching up to 7 missed days.
    "daily-summaries": {
      batch: 25,
      run: (limit) => runDailySummaries({ sql: app.sql, llm: app.llm, runtime: app.runtime }, limit),
    },
  };
}
