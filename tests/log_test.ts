// Logs: LOG_LEVEL as createApp applies it, and the request id on every line of a request, background work
// included, through the handlers app.ts builds.
import assert from "node:assert/strict";
import { createApp, jobsHandler, telegramWebhookHandler } from "../functions/_shared/app.ts";
import { gatewayEnvSchema } from "../functions/_shared/config.ts";
import { createDb } from "../functions/_shared/platform/db.ts";
import { parseEnv } from "../functions/_shared/platform/env.ts";
import { currentRequestId, log, setLogLevel, withRequestId } from "../functions/_shared/platform/log.ts";
import { createRuntime } from "../functions/_shared/platform/runtime.ts";
import { testDbUrl } from "./support/test_db.ts";

type Line = { level: string; message: string; request_id?: string } & Record<string, unknown>;

/** Runs `work` with console.log and console.error captured; returns the JSON lines written meanwhile. */
async function captureLogs(work: () => Promise<void> | void): Promise<Line[]> {
  const lines: Line[] = [];
  const { log: out, error: err } = console;
  const keep = (text: unknown) => void lines.push(JSON.parse(String(text)));
  console.log = keep;
  console.error = keep;
  try {
    await work();
  } finally {
    console.log = out;
    console.error = err;
    setLogLevel("info");
  }
  return lines;
}

const JOBS_SECRET = "log-test-jobs-secret-0123456789";
const WEBHOOK_SECRET = "log-test-webhook-secret";

function appEnv(overrides: Record<string, string>) {
  return parseEnv(gatewayEnvSchema, {
    SUPABASE_DB_URL: "postgresql://postgres@127.0.0.1:1/postgres",
    SUPABASE_URL: "http://127.0.0.1:1",
    SUPABASE_ANON_KEY: "local-anon-key",
    TELEGRAM_BOT_TOKEN: "123456:TEST-token",
    TELEGRAM_BOT_USERNAME: "nikita_test_bot",
    TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
    TELEGRAM_API_ROOT: "http://127.0.0.1:1",
    LLM_MODE: "offline",
    JOBS_SECRET,
    ENVIRONMENT: "test",
    ...overrides,
  });
}

Deno.test("createApp applies LOG_LEVEL: below it nothing is written, at and above it every line is", async () => {
  for (
    const [level, expected] of [
      ["warn", ["warn", "error"]],
      ["debug", ["debug", "info", "warn", "error"]],
      ["error", ["error"]],
    ] as const
  ) {
    const lines = await captureLogs(async () => {
      const app = createApp(appEnv({ LOG_LEVEL: level }));
      log("debug", "d");
      log("info", "i");
      log("warn", "w");
      log("error", "e");
      await app.close();
    });
    assert.deepEqual(lines.map((l) => l.level), expected, `LOG_LEVEL=${level}`);
  }
});

Deno.test("each request's lines carry its own request_id; outside a request there is none", async () => {
  const handler = withRequestId((req) => {
    log("info", "handling", { path: new URL(req.url).pathname });
    return Promise.resolve(new Response(currentRequestId() ?? ""));
  });
  let answers: string[] = [];
  const lines = await captureLogs(async () => {
    log("info", "before");
    answers = await Promise.all([
      handler(new Request("http://local/a")).then((r) => r.text()),
      handler(new Request("http://local/b")).then((r) => r.text()),
    ]);
    log("info", "after");
  });
  assert.equal(lines.length, 4);
  const [before, a, b, after] = lines;
  assert.equal(before?.request_id, undefined);
  assert.equal(after?.request_id, undefined);
  assert.match(a?.request_id ?? "", /^[0-9a-f-]{36}$/, "a random id when the request brings none");
  assert.notEqual(a?.request_id, b?.request_id);
  assert.deepEqual([a?.request_id, b?.request_id], answers, "the id is the request's, not the last one set");
});

