// The capacity generator (scripts/bench/capacity.ts) against a small figures.json (tests/support/bench_figures.json):
// the players it gives each compute size follow from the figures by the stated formula, scale with the costs and the
// cores as they must, and a figure the bench did not measure is reported as "not measured", never filled in.
import assert from "node:assert/strict";
import { ASSUMPTIONS } from "../scripts/bench/capacity/assumptions.ts";
import { type Figures, parseFigures } from "../scripts/bench/capacity/figures.ts";
import { gameRates, loadGameRates, parseTunables, runsPerDay } from "../scripts/bench/capacity/inputs.ts";
import { computeCapacity } from "../scripts/bench/capacity/model.ts";
import { NOT_MEASURED, renderCapacity } from "../scripts/bench/capacity/render.ts";
import { writeCapacity } from "../scripts/bench/capacity.ts";
import { PERSONA_TABLE, type PersonaName, PERSONAS } from "../scripts/simulate/personas.ts";

const root = new URL("../", import.meta.url);
const fixturePath = new URL("./support/bench_figures.json", import.meta.url);
const fixtureText = await Deno.readTextFile(fixturePath);
const fixture = () => parseFigures(fixtureText);
const rates = await loadGameRates(root, new Date("2026-12-01T12:00:00Z"));

function edit(f: Figures, key: string, change: (r: Figures["rows"][number]) => void): Figures {
  for (const r of f.rows) if (r.key === key) change(r);
  return f;
}

const playersOn = (f: Figures, size: string) =>
  computeCapacity(f, rates, ASSUMPTIONS).compute.find((c) => c.size.name === size)!.players;

/** The peak hour's database seconds per player, written out from the fixture's numbers and the model's formula. */
function expectedPeak(o: { ack: number; turn: number; exchange: number; delivery: number; search: number }) {
  const msgs = rates.messagesPerDay;
  const daily = msgs * o.ack + msgs * o.turn + msgs * o.exchange + (msgs + 2) * o.delivery + msgs * o.search +
    rates.conversationsPerDay * 0.020 + 1 * 0.002;
  return daily * rates.peakShare + 5 / 1_000_000; // decay: the 1 M pass, one pass an hour
}
const base = { ack: 0.0002, turn: 0.0015, exchange: 0.001, delivery: 0.001, search: 0.005 };

Deno.test("capacity: players per compute size follow from the figures", () => {
  const peak = expectedPeak(base);
  const c = computeCapacity(fixture(), rates, ASSUMPTIONS);
  assert.ok(Math.abs(c.peakHourSeconds! - peak) < 1e-12, `${c.peakHourSeconds} vs ${peak}`);
  // Large: 2 cores x 1 x 50 % x 3,600 s.
  assert.equal(playersOn(fixture(), "Large"), Math.floor((2 * 0.5 * 3600) / peak));
  assert.equal(playersOn(fixture(), "16XL"), Math.floor((64 * 0.5 * 3600) / peak));
  // Twice the cores, twice the players (to the rounding).
  const large = playersOn(fixture(), "Large")!;
  assert.ok(Math.abs(playersOn(fixture(), "XL")! - 2 * large) <= 1);
  // Decay is charged from its larger pass (5 s over 1 M players), not the 100 k one.
  const decay = c.costs.find((x) => x.id === "decay")!;
  assert.equal(decay.perCall.value, 5 / 1_000_000);
  assert.equal(decay.perDay, 24);
});

Deno.test("capacity: doubling every cost halves the players per compute size", () => {
  const doubled = fixture();
  for (const r of doubled.rows) {
    if (r.figures["db_cpu_ms"] !== undefined) r.figures["db_cpu_ms"] = r.figures["db_cpu_ms"]! * 2;
    if (r.key === "search_memory_top_10_query_text" || r.key === "portal_reads_rls") r.p50_ms = r.p50_ms! * 2;
    if (r.key === "apply_decay_one_statement") r.seconds = r.seconds! * 2;
  }
  const before = playersOn(fixture(), "Large")!;
  const after = playersOn(doubled, "Large")!;
  assert.ok(Math.abs(after - before / 2) <= 1, `${before} -> ${after}`);
});

