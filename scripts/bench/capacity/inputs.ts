// The game's own rates, read from the repository rather than copied: how often an active player writes and in how
// many conversations (the balance simulator's personas and their default mix, scripts/simulate/personas.ts), when in
// the day (their local-hour activity over the simulator's time zones), how long a conversation stays open
// (sql/data/tunables.sql) and how often decay runs (sql/data/schedules.sql).
import { DEFAULT_MIX, type Persona, PERSONA_TABLE, type PersonaName, TIMEZONES } from "../../simulate/personas.ts";

export interface PersonaRates {
  name: string;
  share: number;
  messagesPerDay: number;
  conversationsPerDay: number;
}

export interface GameRates {
  personas: PersonaRates[];
  /** Mix-weighted, per active player-day. */
  messagesPerDay: number;
  conversationsPerDay: number;
  /** Share of a day's messages falling in each UTC hour (sums to 1). */
  utcHourShare: number[];
  peakHour: number;
  peakShare: number;
  timezones: string[];
  conversationIdleMinutes: number;
  decayRunsPerDay: number;
  /** For comparison: the game's optimal pace in chapter 1 and the per-day rate limit (sql/data/tunables.sql). */
  optimalMessagesChapter1: number | null;
  ratePerDay: number | null;
}

/** name -> parsed JSON value of each `('name', 'value', ...)` row of sql/data/tunables.sql. */
export function parseTunables(sql: string): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const m of sql.matchAll(/\(\s*'([a-z0-9_]+)'\s*,\s*'((?:[^']|'')*)'/g)) {
    try {
      out.set(m[1]!, JSON.parse(m[2]!.replaceAll("''", "'")));
    } catch {
      // A value that is not JSON is not one the model reads.
    }
  }
  return out;
}

/** Runs per day of a pg_cron job scheduled in sql/data/schedules.sql: a fixed minute of every hour is 24, every minute
 * 1440; any other schedule is not read (null). */
export function runsPerDay(sql: string, job: string): number | null {
  const m = sql.match(new RegExp(`cron\\.schedule\\('${job}',\\s*'([^']+)'`));
  if (!m) return null;
  const [minute, hour, dom, month, dow] = m[1]!.trim().split(/\s+/);
  if (hour !== "*" || dom !== "*" || month !== "*" || dow !== "*") return null;
  if (minute === "*") return 1440;
  return /^\d+$/.test(minute ?? "") ? 24 : null;
}

function mean([lo, hi]: [number, number]): number {
  return (lo + hi) / 2;
}

/** Expected conversations a session opens: the first message opens one, and each later message does when the gap
 * before it (uniform over the persona's range) reaches the idle time that closes a conversation. */
function conversationsPerSession(p: Persona, idleSeconds: number): number {
  const [g0, g1] = p.gapSeconds;
  const pLong = g1 <= g0 ? (g0 >= idleSeconds ? 1 : 0) : Math.min(1, Math.max(0, (g1 - idleSeconds) / (g1 - g0)));
  return 1 + (mean(p.sessionMessages) - 1) * pLong;
}

/** The hour offset of a time zone from UTC at a given instant. */
function utcOffsetHours(timezone: string, at: Date): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: timezone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
  }).formatToParts(at);
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  const local = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"));
  return Math.round((local - Math.floor(at.getTime() / 60_000) * 60_000) / 3_600_000);
}

export function gameRates(
  opts: {
    table?: Record<PersonaName, Persona>;
    mix?: Record<PersonaName, number>;
    timezones?: readonly string[];
    tunables: Map<string, unknown>;
    decayRunsPerDay: number;
    at: Date;
  },
): GameRates {
  const table = opts.table ?? PERSONA_TABLE;
  const mix = opts.mix ?? DEFAULT_MIX;
  const timezones = [...(opts.timezones ?? TIMEZONES)];
  const idle = Number(opts.tunables.get("conversation_idle"));
  if (!(idle > 0)) throw new Error("conversation_idle is missing from the tunables");
  const total = Object.values(mix).reduce((a, b) => a + b, 0);
  const personas = (Object.keys(mix) as PersonaName[]).map((name) => {
    const p = table[name];
    return {
      name,
      share: mix[name] / total,
      messagesPerDay: p.sessionsPerDay * mean(p.sessionMessages),
      conversationsPerDay: p.sessionsPerDay * conversationsPerSession(p, idle * 60),
    };
  });
  const messagesPerDay = personas.reduce((a, p) => a + p.share * p.messagesPerDay, 0);
  const conversationsPerDay = personas.reduce((a, p) => a + p.share * p.conversationsPerDay, 0);
  // Each persona's messages spread over its local hours by its activity weights, its players evenly over the zones.
  const offsets = timezones.map((z) => utcOffsetHours(z, opts.at));
  const share = Array.from({ length: 24 }, () => 0);
  for (const p of personas) {
    const activity = table[p.name as PersonaName].activity;
    const sum = activity.reduce((a, b) => a + b, 0);
    for (const offset of offsets) {
      for (let local = 0; local < 24; local++) {
        const utc = (((local - offset) % 24) + 24) % 24;
        share[utc]! += (p.share * p.messagesPerDay / messagesPerDay) * (activity[local]! / sum) / offsets.length;
      }
    }
  }
  const peakShare = Math.max(...share);
  const optimal = opts.tunables.get("optimal_messages_base");
  const ratePerDay = Number(opts.tunables.get("rate_per_day"));
  return {
    personas,
    messagesPerDay,
    conversationsPerDay,
    utcHourShare: share,
    peakHour: share.indexOf(peakShare),
    peakShare,
    timezones,
    conversationIdleMinutes: idle,
    decayRunsPerDay: opts.decayRunsPerDay,
    optimalMessagesChapter1: Array.isArray(optimal) && typeof optimal[0] === "number" ? optimal[0] : null,
    ratePerDay: ratePerDay > 0 ? ratePerDay : null,
  };
}

/** The rates from the repository's own files, with the time zones' offsets at `at`. */
export async function loadGameRates(root: URL, at: Date): Promise<GameRates> {
  const tunables = parseTunables(await Deno.readTextFile(new URL("sql/data/tunables.sql", root)));
  const schedules = await Deno.readTextFile(new URL("sql/data/schedules.sql", root));
  // Decay runs as shards side by side (nikita-decay-0, -1, ...), each pass of each shard on the same schedule.
  const decayRunsPerDay = runsPerDay(schedules, "nikita-decay-0");
  if (decayRunsPerDay === null) throw new Error("the nikita-decay-0 schedule is not an hourly or per-minute one");
  return gameRates({ tunables, decayRunsPerDay, at });
}
