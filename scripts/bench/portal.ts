// The portal read budget (DESIGN.md: one player's stats and 30-day history p95 <= 5 ms with 10 M history rows, under
// RLS, and <= 1.2x the same queries as service_role): the two reads of the README's typed client example, each one
// transaction as PostgREST runs it (role and request.jwt.claims set, then the query; tests/support/portal_reads.ts),
// for random players of the first `players`, over one prepared connection, timed from this client. Each sample runs
// the player's reads under RLS and as service_role in a random order, after an untimed warm-up pass.
// Prints one line per measure: "<label> <n> <p50 ms> <p95 ms> <p99 ms> <rows per history read>".
import { createDb } from "../../functions/_shared/platform/db.ts";
import { asRequest, playerClaims, readHistory, readStats } from "../../tests/support/portal_reads.ts";

const dbUrl = Deno.args[0]!;
const players = Number(Deno.args[1] ?? 20_000);
const samples = Number(Deno.args[2] ?? 1_000);
const now = new Date(Deno.args[3] ?? Date.now());
const since = new Date(now.getTime() - 30 * 86_400_000);
const sql = createDb(dbUrl, { max: 1, applicationName: "nikita-bench-portal" });

/** bench.player_id(n) (scripts/bench/bench.sql). */
const playerId = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;

type Mode = "rls" | "service";
const claimsFor = (mode: Mode, id: string) => mode === "rls" ? playerClaims(id) : { role: "service_role" };
const times: Record<string, number[]> = {};
let historyRows = 0;
let reads = 0;

async function timed(label: string, work: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await work();
  const ms = performance.now() - t0;
  (times[label] ??= []).push(ms);
  return ms;
}

async function sample(mode: Mode, record: boolean): Promise<void> {
  const id = playerId(1 + Math.floor(Math.random() * players));
  const stats = () => asRequest(sql, claimsFor(mode, id), (tx) => readStats(tx, id));
  const history = () =>
    asRequest(sql, claimsFor(mode, id), async (tx) => {
      const rows = await readHistory(tx, id, since);
      if (record && mode === "rls") {
        historyRows += rows.length;
        reads++;
      }
    });
  if (!record) {
    await stats();
    await history();
    return;
  }
  const a = await timed(`stats_${mode}`, stats);
  const b = await timed(`history_${mode}`, history);
  (times[`both_${mode}`] ??= []).push(a + b);
}

// The reads must run under RLS, or the comparison means nothing: player 1 sees their own row and not player 2's.
const [own, other] = await asRequest(sql, playerClaims(playerId(1)), async (tx) => [
  await readStats(tx, playerId(1)),
  await readStats(tx, playerId(2)),
]);
if (!own || other) throw new Error("the portal reads are not running under RLS");

for (let i = 0; i < Math.min(200, samples); i++) await sample(i % 2 === 0 ? "rls" : "service", false);
for (let i = 0; i < samples; i++) {
  const order: Mode[] = Math.random() < 0.5 ? ["rls", "service"] : ["service", "rls"];
  for (const mode of order) await sample(mode, true);
}
await sql.end();

function percentiles(values: number[]): [number, number, number] {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * p) - 1))] ?? 0;
  return [at(0.5), at(0.95), at(0.99)];
}
const perRead = reads > 0 ? Math.round(historyRows / reads) : 0;
for (const label of ["both_rls", "both_service", "stats_rls", "stats_service", "history_rls", "history_service"]) {
  const [p50, p95, p99] = percentiles(times[label] ?? []);
  console.log(
    `${label} ${(times[label] ?? []).length} ${p50.toFixed(2)} ${p95.toFixed(2)} ${p99.toFixed(2)} ${perRead}`,
  );
}
