// The plans of the hot queries over 10 M rows in each table that only grows (scripts/bench/plans.sql seeds them):
// every statement the real entry points run (the SQL functions as the backend calls them, and the portal's reads as
// PostgREST runs them), captured by auto_explain as `explain (analyze, buffers, format text)` would print it,
// nested statements included. Each call runs in a transaction that is rolled back, so none changes the data the
// next one reads. Prints one line per captured plan that reads one of the big tables:
//   <label>|<query, first words>|<top node>|<scans of the big tables>|<ms>|<index|SEQ>
// and writes every plan in full to the file given as the second argument.
import postgres from "npm:postgres@3.4.9";

const dbUrl = Deno.args[0]!;
const outFile = Deno.args[1]!;
const now = Deno.args[2] ?? "2026-12-01 12:00:00+00";
const player = 7;

/** bench.player_id(n) (scripts/bench/bench.sql); the plan players' chats are 7e9 + n (plans.sql). */
const playerId = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
const chatId = (n: number) => 7_000_000_000 + n;
const bigTables = [
  "score_history",
  "messages",
  "llm_calls",
  "telegram_updates",
  "outbox",
  "conversations",
  "conversation_jobs",
  "daily_summaries",
];

type Tx = postgres.TransactionSql;
interface HotQuery {
  label: string;
  /** Statements run before the captured ones, in the same transaction, not reported; what it returns goes to run. */
  setup?: (tx: Tx) => Promise<unknown>;
  run: (tx: Tx, prepared: unknown) => Promise<unknown>;
}

interface Claim {
  update_id: string;
  claim_token: string;
}

const id = playerId(player);
const claims = JSON.stringify({ sub: id, role: "authenticated", aud: "authenticated", app_metadata: {} });
const analysis = {
  deltas: { intimacy: 2, passion: 1, trust: 1, secureness: 0 },
  behaviors: [],
  repair: { attempted: false, quality: null },
  vice_signals: [],
  language: { needy: 0, distracted: 0 },
  confidence: 0.9,
};

/** Thrown to end a hot query's transaction with a rollback. */
class RollBack extends Error {}

const notices: string[] = [];
const sql = postgres(dbUrl, {
  max: 1,
  onnotice: (n) => void notices.push(String(n.message)),
  connection: { application_name: "nikita-bench-plans" },
});
const [batch] = await sql<{ rows: number }[]>`
  select value::int as rows from game.tunables where name = 'retention_batch_rows'`;
const batchRows = batch?.rows ?? 10_000;

const hotQueries: HotQuery[] = [
  {
    label: "portal 30-day history (RLS)",
    setup: (tx) =>
      tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${claims}, true)`,
    run: (tx) =>
      tx`select id, score, chapter, event_type, event_details, conversation_id, recorded_at from public.score_history
         where user_id = ${id} and recorded_at >= ${now}::timestamptz - interval '30 days' order by recorded_at`,
  },
  {
    label: "portal conversation list (RLS)",
    setup: (tx) =>
      tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${claims}, true)`,
    run: (tx) => tx`select * from public.conversation_list where user_id = ${id} order by started_at desc limit 20`,
  },
  {
    label: "turn: game.begin_turn",
    run: (tx) => tx`select game.begin_turn(${id}, 9000000001, 'hey you, how was the meeting', ${now})`,
  },
  {
    label: "exchange: game.apply_exchange",
    run: (tx) =>
      tx`select game.apply_exchange(${id}, ${tx.json(analysis)}, ${now}, 'telegram',
           (select c.id from public.conversations c where c.user_id = ${id} and c.status = 'open'), 0.1)`,
  },
  { label: "reply delay: game.reply_delay", run: (tx) => tx`select game.reply_delay(${id}, ${now}, 0.1)` },
  {
    label: "drain: private.claim_inbox",
    run: (tx) => tx`select update_id from private.claim_inbox(${chatId(player)}, ${now})`,
  },
  {
    label: "drain failed: private.fail_inbox",
    setup: async (tx) => {
      const [claim] = await tx<Claim[]>`
        select update_id, claim_token from private.claim_inbox(${chatId(player)}, ${now})`;
      if (!claim) throw new Error(`chat ${chatId(player)} has no open update to claim`);
      return claim;
    },
    run: (tx, claim) => {
      const { update_id, claim_token } = claim as Claim;
      return tx`select private.fail_inbox(${update_id}, ${claim_token}, 'provider down', true, ${now})`;
    },
  },
  { label: "sweeper: private.inbox_chats_due", run: (tx) => tx`select * from private.inbox_chats_due(${now}, 20)` },
  { label: "deliver: private.claim_outbox", run: (tx) => tx`select id from private.claim_outbox(${now}, 200)` },
  { label: "deliver: private.outbox_outlook", run: (tx) => tx`select * from private.outbox_outlook(${now})` },
  {
    label: "pipeline: game.conversation_for_pipeline",
    run: (tx) => tx`select game.conversation_for_pipeline(bench.conversation_id(${player}, 10))`,
  },
  {
    label: "daily: game.due_daily_summaries",
    run: (tx) => tx`select * from game.due_daily_summaries(${now}, 25)`,
  },
  {
    label: "daily: game.daily_summary_numbers",
    run: (tx) =>
      tx`select game.daily_summary_numbers(${id}, date_trunc('day', ${now}::timestamptz) - interval '1 day',
           date_trunc('day', ${now}::timestamptz))`,
  },
  { label: "psyche: game.psyche_context", run: (tx) => tx`select game.psyche_context(${id}, ${now})` },
  {
    label: "ledger: private.llm_costs, one day",
    run: (tx) => tx`select * from private.llm_costs((${now}::date - 1), ${now}::date)`,
  },
  ...floors(batchRows),
  {
    // One batch of each delete: each statement's plan once, over the full tables.
    label: "retention: game.apply_retention",
    setup: (tx) => tx`update game.tunables set value = '1' where name = 'retention_max_batches'`,
    run: (tx) => tx`select game.apply_retention(${now})`,
  },
];

