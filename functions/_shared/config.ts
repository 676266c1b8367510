// The configuration of each edge function (PLATFORM.md §11): one zod schema per function, parsed once at module
// load. Every function shares the app's variables (database, bot, models, Auth); each adds only its own secret,
// so the webhook never needs the jobs secret and the jobs function never needs the webhook secret.
import { z } from "npm:zod@4.6.7";
import { baseEnvSchema } from "./platform/env.ts";

const url = z.url();
/** Where /portal links point outside production (a local portal). */
const DEFAULT_PORTAL_URL = "http://127.0.0.1:3000";

/** What the wiring module (app.ts) needs to build every client. */
const appShape = {
  ...baseEnvSchema.shape,
  SUPABASE_URL: url,
  SUPABASE_ANON_KEY: z.string().min(1),
  // Required in production (crossChecks), where a link to a local portal would reach no player; elsewhere
  // withDefaults fills in DEFAULT_PORTAL_URL.
  PORTAL_URL: url.optional(),
  TELEGRAM_BOT_TOKEN: z.string().regex(/^\d+:[\w-]+$/, "a bot token looks like 123456:ABC-def"),
  TELEGRAM_BOT_USERNAME: z.string().regex(/^\w{3,64}$/),
  TELEGRAM_API_ROOT: url.default("https://api.telegram.org").transform((s) => s.replace(/\/+$/, "")),
  LLM_MODE: z.enum(["live", "offline"]).default("live"),
  LLM_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(2),
  ANTHROPIC_API_KEY: z.string().min(1).optional(),
  ANTHROPIC_BASE_URL: url.default("https://api.anthropic.com"),
  MODEL_REPLY: z.string().default("claude-sonnet-4-6"),
  MODEL_ANALYZER: z.string().default("claude-haiku-4-5"),
  MODEL_JUDGE: z.string().default("claude-sonnet-4-6"),
  MODEL_SUMMARY: z.string().default("claude-haiku-4-5"),
  MODEL_EXTRACTION: z.string().default("claude-sonnet-4-6"),
  MODEL_PSYCHE: z.string().default("claude-sonnet-4-6"),
  // Embeddings for her memory (memory/embeddings.ts); the model must answer 1536 dimensions.
  OPENAI_API_KEY: z.string().min(1).optional(),
  OPENAI_BASE_URL: url.default("https://api.openai.com/v1").transform((s) => s.replace(/\/+$/, "")),
  EMBEDDING_MODEL: z.string().default("text-embedding-3-small"),
  VOICE_PHONE_NUMBER: z.string().optional(),
  ELEVENLABS_AGENT_ID: z.string().optional(),
};

const webhookSecret = {
  TELEGRAM_WEBHOOK_SECRET: z.string().regex(/^[A-Za-z0-9_-]{1,256}$/, "1-256 characters of A-Z a-z 0-9 _ -"),
};
const jobsSecret = { JOBS_SECRET: z.string().min(16) };
/** The portal deletes accounts through the Auth admin API, which takes the service role key (PLATFORM.md §8.1). */
const serviceRoleKey = { SUPABASE_SERVICE_ROLE_KEY: z.string().min(1) };

// The voice function's secrets (PLATFORM.md §4, §11): the post-call HMAC secret ElevenLabs generates, the initiation
// webhook's header secret, and the key of the session tokens, which no other secret shares.
const voiceSecrets = {
  ELEVENLABS_WEBHOOK_SECRET: z.string().min(16, "at least 16 characters"),
  ELEVENLABS_INITIATION_SECRET: z.string().min(16, "at least 16 characters"),
  VOICE_TOKEN_SECRET: z.string().min(32, "at least 32 characters (32 random bytes or more)"),
};
/** The ElevenLabs API (outbound calls); optional wherever only the webhooks and tools are served. */
const elevenLabsApi = {
  ELEVENLABS_API_KEY: z.string().min(1).optional(),
  ELEVENLABS_API_BASE: url.default("https://api.elevenlabs.io").transform((s) => s.replace(/\/+$/, "")),
  ELEVENLABS_PHONE_NUMBER_ID: z.string().min(1).optional(),
};

/** The same variables, each optional. */
function optional<T extends Record<string, z.ZodType>>(shape: T): { [K in keyof T]: z.ZodOptional<T[K]> } {
  return Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, v.optional()])) as {
    [K in keyof T]: z.ZodOptional<T[K]>;
  };
}