Deno.test("the platform's sb-request-id, else x-request-id, is the request id", async () => {
  const handler = withRequestId(() => {
    log("info", "handling");
    return Promise.resolve(new Response(null, { status: 204 }));
  });
  const lines = await captureLogs(async () => {
    await handler(new Request("http://local/", { headers: { "sb-request-id": "sb-1", "x-request-id": "x-1" } }));
    await handler(new Request("http://local/", { headers: { "x-request-id": "x-2" } }));
    await handler(new Request("http://local/", { headers: { "x-request-id": "x".repeat(500) } }));
  });
  assert.deepEqual(lines.slice(0, 2).map((l) => l.request_id), ["sb-1", "x-2"]);
  assert.equal(lines[2]?.request_id, "x".repeat(128), "a long header is cut to 128 characters");
});

Deno.test("background work started with waitUntil logs its request's id, after the response", async () => {
  const runtime = createRuntime();
  const handler = withRequestId((req) => {
    const tag = new URL(req.url).pathname;
    runtime.waitUntil((async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      log("info", "background", { tag });
      throw new Error(`failed ${tag}`);
    })());
    return Promise.resolve(new Response(null, { status: 202 }));
  });
  const lines = await captureLogs(async () => {
    await handler(new Request("http://local/one", { headers: { "x-request-id": "req-one" } }));
    await handler(new Request("http://local/two", { headers: { "x-request-id": "req-two" } }));
    log("info", "responses sent");
    await runtime.settle();
  });
  assert.equal(lines[0]?.message, "responses sent", "the background lines come after both responses");
  const byTag = (message: string, tag: string) =>
    lines.find((l) => l.message === message && (l.tag === tag || String(l.error ?? "").includes(`failed ${tag}`)))
      ?.request_id;
  assert.equal(byTag("background", "/one"), "req-one");
  assert.equal(byTag("background", "/two"), "req-two");
  assert.equal(byTag("background work failed", "/one"), "req-one", "the runtime's failure line too");
  assert.equal(byTag("background work failed", "/two"), "req-two");
});

Deno.test("the webhook handler app.ts builds logs with the request's id", async () => {
  // No database behind this app: the inbox insert fails and the handler logs it, inside the request.
  const app = createApp(appEnv({ LOG_LEVEL: "error" }));
  const handler = telegramWebhookHandler(app, { TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET });
  let status = 0;
  const lines = await captureLogs(async () => {
    const res = await handler(
      new Request("http://local/", {
        method: "POST",
        headers: { "x-telegram-bot-api-secret-token": WEBHOOK_SECRET, "sb-request-id": "webhook-req-1" },
        body: JSON.stringify({ update_id: 1 }),
      }),
    );
    status = res.status;
    await res.body?.cancel();
  });
  await app.close();
  assert.equal(status, 500);
  assert.deepEqual(lines.map((l) => [l.message, l.request_id]), [["inbox insert failed", "webhook-req-1"]]);
});

Deno.test("the jobs handler app.ts builds logs its background work with the request's id", async () => {
  const sql = createDb(testDbUrl(), { max: 2 });
  const app = createApp(appEnv({ LOG_LEVEL: "error", SUPABASE_DB_URL: testDbUrl() }), { sql });
  // The deliver job's run fails after the 202: the runtime logs the failure of that background work.
  app.deliver = () => Promise.reject(new Error("deliver is down"));
  const handler = jobsHandler(app, { JOBS_SECRET });
  let status = 0;
  const lines = await captureLogs(async () => {
    const res = await handler(
      new Request("http://local/functions/v1/jobs/deliver", {
        method: "POST",
        headers: { "x-jobs-secret": JOBS_SECRET, "x-request-id": "jobs-req-1" },
        body: "{}",
      }),
    );
    status = res.status;
    await res.body?.cancel();
    await app.runtime.settle();
  });
  await app.close();
  assert.equal(status, 202);
  assert.deepEqual(lines.map((l) => [l.message, l.request_id]), [["background work failed", "jobs-req-1"]]);
});
