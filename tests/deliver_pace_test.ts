// Delivery at Telegram's pace (PLATFORM.md §2.6, GAME_RULES.md §14.2), read from the fake Bot API's recorded call
// times: no second holds more than perSecond messages, two messages to one chat are a second apart, typing shows
// for min(delay, 5 s) before each message and no message goes before its due time, a 429 pauses the run, a run
// stops claiming at 60 % of its budget, and the turn worker's single-chat delivery waits for a reply due within
// its budget and no longer. Bounds, not speed targets: the rate is measured by `npm run bench`.
import assert from "node:assert/strict";
import { Api } from "npm:grammy@1.46.0";
import { jobsHandler } from "../functions/_shared/app.ts";
import { deliverChatUntil } from "../functions/_shared/outbox/chat.ts";
import { deliver, type DeliverDeps, typingLead } from "../functions/_shared/outbox/deliver.ts";
import { SendSchedule } from "../functions/_shared/outbox/pacing.ts";
import { CHAT_ACTION_MS, telegramSender } from "../functions/_shared/outbox/senders/telegram.ts";
import { createDb, type Sql } from "../functions/_shared/platform/db.ts";
import { type BotCall, type FakeTelegram, startFakeTelegram } from "./fakes/telegram.ts";
import { JOBS_SECRET, startHarness } from "./support/telegram_harness.ts";
import { testDbUrl } from "./support/test_db.ts";

const base = 920_000_000 + Math.floor(Math.random() * 1e7);
let chats = 0;
const newChat = () => base + chats++;

interface Fixture {
  sql: Sql;
  telegram: FakeTelegram;
  deps: (options?: { perSecond?: number }) => DeliverDeps;
  /** Queues a row due `dueInMs` from now whose delay (due_at - created_at) is `delayMs`; returns its due time. */
  queue(chatId: number, text: string, dueInMs: number, delayMs?: number): Promise<Date>;
  close(): Promise<void>;
}

function fixture(): Fixture {
  const sql = createDb(testDbUrl(), { max: 4 });
  const telegram = startFakeTelegram();
  const api = new Api("123456:TEST", { apiRoot: telegram.url });
  const keys: string[] = [];
  return {
    sql,
    telegram,
    deps: (options = {}) => ({
      sql,
      now: () => new Date(),
      senders: { telegram: telegramSender(api, { typingMs: CHAT_ACTION_MS }) },
      ...options,
    }),
    async queue(chatId, text, dueInMs, delayMs = 0) {
      const due = new Date(Date.now() + dueInMs);
      const key = `pace-${base}-${keys.length}`;
      keys.push(key);
      await sql`insert into private.outbox (dedupe_key, chat_id, kind, text, due_at, created_at)
                values (${key}, ${chatId}, 'reply', ${text}, ${due}, ${new Date(due.getTime() - delayMs)})`;
      return due;
    },
    async close() {
      await sql`delete from private.outbox where dedupe_key = any(${keys})`;
      await Promise.all([telegram.close(), sql.end()]);
    },
  };
}

const messages = (telegram: FakeTelegram, chatId?: number): BotCall[] =>
  telegram.calls.filter((c) =>
    c.method === "sendMessage" && (chatId === undefined || Number(c.body.chat_id) === chatId)
  );

/** The most calls in any one second [t, t + 1000) of the fake's clock. */
function busiestSecond(calls: BotCall[]): number {
  const times = calls.map((c) => c.at).sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[j]! <= times[i]! - 1000) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

/** The last typing action for a chat before a message to it. */
function typingBefore(telegram: FakeTelegram, message: BotCall): BotCall | undefined {
  return telegram.calls.filter((c) =>
    c.method === "sendChatAction" && c.body.chat_id === message.body.chat_id && c.at <= message.at &&
    telegram.calls.indexOf(c) < telegram.calls.indexOf(message)
  ).at(-1);
}