/** Rules across variables, shared by every schema. */
function crossChecks(
  env: {
    LLM_MODE: string;
    ANTHROPIC_API_KEY?: string | undefined;
    OPENAI_API_KEY?: string | undefined;
    ENVIRONMENT: string;
    PORTAL_URL?: string | undefined;
  },
  ctx: z.RefinementCtx,
) {
  if (env.LLM_MODE === "live" && !env.ANTHROPIC_API_KEY) {
    ctx.addIssue({ code: "custom", path: ["ANTHROPIC_API_KEY"], message: "required when LLM_MODE=live" });
  }
  if (env.LLM_MODE === "live" && !env.OPENAI_API_KEY) {
    ctx.addIssue({ code: "custom", path: ["OPENAI_API_KEY"], message: "required when LLM_MODE=live" });
  }
  if (env.LLM_MODE === "offline" && env.ENVIRONMENT === "production") {
    ctx.addIssue({ code: "custom", path: ["LLM_MODE"], message: "offline is refused in production" });
  }
  if (env.ENVIRONMENT === "production" && !env.PORTAL_URL) {
    ctx.addIssue({ code: "custom", path: ["PORTAL_URL"], message: "required in production" });
  }
}

/** Where voice is optional (the gateway): its secrets are required once ELEVENLABS_AGENT_ID turns voice on. */
function voiceChecks(
  env: { ELEVENLABS_AGENT_ID?: string | undefined } & Partial<Record<keyof typeof voiceSecrets, string>>,
  ctx: z.RefinementCtx,
) {
  if (!env.ELEVENLABS_AGENT_ID) return;
  for (const name of Object.keys(voiceSecrets) as (keyof typeof voiceSecrets)[]) {
    if (!env[name]) ctx.addIssue({ code: "custom", path: [name], message: "required when ELEVENLABS_AGENT_ID is set" });
  }
}

/** The defaults that depend on another variable, applied after crossChecks. */
function withDefaults<T extends { PORTAL_URL?: string | undefined }>(
  env: T,
): Omit<T, "PORTAL_URL"> & { PORTAL_URL: string } {
  return { ...env, PORTAL_URL: env.PORTAL_URL ?? DEFAULT_PORTAL_URL };
}

// Each schema: its variables, the rules across them (crossChecks), then the defaults that depend on another.
export const appEnvSchema = z.object(appShape).superRefine(crossChecks).transform(withDefaults);
/** functions/telegram-webhook. */
export const telegramWebhookEnvSchema = z.object({ ...appShape, ...webhookSecret })
  .superRefine(crossChecks).transform(withDefaults);
/** functions/jobs: its deliver runs place her calls, so voice's secrets are required once voice is on. */
export const jobsEnvSchema = z.object({ ...appShape, ...jobsSecret, ...optional(voiceSecrets), ...elevenLabsApi })
  .superRefine(crossChecks).superRefine(voiceChecks).transform(withDefaults);
/** functions/voice: only deployed with voice on, so the agent and every voice secret are required. */
export const voiceEnvSchema = z.object({
  ...appShape,
  ...voiceSecrets,
  ...elevenLabsApi,
  ELEVENLABS_AGENT_ID: z.string().min(1),
}).superRefine(crossChecks).transform(withDefaults);
/** functions/portal: account deletion, link codes and the admin tools behind a Supabase access token. */
export const portalEnvSchema = z.object({ ...appShape, ...serviceRoleKey })
  .superRefine(crossChecks).transform(withDefaults);
/** The local gateway serves every function from one process, so it needs every function's variables; voice's only
 * when it is on (it serves the voice route whenever the voice secrets are set, as the local defaults do). */
export const gatewayEnvSchema = z.object({
  ...appShape,
  ...webhookSecret,
  ...jobsSecret,
  ...optional(voiceSecrets),
  ...elevenLabsApi,
  // The portal route is served when it is set (the local defaults set it).
  ...optional(serviceRoleKey),
}).superRefine(crossChecks).superRefine(voiceChecks).transform(withDefaults);

export type AppEnv = z.infer<typeof appEnvSchema>;
/** What placing a call needs (PLATFORM.md §4.5); a function whose schema has none of it places no calls. */
export type OutboundCallEnv =
  & Partial<
    Pick<z.infer<typeof voiceEnvSchema>, "ELEVENLABS_API_KEY" | "ELEVENLABS_PHONE_NUMBER_ID" | "VOICE_TOKEN_SECRET">
  >
  & { ELEVENLABS_API_BASE?: string };

/** Whether she places calls: voice on and the outbound-call API configured (the voice sender and the touchpoints'
 * channel rule both ask). */
export function callsEnabled(env: { ELEVENLABS_AGENT_ID?: string | undefined } & OutboundCallEnv): boolean {
  return Boolean(
    env.ELEVENLABS_AGENT_ID && env.ELEVENLABS_API_KEY && env.ELEVENLABS_PHONE_NUMBER_ID && env.VOICE_TOKEN_SECRET,
  );
}
export type TelegramWebhookEnv = z.infer<typeof telegramWebhookEnvSchema>;
export type JobsEnv = z.infer<typeof jobsEnvSchema>;
export type VoiceEnv = z.infer<typeof voiceEnvSchema>;
export type PortalEnv = z.infer<typeof portalEnvSchema>;
export type GatewayEnv = z.infer<typeof gatewayEnvSchema>;
