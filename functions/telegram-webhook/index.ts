// telegram-webhook: stores each update once and answers 200 at once; processing runs after the acknowledgement.
import { createApp, telegramWebhookHandler } from "../_shared/app.ts";
import { telegramWebhookEnvSchema } from "../_shared/config.ts";
import { parseEnv } from "../_shared/platform/env.ts";

const env = parseEnv(telegramWebhookEnvSchema);
Deno.serve(telegramWebhookHandler(createApp(env), env));
