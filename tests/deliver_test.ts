// The deliver routine: one run over all chats at a time (the deliver lease), runs never share a row, a crash
// between claim and send resends exactly once after the lease, 429 honours retry_after, and the jobs route guards
// it with its secret and keeps the batch.
import assert from "node:assert/strict";
import { Api } from "npm:grammy@1.46.0";
import { createJobsHandler } from "../functions/_shared/jobs/handler.ts";
import { deliver } from "../functions/_shared/outbox/deliver.ts";
import { telegramSender } from "../functions/_shared/outbox/senders/telegram.ts";
import { createDb, type Sql } from "../functions/_shared/platform/db.ts";
import { createRuntime } from "../functions/_shared/platform/runtime.ts";
import { startFakeTelegram } from "./fakes/telegram.ts";
import { testDbUrl } from "./support/test_db.ts";

const base = 900_000_000 + Math.floor(Math.random() * 1e7);

/** The deliver routine's dependencies with the Telegram sender on the given API and the real clock. */
const via = (sql: Sql, api: Api) => ({ sql, now: () => new Date(), senders: { telegram: telegramSender(api) } });

async function queue(sql: Sql, key: string, chatId: number, text: string, due = new Date(Date.now() - 1000)) {
  await sql`insert into private.outbox (dedupe_key, chat_id, kind, text, due_at) values (${key}, ${chatId}, 'command', ${text}, ${due})`;
}

Deno.test("two deliver runs at once: one takes the lease, the other returns at once; every row goes out once", async () => {
  const telegram = startFakeTelegram();
  const fixtures = createDb(testDbUrl(), { max: 2 });
  const workers = [createDb(testDbUrl(), { max: 2 }), createDb(testDbUrl(), { max: 2 })];
  const api = new Api("123456:TEST", { apiRoot: telegram.url });
  const prefix = `race-${base}`;
  try {
    for (let i = 0; i < 30; i++) await queue(fixtures, `${prefix}:${i}`, base + i, `message ${i}`);
    const results = await Promise.all(
      workers.map((sql) => deliver(via(sql, api), { limit: 30 })),
    );
    const sent = telegram.calls.filter((c) => c.method === "sendMessage").map((c) => String(c.body.text));
    assert.equal(sent.length, 30);
    assert.equal(new Set(sent).size, 30, "no message twice");
    const [held, refused] = results[0]!.claimed > 0 ? results : [results[1]!, results[0]!];
    assert.deepEqual(refused, { claimed: 0, sent: 0, failed: 0, remaining: null }, "the second run did nothing");
    assert.deepEqual(held, { claimed: 30, sent: 30, failed: 0, remaining: 0 });
    const [row] = await fixtures`select count(*)::int as n from private.outbox where dedupe_key like ${
      prefix + ":%"
    } and status = 'sent'`;
    assert.equal(row?.n, 30);
    const [lease] = await fixtures`select count(*)::int as n from private.job_leases where job = 'deliver'`;
    assert.equal(lease?.n, 0, "the lease is given back when the run ends");
  } finally {
    await fixtures`delete from private.outbox where dedupe_key like ${prefix + ":%"}`;
    await Promise.all([telegram.close(), fixtures.end(), ...workers.map((w) => w.end())]);
  }
});

Deno.test("a single-chat run beside a run over all chats: disjoint rows, each sent once, in order", async () => {
  const telegram = startFakeTelegram();
  const fixtures = createDb(testDbUrl(), { max: 2 });
  const workers = [createDb(testDbUrl(), { max: 2 }), createDb(testDbUrl(), { max: 2 })];
  const api = new Api("123456:TEST", { apiRoot: telegram.url });
  const prefix = `beside-${base}`;
  const chat = base + 50;
  try {
    const due = Date.now() - 1000;
    for (let i = 0; i < 3; i++) await queue(fixtures, `${prefix}:${i}`, chat, `part ${i}`, new Date(due + i));
    for (let i = 0; i < 10; i++) await queue(fixtures, `${prefix}:other:${i}`, chat + 1 + i, `other ${i}`);
    const [all, one] = await Promise.all([
      deliver(via(workers[0]!, api), { limit: 50 }),
      deliver(via(workers[1]!, api), { limit: 50, chatId: chat }),
    ]);
    assert.equal(all!.sent + one!.sent, 13);
    assert.deepEqual(telegram.sent(chat), ["part 0", "part 1", "part 2"], "the chat's parts once each, in order");
    assert.equal(new Set(telegram.sent()).size, 13, "no message twice");
  } finally {
    await fixtures`delete from private.outbox where dedupe_key like ${prefix + ":%"}`;
    await Promise.all([telegram.close(), fixtures.end(), ...workers.map((w) => w.end())]);
  }
});