Deno.test("capacity: doubling the exchange's cost halves the players when the exchange is the cost", () => {
  // Everything else free (measured as 0, which is not missing).
  const only = (exchangeMs: number) => {
    const f = fixture();
    for (const r of f.rows) {
      if (r.figures["db_cpu_ms"] !== undefined) {
        r.figures["db_cpu_ms"] = r.key === "db_cpu_apply_exchange" ? exchangeMs : 0;
      }
      if (r.key === "search_memory_top_10_query_text" || r.key === "portal_reads_rls") r.p50_ms = 0;
      if (r.key === "apply_decay_one_statement") r.seconds = 0;
    }
    return playersOn(f, "Large")!;
  };
  const one = only(1);
  const two = only(2);
  assert.equal(one, Math.floor((2 * 0.5 * 3600) / (rates.messagesPerDay * 0.001 * rates.peakShare)));
  assert.ok(Math.abs(two - one / 2) <= 1, `${one} -> ${two}`);
});

Deno.test("capacity: a dearer exchange costs exactly its share, the rest unchanged", () => {
  const f = edit(fixture(), "db_cpu_apply_exchange", (r) => (r.figures["db_cpu_ms"] = 2));
  assert.equal(playersOn(f, "Large"), Math.floor((2 * 0.5 * 3600) / expectedPeak({ ...base, exchange: 0.002 })));
});

Deno.test("capacity: the Telegram and deliver ceilings follow her messages at the peak hour", () => {
  const c = computeCapacity(fixture(), rates, ASSUMPTIONS);
  const perSecond = ((rates.messagesPerDay + 2) * rates.peakShare) / 3600;
  assert.equal(c.ceilings.find((x) => x.id === "telegram")!.players, Math.floor(30 / perSecond));
  assert.equal(c.ceilings.find((x) => x.id === "deliver")!.players, Math.floor(25 / perSecond));
  // The binding ceiling is the lowest one.
  const lowest = Math.min(...c.ceilings.map((x) => x.players ?? Infinity));
  assert.equal(c.binding!.players, lowest);
  assert.deepEqual(c.scales.map((s) => s.players), [lowest, lowest * 10, lowest * 100]);
});

