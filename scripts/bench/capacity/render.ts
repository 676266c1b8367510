// docs/capacity.md from the computed model: every number printed here is a bench figure (with its row), a
// documented limit (with its page, limits.ts), an assumption (assumptions.ts, listed at the end) or computed from
// those. A missing figure prints as "not measured".
import type { Assumption, Assumptions } from "./assumptions.ts";
import { type Figures, isMeasured, type Measured } from "./figures.ts";
import type { GameRates } from "./inputs.ts";
import { EDGE_FUNCTIONS, SOURCES, TELEGRAM } from "./limits.ts";
import { type Capacity, EDGE_CPU_LIMIT_MS, pct } from "./model.ts";

export const NOT_MEASURED = "not measured";

export function int(x: number): string {
  return Math.round(x).toLocaleString("en-US");
}

/** Three significant figures, thousands separated. */
export function sig(x: number): string {
  if (x === 0) return "0";
  const digits = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(x))));
  return x.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

const ms = (s: number) => `${sig(s * 1000)} ms`;
const orNot = (
  m: Measured,
  f: (v: number) => string,
) => (isMeasured(m) ? f(m.value) : `${NOT_MEASURED} (${m.missing})`);

function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map((c) => c.replaceAll("|", "\\|")).join(" | ")} |`;
  return [line(head), line(head.map(() => "---")), ...rows.map(line)].join("\n");
}

function runLine(f: Figures): string {
  const knobs = Object.entries(f.run.knobs).map(([k, v]) => `${k}=${v}`);
  const secs = f.run.seconds === null ? "" : `, ${int(f.run.seconds)} s`;
  return [
    `Figures of the \`npm run bench\` run started ${f.run.started_at}${secs} (exit status ${f.run.exit_status}), on ` +
    `${f.machine.cores} cores${f.machine.cpu ? ` (${f.machine.cpu})` : ""}, PostgreSQL ${f.machine.postgres || "?"}` +
    `${f.machine.settings ? `, ${f.machine.settings}` : ""}.`,
    knobs.length
      ? `Knobs: ${knobs.map((k) => `\`${k}\``).join(", ")}: a reduced or partial run, so its figures are ` +
        "smaller-scale ones; the committed document is regenerated from a full run."
      : "No knobs: a full run at the bench's own scale.",
  ].join(" ");
}

function summary(c: Capacity, rates: GameRates, a: Assumptions): string {
  const ref = c.compute.find((x) => x.size.name === a.reference.compute)!;
  const lines = [
    `- One active player (the simulator's default persona mix) writes ${sig(rates.messagesPerDay)} messages a day ` +
    `in ${sig(rates.conversationsPerDay)} conversations; the busiest UTC hour (${rates.peakHour}:00) carries ` +
    `${pct(rates.peakShare)} of them.`,
    c.dailySeconds === null
      ? `- Database time per player-day: ${NOT_MEASURED} (${c.missing.join("; ")}).`
      : `- That player costs the database ${ms(c.dailySeconds)} of CPU a day, ${ms(c.peakHourSeconds!)} of it ` +
        "in the peak hour.",
    ref.players === null
      ? `- Active players a ${ref.size.name} compute holds: ${NOT_MEASURED}.`
      : `- A ${ref.size.name} compute holds ${int(ref.players)} active players at the peak hour.`,
    c.binding
      ? `- The first ceiling to bind (${a.reference.compute}, Anthropic ${a.reference.tier}, ${a.reference.bots} ` +
        `bot): ${c.binding.what}, at ${int(c.binding.players!)} active players` +
        (c.unmeasured.length ? ` (of those measured; ${NOT_MEASURED}: ${c.unmeasured.join(", ")}).` : ".")
      : `- The first ceiling to bind: ${NOT_MEASURED}.`,
  ];
  return lines.join("\n");
}

function costTable(c: Capacity): string {
  const rows = c.costs.map((x) => [
    x.what,
    orNot(x.perCall, ms),
    isMeasured(x.perCall) ? x.perCall.from : NOT_MEASURED,
    `${sig(x.perDay)} (${x.basis})`,
    isMeasured(x.perCall) ? ms(x.perCall.value * x.perDay) : NOT_MEASURED,
  ]);
  rows.push([
    "**per active player-day**",
    "",
    "",
    "",
    c.dailySeconds === null ? NOT_MEASURED : `**${ms(c.dailySeconds)}**`,
  ]);
  return table(["Operation", "Database time per call", "Bench figure", "Calls per player-day", "Per player-day"], rows);
}

