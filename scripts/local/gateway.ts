// The local runtime (no Docker): a gateway serving /functions/v1/<name> (telegram-webhook, jobs, voice, portal) from the same wiring and handler modules
// the functions deploy, the stand-in for pg_net that sends what net.http_post queued, and a one-second delivery
// tick standing in for the 5-second pg_cron schedule Debian's pg_cron 1.4 cannot run.
import {
  type App,
  createApp,
  jobsHandler,
  portalHandler,
  telegramWebhookHandler,
  voiceHandler,
} from "../../functions/_shared/app.ts";
import { type GatewayEnv, gatewayEnvSchema } from "../../functions/_shared/config.ts";
import { parseEnv } from "../../functions/_shared/platform/env.ts";
import { log } from "../../functions/_shared/platform/log.ts";
import { createRuntime } from "../../functions/_shared/platform/runtime.ts";

export interface Gateway {
  app: App;
  env: GatewayEnv;
  close(): Promise<void>;
}

export function startGateway(
  rawEnv: Record<string, string>,
  port: number,
  options: { quiet?: boolean; now?: () => Date } = {},
): Gateway {
  const env = parseEnv(gatewayEnvSchema, rawEnv);
  // The play console moves its game clock (/wait); the functions then run on it, as the tests' harness does.
  const app = createApp(env, options.now ? { runtime: createRuntime({ now: options.now }) } : {});
  const routes: Record<string, (req: Request) => Promise<Response>> = {
    "telegram-webhook": telegramWebhookHandler(app, env),
    "jobs": jobsHandler(app, env),
  };
  // Voice is served whenever its secrets are set (the local defaults set them); without them there is no route.
  const { ELEVENLABS_WEBHOOK_SECRET, ELEVENLABS_INITIATION_SECRET, VOICE_TOKEN_SECRET } = env;
  if (ELEVENLABS_WEBHOOK_SECRET && ELEVENLABS_INITIATION_SECRET && VOICE_TOKEN_SECRET) {
    routes.voice = voiceHandler(app, { ELEVENLABS_WEBHOOK_SECRET, ELEVENLABS_INITIATION_SECRET, VOICE_TOKEN_SECRET });
  }
  // The portal is served whenever the service role key is set (the local defaults set it: the fake Auth takes any).
  if (env.SUPABASE_SERVICE_ROLE_KEY) {
    routes.portal = portalHandler(app, { SUPABASE_SERVICE_ROLE_KEY: env.SUPABASE_SERVICE_ROLE_KEY });
  }
  const server = Deno.serve({ hostname: "127.0.0.1", port, onListen: () => {} }, (req) => {
    const [, prefix, version, name] = new URL(req.url).pathname.split("/");
    const handler = prefix === "functions" && version === "v1" ? routes[name ?? ""] : undefined;
    if (!handler) return Response.json({ error: "not_found", message: "no such function" }, { status: 404 });
    return handler(req);
  });

  let stopped = false;
  // pg_net's worker: send what net.http_post queued (after the queuing transaction committed).
  const netLoop = (async () => {
    while (!stopped) {
      try {
        const requests = await app.sql<
          { id: number; method: string; url: string; headers: Record<string, string>; body: string | null }[]
        >`
          delete from net.http_request_queue where id in (select id from net.http_request_queue order by id limit 10 for update skip locked)
          returning id, method::text, url, headers, convert_from(body, 'UTF8') as body`;
        for (const r of requests) {
          fetch(r.url, { method: r.method, headers: r.headers, body: r.body }).then(
            (res) => res.body?.cancel(),
            (error) => log("warn", "pg_net stand-in: request failed", { url: r.url, error: String(error) }),
          );
        }
      } catch (error) {
        if (!stopped) log("warn", "pg_net stand-in: queue read failed", { error: String(error) });
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  })();
  const deliverLoop = (async () => {
    while (!stopped) {
      await app.deliver({ limit: 50, typingMs: 800 }).catch((error) => {
        if (!stopped) log("warn", "local deliver tick failed", { error: String(error) });
      });
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  })();
  if (!options.quiet) {
    log("info", "gateway listening", { url: `http://127.0.0.1:${port}/functions/v1/`, llm: env.LLM_MODE });
  }
  return {
    app,
    env,
    async close() {
      stopped = true;
      await server.shutdown();
      await Promise.all([netLoop, deliverLoop]);
      await app.close();
    },
  };
}
