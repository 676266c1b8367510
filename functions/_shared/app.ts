// The wiring: every client and dependency built once from the parsed configuration. The deployed functions
// (functions/<name>/index.ts), the local gateway and the test harness all build through here, so they run the
// same code with the same dependencies; a test only overrides what it fakes. Nothing here holds a rule.
import { Api } from "npm:grammy@1.46.0";
import type { ApiClientOptions } from "npm:grammy@1.46.0";
import { type AppEnv, callsEnabled, type OutboundCallEnv } from "./config.ts";
import { createJobsHandler } from "./jobs/handler.ts";
import { jobRegistry } from "./jobs/registry.ts";
import { createLedger } from "./llm/ledger.ts";
import { createLiveLlm } from "./llm/live.ts";
import { createOfflineLlm } from "./llm/offline.ts";
import type { Llm } from "./llm/types.ts";
import { createOfflineEmbedder, createOpenAiEmbedder, type Embedder } from "./memory/embeddings.ts";
import { deliverTurnReplies } from "./outbox/chat.ts";
import { deliver, type DeliverResult, type Sender } from "./outbox/deliver.ts";
import { telegramSender } from "./outbox/senders/telegram.ts";
import { voiceSender } from "./outbox/senders/voice.ts";
import { type AuthGateway, createSupabaseAuth } from "./platform/auth.ts";
import { createDb, type Sql } from "./platform/db.ts";
import { databaseUrl } from "./platform/env.ts";
import { setLogLevel, withRequestId } from "./platform/log.ts";
import { createReplyContext } from "./memory/context.ts";
import { afterResponse, createRuntime, type Runtime } from "./platform/runtime.ts";
import { drainChat, type DrainDeps } from "./telegram/drain.ts";
import { nativeFetch } from "./telegram/fetch.ts";
import { createWebhookHandler } from "./telegram/webhook.ts";
import { createVoiceHandler, type VoiceDeps } from "./voice/handler.ts";
import { type PipelineDeps, processConversations } from "./pipeline/process_conversations.ts";
import { createPortalHandler, type PortalDeps } from "./portal/handler.ts";
import { createPortalAuth } from "./portal/identity.ts";

export type Handler = (req: Request) => Promise<Response>;

export interface App {
  env: AppEnv;
  /** The pool turns, jobs and the ledger share. */
  sql: Sql;
  /** The webhook's acknowledgements have a pool of their own, so an insert never queues behind turn processing. */
  ackSql: Sql;
  runtime: Runtime;
  llm: Llm;
  /** Embeddings for her memory: OpenAI when live, the deterministic offline embedder offline. */
  embedder: Embedder;
  auth: AuthGateway;
  /** The Telegram Bot API client (grammY). */
  telegram: Api;
  /** What a drain pass needs (telegram/drain.ts). */
  drain: DrainDeps;
  /** What a pipeline run needs (the process-conversations job and the run a stored call starts). */
  pipeline: PipelineDeps;
  /** One deliver run over every channel; `typingMs` is the pause between typing and a Telegram message. */
  deliver(options: { limit: number; chatId?: number; typingMs?: number }): Promise<DeliverResult>;
  close(): Promise<void>;
}

/** What a test or the local runtime may supply instead of the real thing. */
export interface AppOverrides {
  sql?: Sql;
  ackSql?: Sql;
  llm?: Llm;
  auth?: AuthGateway;
  runtime?: Runtime;
  random?: () => number;
}

export function createLlm(env: AppEnv, sql: Sql): Llm {
  if (env.LLM_MODE === "offline") return createOfflineLlm();
  return createLiveLlm({
    apiKey: env.ANTHROPIC_API_KEY!,
    baseURL: env.ANTHROPIC_BASE_URL,
    maxRetries: env.LLM_MAX_RETRIES,
    models: {
      reply: env.MODEL_REPLY,
      analyzer: env.MODEL_ANALYZER,
      judge: env.MODEL_JUDGE,
      summary: env.MODEL_SUMMARY,
      extraction: env.MODEL_EXTRACTION,
      psyche: env.MODEL_PSYCHE,
    },
    ledger: createLedger(sql),
  });
}

export function createEmbedder(env: AppEnv, sql: Sql): Embedder {
  if (env.LLM_MODE === "offline") return createOfflineEmbedder();
  return createOpenAiEmbedder({
    apiKey: env.OPENAI_API_KEY!,
    baseURL: env.OPENAI_BASE_URL,
    model: env.EMBEDDING_MODEL,
    maxRetries: env.LLM_MAX_RETRIES,
    ledger: createLedger(sql),
  });
}

/** Her calls are placed only where voice is on and the outbound-call API is configured; elsewhere a call row fails
 * with "no sender" (an operator sees why). */
function createVoiceSender(env: AppEnv & OutboundCallEnv, sql: Sql, runtime: Runtime): Sender | undefined {
  if (!callsEnabled(env)) return undefined;
  return voiceSender({
    sql,
    now: runtime.now,
    apiKey: env.ELEVENLABS_API_KEY!,
    baseUrl: env.ELEVENLABS_API_BASE ?? "https://api.elevenlabs.io",
    agentId: env.ELEVENLABS_AGENT_ID!,
    phoneNumberId: env.ELEVENLABS_PHONE_NUMBER_ID!,
    tokenSecret: env.VOICE_TOKEN_SECRET!,
  });
}

/** The acknowledgements' own pool (the webhook's and voice's stores): small, its sessions service_role from the start
 * so an acknowledgement is one statement. The webhook bench measures its floor over a pool built here too. */
