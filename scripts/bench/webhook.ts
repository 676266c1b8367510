// Webhook acknowledgement under load, beside its floor measured in the same run (DESIGN.md budget: p99 <= 1.5x a bare
// insert into the inbox at 100 and 500 requests/s).
// - The handler: the deployed acknowledgement (request id, secret check, zod, the durable inbox insert) over the
//   acknowledgements' own pool (createAckDb, as deployed), scheduling its after-response work as deployed
//   (afterResponse); the work itself (the chat's drain) is a no-op here: processing is not on the acknowledgement's
//   path, and the turns bench measures the two together.
// - The floor: a server on the same runtime that only stores the update (the same row in the same table, over a pool
//   built the same way), with no secret check, no validation and no request id.
// Each serves at the same path from a process of its own (this script with --serve), so neither's garbage or CPU
// lands on the other; the load (the same updates, so the same body size) comes from a third (webhook_load.ts), as
// Telegram's does, so no timing is taken on an event loop being measured. Per rate one even stream alternates between
// the two every SLICE_SECONDS (floor, handler, floor, ..., floor; `seconds` of handler slices in all): a stall of this
// shared machine (a neighbour's burst of disk writes holds every commit for tens of milliseconds) then meets both
// alike, where whole rounds a few seconds apart compare the stalls, not the code. The floor counts the faster (by p99)
// of its slices before each handler slice and its slices after, each as many as the handler's: the interleaved form
// of "floor, handler, floor again, the faster floor", which never flatters the handler.
// Prints one line per rate: "<rate> <requests> <p50 ms> <p99 ms> <floor p50 ms> <floor p99 ms> <errors>".
import { createAckDb } from "../../functions/_shared/app.ts";
import type { Sql } from "../../functions/_shared/platform/db.ts";
import { withRequestId } from "../../functions/_shared/platform/log.ts";
import { afterResponse, createRuntime } from "../../functions/_shared/platform/runtime.ts";
import { createWebhookHandler } from "../../functions/_shared/telegram/webhook.ts";

const secret = "bench-webhook-secret";
/** A slice: 25 posts at 500/s, 5 at 100/s; shorter than the stalls it evens out. */
const SLICE_SECONDS = 0.05;

/** The floor's one statement: the row the acknowledgement stores, from the body as it came. */
function bareInsert(sql: Sql) {
  return async (req: Request): Promise<Response> => {
    const body = await req.text();
    const update = JSON.parse(body) as { update_id: number; message: { chat: { id: number } } };
    await sql`
      insert into private.telegram_updates (update_id, chat_id, kind, payload, status, lease_until)
      values (${update.update_id}, ${update.message.chat.id}, 'text', (${body}::text)::jsonb, 'pending',
              now() + make_interval(secs => 30))
      on conflict (update_id) do nothing
      returning update_id`;
    return new Response(null, { status: 200 });
  };
}

/** --serve <handler|floor> <db url>: serves one of the two, prints its URL, stops when stdin closes. */
async function serveOne(kind: string, dbUrl: string): Promise<void> {
  const sql = createAckDb(dbUrl);
  const runtime = createRuntime();
  const handler = kind === "floor"
    ? bareInsert(sql)
    : withRequestId(createWebhookHandler({ sql, secret, afterAck: () => afterResponse(runtime, async () => {}) }));
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, handler);
  console.log(`http://127.0.0.1:${server.addr.port}/`);
  await Deno.stdin.readable.pipeTo(new WritableStream());
  await server.shutdown();
  await runtime.settle();
  await sql.end();
}

/** A server process of the given kind, up and listening. */
async function spawnServer(kind: string, dbUrl: string) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", new URL(import.meta.url).pathname, "--serve", kind, dbUrl],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const { value } = await child.stdout.getReader().read();
  const url = new TextDecoder().decode(value).trim();
  if (!url.startsWith("http")) throw new Error(`the ${kind} server did not start`);
  return {
    url,
    stop: async () => {
      await child.stdin.close();
      await child.status;
    },
  };
}

type Slice = { latencies: number[]; errors: number };

/** One rate's slices, floor first, from the load process. */
async function measure(rate: number, seconds: number, idBase: number, floorUrl: string, handlerUrl: string) {
  const rounds = Math.max(1, Math.round(seconds / SLICE_SECONDS));
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      new URL("./webhook_load.ts", import.meta.url).pathname,
      String(rate),
      String(SLICE_SECONDS),
      String(2 * rounds + 1),
      String(idBase),
      secret,
      floorUrl,
      handlerUrl,
    ],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error(`the load process failed at ${rate}/s`);
  return (JSON.parse(new TextDecoder().decode(out.stdout)) as { slices: Slice[] }).slices;
}

const sorted = (slices: Slice[]) => slices.flatMap((s) => s.latencies).sort((a, b) => a - b);
const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? NaN;
const errorsOf = (slices: Slice[]) => slices.reduce((n, s) => n + s.errors, 0);

async function main(dbUrl: string, seconds: number, rates: number[]): Promise<void> {
  // update_ids of this bench's rows (deleted at the end); each rate takes a block of its own.
  const idBase = 10_000_000;
  const [floor, handler] = await Promise.all([spawnServer("floor", dbUrl), spawnServer("handler", dbUrl)]);
  try {
    for (const [i, rate] of rates.entries()) {
      const slices = await measure(rate, seconds, idBase + 1_000_000 * i, floor.url, handler.url);
      const floors = slices.filter((_, s) => s % 2 === 0);
      const acks = slices.filter((_, s) => s % 2 === 1);
      const ackMs = sorted(acks);
      const before = sorted(floors.slice(0, -1));
      const after = sorted(floors.slice(1));
      const floorMs = pct(after, 0.99) < pct(before, 0.99) ? after : before;
      console.log([
        rate,
        ackMs.length + errorsOf(acks),
        pct(ackMs, 0.5).toFixed(2),
        pct(ackMs, 0.99).toFixed(2),
        pct(floorMs, 0.5).toFixed(2),
        pct(floorMs, 0.99).toFixed(2),
        errorsOf(slices),
      ].join(" "));
    }
  } finally {
    await Promise.all([floor.stop(), handler.stop()]);
    const sql = createAckDb(dbUrl);
    await sql`delete from private.telegram_updates where update_id >= ${idBase}`;
    await sql.end();
  }
}

if (Deno.args[0] === "--serve") await serveOne(Deno.args[1]!, Deno.args[2]!);
else await main(Deno.args[0]!, Number(Deno.args[1] ?? 5), (Deno.args[2] ?? "100,500").split(",").map(Number));
