// Delivery rate (DESIGN.md: >= 20 messages/s across chats in one run, <= 25/s, >= 1 s between two messages to one
// chat): one deliver run, as the deliver job runs it (batch 200, 25/s, typing shown), over due outbox rows against
// the fake Bot API started in-process; the figures are read from the fake's recorded call times.
// Prints one line per case: "<case> <messages> <seconds> <messages/s> <busiest second> <closest gap s|-> <errors>".
import { Api } from "npm:grammy@1.46.0";
import { deliver } from "../../functions/_shared/outbox/deliver.ts";
import { CHAT_ACTION_MS, telegramSender } from "../../functions/_shared/outbox/senders/telegram.ts";
import { createDb } from "../../functions/_shared/platform/db.ts";
import { type BotCall, startFakeTelegram } from "../../tests/fakes/telegram.ts";

const dbUrl = Deno.args[0]!;
const sql = createDb(dbUrl);
const telegram = startFakeTelegram();
const api = new Api("123456:BENCH", { apiRoot: telegram.url });
const firstChat = 7_000_000_000;

interface Case {
  label: string;
  chats: number;
  rowsPerChat: number;
  /** The reply delay of row i (due_at - created_at), which sets its typing: min(delay, 5 s). */
  delayMs: (i: number) => number;
}

const cases: Case[] = [
  // Her replies, due now, queued 0-10 s ago: typing of 0-5 s before each, overlapping across chats.
  { label: "500-chats-x-1", chats: 500, rowsPerChat: 1, delayMs: (i) => (i * 37) % 10_000 },
  // A message in three parts per chat (due 1 s apart, like a split reply): the 1 s per-chat gap binds.
  { label: "50-chats-x-3", chats: 50, rowsPerChat: 3, delayMs: () => 0 },
];

/** The most calls in any one second [t, t + 1000). */
function busiestSecond(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[j]! <= sorted[i]! - 1000) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

/** The smallest gap between two consecutive messages to one chat, in ms; null if no chat got two. */
function closestGap(calls: BotCall[]): number | null {
  const byChat = new Map<number, number[]>();
  for (const c of calls) byChat.set(Number(c.body.chat_id), [...(byChat.get(Number(c.body.chat_id)) ?? []), c.at]);
  let closest: number | null = null;
  for (const times of byChat.values()) {
    for (let i = 1; i < times.length; i++) closest = Math.min(closest ?? Infinity, times[i]! - times[i - 1]!);
  }
  return closest;
}

let chat = firstChat;
for (const c of cases) {
  const prefix = `bench-deliver-${c.label}`;
  await sql`delete from private.outbox where dedupe_key like ${prefix + ":%"}`;
  const now = Date.now();
  const rows = [];
  for (let k = 0; k < c.chats; k++, chat++) {
    for (let p = 0; p < c.rowsPerChat; p++) {
      const due = new Date(now - 1000 + p);
      rows.push({
        dedupe_key: `${prefix}:${k}:${p}`,
        chat_id: chat,
        channel: "telegram",
        kind: "reply",
        text: `${c.label} ${k}.${p}`,
        due_at: due,
        created_at: new Date(due.getTime() - c.delayMs(rows.length)),
      });
    }
  }
  await sql`insert into private.outbox ${sql(rows)}`;
  await sql`vacuum analyze private.outbox`;
  telegram.calls.length = 0;

  const started = Date.now();
  const result = await deliver({
    sql,
    now: () => new Date(),
    senders: { telegram: telegramSender(api, { typingMs: CHAT_ACTION_MS }) },
  }, { limit: 200 });
  const messages = telegram.calls.filter((m) => m.method === "sendMessage");
  const seconds = (Math.max(...messages.map((m) => m.at)) - started) / 1000;
  const distinct = new Set(messages.map((m) => String(m.body.text))).size;
  const errors = (rows.length - distinct) + (messages.length - distinct) + result.failed + (result.remaining ?? 0);
  const gap = closestGap(messages);
  console.log([
    c.label,
    messages.length,
    seconds.toFixed(2),
    (messages.length / seconds).toFixed(1),
    busiestSecond(messages.map((m) => m.at)),
    gap === null ? "-" : (gap / 1000).toFixed(2),
    errors,
  ].join(" "));
  await sql`delete from private.outbox where dedupe_key like ${prefix + ":%"}`;
}

await telegram.close();
await sql.end();
