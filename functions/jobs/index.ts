// jobs: the HTTP jobs pg_cron starts through pg_net (the registry in _shared/jobs/registry.ts).
import { createApp, jobsHandler } from "../_shared/app.ts";
import { jobsEnvSchema } from "../_shared/config.ts";
import { parseEnv } from "../_shared/platform/env.ts";

const env = parseEnv(jobsEnvSchema);
Deno.serve(jobsHandler(createApp(env), env));
