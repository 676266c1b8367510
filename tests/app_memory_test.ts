// The wiring of her memory's providers (functions/_shared/app.ts): live, the embedder is OpenAI's at OPENAI_BASE_URL
// with EMBEDDING_MODEL and writes to the ledger, and extraction goes to MODEL_EXTRACTION; offline, both work without
// keys or network.
import assert from "node:assert/strict";
import { createApp } from "../functions/_shared/app.ts";
import { gatewayEnvSchema } from "../functions/_shared/config.ts";
import { createDb } from "../functions/_shared/platform/db.ts";
import { parseEnv } from "../functions/_shared/platform/env.ts";
import { startFakeAnthropic } from "./fakes/anthropic.ts";
import { startFakeOpenAi } from "./fakes/openai.ts";
import { testDbUrl } from "./support/test_db.ts";

const base = {
  SUPABASE_DB_URL: "postgresql://postgres@127.0.0.1:1/postgres",
  SUPABASE_URL: "http://127.0.0.1:1",
  SUPABASE_ANON_KEY: "local-anon-key",
  TELEGRAM_BOT_TOKEN: "123456:TEST-token",
  TELEGRAM_BOT_USERNAME: "nikita_test_bot",
  TELEGRAM_WEBHOOK_SECRET: "app-memory-test-secret",
  TELEGRAM_API_ROOT: "http://127.0.0.1:1",
  JOBS_SECRET: "app-memory-test-jobs-secret",
  ENVIRONMENT: "test",
  LOG_LEVEL: "error",
};
const transcript = [{ role: "player" as const, content: "I work as a nurse" }];

Deno.test("live: the app's embedder and extraction use the configured endpoints, models and ledger", async () => {
  const anthropic = startFakeAnthropic();
  const openai = startFakeOpenAi();
  const env = parseEnv(gatewayEnvSchema, {
    ...base,
    SUPABASE_DB_URL: testDbUrl(),
    LLM_MODE: "live",
    LLM_MAX_RETRIES: "1",
    ANTHROPIC_API_KEY: "test-key",
    ANTHROPIC_BASE_URL: anthropic.url,
    OPENAI_API_KEY: "test-openai-key",
    OPENAI_BASE_URL: `${openai.url}/`,
    EMBEDDING_MODEL: "text-embedding-wiring-test",
    MODEL_EXTRACTION: "claude-extraction-wiring-test",
  });
  const app = createApp(env, { sql: createDb(testDbUrl(), { max: 2 }) });
  const purpose = `wiring-${crypto.randomUUID()}`;
  try {
    assert.equal(app.embedder.mode, "live");
    openai.failures.push(500);
    const [vector] = await app.embedder.embed(["Robin works as a nurse"], purpose, null);
    assert.equal(vector!.length, 1536);
    assert.equal(openai.requests.length, 2, "LLM_MAX_RETRIES reaches the SDK");
    assert.equal(openai.requests[1]!.model, "text-embedding-wiring-test");
    const rows = await app.sql<{ model: string; status: string }[]>`
      select model, status from private.llm_calls where purpose = ${purpose}`;
    assert.deepEqual(rows.map((r) => [r.model, r.status]), [["text-embedding-wiring-test", "ok"]]);

    const extraction = await app.llm.extract(
      { userId: crypto.randomUUID(), playerName: "Robin", chapter: 1 },
      transcript,
    );
    assert.equal(extraction.facts[0]!.fact, "The player works as a nurse");
    assert.equal(anthropic.requests[0]!.model, "claude-extraction-wiring-test");
  } finally {
    await app.sql`delete from private.llm_calls where purpose = ${purpose}`;
    await app.close();
    await Promise.all([anthropic.close(), openai.close()]);
  }
});

Deno.test("offline: the app's embedder and extraction need no keys and no network", async () => {
  const app = createApp(parseEnv(gatewayEnvSchema, { ...base, LLM_MODE: "offline" }));
  try {
    assert.equal(app.embedder.mode, "offline");
    const [a, b] = await app.embedder.embed(["Robin works as a nurse", "Robin works as a nurse"], "memory_write", null);
    assert.deepEqual(a, b);
    assert.equal(a!.length, 1536);
    const extraction = await app.llm.extract(
      { userId: crypto.randomUUID(), playerName: "Robin", chapter: 1 },
      transcript,
    );
    assert.deepEqual(extraction.facts.map((f) => f.fact), ["Robin works as a nurse"]);
  } finally {
    await app.close();
  }
});
