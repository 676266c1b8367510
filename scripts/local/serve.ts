// `npm run serve`: the gateway (and the local fakes when no Telegram token is set: Telegram, Auth, ElevenLabs), in
// the foreground.
import { startFakeAuth } from "../../tests/fakes/auth.ts";
import { startFakeElevenLabs } from "../../tests/fakes/elevenlabs.ts";
import { startFakeTelegram } from "../../tests/fakes/telegram.ts";
import { localEnv } from "./env.ts";
import { startGateway } from "./gateway.ts";
import { startPoller } from "./poller.ts";

const root = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
const { env, ports } = localEnv(root);
startFakeAuth(env.SUPABASE_DB_URL!, { port: ports.fakeAuth });
if (env.TELEGRAM_API_ROOT!.startsWith("http://127.0.0.1")) {
  const telegram = startFakeTelegram(ports.fakeTelegram);
  telegram.onSend = (chatId, text) => console.log(`[fake telegram] to ${chatId}: ${text}`);
}
if (env.ELEVENLABS_API_BASE?.startsWith("http://127.0.0.1")) {
  const elevenLabs = startFakeElevenLabs(ports.fakeElevenLabs);
  elevenLabs.onDial = (call) => console.log(`[fake elevenlabs] she calls ${call.body.to_number}`);
}
const gateway = startGateway(env, ports.gateway);
if (!env.TELEGRAM_API_ROOT!.startsWith("http://127.0.0.1")) startPoller(gateway.env, ports.gateway);
