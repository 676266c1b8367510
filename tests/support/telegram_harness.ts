// The Telegram side against the test database with fake Telegram, Anthropic and Auth servers: posts real
// Telegram-shaped updates to the webhook handler and waits for the work it starts after the acknowledgement.
import { telegramEnvSchema } from "../../functions/_shared/config.ts";
import { createDb, type Sql } from "../../functions/_shared/db.ts";
import { parseEnv } from "../../functions/_shared/env.ts";
import { createTelegramApp, type TelegramApp } from "../../functions/_shared/telegram/app.ts";
import { deliver } from "../../functions/_shared/telegram/deliver.ts";
import { drainChat } from "../../functions/_shared/telegram/drain.ts";
import { createWebhookHandler } from "../../functions/_shared/telegram/webhook.ts";
import { type FakeAnthropic, startFakeAnthropic } from "../../scripts/local/fakes/anthropic.ts";
import { type FakeAuth, startFakeAuth } from "../../scripts/local/fakes/auth.ts";
import { type FakeTelegram, startFakeTelegram } from "../../scripts/local/fakes/telegram.ts";
import { testDbUrl } from "./test_db.ts";

export const SECRET = "test-webhook-secret";

export interface Harness {
  sql: Sql;
  app: TelegramApp;
  telegram: FakeTelegram;
  anthropic: FakeAnthropic;
  auth: FakeAuth;
  webhook: (req: Request) => Promise<Response>;
  post(update: unknown, secret?: string | null): Promise<Response>;
  /** Waits for the drains the webhook started, then delivers everything due within `aheadMs`. */
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
      message_id: id, date: Math.floor(Date.now() / 1000), text,
      chat: { id: telegramId, type: "private" }, from: { id: telegramId, is_bot: false, first_name: "Player" },
      ...(text.startsWith("/") ? { entities: [{ type: "bot_command", offset: 0, length: text.split(" ")[0]!.length }] } : {}),
    },
  };
}

export function startHarness(): Harness {
  const telegram = startFakeTelegram();
  const anthropic = startFakeAnthropic();
  const auth = startFakeAuth(testDbUrl(), { print: () => {} });
  const env = parseEnv(telegramEnvSchema, {
    SUPABASE_DB_URL: testDbUrl(), SUPABASE_URL: auth.url, SUPABASE_ANON_KEY: "local-anon-key",
    TELEGRAM_BOT_TOKEN: "123456:TEST-token", TELEGRAM_BOT_USERNAME: "nikita_test_bot", TELEGRAM_WEBHOOK_SECRET: SECRET,
    TELEGRAM_API_ROOT: telegram.url, LLM_MODE: "live", ANTHROPIC_API_KEY: "test-key", ANTHROPIC_BASE_URL: anthropic.url,
    LLM_MAX_RETRIES: "0", JOBS_SECRET: "test-jobs-secret-0123456789", ENVIRONMENT: "test",
  });
  const sql = createDb(testDbUrl(), { max: 12 });
  const app = createTelegramApp(env, { sql });
  const pending: Promise<unknown>[] = [];
  // Delivery runs on a clock ahead of real time (so reply delays are due) that only moves forward.
  let clock = 0;
  const webhook = createWebhookHandler({ sql, secret: SECRET, afterAck: (chatId) => void pending.push(drainChat(app.drain, chatId)) });
  return {
    sql, app, telegram, anthropic, auth, webhook,
    post(update, secret = SECRET) {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (secret !== null) headers["x-telegram-bot-api-secret-token"] = secret;
      return webhook(new Request("http://local/telegram-webhook", { method: "POST", headers, body: JSON.stringify(update) }));
    },
    async settle(aheadMs = 3_600_000) {
      while (pending.length > 0) await Promise.all(pending.splice(0));
      // Each pass sends one message per chat; later passes run 2 s further on, past the 1 s per-chat pacing.
      for (let i = 0, idle = 0; i < 40 && idle < 2; i++) {
        clock = Math.max(clock + 2000, Date.now() + aheadMs);
        const at = clock;
        const r = await deliver({ sql, api: app.api, now: () => new Date(at), perSecond: 1000 }, { limit: 200 });
        idle = r.claimed === 0 ? idle + 1 : 0;
      }
    },
    async close() {
      await Promise.all([telegram.close(), anthropic.close(), auth.close()]);
      await sql.end();
    },
  };
}
