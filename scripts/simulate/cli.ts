// `npm run simulate -- --players 10000 --days 30 --seed 1 [--mix attentive=0.3,...] [--tune name=value ...]
// [--name run] [--connections 2] --db-url URL` and `--compare runA runB`. scripts/simulate/run builds the throwaway
// database and passes --db-url; this entry parses the flags, runs the simulation and writes the report.
import { DEFAULT_MIX, type PersonaName, PERSONAS } from "./personas.ts";
import { simulate } from "./driver.ts";
import { personaTable, renderComparison, renderTable } from "./report.ts";
import { writeReport } from "./html.ts";

export interface Flags {
  players: number;
  days: number;
  seed: number;
  mix: Record<PersonaName, number>;
  tune: Record<string, unknown>;
  dbUrl: string | null;
  name: string | null;
  connections: number;
  compare: [string, string] | null;
}

export function parseFlags(args: string[]): Flags {
  const flags: Flags = {
    players: 1000,
    days: 30,
    seed: 1,
    mix: { ...DEFAULT_MIX },
    tune: {},
    dbUrl: null,
    name: null,
    connections: 2,
    compare: null,
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const value = () => {
      const v = args[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    const int = (v: string) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) throw new Error(`${arg}: ${v} is not a whole number`);
      return n;
    };
    if (arg === "--players") flags.players = int(value());
    else if (arg === "--days") flags.days = int(value());
    else if (arg === "--seed") flags.seed = int(value());
    else if (arg === "--connections") flags.connections = Math.max(1, int(value()));
    else if (arg === "--db-url") flags.dbUrl = value();
    else if (arg === "--name") flags.name = value();
    else if (arg === "--compare") flags.compare = [value(), value()];
    else if (arg === "--mix") {
      const mix = Object.fromEntries(PERSONAS.map((p) => [p, 0])) as Record<PersonaName, number>;
      for (const part of value().split(",")) {
        const [k, v] = part.split("=");
        if (!PERSONAS.includes(k as PersonaName)) throw new Error(`--mix: unknown persona ${k}`);
        const share = Number(v);
        if (!(share >= 0)) throw new Error(`--mix: ${part} needs a share >= 0`);
        mix[k as PersonaName] = share;
      }
      if (Object.values(mix).every((v) => v === 0)) throw new Error("--mix: every share is 0");
      flags.mix = mix;
    } else if (arg === "--tune") {
      const v = value();
      const eq = v.indexOf("=");
      if (eq <= 0) throw new Error(`--tune ${v}: expected name=value`);
      const raw = v.slice(eq + 1);
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        throw new Error(`--tune ${v}: the value must be JSON (a number, an array, a quoted string)`);
      }
      flags.tune[v.slice(0, eq)] = parsed;
    } else throw new Error(`unknown flag ${arg}`);
  }
  return flags;
}

export function runName(f: Flags): string {
  if (f.name) return f.name;
  const tune = Object.entries(f.tune).map(([k, v]) => `-${k}=${JSON.stringify(v)}`).join("");
  return `seed${f.seed}-${f.players}x${f.days}${tune}`.replace(/[^A-Za-z0-9_.=-]/g, "_");
}

const root = new URL("../../", import.meta.url).pathname;

async function main(args: string[]): Promise<void> {
  const flags = parseFlags(args);
  if (flags.compare) {
    const load = async (name: string) =>
      JSON.parse(await Deno.readTextFile(`${root}.local/simulations/${name}/results.json`)).table;
    console.log(renderComparison(await load(flags.compare[0]), await load(flags.compare[1]), flags.compare));
    return;
  }
  if (!flags.dbUrl) throw new Error("--db-url is required (npm run simulate builds a database and passes it)");
  const name = runName(flags);
  const started = performance.now();
  const result = await simulate({
    players: flags.players,
    days: flags.days,
    seed: flags.seed,
    mix: flags.mix,
    tune: flags.tune,
    dbUrl: flags.dbUrl,
    run: `${name}-${Date.now().toString(36)}`,
    connections: flags.connections,
    onDay: (day, messages) => progress(day, flags.days, messages, (performance.now() - started) / 1000),
  });
  if (Deno.stderr.isTerminal()) console.error("");
  const table = personaTable(result.facts, flags.days);
  const t0 = performance.now();
  const dir = `${root}.local/simulations/${name}`;
  await writeReport(dir, { name, flags, result, table });
  result.timings.report = performance.now() - t0;
  console.log(renderTable(table));
  console.log(
    `\n${flags.players} players x ${flags.days} days, seed ${flags.seed}: ` +
      Object.entries(result.timings).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`).join(", ") +
      `; routes ${JSON.stringify(result.routes)}; ${result.errors.length} engine errors`,
  );
  console.log(`report: ${dir}/report.html`);
}

if (import.meta.main) {
  try {
    await main(Deno.args);
  } catch (e) {
    console.error(`simulate: ${e instanceof Error ? e.message : e}`);
    Deno.exit(1);
  }
}

/** A bar redrawn in place on a terminal; a line per simulated day otherwise (logs, CI). */
function progress(day: number, days: number, messages: number, seconds: number): void {
  const text = `day ${day}/${days}: ${messages} messages, ${seconds.toFixed(1)} s`;
  if (!Deno.stderr.isTerminal()) return console.error(text);
  const width = 30;
  const done = Math.round((day / days) * width);
  Deno.stderr.writeSync(new TextEncoder().encode(`\r[${"#".repeat(done)}${"-".repeat(width - done)}] ${text}\x1b[K`));
}
