// The capacity model: what one active player costs the database per day and at the peak hour (from the bench's
// figures, the game's rates and the stated assumptions), how many such players each Supabase compute size holds,
// where the other ceilings bind, and what 10x and 100x the first ceiling need. It only computes: a figure the bench
// did not measure stays missing and every result that needs it says so.
import type { Assumptions, ModelCall } from "./assumptions.ts";
import { type Figures, isMeasured, measure, type Measured } from "./figures.ts";
import type { GameRates } from "./inputs.ts";
import {
  ANTHROPIC_TIERS,
  type ComputeSize,
  EDGE_FUNCTIONS,
  type ModelClass,
  type ModelLimits,
  SUPABASE_COMPUTE,
  TELEGRAM,
} from "./limits.ts";

/** One kind of database work: its cost per call, and calls per active player-day. */
export interface CostItem {
  id: "ack" | "turn" | "exchange" | "delivery" | "search" | "pipeline" | "portal" | "decay";
  what: string;
  perCall: Measured;
  perDay: number;
  basis: string;
  /** Messages follow the players' day; decay runs on the clock, the same every hour. */
  spread: "day" | "clock";
}

export interface Ceiling {
  id: string;
  what: string;
  /** Active players at which it binds in the reference deployment; null when a figure it needs is missing. */
  players: number | null;
  detail: string;
  missing?: string;
}

export interface Scale {
  factor: number;
  players: number;
  /** The smallest size whose cores hold the peak hour, or null (none does: coresNeeded says how many). */
  compute: ComputeSize | null;
  coresNeeded: number;
  /** The same with the portal's reads on read replicas. */
  computeWithReplicas: ComputeSize | null;
  coresNeededWithReplicas: number;
  bots: number;
  tier: string | null;
  poolerClientsNeeded: number;
  historyRowsPer30Days: number;
  messageRowsPer30Days: number;
  decayPassSeconds: number;
}

export interface Capacity {
  costs: CostItem[];
  /** Database core-seconds per active player: per day, and in the peak hour. */
  dailySeconds: number | null;
  peakHourSeconds: number | null;
  missing: string[];
  /** Active players per compute size at the peak hour. */
  compute: { size: ComputeSize; players: number | null }[];
  ceilings: Ceiling[];
  /** The lowest of the ceilings measured; unmeasured names those that might bind lower. */
  binding: Ceiling | null;
  unmeasured: string[];
  /** 1x (the binding ceiling), 10x, 100x; empty when nothing binds or a cost is missing. */
  scales: Scale[];
  edgeCpuPerTurn: Measured;
  /** Of the peak hour's database time, the portal's reads (what read replicas would take). */
  portalShare: number | null;
  deliverRate: Measured;
  portalRowsMeasured: Measured;
  herMessagesPerDay: number;
  perPlayerPeak: { messagesPerSecond: number; herMessagesPerSecond: number; inFlightTurns: number };
  llmPerPlayerMinute: Record<ModelClass, ModelLimits>;
  /** Active players each Anthropic tier serves, and the limit that binds. */
  tiers: { tier: string; players: number; what: string }[];
  /** Of the reference tier's binding limit, each model call's share. */
  llmShares: { purpose: string; share: number }[];
}

const seconds = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : ms / 1000);

function dbCpu(figures: Figures, key: string, how = "database CPU per call"): Measured {
  return measure(figures, key, (r) => seconds(r.figures["db_cpu_ms"]), how);
}

