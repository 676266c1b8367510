// portal: account deletion, Telegram link codes and the admin tools behind a Supabase access token (PLATFORM.md §8.1).
import { createApp, portalHandler } from "../_shared/app.ts";
import { portalEnvSchema } from "../_shared/config.ts";
import { parseEnv } from "../_shared/platform/env.ts";

const env = parseEnv(portalEnvSchema);
Deno.serve(portalHandler(createApp(env), env));
