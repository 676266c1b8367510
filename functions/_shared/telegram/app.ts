// Wiring of the Telegram side from the parsed configuration: the same code serves the deployed functions and the
// local gateway. Nothing here holds a rule; it builds clients and hands them to the handlers.
import { Api } from "npm:grammy@1.46.0";
import type { TelegramEnv } from "../config.ts";
import { createDb, type Sql } from "../db.ts";
import { databaseUrl } from "../env.ts";
import { createJobsHandler } from "../jobs/handler.ts";
import { createAnthropicLlm } from "../llm/anthropic.ts";
import { createLedger } from "../llm/ledger.ts";
import { createOfflineLlm } from "../llm/offline.ts";
import type { Llm } from "../llm/types.ts";
import { waitUntil } from "../log.ts";
import { type AuthGateway, createSupabaseAuth } from "./auth.ts";
import { deliver } from "./deliver.ts";
import { type DrainDeps, drainChat, sweepInbox } from "./drain.ts";
import { createWebhookHandler } from "./webhook.ts";

export interface TelegramApp {
  sql: Sql;
  drain: DrainDeps;
  api: Api;
  webhook: (req: Request) => Promise<Response>;
  jobs: (req: Request) => Promise<Response>;
}

export function createLlm(env: TelegramEnv, sql: Sql): Llm {
  if (env.LLM_MODE === "offline") return createOfflineLlm();
  return createAnthropicLlm({
    apiKey: env.ANTHROPIC_API_KEY!, baseURL: env.ANTHROPIC_BASE_URL, maxRetries: env.LLM_MAX_RETRIES,
    models: { reply: env.MODEL_REPLY, analyzer: env.MODEL_ANALYZER, judge: env.MODEL_JUDGE, summary: env.MODEL_SUMMARY },
    ledger: createLedger(sql),
  });
}

export function createTelegramApp(env: TelegramEnv, overrides: { llm?: Llm; auth?: AuthGateway; sql?: Sql } = {}): TelegramApp {
  const sql = overrides.sql ?? createDb(databaseUrl(env));
  const api = new Api(env.TELEGRAM_BOT_TOKEN, { apiRoot: env.TELEGRAM_API_ROOT });
  const llm = overrides.llm ?? createLlm(env, sql);
  const drain: DrainDeps = {
    sql,
    llm,
    auth: overrides.auth ?? createSupabaseAuth(env.SUPABASE_URL, env.SUPABASE_ANON_KEY),
    settings: {
      token: env.TELEGRAM_BOT_TOKEN, username: env.TELEGRAM_BOT_USERNAME, portalUrl: env.PORTAL_URL,
      voicePhoneNumber: env.VOICE_PHONE_NUMBER, voiceEnabled: Boolean(env.ELEVENLABS_AGENT_ID),
    },
    resolveTimezone: (city) => llm.timezoneFor(city),
    typing: (chatId) => api.sendChatAction(chatId, "typing"),
  };
  const afterAck = (chatId: number) =>
    waitUntil(drainChat(drain, chatId).then(() => deliver({ sql, api, typingMs: 0 }, { limit: 20, chatId })));
  return {
    sql, drain, api,
    webhook: createWebhookHandler({ sql, secret: env.TELEGRAM_WEBHOOK_SECRET, afterAck }),
    jobs: createJobsHandler({
      sql, secret: env.JOBS_SECRET,
      jobs: {
        "deliver": async (limit) => {
          const r = await deliver({ sql, api, typingMs: 1000 }, { limit: limit ?? 200 });
          return { claimed: r.claimed, done: r.sent, failed: r.failed };
        },
        "process-inbox": async (limit) => {
          const r = await sweepInbox(drain, limit ?? 20);
          return { claimed: r.chats, done: r.done, failed: 0 };
        },
      },
    }),
  };
}
