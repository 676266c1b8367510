// The simulator's results: the per-persona table (what a designer reads first), its text rendering, the side-by-side
// comparison of two runs, and the chart data for the HTML report.
import type { PlayerFacts } from "./driver.ts";
import { PERSONAS } from "./personas.ts";

export interface PersonaRow {
  persona: string;
  players: number;
  /** Share (0..1) of players who reached chapter 2..5 and won, by day 7, 14 and 30; null for a day past the run's
   * end (a 7-day run says nothing of day 14). */
  reached: Record<"d7" | "d14" | "d30", number[] | null>;
  /** The same shares by the run's last day (day 30 at most): the funnel's figures. */
  reached_by_end: number[];
  won: number;
  median_days_to_win: number | null;
  /** Game overs per player, by reason. */
  game_overs: Record<string, number>;
  /** Share of players in each engagement state at the end. */
  engagement: Record<string, number>;
  crises_per_player: number;
  decay_lost_per_day: number;
  messages_per_day: number;
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;
/** The day each "reached by" column is read at. */
const DAY_OF = { d7: 7, d14: 14, d30: 30 } as const;

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function personaTable(facts: PlayerFacts[], days: number): PersonaRow[] {
  const rows: PersonaRow[] = [];
  for (const persona of [...PERSONAS, "all"]) {
    const group = persona === "all" ? facts : facts.filter((f) => f.persona === persona);
    if (group.length === 0) continue;
    const n = group.length;
    const share = (pred: (f: PlayerFacts) => boolean) => r3(group.filter(pred).length / n);
    const reached = Object.fromEntries((["d7", "d14", "d30"] as const).map((d) => [
      d,
      DAY_OF[d] > days ? null : [2, 3, 4, 5, 6].map((c) => share((f) => f.chapter_by[d] >= c)),
    ])) as PersonaRow["reached"];
    const reachedByEnd = [2, 3, 4, 5, 6].map((c) => share((f) => f.chapter_by.d30 >= c));
    const reasons: Record<string, number> = {};
    for (const f of group) for (const g of f.game_overs) reasons[g.reason] = (reasons[g.reason] ?? 0) + 1;
    const engagement: Record<string, number> = {};
    for (const f of group) engagement[f.engagement_state] = (engagement[f.engagement_state] ?? 0) + 1;
    const wonDays = group.filter((f) => f.won_day !== null).map((f) => f.won_day!);
    const med = median(wonDays);
    rows.push({
      persona,
      players: n,
      reached,
      reached_by_end: reachedByEnd,
      won: share((f) => f.won_day !== null),
      median_days_to_win: med === null ? null : Math.round(med * 10) / 10,
      game_overs: Object.fromEntries(Object.entries(reasons).sort().map(([k, v]) => [k, r3(v / n)])),
      engagement: Object.fromEntries(Object.entries(engagement).sort().map(([k, v]) => [k, r3(v / n)])),
      crises_per_player: r3(group.reduce((s, f) => s + f.crises, 0) / n),
      decay_lost_per_day: r3(group.reduce((s, f) => s + f.decay_lost, 0) / n / days),
      messages_per_day: Math.round(group.reduce((s, f) => s + f.messages, 0) / n / days * 10) / 10,
    });
  }
  return rows;
}

const pct = (x: number) => `${Math.round(x * 100)}%`;
const kv = (o: Record<string, number>, f: (x: number) => string) =>
  Object.entries(o).map(([k, v]) => `${k} ${f(v)}`).join(", ") || "-";

/** The table as text: one block of chapter shares, one of the rest. */
export function renderTable(rows: PersonaRow[]): string {
  const out: string[] = [];
  const pad = (s: string, w: number) => s.padEnd(w);
  out.push(
    pad("persona", 10) + pad("n", 7) +
      ["day 7", "day 14", "day 30", "the end"].map((d) => pad(`${d}: ch2/ch3/ch4/ch5/won`, 30)).join(""),
  );
  for (const r of rows) {
    out.push(
      pad(r.persona, 10) + pad(String(r.players), 7) +
        (["d7", "d14", "d30"] as const).map((d) => pad(r.reached[d]?.map(pct).join("/") ?? "n/a", 30)).join("") +
        pad(r.reached_by_end.map(pct).join("/"), 30),
    );
  }
  out.push("");
  out.push(
    pad("persona", 10) + pad("won", 6) + pad("med days", 9) + pad("msgs/day", 9) + pad("crises", 7) +
      pad("decay/day", 10) + pad("game overs per player", 44) + "engagement at the end",
  );
  for (const r of rows) {
    out.push(
      pad(r.persona, 10) + pad(pct(r.won), 6) + pad(r.median_days_to_win?.toString() ?? "-", 9) +
        pad(String(r.messages_per_day), 9) + pad(String(r.crises_per_player), 7) +
        pad(String(r.decay_lost_per_day), 10) + pad(kv(r.game_overs, String), 44) + kv(r.engagement, pct),
    );
  }
  return out.join("\n");
}

/** Two runs' tables side by side: each figure as a -> b (difference). */
export function renderComparison(a: PersonaRow[], b: PersonaRow[], names: [string, string]): string {
  const out = [`${names[0]} -> ${names[1]}`];
  const diff = (x: number, y: number, f: (v: number) => string) =>
    x === y ? f(x) : `${f(x)} -> ${f(y)} (${y - x > 0 ? "+" : ""}${f(r3(y - x))})`;
  for (const ra of a) {
    const rb = b.find((r) => r.persona === ra.persona);
    if (!rb) continue;
    out.push(`\n${ra.persona} (${ra.players} / ${rb.players} players)`);
    for (const d of ["d7", "d14", "d30"] as const) {
      const [xa, xb] = [ra.reached[d], rb.reached[d]];
      out.push(
        `  reached by ${d}: ` +
          (xa && xb
            ? ["ch2", "ch3", "ch4", "ch5", "won"].map((c, i) => `${c} ${diff(xa[i]!, xb[i]!, pct)}`).join(", ")
            : "n/a (past a run's end)"),
      );
    }
    out.push(
      `  won: ${diff(ra.won, rb.won, pct)}; median days to win: ${ra.median_days_to_win ?? "-"} -> ${
        rb.median_days_to_win ?? "-"
      }`,
    );
    const reasons = [...new Set([...Object.keys(ra.game_overs), ...Object.keys(rb.game_overs)])].sort();
    out.push(
      `  game overs per player: ${
        reasons.map((k) => `${k} ${diff(ra.game_overs[k] ?? 0, rb.game_overs[k] ?? 0, String)}`).join(", ") || "-"
      }`,
    );
    out.push(
      `  crises per player: ${diff(ra.crises_per_player, rb.crises_per_player, String)}; decay lost per day: ${
        diff(ra.decay_lost_per_day, rb.decay_lost_per_day, String)
      }`,
    );
  }
  return out.join("\n");
}
