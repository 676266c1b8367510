// Turns under a slow model (PLATFORM.md §2.2; DESIGN.md budgets): the deployed webhook handler, built by the wiring
// module with the functions' default pool, behind a local HTTP server, with a fake model answering every call in
// 2 s. First the floor: the same number of posts to a server that does nothing but the inbox insert. Then 100 chats
// each send one message within one second, three times over; the bench times each acknowledgement and how long until
// every chat's reply has been queued and delivered (each player wrote a minute earlier, so her reply is due at once;
// the slowest of the three rounds is printed).
// Prints one line: "<chats> <ack p50> <ack p99> <floor p50> <floor p99> <all queued s> <all sent s> <errors>
// <server CPU ms per turn>".
import { createApp, telegramWebhookHandler } from "../../functions/_shared/app.ts";
import { gatewayEnvSchema } from "../../functions/_shared/config.ts";
import { createDb } from "../../functions/_shared/platform/db.ts";
import { parseEnv } from "../../functions/_shared/platform/env.ts";
import { setLogLevel } from "../../functions/_shared/platform/log.ts";
import { storeUpdate } from "../../functions/_shared/telegram/webhook.ts";

const dbUrl = Deno.args[0]!;
const chats = Number(Deno.args[1] ?? 100);
const modelMs = Number(Deno.args[2] ?? 2000);
const secret = "bench-webhook-secret";
const firstChat = 7_000_000;
// The burst is repeated (the players go on with their conversations), so the p99s rest on more than 100 samples.
const ROUNDS = 3;

// The fakes run in a process of their own, so their work is not on the webhook's event loop.
const fakes = new Deno.Command(Deno.execPath(), {
  args: [
    "run",
    "--allow-all",
    new URL("./fakes.ts", import.meta.url).pathname,
    String(modelMs),
    String(chats * 4 * ROUNDS),
  ],
  stdout: "piped",
  stderr: "null",
}).spawn();
const firstLine = await new Response(fakes.stdout).body!.getReader().read();
const urls = JSON.parse(new TextDecoder().decode(firstLine.value).split("\n")[0]!) as {
  anthropic: string;
  openai: string;
  telegram: string;
};
const anthropic = { url: urls.anthropic };
const telegram = { url: urls.telegram };
const env = parseEnv(gatewayEnvSchema, {
  SUPABASE_DB_URL: dbUrl,
  SUPABASE_URL: telegram.url,
  SUPABASE_ANON_KEY: "bench",
  TELEGRAM_BOT_TOKEN: "123456:BENCH-token",
  TELEGRAM_BOT_USERNAME: "nikita_bench_bot",
  TELEGRAM_WEBHOOK_SECRET: secret,
  TELEGRAM_API_ROOT: telegram.url,
  LLM_MODE: "live",
  ANTHROPIC_API_KEY: "bench",
  ANTHROPIC_BASE_URL: anthropic.url,
  // Live mode needs an embeddings key; a turn makes no embeddings call.
  OPENAI_API_KEY: "bench",
  OPENAI_BASE_URL: urls.openai,
  LLM_MAX_RETRIES: "0",
  JOBS_SECRET: "bench-jobs-secret-0123456789",
  ENVIRONMENT: "test",
  LOG_LEVEL: "error",
});
setLogLevel("error");
const fixtures = createDb(dbUrl, { max: 4 });

// The players, onboarded, each with a message a minute ago (so the bench's message continues a conversation).
const now = new Date();
await fixtures`select bench.turn_players(${firstChat}, ${chats}, ${now})`;

/** Fires the load from a process of its own, so the timing is not taken on the server's event loop. */
async function fire(url: string, idBase: number): Promise<{ latencies: number[]; errors: number }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      new URL("./fire.ts", import.meta.url).pathname,
      url,
      String(chats),
      String(firstChat),
      String(idBase),
      secret,
    ],
    stdout: "piped",
    stderr: "null",
  }).output();
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? NaN;

