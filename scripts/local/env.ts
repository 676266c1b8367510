// The local stack's configuration: .env when present, then these defaults. Without keys the LLM is the offline
// stand-in and Telegram, Auth are local fakes; with TELEGRAM_BOT_TOKEN the real Telegram is long-polled.
export const GATEWAY_PORT = 54321;
export const FAKE_TELEGRAM_PORT = 54326;
export const FAKE_AUTH_PORT = 54327;

function readDotEnv(path: string): Record<string, string> {
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

export function localEnv(root: string): Record<string, string> {
  const file = readDotEnv(`${root}/.env`);
  const merged: Record<string, string> = { ...file, ...Deno.env.toObject() };
  const realTelegram = Boolean(merged.TELEGRAM_BOT_TOKEN);
  const liveLlm = Boolean(merged.ANTHROPIC_API_KEY);
  return {
    ENVIRONMENT: "development",
    SUPABASE_DB_URL: `postgresql://postgres@127.0.0.1:${54322 + Number(merged.NIKITA_PORT_OFFSET ?? 0)}/postgres`,
    SUPABASE_URL: `http://127.0.0.1:${FAKE_AUTH_PORT}`,
    SUPABASE_ANON_KEY: "local-anon-key",
    TELEGRAM_BOT_TOKEN: "100000:LOCAL-fake-token",
    TELEGRAM_BOT_USERNAME: "nikita_local_bot",
    TELEGRAM_WEBHOOK_SECRET: "local-webhook-secret",
    TELEGRAM_API_ROOT: realTelegram ? "https://api.telegram.org" : `http://127.0.0.1:${FAKE_TELEGRAM_PORT}`,
    LLM_MODE: liveLlm ? "live" : "offline",
    JOBS_SECRET: "local-development-jobs-secret",
    ...merged,
  };
}
