// Drives synthetic players through the real engine, hour by hour on the game clock: each hour's messages (drawn from
// the personas ahead of time, from one seeded stream per player) are replayed by sim.play_messages, split over a few
// connections by player, then the hourly jobs run (sim.end_hour). Nothing here decides a game rule.
import postgres from "npm:postgres@3.4.9";
import { Rng } from "./prng.ts";
import {
  drawAnalysis,
  drawLength,
  drawVerdict,
  type Persona,
  PERSONA_TABLE,
  type PersonaName,
  PERSONAS,
  TIMEZONES,
} from "./personas.ts";

export interface SimOptions {
  players: number;
  days: number;
  seed: number;
  mix: Record<PersonaName, number>;
  tune: Record<string, unknown>;
  dbUrl: string;
  /** Names the run's players (sim-<run>-<n>@players.test): unique per run in a shared database. */
  run: string;
  /** Parallel connections replaying an hour's messages (players are split by index). */
  connections: number;
  /** Called once per simulated day. */
  onDay?: (day: number, messages: number) => void;
}

export interface PlayerFacts {
  idx: number;
  persona: PersonaName;
  user_id: string;
  chapter_by: { d7: number; d14: number; d30: number };
  won_day: number | null;
  game_overs: { reason: string; day: number }[];
  engagement_state: string;
  crises: number;
  decay_lost: number;
  daily_scores: number[];
  final_score: number;
  final_chapter: number;
  game_status: string;
  messages: number;
}

export interface SimResult {
  facts: PlayerFacts[];
  routes: Record<string, number>;
  errors: { step: string; sqlstate: string; message: string }[];
  timings: Record<string, number>;
  start: string;
}

/** The game clock starts on a Monday at midnight UTC (a literal time: runs are repeatable). */
export const SIM_START = "2026-03-02T00:00:00Z";

interface Message {
  u: string;
  n: number;
  t: string;
  l: number;
  a: Record<string, unknown>;
  v: Record<string, unknown>;
  z: number;
  b: boolean;
}

interface PlayerState {
  idx: number;
  id: string;
  persona: Persona;
  timezone: string;
  rng: Rng;
  vanishDay: number | null;
  mood: number;
}

/** Persona of each player index: counts by the mix (largest remainder), order shuffled by the seed. */
export function assignPersonas(players: number, mix: Record<PersonaName, number>, seed: number): PersonaName[] {
  const total = PERSONAS.reduce((s, p) => s + (mix[p] ?? 0), 0);
  const exact = PERSONAS.map((p) => ((mix[p] ?? 0) / total) * players);
  const counts = exact.map(Math.floor);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; counts.reduce((s, c) => s + c, 0) < players; k++) counts[order[k % order.length]![1]]! += 1;
  const list = PERSONAS.flatMap((p, i) => Array.from({ length: counts[i]! }, () => p));
  const rng = new Rng(seed ^ 0x5bd1e995);
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [list[i], list[j]] = [list[j]!, list[i]!];
  }
  return list;
}

const hourFormats = new Map<string, Intl.DateTimeFormat>();
const hourCache = new Map<string, number>();
function localHour(timezone: string, at: number): number {
  const key = `${timezone}|${at}`;
  let hour = hourCache.get(key);
  if (hour === undefined) {
    let f = hourFormats.get(timezone);
    if (!f) {
      f = new Intl.DateTimeFormat("en-US", { timeZone: timezone, hour: "numeric", hourCycle: "h23" });
      hourFormats.set(timezone, f);
    }
    hour = Number(f.format(new Date(at))) % 24;
    hourCache.set(key, hour);
  }
  return hour;
}

const HOUR = 3600_000;

