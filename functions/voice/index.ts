// voice: the ElevenLabs Conversational AI side (server tools, initiation and post-call webhooks).
import { createApp, voiceHandler } from "../_shared/app.ts";
import { voiceEnvSchema } from "../_shared/config.ts";
import { parseEnv } from "../_shared/platform/env.ts";

const env = parseEnv(voiceEnvSchema);
Deno.serve(voiceHandler(createApp(env), env));