export function costItems(figures: Figures, rates: GameRates, a: Assumptions): CostItem[] {
  const replies = rates.messagesPerDay * a.repliesPerMessage.value;
  const delivered = replies * a.partsPerReply.value + a.proactivePerDay.value;
  const search = (key: string) => measure(figures, key, (r) => seconds(r.p50_ms), "p50 of one search, in turn");
  const fused = search("search_memory_top_10_query_text");
  return [
    {
      id: "ack",
      what: "webhook acknowledgement (the inbox insert)",
      perCall: dbCpu(figures, "db_cpu_ack_insert"),
      perDay: rates.messagesPerDay,
      basis: "one per player message",
      spread: "day",
    },
    {
      id: "turn",
      what: "turn SQL (claim, begin_turn, plan, reply queued, finish)",
      perCall: dbCpu(figures, "db_cpu_turn_sql"),
      perDay: rates.messagesPerDay,
      basis: "one per player message",
      spread: "day",
    },
    {
      id: "exchange",
      what: "game.apply_exchange (an active player: messages today, a week of exchanges)",
      perCall: dbCpu(figures, "db_cpu_apply_exchange"),
      perDay: replies,
      basis: "one per reply",
      spread: "day",
    },
    {
      id: "delivery",
      what: "delivery (claim, sending, sent and stored)",
      perCall: dbCpu(figures, "db_cpu_delivery_sql"),
      perDay: delivered,
      basis: "her replies and proactive messages",
      spread: "day",
    },
    {
      id: "search",
      what: "memory search (game.search_memory, with the message's text)",
      perCall: isMeasured(fused) ? fused : orMissing(search("search_memory_top_10_warm"), fused),
      perDay: replies * a.searchesPerReply.value,
      basis: "per reply",
      spread: "day",
    },
    {
      id: "pipeline",
      what: "post-conversation pipeline",
      perCall: pipelineCost(figures),
      perDay: rates.conversationsPerDay,
      basis: "per conversation",
      spread: "day",
    },
    {
      id: "portal",
      what: "portal reads (stats + 30-day history, under RLS)",
      perCall: measure(figures, "portal_reads_rls", (r) => seconds(r.p50_ms), "p50 of one visit's reads"),
      perDay: a.portalReadsPerDay.value,
      basis: "portal visits",
      spread: "day",
    },
    {
      id: "decay",
      what: "game.apply_decay, per player per pass",
      perCall: measure(
        figures,
        "apply_decay_one_statement",
        (r) => (r.n && r.seconds !== null ? r.seconds / r.n : null),
        "seconds / players of the largest pass as one statement (one backend)",
      ),
      perDay: rates.decayRunsPerDay,
      basis: "passes a day, pg_cron nikita-decay-0 and -1 (each player in one shard)",
      spread: "clock",
    },
  ];
}

/** The fallback if measured, else what the first choice lacked. */
function orMissing(fallback: Measured, first: Measured): Measured {
  return isMeasured(fallback) ? fallback : first;
}

/** The pipeline's database CPU per conversation; without it, the whole machine for the run's wall time (an upper
 * bound: the run's Deno side, on Supabase an Edge Function, is charged to the database too). */
function pipelineCost(figures: Figures): Measured {
  const cpu = dbCpu(
    figures,
    "pipeline_closed_conversations",
    "database CPU per conversation, its fixtures' seeding included",
  );
  if (isMeasured(cpu)) return cpu;
  return measure(
    figures,
    "pipeline_closed_conversations",
    (r) => (r.n && r.seconds !== null ? (r.seconds * figures.machine.cores) / r.n : null),
    "the machine's cores x the run's seconds / conversations",
  );
}

/** Core-seconds per player in the peak hour: the day's share for what follows the players, an hour's for the rest. */
function peakHour(costs: CostItem[], rates: GameRates, skip: CostItem["id"][] = []): number | null {
  let total = 0;
  for (const c of costs) {
    if (skip.includes(c.id)) continue;
    if (!isMeasured(c.perCall)) return null;
    total += c.perCall.value * c.perDay * (c.spread === "day" ? rates.peakShare : 1 / 24);
  }
  return total;
}

function playersOn(size: ComputeSize, peak: number | null, a: Assumptions): number | null {
  if (peak === null || peak <= 0) return null;
  return Math.floor((size.cores * a.coresPerBenchCore.value * a.utilisation.value * 3600) / peak);
}

function coresFor(players: number, peak: number, a: Assumptions): number {
  return (players * peak) / (a.utilisation.value * 3600 * a.coresPerBenchCore.value);
}

function llmPerPlayerMinute(rates: GameRates, calls: ModelCall[]): Record<ModelClass, ModelLimits> {
  const out: Record<ModelClass, ModelLimits> = {
    sonnet: { rpm: 0, itpm: 0, otpm: 0 },
    haiku: { rpm: 0, itpm: 0, otpm: 0 },
  };
  for (const c of calls) {
    const perDay = c.count *
      (c.per === "message" ? rates.messagesPerDay : c.per === "conversation" ? rates.conversationsPerDay : 1);
    const perMinute = (perDay * rates.peakShare) / 60;
    out[c.model].rpm += perMinute;
    out[c.model].itpm += perMinute * c.uncachedInputTokens;
    out[c.model].otpm += perMinute * c.maxTokens;
  }
  return out;
}

/** Each call's share of one model class's need on one limit ("sonnet otpm"). */
function llmShares(rates: GameRates, calls: ModelCall[], what: string): { purpose: string; share: number }[] {
  const [model, dim] = what.split(" ") as [ModelClass, keyof ModelLimits];
  const total = llmPerPlayerMinute(rates, calls)[model][dim];
  if (!(total > 0)) return [];
  return calls.filter((c) => c.model === model).map((c) => ({
    purpose: c.purpose,
    share: llmPerPlayerMinute(rates, [c])[model][dim] / total,
  })).sort((x, y) => y.share - x.share);
}