export async function simulate(opts: SimOptions): Promise<SimResult> {
  const timings: Record<string, number> = {};
  const clock = () => performance.now();
  const sqls = Array.from({ length: opts.connections }, () => postgres(opts.dbUrl, { max: 1, onnotice: () => {} }));
  const sql = sqls[0]!;
  const originals: { name: string; value: unknown }[] = [];
  try {
    let t0 = clock();
    await sql.file(new URL("./sim.sql", import.meta.url).pathname);
    // --tune: the run's overrides, put back afterwards (tunables are global to the database).
    for (const [name, value] of Object.entries(opts.tune)) {
      const [row] = await sql<{ value: unknown }[]>`select value from game.tunables where name = ${name}`;
      if (!row) throw new Error(`--tune ${name}: no such tunable`);
      originals.push({ name, value: row.value });
      await sql`update game.tunables set value = ${sql.json(value as never)} where name = ${name}`;
    }
    const start = Date.parse(SIM_START);
    const personas = assignPersonas(opts.players, opts.mix, opts.seed);
    const states: PlayerState[] = personas.map((name, idx) => {
      const rng = Rng.forPlayer(opts.seed, idx);
      const persona = PERSONA_TABLE[name];
      const timezone = rng.pick(TIMEZONES);
      const vanishDay = persona.vanishAfter ? rng.int(persona.vanishAfter[0], persona.vanishAfter[1]) : null;
      return { idx, id: "", persona, timezone, rng, vanishDay, mood: 0 };
    });
    const profiles = states.map((s) => ({
      idx: s.idx,
      persona: personas[s.idx],
      timezone: s.timezone,
      darkness: s.rng.int(1, 5),
    }));
    for (let i = 0; i < profiles.length; i += 1000) {
      await sql`select sim.create_players(${opts.run}, ${
        sql.json(profiles.slice(i, i + 1000) as never)
      }, ${SIM_START})`;
    }
    const ids = await sql<{ idx: number; user_id: string }[]>`
      select idx, user_id from sim.players where run = ${opts.run} order by idx`;
    for (const row of ids) states[row.idx]!.id = row.user_id;
    const [{ base }] = await sql<{ base: string }[]>`
      select coalesce(max(telegram_update_id), 0) + 1 as base from public.messages` as unknown as [{ base: string }];
    let nextUpdate = Number(base);
    timings.players = clock() - t0;

    const hours = opts.days * 24;
    const buckets: Message[][] = Array.from({ length: hours }, () => []);
    const routes: Record<string, number> = {};
    timings.draws = 0;
    timings.messages = 0;
    timings.jobs = 0;
    let dayMessages = 0;
    for (let h = 0; h < hours; h++) {
      const hourStart = start + h * HOUR;
      t0 = clock();
      for (const s of states) {
        const day = Math.floor(h / 24);
        if (s.vanishDay !== null && day >= s.vanishDay) continue;
        const p = s.persona;
        const lh = localHour(s.timezone, hourStart);
        if (p.swing > 0 && (h === 0 || lh === 6)) s.mood = s.rng.chance(0.5) ? p.swing : -p.swing;
        const weight = p.activity[lh]! / p.activity.reduce((a, b) => a + b, 0);
        const sessions = s.rng.poisson(p.sessionsPerDay * weight);
        for (let k = 0; k < sessions; k++) {
          let t = hourStart + Math.floor(s.rng.next() * HOUR);
          const count = s.rng.int(p.sessionMessages[0], p.sessionMessages[1]);
          for (let m = 0; m < count; m++) {
            const bucket = Math.floor((t - start) / HOUR);
            if (bucket >= hours) break;
            buckets[bucket]!.push({
              u: s.id,
              n: nextUpdate++,
              t: new Date(t).toISOString(),
              l: drawLength(p, s.rng),
              a: drawAnalysis(p, s.rng, s.mood),
              v: drawVerdict(p, s.rng),
              z: Math.round(s.rng.normal() * 1e6) / 1e6,
              b: s.rng.chance(p.comeback),
            });
            t += Math.round(1000 * (p.gapSeconds[0] + s.rng.next() * (p.gapSeconds[1] - p.gapSeconds[0])));
          }
        }
      }
      const batch = buckets[h]!;
      buckets[h] = [];
      timings.draws += clock() - t0;

      t0 = clock();
      const parts: Message[][] = sqls.map(() => []);
      const part = new Map(states.map((s) => [s.id, s.idx % sqls.length]));
      for (const m of batch) parts[part.get(m.u)!]!.push(m);
      const counted = await Promise.all(
        parts.map((msgs, i) =>
          msgs.length === 0
            ? Promise.resolve([{ r: {} as Record<string, number> }])
            : sqls[i]!<{ r: Record<string, number> }[]>`select sim.play_messages(${opts.run}, ${
              sqls[i]!.json(msgs as never)
            }) as r`
        ),
      );
      for (const [{ r }] of counted as [{ r: Record<string, number> }][]) {
        for (const [route, n] of Object.entries(r)) routes[route] = (routes[route] ?? 0) + n;
      }
      timings.messages += clock() - t0;
      dayMessages += batch.length;

      t0 = clock();
      await sql`select sim.end_hour(${new Date(hourStart + HOUR).toISOString()})`;
      timings.jobs += clock() - t0;
      if ((h + 1) % 24 === 0) {
        opts.onDay?.((h + 1) / 24, dayMessages);
        dayMessages = 0;
      }
    }

    t0 = clock();
    const facts = await sql<PlayerFacts[]>`
      select idx, persona, user_id, chapter_by, won_day::float8 as won_day, game_overs, engagement_state, crises,
             decay_lost::float8 as decay_lost, daily_scores, final_score::float8 as final_score, final_chapter,
             game_status, messages::int as messages
      from sim.player_facts(${opts.run}, ${SIM_START}, ${opts.days})`;
    const errors = await sql<{ step: string; sqlstate: string; message: string }[]>`
      select step, sqlstate, message from sim.errors where run = ${opts.run} order by at, user_id`;
    timings.facts = clock() - t0;
    return {
      facts: facts.map((f) => ({ ...f, daily_scores: f.daily_scores.map(Number) })),
      routes,
      errors: [...errors],
      timings,
      start: SIM_START,
    };
  } finally {
    for (const { name, value } of originals) {
      await sql`update game.tunables set value = ${sql.json(value as never)} where name = ${name}`;
    }
    await Promise.all(sqls.map((s) => s.end()));
  }
}
