// The HTML report of a run: Vega-Lite specs (score trajectories, chapter funnel, game-over reasons over time)
// compiled to Vega and rendered to SVG headless, inlined in report.html beside the table; results.json holds the
// table, the per-player facts and the timings, for --compare and for anyone who wants the raw numbers.
import * as vl from "npm:vega-lite@6.5.0";
import * as vega from "npm:vega@6.4.0";
import type { SimResult } from "./driver.ts";
import { type PersonaRow, renderTable } from "./report.ts";
import { PERSONAS } from "./personas.ts";

export interface ReportInput {
  name: string;
  flags: { players: number; days: number; seed: number; mix: unknown; tune: unknown };
  result: SimResult;
  table: PersonaRow[];
}

function quantile(sorted: number[], q: number): number {
  const i = (sorted.length - 1) * q;
  const lo = Math.floor(i);
  return sorted[lo]! + (sorted[Math.min(lo + 1, sorted.length - 1)]! - sorted[lo]!) * (i - lo);
}

/** Median and interquartile band of the score at the end of each day, per persona. */
export function trajectorySpec(result: SimResult): vl.TopLevelSpec {
  const values: { persona: string; day: number; median: number; p25: number; p75: number }[] = [];
  for (const persona of PERSONAS) {
    const group = result.facts.filter((f) => f.persona === persona);
    if (group.length === 0) continue;
    const days = group[0]!.daily_scores.length;
    for (let d = 0; d < days; d++) {
      const s = group.map((f) => f.daily_scores[d]!).sort((a, b) => a - b);
      values.push({ persona, day: d + 1, median: quantile(s, 0.5), p25: quantile(s, 0.25), p75: quantile(s, 0.75) });
    }
  }
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: "Relationship score at the end of each day (median, band: 25th-75th percentile)",
    width: 640,
    height: 300,
    data: { values },
    encoding: {
      x: { field: "day", type: "quantitative", title: "day" },
      color: { field: "persona", type: "nominal" },
    },
    layer: [
      {
        mark: { type: "area", opacity: 0.15 },
        encoding: { y: { field: "p25", type: "quantitative" }, y2: { field: "p75" } },
      },
      {
        mark: { type: "line", strokeWidth: 2 },
        encoding: { y: { field: "median", type: "quantitative", title: "score", scale: { domain: [0, 100] } } },
      },
    ],
  } as vl.TopLevelSpec;
}

/** Share of each persona's players that reached each chapter (and won) by the last day (day 30 at most). */
export function funnelSpec(table: PersonaRow[], days: number): vl.TopLevelSpec {
  const values = table.filter((r) => r.persona !== "all").flatMap((r) =>
    ["ch1", "ch2", "ch3", "ch4", "ch5", "won"].map((stage, i) => ({
      persona: r.persona,
      stage,
      share: i === 0 ? 1 : r.reached_by_end[i - 1]!,
    }))
  );
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: `Chapter funnel: share of players reaching each chapter by day ${Math.min(days, 30)}`,
    width: 110,
    height: 200,
    data: { values },
    mark: "bar",
    encoding: {
      column: { field: "persona", type: "nominal", title: null },
      x: { field: "stage", type: "ordinal", sort: ["ch1", "ch2", "ch3", "ch4", "ch5", "won"], title: null },
      y: { field: "share", type: "quantitative", axis: { format: "%" }, scale: { domain: [0, 1] } },
      color: { field: "stage", type: "ordinal", legend: null },
    },
  } as vl.TopLevelSpec;
}

/** Game overs per day of the run, by reason. */
export function gameOverSpec(result: SimResult): vl.TopLevelSpec {
  const counts = new Map<string, number>();
  for (const f of result.facts) {
    for (const g of f.game_overs) {
      counts.set(`${g.day + 1}|${g.reason}`, (counts.get(`${g.day + 1}|${g.reason}`) ?? 0) + 1);
    }
  }
  const values = [...counts].map(([k, n]) => ({ day: Number(k.split("|")[0]), reason: k.split("|")[1], n }));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: "Game overs per day, by reason",
    width: 640,
    height: 240,
    data: { values },
    mark: "bar",
    encoding: {
      x: { field: "day", type: "ordinal", title: "day" },
      y: { field: "n", type: "quantitative", aggregate: "sum", title: "game overs" },
      color: { field: "reason", type: "nominal" },
    },
  } as vl.TopLevelSpec;
}

/** A Vega-Lite spec rendered to SVG without a browser. */
export async function renderSvg(spec: vl.TopLevelSpec): Promise<string> {
  const compiled = vl.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export async function writeReport(dir: string, input: ReportInput): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  const charts = {
    trajectories: await renderSvg(trajectorySpec(input.result)),
    funnel: await renderSvg(funnelSpec(input.table, input.flags.days)),
    game_overs: await renderSvg(gameOverSpec(input.result)),
  };
  for (const [name, svg] of Object.entries(charts)) await Deno.writeTextFile(`${dir}/${name}.svg`, svg);
  const t = input.result.timings;
  const timing = Object.entries(t).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`).join(", ");
  const html = `<!doctype html>
<html><head><meta charset="utf-8"><title>Nikita balance simulation ${escape(input.name)}</title>
<style>body{font-family:sans-serif;margin:2em;max-width:1100px}pre{background:#f6f6f6;padding:1em;overflow:auto}</style>
</head><body>
<h1>Balance simulation ${escape(input.name)}</h1>
<p>${input.flags.players} players, ${input.flags.days} days, seed ${input.flags.seed}; mix ${
    escape(JSON.stringify(input.flags.mix))
  }; tune ${escape(JSON.stringify(input.flags.tune))}.</p>
<p>Time taken: ${escape(timing)}. Routes: ${
    escape(JSON.stringify(input.result.routes))
  }. Engine errors: ${input.result.errors.length}.</p>
<h2>Per persona</h2>
<pre>${escape(renderTable(input.table))}</pre>
<h2>Score trajectories</h2>${charts.trajectories}
<h2>Chapter funnel</h2>${charts.funnel}
<h2>Game-over reasons over time</h2>${charts.game_overs}
</body></html>
`;
  await Deno.writeTextFile(`${dir}/report.html`, html);
  await Deno.writeTextFile(
    `${dir}/results.json`,
    JSON.stringify({
      name: input.name,
      flags: input.flags,
      table: input.table,
      timings: t,
      routes: input.result.routes,
      errors: input.result.errors,
      facts: input.result.facts,
    }),
  );
}