Deno.test("capacity: a missing figure is reported as not measured, never invented", () => {
  const f = fixture();
  f.rows = f.rows.filter((r) => r.key !== "db_cpu_delivery_sql");
  edit(f, "pipeline_closed_conversations", (r) => {
    r.figures = {};
    r.seconds = null;
  });
  const c = computeCapacity(f, rates, ASSUMPTIONS);
  const delivery = c.costs.find((x) => x.id === "delivery")!;
  assert.equal(delivery.perCall.value, null);
  assert.equal(c.costs.find((x) => x.id === "pipeline")!.perCall.value, null);
  assert.equal(c.dailySeconds, null);
  assert.equal(c.peakHourSeconds, null);
  assert.ok(c.compute.every((x) => x.players === null));
  assert.equal(c.ceilings.find((x) => x.id === "db_cpu")!.players, null);
  assert.deepEqual(c.scales, []);
  assert.ok(c.unmeasured.length > 0);

  const doc = renderCapacity(c, f, rates, ASSUMPTIONS);
  const lineOf = (start: string) => doc.split("\n").find((l) => l.startsWith(start)) ?? "";
  assert.match(lineOf("| delivery"), new RegExp(`${NOT_MEASURED} \\(no "db_cpu_delivery_sql" row\\)`));
  assert.match(lineOf("| post-conversation pipeline"), new RegExp(NOT_MEASURED));
  for (const size of ["Micro", "Large", "16XL"]) {
    assert.match(lineOf(`| ${size} |`), new RegExp(`\\| ${NOT_MEASURED} \\|$`), size);
  }
  assert.match(doc, /of those measured; not measured: database CPU, Large/);
  assert.match(doc, /## At 10x and 100x\n\nnot measured: the scale table needs every cost/);
  // Figures that were measured still print.
  assert.match(lineOf("| game.apply_exchange"), /\| 1 ms \|/);
});

Deno.test("capacity: the game's rates come from the personas, the idle time and the schedule", () => {
  const mix = Object.fromEntries(PERSONAS.map((p) => [p, p === "attentive" ? 1 : 0])) as Record<PersonaName, number>;
  const activity = Array.from({ length: 24 }, (_, h) => (h === 9 ? 1 : 0));
  const table = {
    ...PERSONA_TABLE,
    attentive: {
      ...PERSONA_TABLE.attentive,
      sessionsPerDay: 2,
      sessionMessages: [2, 4],
      gapSeconds: [0, 1800],
      activity,
    },
  } as typeof PERSONA_TABLE;
  const r = gameRates({
    table,
    mix,
    timezones: ["UTC"],
    tunables: new Map([["conversation_idle", 15]]),
    decayRunsPerDay: 24,
    at: new Date("2026-12-01T00:00:00Z"),
  });
  assert.equal(r.messagesPerDay, 6); // 2 sessions x 3 messages
  assert.equal(r.conversationsPerDay, 4); // each session: 1 + 2 gaps x P(gap >= 900 s) = 0.5
  assert.equal(r.peakHour, 9);
  assert.equal(r.peakShare, 1);
  // Tokyo is UTC+9: its 9:00 is midnight UTC.
  const tokyo = gameRates({
    table,
    mix,
    timezones: ["Asia/Tokyo"],
    tunables: new Map([["conversation_idle", 15]]),
    decayRunsPerDay: 24,
    at: new Date("2026-12-01T00:00:00Z"),
  });
  assert.equal(tokyo.peakHour, 0);

  assert.equal(runsPerDay("select cron.schedule('nikita-decay', '0 * * * *', 'select 1');", "nikita-decay"), 24);
  assert.equal(runsPerDay("select cron.schedule('x', '* * * * *', 'select 1');", "x"), 1440);
  assert.equal(runsPerDay("select cron.schedule('x', '*/5 * * * *', 'select 1');", "x"), null);
  const t = parseTunables(
    "insert into t values\n  ('conversation_idle', '15', 'min', 'x'),\n  ('b', '[1, 2]', '', '');",
  );
  assert.equal(t.get("conversation_idle"), 15);
  assert.deepEqual(t.get("b"), [1, 2]);
  // The repository's own: hourly decay, a 15-minute idle time.
  assert.equal(rates.decayRunsPerDay, 24);
  assert.equal(rates.conversationIdleMinutes, 15);
});

Deno.test("capacity: the document names its run, every compute size and its sources", async () => {
  const out = await Deno.makeTempFile({ suffix: ".md" });
  try {
    const doc = await writeCapacity(fixturePath.pathname, out);
    assert.equal(await Deno.readTextFile(out), doc);
    assert.match(doc, /run started 2026-12-01T12:00:00Z, 400 s \(exit status 0\), on 2 cores \(Fixture CPU\)/);
    assert.match(doc, /No knobs: a full run/);
    for (const size of ["Micro", "Small", "Medium", "Large", "XL", "2XL", "4XL", "8XL", "12XL", "16XL"]) {
      assert.match(doc, new RegExp(`\\n\\| ${size} \\| \\d+-core ARM`), size);
    }
    for (
      const url of ["supabase.com/docs/guides/platform/compute-and-disk", "supabase.com/docs/guides/functions/limits"]
    ) {
      assert.ok(doc.includes(url), url);
    }
    assert.ok(!doc.includes(NOT_MEASURED), "the fixture measures everything the model uses");
  } finally {
    await Deno.remove(out);
  }
});