function playerDay(c: Capacity, rates: GameRates, a: Assumptions): string {
  const personas = table(
    ["Persona", "Share of players", "Messages a day", "Conversations a day"],
    [
      ...rates.personas.map((p) => [p.name, pct(p.share), sig(p.messagesPerDay), sig(p.conversationsPerDay)]),
      ["**mix**", "100 %", `**${sig(rates.messagesPerDay)}**`, `**${sig(rates.conversationsPerDay)}**`],
    ],
  );
  const hours = rates.utcHourShare.map((s, h) => `${h}: ${(s * 100).toFixed(1)}`).join(", ");
  const llm = c.llmPerPlayerMinute;
  return [
    "Messages a day are the personas' sessions a day times their mean session length; a session opens one " +
    "conversation, and one more for each gap in it of at least the conversation's idle time " +
    `(${rates.conversationIdleMinutes} min, \`conversation_idle\`). For comparison, the game's optimal pace in ` +
    `chapter 1 is ${rates.optimalMessagesChapter1 ?? "?"} messages a day (\`optimal_messages_base\`) and the rate ` +
    `limit ${rates.ratePerDay ?? "?"} (\`rate_per_day\`).`,
    "",
    personas,
    "",
    `Per UTC hour, % of the day's messages (players spread evenly over ${rates.timezones.join(", ")}, each ` +
    `persona's local-hour activity): ${hours}.`,
    "",
    `Each message is an acknowledgement, a turn and an exchange; each reply (${a.repliesPerMessage.value} per ` +
    `message) one memory search and ${a.partsPerReply.value} delivered message; with ${a.proactivePerDay.value} ` +
    `proactive messages she sends ${sig(c.herMessagesPerDay)} messages a player-day. Decay runs ` +
    `${rates.decayRunsPerDay} times a day over every player; each conversation goes through the pipeline once.`,
    "",
    `At the peak hour one player makes ${sig(llm.sonnet.rpm)} Sonnet and ${sig(llm.haiku.rpm)} Haiku requests a ` +
    `minute (${sig(llm.sonnet.itpm)} / ${sig(llm.haiku.itpm)} uncached input tokens, ${sig(llm.sonnet.otpm)} / ` +
    `${sig(llm.haiku.otpm)} output tokens counted at max_tokens), and ${sig(c.perPlayerPeak.herMessagesPerSecond)} ` +
    "of her messages a second.",
  ].join("\n");
}

function computeTable(c: Capacity, a: Assumptions): string {
  return [
    `Active players = cores x ${a.coresPerBenchCore.value} x ${pct(a.utilisation.value)} x 3,600 s / the peak ` +
    `hour's database time per player (${c.peakHourSeconds === null ? NOT_MEASURED : ms(c.peakHourSeconds)}).`,
    "",
    table(
      ["Compute", "CPU", "Memory", "Database max connections", "Pooler max clients", "Active players"],
      c.compute.map(({ size, players: n }) => [
        size.name,
        size.cpu,
        `${size.memoryGb} GB`,
        int(size.maxConnections),
        int(size.poolerClients),
        n === null ? NOT_MEASURED : `${int(n)}${size.dedicated ? "" : " (burst only)"}`,
      ]),
    ),
    "",
    "Sizes below Large share their CPU and burst above their baseline only for short periods (Compute and Disk), " +
    "so they do not sustain the count shown. Memory is not modelled: the bench measures time, not working sets.",
  ].join("\n");
}