export function createAckDb(url: string): Sql {
  return createDb(url, { max: 2, applicationName: "nikita-acks", serviceRoleSessions: true });
}

export function createApp(env: AppEnv & OutboundCallEnv, overrides: AppOverrides = {}): App {
  setLogLevel(env.LOG_LEVEL);
  const sql = overrides.sql ?? createDb(databaseUrl(env));
  const ackSql = overrides.ackSql ?? createAckDb(databaseUrl(env));
  const runtime = overrides.runtime ?? createRuntime();
  const telegram = new Api(env.TELEGRAM_BOT_TOKEN, {
    apiRoot: env.TELEGRAM_API_ROOT,
    fetch: nativeFetch as unknown as ApiClientOptions["fetch"],
  });
  const llm = overrides.llm ?? createLlm(env, sql);
  const embedder = createEmbedder(env, sql);
  const auth = overrides.auth ?? createSupabaseAuth(env.SUPABASE_URL, env.SUPABASE_ANON_KEY);
  const drain: DrainDeps = {
    sql,
    llm,
    auth,
    runtime,
    random: overrides.random ?? Math.random,
    settings: {
      token: env.TELEGRAM_BOT_TOKEN,
      username: env.TELEGRAM_BOT_USERNAME,
      portalUrl: env.PORTAL_URL,
      voicePhoneNumber: env.VOICE_PHONE_NUMBER,
      voiceEnabled: Boolean(env.ELEVENLABS_AGENT_ID),
    },
    resolveTimezone: (city) => llm.timezoneFor(city),
    typing: (chatId) => telegram.sendChatAction(chatId, "typing"),
    replyContext: createReplyContext(sql, embedder),
  };
  const voice = createVoiceSender(env, sql, runtime);
  const pipeline: PipelineDeps = {
    sql,
    llm,
    embedder,
    runtime,
    random: drain.random,
    voiceEnabled: callsEnabled(env),
  };
  return {
    env,
    sql,
    ackSql,
    runtime,
    llm,
    embedder,
    auth,
    telegram,
    drain,
    pipeline,
    deliver: (options) =>
      deliver({
        sql,
        now: runtime.now,
        senders: { telegram: telegramSender(telegram, { typingMs: options.typingMs ?? 0 }), voice },
      }, options),
    close: async () => {
      await runtime.settle();
      await Promise.all([sql.end(), ackSql.end()]);
    },
  };
}

/** functions/telegram-webhook: store, acknowledge, then drain the chat and deliver its reply after the response. */
export function telegramWebhookHandler(app: App, env: { TELEGRAM_WEBHOOK_SECRET: string }): Handler {
  return withRequestId(createWebhookHandler({
    sql: app.ackSql,
    secret: env.TELEGRAM_WEBHOOK_SECRET,
    // The drain starts once the acknowledgement has gone out: nothing of a turn runs before the 200.
    afterAck: (chatId) =>
      afterResponse(app.runtime, () => drainChat(app.drain, chatId).then(() => deliverTurnReplies(app, chatId))),
  }));
}

/** functions/jobs: the registry's jobs behind the jobs secret. */
export function jobsHandler(app: App, env: { JOBS_SECRET: string }): Handler {
  return withRequestId(
    createJobsHandler({ sql: app.sql, runtime: app.runtime, secret: env.JOBS_SECRET, jobs: jobRegistry(app) }),
  );
}

/** The batch of the pipeline run a stored call starts (as the process-conversations job's). */
const POST_CALL_PIPELINE_BATCH = 5;

/** functions/voice: the ElevenLabs tools and webhooks; a stored call starts a pipeline run after the answer (the
 * process-conversations job is the backstop). `overrides` replace dependencies (tests: a slow one, a fixed roll). */
export function voiceHandler(
  app: App,
  env: { ELEVENLABS_WEBHOOK_SECRET: string; ELEVENLABS_INITIATION_SECRET: string; VOICE_TOKEN_SECRET: string },
  overrides: Partial<VoiceDeps> = {},
): Handler {
  return withRequestId(createVoiceHandler({
    sql: app.sql,
    ackSql: app.ackSql,
    runtime: app.runtime,
    embedder: app.embedder,
    analyze: (context, history, reply) => app.llm.analyze(context, history, reply),
    random: app.drain.random,
    secrets: {
      webhook: env.ELEVENLABS_WEBHOOK_SECRET,
      initiation: env.ELEVENLABS_INITIATION_SECRET,
      token: env.VOICE_TOKEN_SECRET,
    },
    afterPostCall: () => app.runtime.waitUntil(processConversations(app.pipeline, POST_CALL_PIPELINE_BATCH)),
    ...overrides,
  }));
}

/** functions/portal: the player's account and link codes, and the admin tools, behind a Supabase access token.
 * `overrides` replace dependencies (tests: a fixed sequence of link codes). */
export function portalHandler(
  app: App,
  env: { SUPABASE_SERVICE_ROLE_KEY: string },
  overrides: Partial<PortalDeps> = {},
): Handler {
  return withRequestId(createPortalHandler({
    sql: app.sql,
    auth: createPortalAuth(app.env.SUPABASE_URL, app.env.SUPABASE_ANON_KEY, env.SUPABASE_SERVICE_ROLE_KEY),
    now: app.runtime.now,
    botUsername: app.env.TELEGRAM_BOT_USERNAME,
    portalUrl: app.env.PORTAL_URL,
    ...overrides,
  }));
}
