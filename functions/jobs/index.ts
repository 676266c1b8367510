// jobs: the HTTP jobs pg_cron starts through pg_net (deliver, process-inbox).
import { telegramEnvSchema } from "../_shared/config.ts";
import { parseEnv } from "../_shared/env.ts";
import { createTelegramApp } from "../_shared/telegram/app.ts";

const app = createTelegramApp(parseEnv(telegramEnvSchema));
Deno.serve(app.jobs);
