// The configuration of the Telegram and jobs functions (PLATFORM.md §11), parsed once at module load.
import { z } from "npm:zod@4.6.7";
import { baseEnvSchema } from "./env.ts";

const url = z.url();

export const telegramEnvSchema = baseEnvSchema.extend({
  SUPABASE_URL: url,
  SUPABASE_ANON_KEY: z.string().min(1),
  PORTAL_URL: url.default("http://127.0.0.1:3000"),
  TELEGRAM_BOT_TOKEN: z.string().regex(/^\d+:[\w-]+$/, "a bot token looks like 123456:ABC-def"),
  TELEGRAM_BOT_USERNAME: z.string().regex(/^\w{3,64}$/),
  TELEGRAM_WEBHOOK_SECRET: z.string().regex(/^[A-Za-z0-9_-]{1,256}$/, "1-256 characters of A-Z a-z 0-9 _ -"),
  TELEGRAM_API_ROOT: url.default("https://api.telegram.org").transform((s) => s.replace(/\/+$/, "")),
  LLM_MODE: z.enum(["live", "offline"]).default("live"),
  LLM_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(2),
  ANTHROPIC_API_KEY: z.string().min(1).optional(),
  ANTHROPIC_BASE_URL: url.default("https://api.anthropic.com"),
  MODEL_REPLY: z.string().default("claude-sonnet-4-6"),
  MODEL_ANALYZER: z.string().default("claude-haiku-4-5"),
  MODEL_JUDGE: z.string().default("claude-sonnet-4-6"),
  MODEL_SUMMARY: z.string().default("claude-haiku-4-5"),
  JOBS_SECRET: z.string().min(16),
  VOICE_PHONE_NUMBER: z.string().optional(),
  ELEVENLABS_AGENT_ID: z.string().optional(),
}).superRefine((env, ctx) => {
  if (env.LLM_MODE === "live" && !env.ANTHROPIC_API_KEY) {
    ctx.addIssue({ code: "custom", path: ["ANTHROPIC_API_KEY"], message: "required when LLM_MODE=live" });
  }
  if (env.LLM_MODE === "offline" && env.ENVIRONMENT === "production") {
    ctx.addIssue({ code: "custom", path: ["LLM_MODE"], message: "offline is refused in production" });
  }
});

export type TelegramEnv = z.infer<typeof telegramEnvSchema>;