Deno.test("typing lasts min(delay, typing window, the sender's maximum), never less than nothing", () => {
  const at = (dueMs: number, createdMs: number) => ({ due_at: new Date(dueMs), created_at: new Date(createdMs) });
  assert.equal(typingLead(at(10_000, 7_000), 5000, 5000), 3000, "a 3 s reply delay: 3 s of typing");
  assert.equal(typingLead(at(10_000, 0), 5000, 5000), 5000, "a 10 s delay: the 5 s window");
  assert.equal(typingLead(at(10_000, 10_000), 5000, 5000), 0, "a command, due at once: none");
  assert.equal(typingLead(at(10_000, 10_050), 5000, 5000), 0, "queued just after its due time: none");
  assert.equal(typingLead(at(10_000, 0), 5000, 800), 800, "capped by the sender");
});

Deno.test("the send schedule: slots (1 s + guard) / perSecond apart, in order; a 429 moves every later slot", () => {
  const s = new SendSchedule(25);
  assert.equal(s.intervalMs, 42);
  assert.deepEqual([s.reserve(0), s.reserve(0), s.reserve(500), s.reserve(100)], [0, 42, 500, 542]);
  s.pause(3000);
  assert.equal(s.reserve(600), 3000, "nothing before the pause ends");
  assert.equal(s.reserve(0), 3042);
  assert.equal(s.pausedUntil, 3000);
});

Deno.test("no second of Telegram's clock holds more than perSecond messages (25 by default, or as configured)", async () => {
  const f = fixture();
  try {
    const first = Array.from({ length: 40 }, newChat);
    for (const c of first) await f.queue(c, `hello ${c}`, -1000);
    const r = await deliver(f.deps(), { limit: 200 });
    assert.deepEqual(r, { claimed: 40, sent: 40, failed: 0, remaining: 0 });
    const sent = messages(f.telegram);
    assert.equal(sent.length, 40);
    assert.ok(busiestSecond(sent) <= 25, `at most 25 in a second, saw ${busiestSecond(sent)}`);
    // A bound, so it binds: 40 messages at 25 a second take more than a second.
    assert.ok(sent.at(-1)!.at - sent[0]!.at >= 1000, "the run was paced");

    const slow = Array.from({ length: 15 }, newChat);
    for (const c of slow) await f.queue(c, `slow ${c}`, -1000);
    f.telegram.calls.length = 0;
    await deliver(f.deps({ perSecond: 10 }), { limit: 200 });
    assert.equal(messages(f.telegram).length, 15);
    assert.ok(busiestSecond(messages(f.telegram)) <= 10, `perSecond 10: saw ${busiestSecond(messages(f.telegram))}`);
  } finally {
    await f.close();
  }
});

Deno.test("one run sends a chat's three parts a second apart or more, passing over the queue again after each", async () => {
  const f = fixture();
  try {
    const [a, b] = [newChat(), newChat()];
    for (const c of [a, b]) for (let i = 1; i <= 3; i++) await f.queue(c, `part ${i}`, -1000 + i);
    const r = await deliver(f.deps(), { limit: 200 });
    assert.deepEqual(r, { claimed: 6, sent: 6, failed: 0, remaining: 0 });
    for (const c of [a, b]) {
      const sent = messages(f.telegram, c);
      assert.deepEqual(sent.map((m) => m.body.text), ["part 1", "part 2", "part 3"]);
      for (let i = 1; i < sent.length; i++) {
        assert.ok(sent[i]!.at - sent[i - 1]!.at >= 1000, `gap ${sent[i]!.at - sent[i - 1]!.at} ms in chat ${c}`);
      }
    }
  } finally {
    await f.close();
  }
});

Deno.test("typing precedes each message for its delay (at most 5 s) and no message goes before its due time", async () => {
  const f = fixture();
  try {
    const command = newChat();
    const reply = newChat();
    const late = newChat();
    const dues = new Map<number, { due: Date; lead: number }>();
    dues.set(command, { due: await f.queue(command, "a command", -200, 0), lead: 0 });
    dues.set(reply, { due: await f.queue(reply, "a reply due in 1.5 s", 1500, 1500), lead: 1500 });
    // Queued with a 2 s delay and found after its due time: still 2 s of typing first.
    dues.set(late, { due: await f.queue(late, "a late reply", -500, 2000), lead: 2000 });
    await deliver(f.deps(), { limit: 200 });
    for (const [chat, { due, lead }] of dues) {
      const [message] = messages(f.telegram, chat);
      assert.ok(message, `chat ${chat} got its message`);
      const typing = typingBefore(f.telegram, message);
      assert.ok(typing, `typing before the message to ${chat}`);
      assert.ok(message.at >= due.getTime(), `not before its due time (${message.at - due.getTime()} ms)`);
      assert.ok(message.at - typing.at >= lead - 20, `typing shown ${message.at - typing.at} ms of ${lead}`);
      assert.ok(message.at - typing.at <= lead + 500, `and not much longer: ${message.at - typing.at} ms`);
    }
  } finally {
    await f.close();
  }
});