Deno.test("a crash between claim and send: the message goes out once, after the lease", async () => {
  const telegram = startFakeTelegram();
  const sql = createDb(testDbUrl(), { max: 2 });
  const api = new Api("123456:TEST", { apiRoot: telegram.url });
  const chat = base + 100;
  const key = `crash-${base}`;
  try {
    await queue(sql, key, chat, "still there?");
    const now = Date.now();
    // A worker claims the row, then dies before sending.
    await sql`select * from private.claim_outbox(${new Date(now)}, 10, ${chat})`;
    const during = await deliver({ ...via(sql, api), now: () => new Date(now + 30_000) }, { limit: 10, chatId: chat });
    assert.equal(during.sent, 0, "within the lease nobody else sends it");
    const after = await deliver({ ...via(sql, api), now: () => new Date(now + 61_000) }, { limit: 10, chatId: chat });
    assert.equal(after.sent, 1);
    const again = await deliver({ ...via(sql, api), now: () => new Date(now + 200_000) }, { limit: 10, chatId: chat });
    assert.equal(again.claimed, 0);
    assert.deepEqual(telegram.sent(chat), ["still there?"]);
  } finally {
    await sql`delete from private.outbox where dedupe_key = ${key}`;
    await Promise.all([telegram.close(), sql.end()]);
  }
});

Deno.test("a 429 moves the row by retry_after without counting an attempt; HTML is escaped", async () => {
  const telegram = startFakeTelegram();
  const sql = createDb(testDbUrl(), { max: 2 });
  const api = new Api("123456:TEST", { apiRoot: telegram.url });
  const chat = base + 200;
  const key = `flood-${base}`;
  try {
    await queue(sql, key, chat, "<b>you</b> & me");
    telegram.failNext("sendMessage", {
      error_code: 429,
      description: "Too Many Requests: retry after 7",
      parameters: { retry_after: 7 },
    });
    const now = Date.now();
    const first = await deliver({ ...via(sql, api), now: () => new Date(now) }, { limit: 10, chatId: chat });
    assert.equal(first.failed, 1);
    const [row] = await sql<{ status: string; attempts: number; wait: number }[]>`
      select status, attempts, extract(epoch from due_at - ${new Date(
      now,
    )}::timestamptz)::int as wait from private.outbox where dedupe_key = ${key}`;
    assert.deepEqual({ ...row }, { status: "retry", attempts: 0, wait: 7 });
    await deliver({ ...via(sql, api), now: () => new Date(now + 8000) }, { limit: 10, chatId: chat });
    assert.deepEqual(telegram.sent(chat), ["&lt;b&gt;you&lt;/b&gt; &amp; me"]);
  } finally {
    await sql`delete from private.outbox where dedupe_key = ${key}`;
    await Promise.all([telegram.close(), sql.end()]);
  }
});

Deno.test("the jobs route: 401 without the secret (nothing written), 404 for an unknown job, 422 for a bad body", async () => {
  const sql = createDb(testDbUrl(), { max: 2 });
  let ran = 0;
  const handler = createJobsHandler({
    sql,
    runtime: createRuntime(),
    secret: "jobs-secret-0123456789",
    jobs: { noop: { batch: 10, run: () => Promise.resolve({ claimed: ++ran, done: 0, failed: 0 }) } },
  });
  const call = (path: string, secret: string | null, body = "{}") =>
    handler(
      new Request(`http://local/functions/v1/jobs/${path}`, {
        method: "POST",
        body,
        headers: secret ? { "x-jobs-secret": secret } : {},
      }),
    );
  try {
    const [before] = await sql`select count(*)::int as n from private.job_runs where job = 'noop'`;
    assert.equal((await call("noop", null)).status, 401);
    assert.equal((await call("noop", "wrong")).status, 401);
    assert.equal((await call("nope", "jobs-secret-0123456789")).status, 404);
    // Only POST /<job>: a path below a job, or the function's root, is not a route.
    for (const path of ["noop/extra", "", "a/noop"]) {
      const res = await call(path, "jobs-secret-0123456789");
      assert.equal(res.status, 404, `/${path}`);
      await res.body?.cancel();
    }
    const bad = await call("noop", "jobs-secret-0123456789", JSON.stringify({ limit: -1 }));
    assert.equal(bad.status, 422);
    assert.match((await bad.json()).message, /limit/);
    const [after] = await sql`select count(*)::int as n from private.job_runs where job = 'noop'`;
    assert.equal(after?.n, before?.n, "refused calls write no run");
    const ok = await call(
      "noop?wait=true",
      "jobs-secret-0123456789",
      JSON.stringify({ scheduled_at: new Date().toISOString() }),
    );
    assert.equal(ok.status, 200);
    assert.equal((await ok.json()).claimed, 1);
    await sql`delete from private.job_runs where job = 'noop'`;
  } finally {
    await sql.end();
  }
});

Deno.test("the jobs route: the body's limit can lower a job's batch, never raise it", async () => {
  const sql = createDb(testDbUrl(), { max: 2 });
  const limits: number[] = [];
  const handler = createJobsHandler({
    sql,
    runtime: createRuntime(),
    secret: "jobs-secret-0123456789",
    jobs: {
      probe: {
        batch: 200,
        run: (limit) => {
          limits.push(limit);
          return Promise.resolve({ claimed: 0, done: 0, failed: 0, remaining: 0 });
        },
      },
    },
  });
  const call = (body: unknown) =>
    handler(
      new Request("http://local/functions/v1/jobs/probe?wait=true", {
        method: "POST",
        body: JSON.stringify(body),
        headers: { "x-jobs-secret": "jobs-secret-0123456789" },
      }),
    );
  try {
    for (const body of [{ limit: 5000 }, { limit: 201 }, { limit: 50 }, {}]) {
      assert.equal((await call(body)).status, 200);
    }
    assert.deepEqual(limits, [200, 200, 50, 200]);
  } finally {
    await sql`delete from private.job_runs where job = 'probe'`;
    await sql.end();
  }
});