function ceilings(c: Capacity, a: Assumptions): string {
  const sorted = [...c.ceilings].sort((x, y) => (x.players ?? Infinity) - (y.players ?? Infinity));
  const rows = sorted.map((x) => [
    c.binding && x.id === c.binding.id ? `**${x.what}**` : x.what,
    x.players === null ? `${NOT_MEASURED} (${x.missing ?? ""})` : int(x.players),
    x.detail,
  ]);
  const tiers = table(
    ["Anthropic tier", "Active players", "Binds on"],
    c.tiers.map((t) => [t.tier, int(t.players), t.what]),
  );
  return [
    `In the reference deployment (${a.reference.compute}, Anthropic ${a.reference.tier}, ${a.reference.bots} bot), ` +
    "the active players at which each ceiling binds, lowest first:",
    "",
    table(["Ceiling", "Active players", "How"], rows),
    "",
    tiers,
    "",
    c.llmShares.length
      ? `Of ${c.tiers.find((t) => t.tier === a.reference.tier)?.what ?? "the binding limit"}, per call: ` +
        c.llmShares.map((x) => `${x.purpose} ${pct(x.share)}`).join(", ") +
        ". Output tokens count at max_tokens until a request ends, so a lower max_tokens, or a job moved to the " +
        "Batches API, raises this ceiling."
      : "",
    "",
    "Edge Functions (per request, not per player count):",
    "",
    `- CPU time: ${EDGE_FUNCTIONS.cpuSecondsPerRequest} s per request; a turn took ` +
    `${orNot(c.edgeCpuPerTurn, (v) => `${sig(v)} ms`)} of the server's CPU in the bench ` +
    `(${orNot(c.edgeCpuPerTurn, (v) => `${sig(EDGE_CPU_LIMIT_MS / v)}x headroom`)}).`,
    `- Wall clock: a worker lives ${EDGE_FUNCTIONS.wallClockSeconds.paid} s on paid plans ` +
    `(${EDGE_FUNCTIONS.wallClockSeconds.free} s free) and a request without a response times out after ` +
    `${EDGE_FUNCTIONS.requestIdleTimeoutSeconds} s; the webhook answers at once and a turn is in flight about ` +
    `${a.turnSeconds.value} s (assumed), so a drain works through a chat's queue well within one worker's life, and ` +
    "process-inbox picks up what a worker that ended left.",
    `- Concurrency: the limits page names no number. Memory: ${EDGE_FUNCTIONS.memoryMb} MB per worker.`,
    `- Function-to-function calls: at least ${int(EDGE_FUNCTIONS.nestedCallsPerMinute)} a minute per request chain ` +
    "(pg_cron calls the jobs function through pg_net, not from another function).",
    "",
    `Telegram's ${TELEGRAM.chatMessagesPerSecond} message a second to one chat binds no player count: the deliver ` +
    "run keeps one second between two messages to a chat (DESIGN.md), so a reply in parts takes a second a part.",
  ].join("\n");
}

function scales(c: Capacity): string {
  if (!c.scales.length) {
    return `${NOT_MEASURED}: the scale table needs every cost and ceiling above (${c.missing.join("; ") || "none"}).`;
  }
  const [one] = c.scales;
  const rows = c.scales.map((s) => [
    `${s.factor}x`,
    int(s.players),
    s.compute ? s.compute.name : `none (${sig(s.coresNeeded)} cores)`,
    s.computeWithReplicas ? s.computeWithReplicas.name : `none (${sig(s.coresNeededWithReplicas)} cores)`,
    int(s.bots),
    s.tier ?? "beyond Tier 4",
    `${int(s.poolerClientsNeeded)}${s.compute ? ` of ${int(s.compute.poolerClients)}` : ""}`,
    int(s.historyRowsPer30Days),
    int(s.messageRowsPer30Days),
    `${sig(s.decayPassSeconds)} s`,
  ]);
  const measuredRows = c.portalRowsMeasured;
  const last = c.scales[c.scales.length - 1]!;
  const history = isMeasured(measuredRows)
    ? `The portal's reads were measured over ${int(measuredRows.value)} score_history rows; 30 days of history is ` +
      `${sig(one!.historyRowsPer30Days / measuredRows.value)}x that at 1x and ` +
      `${sig(last.historyRowsPer30Days / measuredRows.value)}x at ${last.factor}x.`
    : `The portal's reads at scale: ${NOT_MEASURED} (${measuredRows.missing}).`;
  return [
    `1x is the first ceiling above (${c.binding!.what}, ${int(one!.players)} active players). Per scale: the ` +
    "smallest compute with dedicated CPU whose cores hold the peak hour, the same with the portal's reads moved to " +
    "read replicas, the bots delivery needs, the Anthropic tier, the pooler client connections turns in flight " +
    "hold (of the compute's maximum), the history a month adds, and how long one decay pass takes.",
    "",
    table(
      [
        "Scale",
        "Active players",
        "Compute",
        "Compute, portal on replicas",
        "Bots",
        "Anthropic",
        "Pooler clients",
        "score_history rows / 30 days",
        "messages rows / 30 days",
        "Decay pass",
      ],
      rows,
    ),
    "",
    "What changes:",
    "",
    `- **Sharded delivery across bots.** One bot sends about ${TELEGRAM.botMessagesPerSecond} messages a second ` +
    `and the deliver run paces itself below that (${orNot(c.deliverRate, (v) => `${sig(v)}/s measured`)}); the ` +
    "table's bots are the peak hour's messages over that pace. Each player talks to one bot for life (the chat is " +
    "with that bot), so shard players across bots at signup, give each bot its own token, webhook secret and " +
    "deliver run, and key the outbox claim by bot.",
    `- **Read replicas for portal reads.** The portal's reads are ${
      c.portalShare === null ? NOT_MEASURED : pct(c.portalShare)
    } of the peak hour's database time; they are the only reads that need no primary (PostgREST can point at a ` +
    "replica), so moving them buys that share and no more: the writes of a turn stay on the primary.",
    `- **Partitioned history.** ${history} score_history and messages only grow; partition them by month ` +
    "(recorded_at, created_at) so a player's 30-day read touches one or two partitions and retention drops whole " +
    "partitions instead of deleting rows.",
    ...limitBullets(c),
    `- **Decay.** One pass over every player is one statement on one backend; at ${last.factor}x it takes ` +
    `${sig(last.decayPassSeconds)} s of an hour. Past a few minutes, split it by player range across workers ` +
    "(it is idempotent per now, so ranges can run apart).",
  ].join("\n");
}