// The floor: a server that does only the acknowledgement's write (the same transaction, as service_role), over a
// pool of the same size as the webhook's.
const floorSql = createDb(dbUrl, { max: 2, serviceRoleSessions: true });
const floorServer = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
  const body = await req.text();
  const update = JSON.parse(body) as { update_id: number; message?: { chat: { id: number } } };
  await storeUpdate(
    floorSql,
    { updateId: update.update_id, chatId: update.message?.chat.id ?? null, kind: "text" },
    body,
    "ignored",
    30,
  );
  return new Response(null, { status: 200 });
});
await fire(`http://127.0.0.1:${floorServer.addr.port}/`, 40_000_000); // warm-up
const floor = { latencies: [] as number[], errors: 0 };
for (let round = 0; round < ROUNDS; round++) {
  const r = await fire(`http://127.0.0.1:${floorServer.addr.port}/`, 41_000_000 + round * 100_000);
  floor.latencies.push(...r.latencies);
  floor.errors += r.errors;
}
floor.latencies.sort((a, b) => a - b);
await floorServer.shutdown();

// The deployed path: the webhook, its drain after the acknowledgement, the models, the reply delivered.
const app = createApp(env);
const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, telegramWebhookHandler(app, env));
// Warm-up of the webhook's pool and code with updates of a kind that is stored and ignored (no turn follows).
await Promise.all(Array.from({ length: 20 }, (_, i) =>
  fetch(`http://127.0.0.1:${server.addr.port}/`, {
    method: "POST",
    body: JSON.stringify({ update_id: 43_000_000 + i, edited_message: {} }),
    headers: { "x-telegram-bot-api-secret-token": secret },
  }).then((r) => r.body?.cancel())));
// The server process's CPU time (user + system, ms) from /proc: what one turn costs the event loop.
const cpu = () => {
  const f = Deno.readTextFileSync("/proc/self/stat").split(") ")[1]!.split(" ");
  return (Number(f[11]) + Number(f[12])) * 10;
};
const cpu0 = cpu();
const acks = { latencies: [] as number[], errors: 0 };
let queuedAt = 0;
let sentAt = 0;
for (let round = 0; round < ROUNDS; round++) {
  const idBase = 42_000_000 + round * 100_000;
  const started = performance.now();
  const r = await fire(`http://127.0.0.1:${server.addr.port}/`, idBase);
  acks.latencies.push(...r.latencies);
  acks.errors += r.errors;
  let queued = NaN;
  let sent = NaN;
  for (let i = 0; i < 600 && Number.isNaN(sent); i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const [row] = await fixtures<{ queued: number; sent: number }[]>`
      select count(*)::int as queued, count(*) filter (where status = 'sent')::int as sent from private.outbox
      where dedupe_key between ${`reply:${idBase}`} and ${`reply:${idBase + chats}`}`;
    if (Number.isNaN(queued) && row!.queued >= chats) queued = (performance.now() - started) / 1000;
    if (row!.sent >= chats) sent = (performance.now() - started) / 1000;
  }
  queuedAt = Math.max(queuedAt, queued);
  sentAt = Math.max(sentAt, sent);
}
acks.latencies.sort((a, b) => a - b);
const cpuMs = cpu() - cpu0;
await server.shutdown();
await app.close();
console.log(
  [
    chats,
    pct(acks.latencies, 0.5).toFixed(2),
    pct(acks.latencies, 0.99).toFixed(2),
    pct(floor.latencies, 0.5).toFixed(2),
    pct(floor.latencies, 0.99).toFixed(2),
    queuedAt.toFixed(1),
    sentAt.toFixed(1),
    acks.errors + floor.errors,
    (cpuMs / (chats * ROUNDS)).toFixed(1),
  ].join(" "),
);
await fixtures`select bench.drop_turn_players(${firstChat}, ${chats})`;
await Promise.all([fixtures.end(), floorSql.end()]);
fakes.kill();
await fakes.status;
