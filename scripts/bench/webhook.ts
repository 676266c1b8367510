// Webhook acknowledgement under load: the real handler (secret check, zod, durable inbox insert) behind a local
// HTTP server, driven at a fixed rate over loopback; processing after the ack is left out (it is not on the path).
// Prints one line per rate: "<rate> <requests> <p50 ms> <p99 ms> <errors>".
import { createDb } from "../../functions/_shared/platform/db.ts";
import { createWebhookHandler } from "../../functions/_shared/telegram/webhook.ts";

const dbUrl = Deno.args[0]!;
const seconds = Number(Deno.args[1] ?? 5);
const rates = (Deno.args[2] ?? "100,500").split(",").map(Number);
const secret = "bench-webhook-secret";
const sql = createDb(dbUrl, { max: 16 });
const handler = createWebhookHandler({ sql, secret, afterAck: () => {} });
const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, handler);
const url = `http://127.0.0.1:${server.addr.port}/`;
let updateId = 10_000_000;

async function one(): Promise<number> {
  const id = updateId++;
  const body = JSON.stringify({
    update_id: id,
    message: {
      message_id: id,
      date: 0,
      text: "hi",
      chat: { id: 5000 + (id % 1000), type: "private" },
      from: { id: 5000 + (id % 1000), is_bot: false, first_name: "B" },
    },
  });
  const t0 = performance.now();
  const res = await fetch(url, {
    method: "POST",
    body,
    headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": secret },
  });
  await res.body?.cancel();
  if (res.status !== 200) throw new Error(String(res.status));
  return performance.now() - t0;
}

// Warm-up (connections, JIT), not reported.
await Promise.all(Array.from({ length: 200 }, () => one().catch(() => 0)));

for (const rate of rates) {
  const latencies: number[] = [];
  let errors = 0;
  const inflight: Promise<void>[] = [];
  const total = rate * seconds;
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    inflight.push(one().then((ms) => void latencies.push(ms), () => void errors++));
  }
  await Promise.all(inflight);
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
  console.log(`${rate} ${total} ${pct(0.5).toFixed(2)} ${pct(0.99).toFixed(2)} ${errors}`);
}
await sql`delete from private.telegram_updates where update_id >= 10000000`;
await server.shutdown();
await sql.end();