/** The pooler and the model limits at the largest scale, when that scale outgrows them. */
function limitBullets(c: Capacity): string[] {
  const out: string[] = [];
  const over = c.scales.find((s) => s.compute && s.poolerClientsNeeded > s.compute.poolerClients);
  if (over) {
    out.push(
      `- **Pooler clients.** At ${over.factor}x the turns in flight hold ${int(over.poolerClientsNeeded)} client ` +
        `connections, more than the ${over.compute!.name} pooler takes (${int(over.compute!.poolerClients)}): a ` +
        "larger compute, or fewer connections per isolate (one pool for the acknowledgement and the turn).",
    );
  }
  const beyond = c.scales.find((s) => s.tier === null);
  const top = c.tiers[c.tiers.length - 1];
  if (beyond && top) {
    out.push(
      `- **Model rate limits.** At ${beyond.factor}x the players need ${sig(beyond.players / top.players)}x ` +
        `${top.tier}'s ${top.what} (the first of its limits to bind): limits agreed with Anthropic beyond the ` +
        "self-serve tiers, smaller max_tokens where answers are short, or the daily and post-conversation calls " +
        "through the Batches API.",
    );
  }
  return out;
}

function assumptionList(a: Assumptions): string {
  const named: [string, Assumption][] = [
    ["CPU utilisation target", a.utilisation],
    ["Supabase vCPU vs bench core", a.coresPerBenchCore],
    ["Replies", a.repliesPerMessage],
    ["Parts", a.partsPerReply],
    ["Proactive messages", a.proactivePerDay],
    ["Memory searches", a.searchesPerReply],
    ["Portal visits", a.portalReadsPerDay],
    ["History rows per exchange", a.historyRowsPerExchange],
    ["Decay rows", a.decayRowsPerDay],
    ["Turn in flight", a.turnSeconds],
    ["Pooler connections", a.connectionsPerIsolate],
  ];
  return [
    table(["Assumption", "Value", "Why"], named.map(([n, x]) => [n, `${x.value} ${x.unit}`, x.why])),
    "",
    "Model calls (tokens are assumptions; max_tokens are the code's):",
    "",
    table(
      ["Call", "Model", "How often", "Uncached input tokens", "max_tokens", "Where"],
      a.calls.map((x) => [
        x.purpose,
        x.model,
        x.per === "day" ? `${x.count} a day` : `${x.count} per ${x.per}`,
        int(x.uncachedInputTokens),
        int(x.maxTokens),
        x.where,
      ]),
    ),
    "",
    `Reference deployment: ${a.reference.compute}, Anthropic ${a.reference.tier}, ${a.reference.bots} bot ` +
    `(${a.reference.why}). The peak hour is computed, not assumed, from the personas; that players spread evenly ` +
    "over the simulator's time zones is the simulator's own choice. Database time per call is CPU time where the " +
    'bench measured it ("database CPU per call"); where it measured wall time on one connection (memory search, ' +
    "portal reads, decay) or a whole run (the pipeline, charged all the machine's cores), that bounds the CPU from " +
    "above.",
  ].join("\n");
}

export function renderCapacity(c: Capacity, f: Figures, rates: GameRates, a: Assumptions): string {
  return [
    "# Capacity model",
    "",
    "<!-- Generated by scripts/bench/capacity.ts from .local/bench-output/figures.json; `npm run capacity` " +
    "regenerates it, `npm run bench` too. Do not edit by hand. -->",
    "",
    runLine(f),
    "",
    "Every number below is a bench figure (with the row it comes from), a documented limit (with its page, under " +
    "Sources), an assumption (under Assumptions), or computed from those.",
    "",
    "## Summary",
    "",
    summary(c, rates, a),
    "",
    "## Per-operation costs",
    "",
    costTable(c),
    "",
    "## One active player's day",
    "",
    playerDay(c, rates, a),
    "",
    "## Active players per compute size",
    "",
    computeTable(c, a),
    "",
    "## Ceilings",
    "",
    ceilings(c, a),
    "",
    "## At 10x and 100x",
    "",
    scales(c),
    "",
    "## Assumptions",
    "",
    assumptionList(a),
    "",
    "## Sources",
    "",
    SOURCES.map((s) => `- [${s.title}](${s.url}): ${s.note}.`).join("\n"),
    "",
  ].join("\n");
}
