// The Telegram side against the test database with fake Telegram, Anthropic, OpenAI and Auth servers: the app built by the
// same wiring module as the deployed functions, real Telegram-shaped updates posted to its webhook handler, and a
// wait for the work the handler started after the acknowledgement.
import { type App, createApp } from "../../functions/_shared/app.ts";
import { gatewayEnvSchema } from "../../functions/_shared/config.ts";
import { deliver } from "../../functions/_shared/outbox/deliver.ts";
import { telegramSender } from "../../functions/_shared/outbox/senders/telegram.ts";
import { createDb, type Sql } from "../../functions/_shared/platform/db.ts";
import { parseEnv } from "../../functions/_shared/platform/env.ts";
import { afterResponse, createRuntime } from "../../functions/_shared/platform/runtime.ts";
import { drainChat } from "../../functions/_shared/telegram/drain.ts";
import { createWebhookHandler } from "../../functions/_shared/telegram/webhook.ts";
import { type FakeAnthropic, startFakeAnthropic } from "../fakes/anthropic.ts";
import { type FakeAuth, startFakeAuth } from "../fakes/auth.ts";
import { type FakeOpenAi, startFakeOpenAi } from "../fakes/openai.ts";
import { type FakeTelegram, startFakeTelegram } from "../fakes/telegram.ts";
import { testDbUrl } from "./test_db.ts";

export const SECRET = "test-webhook-secret";
export const JOBS_SECRET = "test-jobs-secret-0123456789";

export interface Harness {
  sql: Sql;
  app: App;
  telegram: FakeTelegram;
  anthropic: FakeAnthropic;
  /** The embeddings API the app's embedder talks to. */
  openai: FakeOpenAi;
  auth: FakeAuth;
  webhook: (req: Request) => Promise<Response>;
  post(update: unknown, secret?: string | null): Promise<Response>;
  /** Waits for the drains the webhook started, then delivers everything due within `aheadMs` of the game clock. */
  settle(aheadMs?: number): Promise<void>;
  close(): Promise<void>;
}

let nextUpdate = Math.floor(Math.random() * 1e9);
export function updateId(): number {
  return nextUpdate++;
}

export function textUpdate(telegramId: number, text: string, id = updateId()): Record<string, unknown> {
  return {
    update_id: id,
    message: {
      message_id: id,
      date: Math.floor(Date.now() / 1000),
      text,
      chat: { id: telegramId, type: "private" },
      from: { id: telegramId, is_bot: false, first_name: "Player" },
      ...(text.startsWith("/")
        ? { entities: [{ type: "bot_command", offset: 0, length: text.split(" ")[0]!.length }] }
        : {}),
    },
  };
}

export interface HarnessOptions {
  /** The app's pool size (the functions' default is 4). */
  pool?: number;
  /** The game clock the app runs on (default: the real clock). */
  now?: () => Date;
  /** More of the functions' environment (voice settings, for one). */
  env?: Record<string, string>;
  /** The app's randomness (default Math.random). */
  random?: () => number;
}

export function startHarness(options: HarnessOptions = {}): Harness {
  const telegram = startFakeTelegram();
  const anthropic = startFakeAnthropic();
  const openai = startFakeOpenAi();
  const auth = startFakeAuth(testDbUrl(), { print: () => {} });
  const env = parseEnv(gatewayEnvSchema, {
    SUPABASE_DB_URL: testDbUrl(),
    SUPABASE_URL: auth.url,
    SUPABASE_ANON_KEY: "local-anon-key",
    TELEGRAM_BOT_TOKEN: "123456:TEST-token",
    TELEGRAM_BOT_USERNAME: "nikita_test_bot",
    TELEGRAM_WEBHOOK_SECRET: SECRET,
    TELEGRAM_API_ROOT: telegram.url,
    LLM_MODE: "live",
    ANTHROPIC_API_KEY: "test-key",
    ANTHROPIC_BASE_URL: anthropic.url,
    OPENAI_API_KEY: "test-openai-key",
    OPENAI_BASE_URL: openai.url,
    LLM_MAX_RETRIES: "0",
    JOBS_SECRET,
    ENVIRONMENT: "test",
    LOG_LEVEL: "error",
    ...options.env,
  });
  const sql = createDb(testDbUrl(), { max: options.pool ?? 12 });
  const app = createApp(env, {
    sql,
    ...(options.now ? { runtime: createRuntime({ now: options.now }) } : {}),
    ...(options.random ? { random: options.random } : {}),
  });
  // The deployed webhook drains the chat and then delivers its reply when it falls due; the harness drains only and
  // delivers ahead of time itself (settle below), so a test decides when her messages go out.
  const webhook = createWebhookHandler({
    sql: app.ackSql,
    secret: SECRET,
    afterAck: (chatId) => afterResponse(app.runtime, () => drainChat(app.drain, chatId)),
  });
  // Delivery runs on a clock ahead of real time (so reply delays are due) that only moves forward.
  let clock = 0;
  return {
    sql,
    app,
    telegram,
    anthropic,
    openai,
    auth,
    webhook,
    post(update, secret = SECRET) {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (secret !== null) headers["x-telegram-bot-api-secret-token"] = secret;
      return webhook(
        new Request("http://local/telegram-webhook", { method: "POST", headers, body: JSON.stringify(update) }),
      );
    },
    async settle(aheadMs = 3_600_000) {
      await app.runtime.settle();
      // Each run is one pass (no budget), one message per chat; later ones run 2 s further on, past the 1 s pacing.
      for (let i = 0, idle = 0; i < 40 && idle < 2; i++) {
        clock = Math.max(clock + 2000, (options.now?.() ?? new Date()).getTime() + aheadMs);
        const at = clock;
        const r = await deliver({
          sql,
          now: () => new Date(at),
          perSecond: 1000,
          senders: { telegram: telegramSender(app.telegram) },
        }, { limit: 200, budgetMs: 0 });
        idle = r.claimed === 0 ? idle + 1 : 0;
      }
    },
    async close() {
      await app.close();
      await Promise.all([telegram.close(), anthropic.close(), openai.close(), auth.close()]);
    },
  };
}
