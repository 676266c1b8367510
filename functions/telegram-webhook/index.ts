// telegram-webhook: stores each update once and answers 200 at once; processing runs after the acknowledgement.
import { telegramEnvSchema } from "../_shared/config.ts";
import { parseEnv } from "../_shared/env.ts";
import { createTelegramApp } from "../_shared/telegram/app.ts";

const app = createTelegramApp(parseEnv(telegramEnvSchema));
Deno.serve(app.webhook);