/** The floor of each retention batch: deleting the same number of rows (retention_batch_rows) of the table by its
 * primary key, the oldest ids, with nothing to decide; foreign-key actions on the table run in both. */
function floors(batchRows: number): HotQuery[] {
  const tables: [string, string][] = [
    ["public.score_history", "id"],
    ["public.messages", "id"],
    ["private.llm_calls", "id"],
    ["private.telegram_updates", "update_id"],
    ["private.outbox", "id"],
  ];
  return tables.map(([table, key]) => ({
    label: `floor: delete a batch of ${table}`,
    run: (tx: Tx) =>
      // The limit a literal, as in retention's own statements (a parameter there), so the planner knows the count.
      tx.unsafe(`with d as materialized (select ${key} from ${table} order by ${key} limit ${batchRows}),
        gone as (delete from ${table} t using d where t.${key} = d.${key} returning t.${key})
        select count(*) from gone`),
  }));
}

interface Plan {
  label: string;
  query: string;
  top: string;
  scans: string[];
  seq: string[];
  ms: string;
  text: string;
  deletes: { table: string; rows: number }[];
}

function parsePlan(label: string, message: string): Plan | null {
  const m = message.match(/^duration: ([\d.]+) ms\s+plan:\n([\s\S]*)$/);
  if (!m) return null;
  const [, ms, body] = m as unknown as [string, string, string];
  const lines = body.split("\n");
  const planStart = lines.findIndex((l) => /\(cost=/.test(l));
  const query = lines.slice(0, Math.max(planStart, 1)).join(" ").replace(/^Query Text:\s*/, "").replace(/\s+/g, " ")
    .trim();
  const planLines = planStart >= 0 ? lines.slice(planStart) : [];
  const top = (planLines[0] ?? "").replace(/\s*\(cost=.*$/, "").replace(/^\s*(->\s*)?/, "").trim();
  const big = (rel: string) => bigTables.includes(rel.replace(/^\w+\./, ""));
  const scans: string[] = [];
  const seq: string[] = [];
  for (const line of planLines) {
    const idx = line.match(/(Index Only Scan|Index Scan)(?: Backward)? using (\S+) on (\S+)/);
    if (idx) {
      if (big(idx[3]!)) scans.push(idx[2]!);
      continue;
    }
    // A bitmap index scan names only its index; the indexes here are named after their table.
    const bitmap = line.match(/Bitmap Index Scan on (\S+)/);
    if (bitmap) {
      if (bigTables.some((t) => bitmap[1]!.startsWith(t + "_"))) scans.push(`bitmap ${bitmap[1]}`);
      continue;
    }
    const s = line.match(/Seq Scan on (\S+)/);
    if (s && big(s[1]!)) seq.push(s[1]!);
  }
  const touchesBig = scans.length > 0 || seq.length > 0 || bigTables.some((t) => new RegExp(`\\b${t}\\b`).test(query));
  if (!touchesBig) return null;
  // What each delete of the statement removed, by table (a retention batch beside its floor).
  const deletes = [...body.matchAll(/Delete on (\w+)[^\n]*actual time=[\d.]+\.\.[\d.]+ rows=(\d+)/g)]
    .map((d) => ({ table: d[1]!, rows: Number(d[2]) }));
  return { label, query, top, scans, seq, ms, text: body, deletes };
}

const plans: Plan[] = [];
const full: string[] = [];

// auto_explain prints each plan as a notice to this session: what `explain (analyze, buffers, format text)` prints,
// for every statement, nested ones included (the settings are the superuser's, so set before any role switch).
await sql`load 'auto_explain'`;
for (const setting of ["log_analyze", "log_buffers", "log_nested_statements"]) {
  await sql`select set_config(${"auto_explain." + setting}, 'on', false)`;
}
await sql`select set_config('auto_explain.log_format', 'text', false), set_config('auto_explain.log_level', 'notice', false)`;

for (const q of hotQueries) {
  try {
    await sql.begin(async (tx) => {
      await tx`select set_config('auto_explain.log_min_duration', '0', true)`;
      const prepared = q.setup ? await q.setup(tx) : undefined;
      // A statement's own plan comes when its portal closes, with the next statement: one more statement flushes it.
      await tx`select 'flush'`;
      notices.length = 0;
      await q.run(tx, prepared);
      await tx`select 'flush'`;
      for (const message of notices) {
        const plan = parsePlan(q.label, message);
        if (!plan) continue;
        plans.push(plan);
        full.push(`=== ${q.label} (${plan.ms} ms)\n${plan.text}`);
      }
      throw new RollBack();
    });
  } catch (error) {
    if (!(error instanceof RollBack)) {
      console.error(`${q.label}: ${error}`);
      console.log(`${q.label}|ERROR ${String(error).slice(0, 80)}||||ERROR`);
    }
  }
}
await sql.end();
await Deno.writeTextFile(outFile, full.join("\n\n") + "\n");

// One line per statement of a hot query: a statement run many times (a foreign key's action per deleted row, a
// loop) once, with its count and total time.
const lines = new Map<string, { plan: Plan; count: number; ms: number }>();
for (const p of plans) {
  // The bench's own call of a function shows nothing; the nested statements are what the function ran.
  const ownCall = /^select (\* from |\w+ from )?(game|private)\.\w+\(/i.test(p.query);
  if (ownCall && p.scans.length === 0 && p.seq.length === 0) continue;
  const key = `${p.label}\u0000${p.query}`;
  const line = lines.get(key);
  if (line) {
    line.count++;
    line.ms += Number(p.ms);
  } else lines.set(key, { plan: p, count: 1, ms: Number(p.ms) });
}
for (const { plan: p, count, ms } of lines.values()) {
  const verdict = p.seq.length > 0 ? `SEQ ${[...new Set(p.seq)].join(",")}` : p.scans.length > 0 ? "index" : "no read";
  const access = [...new Set(p.scans)].join(", ") || "-";
  const query = (count > 1 ? `${count}x ` : "") + p.query;
  console.log([p.label, query.slice(0, 70), p.top, access, ms.toFixed(3), verdict].join("|"));
}

// Each table's largest retention batch beside its floor: "batch|<retention or floor>|<table>|<rows>|<ms>".
const batches = new Map<string, { rows: number; ms: number }>();
for (const p of plans) {
  const kind = p.label.startsWith("floor:") ? "floor" : p.label.startsWith("retention:") ? "retention" : null;
  if (!kind) continue;
  for (const d of p.deletes) {
    const key = `${kind}|${d.table}`;
    if ((batches.get(key)?.rows ?? -1) < d.rows) batches.set(key, { rows: d.rows, ms: Number(p.ms) });
  }
}
for (const [key, { rows, ms }] of batches) console.log(`batch|${key}|${rows}|${ms.toFixed(3)}`);
