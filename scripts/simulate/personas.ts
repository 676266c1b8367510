// The simulator's personas: how often and when each kind of player writes (a daily pattern in their local time),
// how long their messages are, and what the analyzer and the boss judge would make of them. The draws stand in for
// the models; the engine decides everything else. Every analysis drawn here passes game.check_analysis.
import type { Rng } from "./prng.ts";

export const PERSONAS = ["attentive", "clingy", "distant", "chaotic", "ghost", "toxic"] as const;
export type PersonaName = typeof PERSONAS[number];

const VICES = [
  "intellectual_dominance",
  "risk_taking",
  "substances",
  "sexuality",
  "emotional_intensity",
  "rule_breaking",
  "dark_humor",
  "vulnerability",
] as const;
const HORSEMEN = [
  "horseman:criticism",
  "horseman:contempt",
  "horseman:defensiveness",
  "horseman:stonewalling",
] as const;

export interface Persona {
  /** Expected sessions a day, spread over the local hours by `activity`. */
  sessionsPerDay: number;
  /** Relative weight of each local hour 0..23. */
  activity: number[];
  /** Messages in one session, and seconds between two of them. */
  sessionMessages: [number, number];
  gapSeconds: [number, number];
  /** Message length in characters: mean and spread. */
  length: [number, number];
  /** Mean and standard deviation of each metric delta the analyzer gives. */
  delta: [number, number];
  /** Chaotic players swing: each local day is a good or a bad one, shifting the mean delta by ± this. */
  swing: number;
  horsemen: number;
  vulnerability: number;
  repair: number;
  needy: [number, number];
  distracted: [number, number];
  /** The judge's outcome probabilities: PASS, then PARTIAL (FAIL is the rest). */
  verdict: [number, number];
  /** Chance that a message after a game over comes with /start (the player plays again). */
  comeback: number;
  /** Days before the player stops writing for good (null: never). */
  vanishAfter: [number, number] | null;
}

// Local hours: a waking day with evening peaks, a night owl's, a commuter's two short windows.
const DAYTIME = [0, 0, 0, 0, 0, 0, 0.2, 0.6, 1, 0.8, 0.6, 0.6, 1, 0.8, 0.6, 0.6, 0.8, 1, 1.2, 1.5, 1.5, 1.2, 0.8, 0.3];
const ALL_DAY = [0.4, 0.2, 0.1, 0, 0, 0, 0.3, 0.8, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1.2, 1.2, 1.2, 1, 0.8];
const COMMUTE = [0, 0, 0, 0, 0, 0, 0, 0.5, 1, 0.3, 0, 0, 0.3, 0, 0, 0, 0, 0.5, 1, 0.3, 0.1, 0.3, 0.2, 0];
const NIGHT = [1, 0.8, 0.5, 0.2, 0, 0, 0, 0, 0, 0, 0.2, 0.3, 0.5, 0.3, 0.3, 0.5, 0.6, 0.6, 0.8, 1, 1.2, 1.4, 1.5, 1.3];