Deno.test("a row due in 3 s is claimed now: typing at once, the message at its due time", async () => {
  const f = fixture();
  try {
    const chat = newChat();
    const started = Date.now();
    const due = await f.queue(chat, "three seconds", 3000, 3000);
    const r = await deliver(f.deps(), { limit: 200 });
    assert.equal(r.sent, 1);
    const [message] = messages(f.telegram, chat);
    const typing = typingBefore(f.telegram, message!);
    assert.ok(typing && typing.at - started < 500, "typing shows at once, within the typing window");
    assert.ok(message!.at >= due.getTime(), "not before its due time");
    assert.ok(message!.at - due.getTime() < 500, `sent at its due time (+${message!.at - due.getTime()} ms)`);
  } finally {
    await f.close();
  }
});

Deno.test("a 429 pauses the whole run for retry_after and costs no attempt; the rest go out after it", async () => {
  const f = fixture();
  try {
    const group = Array.from({ length: 4 }, newChat);
    for (const c of group) await f.queue(c, `to ${c}`, -1000);
    f.telegram.failNext("sendMessage", {
      error_code: 429,
      description: "Too Many Requests: retry after 2",
      parameters: { retry_after: 2 },
    });
    const started = Date.now();
    const r = await deliver(f.deps(), { limit: 200 });
    assert.equal(r.failed, 1, "the refused send");
    assert.equal(r.sent, 4, "every row, the refused one again after the pause");
    const sent = messages(f.telegram);
    assert.equal(sent.length, 4);
    for (const m of sent) assert.ok(m.at - started >= 2000, `nothing sent during the pause (+${m.at - started} ms)`);
    const rows = await f.sql<{ attempts: number; status: string }[]>`
      select attempts, status from private.outbox where chat_id = any(${group})`;
    assert.deepEqual(rows.map((x) => `${x.status}/${x.attempts}`), Array(4).fill("sent/0"));
  } finally {
    await f.close();
  }
});

Deno.test("a run stops claiming at 60 % of its budget and reports the rows still due", async () => {
  const f = fixture();
  try {
    const chat = newChat();
    for (let i = 1; i <= 3; i++) await f.queue(chat, `part ${i}`, -1000 + i);
    // Claims during 1.5 s: the first part at once, the second a second later, the third not.
    const r = await deliver(f.deps(), { limit: 200, budgetMs: 2500 });
    assert.deepEqual(r, { claimed: 2, sent: 2, failed: 0, remaining: 1 });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const once = await deliver(f.deps(), { limit: 200, budgetMs: 0 });
    assert.deepEqual(once, { claimed: 1, sent: 1, failed: 0, remaining: 0 }, "no budget: one pass");
  } finally {
    await f.close();
  }
});

Deno.test("while another run holds the deliver lease a run returns at once; a single-chat run is exempt", async () => {
  const f = fixture();
  try {
    const chat = newChat();
    await f.queue(chat, "held", -1000);
    await f.sql`select private.take_job_lease('deliver', 'another-run', 60, now())`;
    const started = performance.now();
    assert.deepEqual(await deliver(f.deps(), { limit: 200 }), { claimed: 0, sent: 0, failed: 0, remaining: null });
    assert.ok(performance.now() - started < 1000, "at once");
    assert.equal(messages(f.telegram).length, 0);
    const single = await deliver(f.deps(), { limit: 20, chatId: chat });
    assert.equal(single.sent, 1, "the turn worker's run needs no lease");
    const [lease] = await f.sql`select holder from private.job_leases where job = 'deliver'`;
    assert.equal(lease?.holder, "another-run", "and leaves the lease alone");
  } finally {
    await f.sql`delete from private.job_leases where job = 'deliver' and holder = 'another-run'`;
    await f.close();
  }
});