/** Players a tier serves: the lowest of its three limits over each model class's need per player. */
export function tierPlayers(limits: Record<ModelClass, ModelLimits>, need: Record<ModelClass, ModelLimits>) {
  let best: { players: number; what: string } = { players: Infinity, what: "" };
  for (const model of ["sonnet", "haiku"] as const) {
    for (const dim of ["rpm", "itpm", "otpm"] as const) {
      if (need[model][dim] <= 0) continue;
      const players = Math.floor(limits[model][dim] / need[model][dim]);
      if (players < best.players) best = { players, what: `${model} ${dim}` };
    }
  }
  return best;
}

const sizeNamed = (name: string) => {
  const s = SUPABASE_COMPUTE.find((c) => c.name === name);
  if (!s) throw new Error(`no compute size ${name}`);
  return s;
};

export function computeCapacity(figures: Figures, rates: GameRates, a: Assumptions): Capacity {
  const costs = costItems(figures, rates, a);
  const missing = costs.filter((c) => !isMeasured(c.perCall)).map((c) =>
    `${c.what}: ${(c.perCall as { missing: string }).missing}`
  );
  const peak = peakHour(costs, rates);
  const daily = missing.length ? null : costs.reduce((t, c) => t + (c.perCall.value ?? 0) * c.perDay, 0);
  const reference = sizeNamed(a.reference.compute);
  const replies = rates.messagesPerDay * a.repliesPerMessage.value;
  const herMessagesPerDay = replies * a.partsPerReply.value + a.proactivePerDay.value;
  const perPlayerPeak = {
    messagesPerSecond: (rates.messagesPerDay * rates.peakShare) / 3600,
    herMessagesPerSecond: (herMessagesPerDay * rates.peakShare) / 3600,
    inFlightTurns: ((rates.messagesPerDay * rates.peakShare) / 3600) * a.turnSeconds.value,
  };
  const llm = llmPerPlayerMinute(rates, a.calls);
  const deliverRate = measure(figures, "deliver_500_chats_x_1", (r) => r.per_second, "messages/s of one run");
  const decay = costs.find((c) => c.id === "decay")!.perCall;
  const ceilings: Ceiling[] = [];
  const ceiling = (c: Ceiling) => ceilings.push(c);

  ceiling({
    id: "db_cpu",
    what: `database CPU, ${reference.name} (${reference.cores} cores)`,
    players: playersOn(reference, peak, a),
    detail: `the peak hour's database time at ${pct(a.utilisation.value)} of the cores`,
    ...(missing.length ? { missing: missing.join("; ") } : {}),
  });
  ceiling({
    id: "decay_pass",
    what: "the hourly decay pass finishes before the next",
    players: isMeasured(decay) ? Math.floor((86_400 / rates.decayRunsPerDay) / decay.value) : null,
    detail: "as if one statement on one backend (the shards side by side finish sooner): players x its time per " +
      "player <= the interval between passes",
    ...(isMeasured(decay) ? {} : { missing: decay.missing }),
  });
  ceiling({
    id: "telegram",
    what: `Telegram, ${TELEGRAM.botMessagesPerSecond} messages/s per bot`,
    players: Math.floor((a.reference.bots * TELEGRAM.botMessagesPerSecond) / perPlayerPeak.herMessagesPerSecond),
    detail: `her messages at the peak hour, ${a.reference.bots} bot`,
  });
  ceiling({
    id: "deliver",
    what: "the deliver run's pace (DESIGN.md: <= 25/s)",
    players: isMeasured(deliverRate)
      ? Math.floor((a.reference.bots * deliverRate.value) / perPlayerPeak.herMessagesPerSecond)
      : null,
    detail: "the measured rate of one deliver run, one run at a time per bot",
    ...(isMeasured(deliverRate) ? {} : { missing: deliverRate.missing }),
  });
  const tier = ANTHROPIC_TIERS.find((t) => t.tier === a.reference.tier);
  if (!tier) throw new Error(`no Anthropic tier ${a.reference.tier}`);
  const tierN = tierPlayers(tier.limits, llm);
  ceiling({
    id: "anthropic",
    what: `Anthropic ${tier.tier}`,
    players: tierN.players,
    detail: `${tierN.what} at the peak hour binds first`,
  });
  ceiling({
    id: "pooler",
    what: `pooler clients, ${reference.name} (${reference.poolerClients})`,
    players: Math.floor(reference.poolerClients / a.connectionsPerIsolate.value / perPlayerPeak.inFlightTurns),
    detail: `${a.connectionsPerIsolate.value} client connections per in-flight turn's isolate, turns in flight ` +
      `${a.turnSeconds.value} s`,
  });
  const busy = busyConnectionsPerPlayer(figures, costs, rates);
  ceiling({
    id: "db_connections",
    what: `database connections, ${reference.name} (${reference.maxConnections})`,
    players: isMeasured(busy) && busy.value > 0 ? Math.floor(reference.maxConnections / busy.value) : null,
    detail: "connections busy at once at the peak hour: calls/s x each call's p50 latency (Little's law)",
    ...(isMeasured(busy) ? {} : { missing: busy.missing }),
  });
  const known = ceilings.filter((c) => c.players !== null);
  const binding = known.length ? known.reduce((m, c) => (c.players! < m.players! ? c : m)) : null;
  const unmeasured = ceilings.filter((c) => c.players === null).map((c) => c.what);

  const portalPeak = peak === null ? null : peak - peakHour(costs, rates, ["portal"])!;
  const perBot = Math.min(
    TELEGRAM.botMessagesPerSecond,
    isMeasured(deliverRate) ? deliverRate.value : TELEGRAM.botMessagesPerSecond,
  );
  const scales: Scale[] = [];
  if (binding && !unmeasured.length && peak !== null && isMeasured(decay) && binding.players! > 0) {
    const withoutPortal = peakHour(costs, rates, ["portal"])!;
    for (const factor of [1, 10, 100]) {
      const players = binding.players! * factor;
      // Sustained load: only the sizes with dedicated CPU.
      const fits = (p: number) =>
        SUPABASE_COMPUTE.find((s) => s.dedicated && (playersOn(s, p, a) ?? 0) >= players) ?? null;
      const compute = fits(peak);
      scales.push({
        factor,
        players,
        compute,
        coresNeeded: coresFor(players, peak, a),
        computeWithReplicas: fits(withoutPortal),
        coresNeededWithReplicas: coresFor(players, withoutPortal, a),
        bots: Math.max(1, Math.ceil((players * perPlayerPeak.herMessagesPerSecond) / perBot)),
        tier: ANTHROPIC_TIERS.find((t) => tierPlayers(t.limits, llm).players >= players)?.tier ?? null,
        poolerClientsNeeded: Math.ceil(players * perPlayerPeak.inFlightTurns * a.connectionsPerIsolate.value),
        historyRowsPer30Days: players * 30 *
          (replies * a.historyRowsPerExchange.value + a.decayRowsPerDay.value),
        messageRowsPer30Days: players * 30 * (rates.messagesPerDay + herMessagesPerDay),
        decayPassSeconds: players * decay.value,
      });
    }
  }
  return {
    costs,
    dailySeconds: daily,
    peakHourSeconds: peak,
    missing,
    compute: SUPABASE_COMPUTE.map((size) => ({ size, players: playersOn(size, peak, a) })),
    ceilings,
    binding,
    unmeasured,
    scales,
    edgeCpuPerTurn: measure(
      figures,
      "webhook_ack_100_turns_in_1_s_2_s_model",
      (r) => r.figures["edge_cpu_ms_per_turn"],
      "server CPU ms per turn",
    ),
    portalShare: peak && portalPeak !== null ? portalPeak / peak : null,
    deliverRate,
    portalRowsMeasured: measure(figures, "portal_score_history_seeded", (r) => r.n, "history rows seeded"),
    herMessagesPerDay,
    perPlayerPeak,
    llmPerPlayerMinute: llm,
    tiers: ANTHROPIC_TIERS.map((t) => ({ tier: t.tier, ...tierPlayers(t.limits, llm) })),
    llmShares: llmShares(rates, a.calls, tierN.what),
  };
}

/** Connections one player keeps busy at the peak hour: each message's calls per second times their p50 latency. */
function busyConnectionsPerPlayer(figures: Figures, costs: CostItem[], rates: GameRates): Measured {
  const keys: Partial<Record<CostItem["id"], string>> = {
    ack: "db_cpu_ack_insert",
    turn: "db_cpu_turn_sql",
    exchange: "db_cpu_apply_exchange",
    delivery: "db_cpu_delivery_sql",
  };
  let total = 0;
  for (const c of costs) {
    const key = keys[c.id];
    if (!key) continue;
    const latency = measure(figures, key, (r) => seconds(r.p50_ms), "p50 latency");
    if (!isMeasured(latency)) return latency;
    total += ((c.perDay * rates.peakShare) / 3600) * latency.value;
  }
  return { value: total, from: "p50 latency of the ack, turn, exchange and delivery calls" };
}

export function pct(x: number): string {
  return `${Math.round(x * 100)} %`;
}

export const EDGE_CPU_LIMIT_MS = EDGE_FUNCTIONS.cpuSecondsPerRequest * 1000;
