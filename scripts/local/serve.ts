// `npm run serve`: the gateway (and the local fakes when no Telegram token is set), in the foreground.
import { startFakeAuth } from "./fakes/auth.ts";
import { startFakeTelegram } from "./fakes/telegram.ts";
import { FAKE_AUTH_PORT, FAKE_TELEGRAM_PORT, localEnv } from "./env.ts";
import { startGateway } from "./gateway.ts";
import { startPoller } from "./poller.ts";

const root = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
const env = localEnv(root);
startFakeAuth(env.SUPABASE_DB_URL!, { port: FAKE_AUTH_PORT });
if (env.TELEGRAM_API_ROOT!.startsWith("http://127.0.0.1")) {
  const telegram = startFakeTelegram(FAKE_TELEGRAM_PORT);
  telegram.onSend = (chatId, text) => console.log(`[fake telegram] to ${chatId}: ${text}`);
}
const gateway = startGateway(env);
if (!env.TELEGRAM_API_ROOT!.startsWith("http://127.0.0.1")) startPoller(gateway.env);