Deno.test("the deliver job reports claimed, done, failed and remaining, and does nothing while the lease is held", async () => {
  const h = startHarness();
  const handler = jobsHandler(h.app, { JOBS_SECRET });
  const run = async () => {
    const res = await handler(
      new Request("http://local/functions/v1/jobs/deliver?wait=true", {
        method: "POST",
        body: "{}",
        headers: { "x-jobs-secret": JOBS_SECRET },
      }),
    );
    assert.equal(res.status, 200);
    const body = await res.json();
    return { claimed: body.claimed, done: body.done, failed: body.failed, remaining: body.remaining };
  };
  const chat = newChat();
  const key = `pace-job-${base}`;
  try {
    await h.sql`insert into private.outbox (dedupe_key, chat_id, kind, text, due_at) values
      (${key + ":1"}, ${chat}, 'command', 'one', now() - interval '1 second'),
      (${key + ":2"}, ${chat + 1}, 'command', 'two', now() - interval '1 second')`;
    await h.sql`select private.take_job_lease('deliver', 'another-run', 60, now())`;
    assert.deepEqual(await run(), { claimed: 0, done: 0, failed: 0, remaining: null });
    await h.sql`delete from private.job_leases where job = 'deliver'`;
    assert.deepEqual(await run(), { claimed: 2, done: 2, failed: 0, remaining: 0 });
    assert.deepEqual([...h.telegram.sent(chat), ...h.telegram.sent(chat + 1)], ["one", "two"]);
  } finally {
    await h.sql`delete from private.job_leases where job = 'deliver' and holder = 'another-run'`;
    await h.sql`delete from private.outbox where dedupe_key like ${key + ":%"}`;
    await h.sql`delete from private.job_runs where job = 'deliver'`;
    await h.close();
  }
});

Deno.test("the turn worker's delivery sends a reply due 2 s later within its budget, then stops", async () => {
  const f = fixture();
  try {
    const chat = newChat();
    const started = Date.now();
    const due = await f.queue(chat, "there you are", 2000, 2000);
    await f.queue(chat, "much later", 30_000, 30_000);
    const r = await deliverChatUntil(f.deps(), chat, 4000);
    const took = Date.now() - started;
    assert.equal(r.sent, 1);
    const [message] = messages(f.telegram, chat);
    assert.equal(message?.body.text, "there you are");
    assert.ok(message!.at >= due.getTime(), "at its due time, not before");
    assert.ok(typingBefore(f.telegram, message!), "after typing");
    assert.ok(took < 3500, `it does not wait for a row due after its deadline (${took} ms)`);
    assert.equal(r.remaining, 0, "nothing of the chat is due yet");
  } finally {
    await f.close();
  }
});

Deno.test("the turn worker's delivery sleeps until a reply's typing window, and never past its deadline", async () => {
  const f = fixture();
  try {
    const chat = newChat();
    let started = Date.now();
    const due = await f.queue(chat, "after a while", 6000, 6000);
    await deliverChatUntil(f.deps(), chat, 8000);
    const [message] = messages(f.telegram, chat);
    assert.ok(message && message.at >= due.getTime(), "sent at its due time");
    const typing = typingBefore(f.telegram, message);
    assert.ok(typing && typing.at >= due.getTime() - 5000 - 20, "typing no earlier than 5 s before it");
    assert.ok(typing.at - started >= 900, `so the worker slept first (${typing.at - started} ms)`);

    const other = newChat();
    await f.queue(other, "after the deadline", 3000, 3000);
    started = Date.now();
    const r = await deliverChatUntil(f.deps(), other, 2000);
    assert.equal(r.sent, 0);
    assert.ok(
      Date.now() - started < 500,
      `a row due after the deadline is not waited for (${Date.now() - started} ms)`,
    );
    assert.equal(messages(f.telegram, other).length, 0);
  } finally {
    await f.close();
  }
});