export const PERSONA_TABLE: Record<PersonaName, Persona> = {
  attentive: {
    sessionsPerDay: 3,
    activity: DAYTIME,
    sessionMessages: [3, 6],
    gapSeconds: [60, 240],
    length: [90, 30],
    delta: [0.5, 1.2],
    swing: 0,
    horsemen: 0.01,
    vulnerability: 0.08,
    repair: 0.02,
    needy: [0, 0.3],
    distracted: [0, 0.2],
    verdict: [0.7, 0.2],
    comeback: 0.9,
    vanishAfter: null,
  },
  clingy: {
    sessionsPerDay: 5,
    activity: ALL_DAY,
    sessionMessages: [5, 12],
    gapSeconds: [5, 45],
    length: [25, 15],
    delta: [0.3, 1.4],
    swing: 0,
    horsemen: 0.03,
    vulnerability: 0.05,
    repair: 0.02,
    needy: [0.5, 1],
    distracted: [0, 0.2],
    verdict: [0.4, 0.3],
    comeback: 0.95,
    vanishAfter: null,
  },
  distant: {
    sessionsPerDay: 0.6,
    activity: COMMUTE,
    sessionMessages: [1, 3],
    gapSeconds: [300, 1800],
    length: [30, 15],
    delta: [0.5, 1],
    swing: 0,
    horsemen: 0.03,
    vulnerability: 0.02,
    repair: 0.01,
    needy: [0, 0.1],
    distracted: [0.4, 0.9],
    verdict: [0.45, 0.3],
    comeback: 0.4,
    vanishAfter: null,
  },
  chaotic: {
    sessionsPerDay: 2.5,
    activity: NIGHT,
    sessionMessages: [2, 10],
    gapSeconds: [10, 600],
    length: [60, 50],
    delta: [0.3, 2],
    swing: 1.5,
    horsemen: 0.08,
    vulnerability: 0.06,
    repair: 0.06,
    needy: [0, 0.8],
    distracted: [0, 0.8],
    verdict: [0.45, 0.2],
    comeback: 0.7,
    vanishAfter: null,
  },
  ghost: {
    sessionsPerDay: 2.5,
    activity: DAYTIME,
    sessionMessages: [2, 6],
    gapSeconds: [30, 300],
    length: [60, 25],
    delta: [0.8, 1.2],
    swing: 0,
    horsemen: 0.01,
    vulnerability: 0.05,
    repair: 0.01,
    needy: [0, 0.3],
    distracted: [0, 0.4],
    verdict: [0.6, 0.2],
    comeback: 0.1,
    vanishAfter: [2, 6],
  },
  toxic: {
    sessionsPerDay: 3,
    activity: ALL_DAY,
    sessionMessages: [3, 8],
    gapSeconds: [20, 200],
    length: [50, 30],
    delta: [-0.6, 1.6],
    swing: 0,
    horsemen: 0.35,
    vulnerability: 0.01,
    repair: 0.1,
    needy: [0, 0.5],
    distracted: [0, 0.5],
    verdict: [0.2, 0.3],
    comeback: 0.6,
    vanishAfter: null,
  },
};

export const DEFAULT_MIX: Record<PersonaName, number> = {
  attentive: 0.3,
  clingy: 0.1,
  distant: 0.15,
  chaotic: 0.15,
  ghost: 0.15,
  toxic: 0.15,
};

export const TIMEZONES = ["Europe/Berlin", "America/New_York", "Asia/Tokyo", "UTC", "America/Los_Angeles"] as const;

function between(rng: Rng, [lo, hi]: [number, number]): number {
  return lo + rng.next() * (hi - lo);
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** The analyzer's judgment of one exchange by this persona, on a day whose mood shifts the deltas by `mood`. */
export function drawAnalysis(p: Persona, rng: Rng, mood: number): Record<string, unknown> {
  const d = () => round(Math.max(-10, Math.min(10, p.delta[0] + mood + p.delta[1] * rng.normal())), 1);
  const behaviors: string[] = [];
  if (rng.chance(p.horsemen)) behaviors.push(rng.pick(HORSEMEN));
  if (rng.chance(p.vulnerability)) behaviors.push("vulnerability_exchange");
  const repaired = rng.chance(p.repair);
  const vices = rng.chance(0.2)
    ? [{ category: rng.pick(VICES), confidence: round(between(rng, [0.5, 0.95]), 2), positive: rng.chance(0.8) }]
    : [];
  return {
    deltas: { intimacy: d(), passion: d(), trust: d(), secureness: d() },
    behaviors,
    repair: { attempted: repaired, quality: repaired ? rng.pick(["excellent", "good", "adequate"]) : null },
    vice_signals: vices,
    language: { needy: round(between(rng, p.needy), 2), distracted: round(between(rng, p.distracted), 2) },
    confidence: round(between(rng, [0.6, 1]), 2),
  };
}

/** The boss judge's verdict for this persona. */
export function drawVerdict(p: Persona, rng: Rng): Record<string, unknown> {
  const r = rng.next();
  const outcome = r < p.verdict[0] ? "PASS" : r < p.verdict[0] + p.verdict[1] ? "PARTIAL" : "FAIL";
  return { outcome, confidence: round(between(rng, [0.6, 1]), 2), reasoning: "simulated" };
}

/** Message length in characters (at least 1). */
export function drawLength(p: Persona, rng: Rng): number {
  return Math.max(1, Math.round(p.length[0] + p.length[1] * rng.normal()));
}
