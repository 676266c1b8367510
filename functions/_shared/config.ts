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
/** functions/jobs. */
export const jobsEnvSchema = z.object({ ...appShape, ...jobsSecret }).superRefine(crossChecks).transform(withDefaults);
/** The local gateway serves every function from one process, so it needs every function's variables. */
export const gatewayEnvSchema = z.object({ ...appShape, ...webhookSecret, ...jobsSecret })
  .superRefine(crossChecks).transform(withDefaults);

export type AppEnv = z.infer<typeof appEnvSchema>;
export type TelegramWebhookEnv = z.infer<typeof telegramWebhookEnvSchema>;
export type JobsEnv = z.infer<typeof jobsEnvSchema>;
export type GatewayEnv = z.infer<typeof gatewayEnvSchema>;
