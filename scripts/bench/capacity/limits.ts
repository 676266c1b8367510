// Documented limits of the platforms the backend runs on, each with the page it comes from. These are the only
// numbers of the capacity model that are neither measured by the bench nor assumed (assumptions.ts): change one here
// when its page changes, and docs/capacity.md follows at the next `npm run capacity`.

export interface Source {
  title: string;
  url: string;
  /** What of the page is used, and how it was read. */
  note: string;
}

export interface ComputeSize {
  name: string;
  /** As the page words it ("2-core ARM (shared)"). */
  cpu: string;
  cores: number;
  /** Below Large the CPU is shared and bursts: it does not sustain its cores. */
  dedicated: boolean;
  memoryGb: number;
  /** "Database Max Connections" (a recommended value). */
  maxConnections: number;
  /** "Connection Pooler Max Clients". */
  poolerClients: number;
}

export const SUPABASE_COMPUTE_SOURCE: Source = {
  title: "Supabase docs: Compute and Disk",
  url: "https://supabase.com/docs/guides/platform/compute-and-disk",
  note: 'the "Compute" table (CPU, memory) and "Limits and constraints" (database max connections, connection ' +
    "pooler max clients); also: instances smaller than Large have CPUs that burst for short periods",
};

// Nano (free plan, shared CPU, up to 0.5 GB) is left out: its CPU is not a number of cores.
export const SUPABASE_COMPUTE: ComputeSize[] = [
  {
    name: "Micro",
    cpu: "2-core ARM (shared)",
    cores: 2,
    dedicated: false,
    memoryGb: 1,
    maxConnections: 60,
    poolerClients: 200,
  },
  {
    name: "Small",
    cpu: "2-core ARM (shared)",
    cores: 2,
    dedicated: false,
    memoryGb: 2,
    maxConnections: 90,
    poolerClients: 400,
  },
  {
    name: "Medium",
    cpu: "2-core ARM (shared)",
    cores: 2,
    dedicated: false,
    memoryGb: 4,
    maxConnections: 120,
    poolerClients: 600,
  },
  {
    name: "Large",
    cpu: "2-core ARM (dedicated)",
    cores: 2,
    dedicated: true,
    memoryGb: 8,
    maxConnections: 160,
    poolerClients: 800,
  },
  {
    name: "XL",
    cpu: "4-core ARM (dedicated)",
    cores: 4,
    dedicated: true,
    memoryGb: 16,
    maxConnections: 240,
    poolerClients: 1000,
  },
  {
    name: "2XL",
    cpu: "8-core ARM (dedicated)",
    cores: 8,
    dedicated: true,
    memoryGb: 32,
    maxConnections: 380,
    poolerClients: 1500,
  },
  {
    name: "4XL",
    cpu: "16-core ARM (dedicated)",
    cores: 16,
    dedicated: true,
    memoryGb: 64,
    maxConnections: 480,
    poolerClients: 3000,
  },
  {
    name: "8XL",
    cpu: "32-core ARM (dedicated)",
    cores: 32,
    dedicated: true,
    memoryGb: 128,
    maxConnections: 490,
    poolerClients: 6000,
  },
  {
    name: "12XL",
    cpu: "48-core ARM (dedicated)",
    cores: 48,
    dedicated: true,
    memoryGb: 192,
    maxConnections: 500,
    poolerClients: 9000,
  },
  {
    name: "16XL",
    cpu: "64-core ARM (dedicated)",
    cores: 64,
    dedicated: true,
    memoryGb: 256,
    maxConnections: 500,
    poolerClients: 12000,
  },
];

export const EDGE_FUNCTIONS_SOURCE: Source = {
  title: "Supabase docs: Edge Functions limits",
  url: "https://supabase.com/docs/guides/functions/limits",
  note: "runtime limits (memory, wall clock per worker, CPU time per request, request idle timeout) and the " +
    "function-to-function call budget; the page names no concurrency limit",
};

export const EDGE_FUNCTIONS = {
  memoryMb: 256,
  /** How long a worker stays active; it may serve several requests and background tasks meanwhile. */
  wallClockSeconds: { free: 150, paid: 400 },
  /** Time on the CPU per request, async I/O not included. */
  cpuSecondsPerRequest: 2,
  /** Without a response by then the caller gets 504. */
  requestIdleTimeoutSeconds: 150,
  /** Function-to-function fetch() calls per request chain (at least). */
  nestedCallsPerMinute: 5000,
};

export const TELEGRAM_SOURCE: Source = {
  title: "Telegram Bots FAQ: My bot is hitting limits, how do I avoid this?",
  url: "https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this",
  note: "one message a second to a chat (short bursts allowed), about 30 messages a second for bulk notifications, " +
    "20 a minute to a group; quoted as such by grammY's Flood Limits page (https://grammy.dev/advanced/flood), which " +
    "adds that Telegram publishes no exact limits",
};

export const TELEGRAM = {
  /** Per bot token. */
  botMessagesPerSecond: 30,
  chatMessagesPerSecond: 1,
  groupMessagesPerMinute: 20,
};

export const ANTHROPIC_SOURCE: Source = {
  title: "Claude API docs: Rate limits",
  url: "https://docs.anthropic.com/en/api/rate-limits",
  note: "requests, input tokens and output tokens per minute by usage tier and model class, per organization; " +
    "cache reads do not count towards input tokens per minute for these models, output tokens are counted at " +
    "max_tokens when a request starts. Tier 1 as the English page states it; tiers 2-4 as its tables are " +
    "reproduced on https://hivebook.wiki/wiki/anthropic-api-rate-limits. Check the Console for the organization's own",
};

export interface ModelLimits {
  rpm: number;
  itpm: number;
  otpm: number;
}

/** The two model classes the backend calls: Sonnet 4.x (reply, extraction) and Haiku 4.5 (analysis, summaries). */
export type ModelClass = "sonnet" | "haiku";

export const ANTHROPIC_TIERS: { tier: string; limits: Record<ModelClass, ModelLimits> }[] = [
  {
    tier: "Tier 1",
    limits: { sonnet: { rpm: 50, itpm: 30_000, otpm: 8_000 }, haiku: { rpm: 50, itpm: 50_000, otpm: 10_000 } },
  },
  {
    tier: "Tier 2",
    limits: { sonnet: { rpm: 1_000, itpm: 450_000, otpm: 90_000 }, haiku: { rpm: 1_000, itpm: 450_000, otpm: 90_000 } },
  },
  {
    tier: "Tier 3",
    limits: {
      sonnet: { rpm: 2_000, itpm: 800_000, otpm: 160_000 },
      haiku: { rpm: 2_000, itpm: 1_000_000, otpm: 200_000 },
    },
  },
  {
    tier: "Tier 4",
    limits: {
      sonnet: { rpm: 4_000, itpm: 2_000_000, otpm: 400_000 },
      haiku: { rpm: 4_000, itpm: 4_000_000, otpm: 800_000 },
    },
  },
];

export const SOURCES: Source[] = [SUPABASE_COMPUTE_SOURCE, EDGE_FUNCTIONS_SOURCE, TELEGRAM_SOURCE, ANTHROPIC_SOURCE];
