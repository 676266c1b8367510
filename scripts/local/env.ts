// The local stack's configuration: .env when present, then these defaults. Without keys the LLM is the offline
// stand-in (canned lines, heuristic judgments and extraction, the offline embedder for memory) and Telegram, Auth
// are local fakes; with TELEGRAM_BOT_TOKEN the real Telegram is long-polled. ANTHROPIC_API_KEY turns the models on,
// and live mode then needs OPENAI_API_KEY for her memory's embeddings too (the functions name it when it is missing).
// Voice runs against a fake ElevenLabs unless a real ELEVENLABS_API_KEY is set (or Telegram is real).
// NIKITA_PORT_OFFSET shifts every local port (clusters, gateway, fakes), so two checkouts run side by side.

export function readDotEnv(path: string): Record<string, string> {
  try {
    const out: Record<string, string> = {};
    for (const line of Deno.readTextFileSync(path).split("\n")) {
      const m = line.match(/^\s*([A-Z0-9_]+)\s*=\s*(.*)\s*$/);
      if (m && m[2] !== "") out[m[1]!] = m[2]!.replace(/^["']|["']$/g, "");
    }
    return out;
  } catch {
    return {};
  }
}

export interface LocalPorts {
  gateway: number;
  database: number;
  fakeTelegram: number;
  fakeAuth: number;
  fakeElevenLabs: number;
}

/** The local ports for a port offset (the same numbers scripts/lib/cluster.sh uses for the clusters). */
export function localPorts(offset: number): LocalPorts {
  return {
    gateway: 54321 + offset,
    database: 54322 + offset,
    fakeTelegram: 54326 + offset,
    fakeAuth: 54327 + offset,
    fakeElevenLabs: 54329 + offset,
  };
}

export interface LocalEnv {
  env: Record<string, string>;
  ports: LocalPorts;
}

/** Voice against the fake ElevenLabs the play console starts. */
function fakeVoice(ports: LocalPorts): Record<string, string> {
  return {
    ELEVENLABS_AGENT_ID: "agent_local",
    ELEVENLABS_API_KEY: "local-elevenlabs-key",
    ELEVENLABS_PHONE_NUMBER_ID: "phnum_local",
    ELEVENLABS_API_BASE: `http://127.0.0.1:${ports.fakeElevenLabs}`,
    VOICE_PHONE_NUMBER: "+1 555 0100 (the play console's line)",
  };
}

export function localEnv(root: string, processEnv: Record<string, string> = Deno.env.toObject()): LocalEnv {
  const file = readDotEnv(`${root}/.env`);
  const merged: Record<string, string> = { ...file, ...processEnv };
  const ports = localPorts(Number(merged.NIKITA_PORT_OFFSET ?? 0));
  const realTelegram = Boolean(merged.TELEGRAM_BOT_TOKEN);
  const liveLlm = Boolean(merged.ANTHROPIC_API_KEY);
  const env = {
    ENVIRONMENT: "development",
    SUPABASE_DB_URL: `postgresql://postgres@127.0.0.1:${ports.database}/postgres`,
    SUPABASE_URL: `http://127.0.0.1:${ports.fakeAuth}`,
    SUPABASE_ANON_KEY: "local-anon-key",
    // The portal's Auth admin calls (account deletion) against the fake Auth.
    SUPABASE_SERVICE_ROLE_KEY: "local-service-role-key",
    TELEGRAM_BOT_TOKEN: "100000:LOCAL-fake-token",
    TELEGRAM_BOT_USERNAME: "nikita_local_bot",
    TELEGRAM_WEBHOOK_SECRET: "local-webhook-secret",
    TELEGRAM_API_ROOT: realTelegram ? "https://api.telegram.org" : `http://127.0.0.1:${ports.fakeTelegram}`,
    LLM_MODE: liveLlm ? "live" : "offline",
    JOBS_SECRET: "local-development-jobs-secret",
    // The voice function's secrets, so the gateway serves /functions/v1/voice.
    ELEVENLABS_WEBHOOK_SECRET: "local-elevenlabs-webhook-secret",
    ELEVENLABS_INITIATION_SECRET: "local-elevenlabs-initiation-secret",
    VOICE_TOKEN_SECRET: "local-voice-token-secret-0123456789abcdef",
    // With the fake Telegram and no ElevenLabs key, voice is on against the fake ElevenLabs: /call works and the
    // play console plays the call. A real key means a real agent: its id, number and phone id come from .env.
    ...(!realTelegram && !merged.ELEVENLABS_API_KEY ? fakeVoice(ports) : {}),
    ...merged,
  };
  return { env, ports };
}
