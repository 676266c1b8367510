// The play console (`npm start`): a terminal chat that posts real Telegram-shaped updates to the local webhook and
// prints what the fake Bot API receives, so the whole loop (signup included: the fake Auth prints the code) can be
// played here. With TELEGRAM_BOT_TOKEN set it long-polls the real Telegram instead.
import { createInterface } from "node:readline";
import process from "node:process";
import { startFakeAuth } from "../../tests/fakes/auth.ts";
import { startFakeTelegram } from "../../tests/fakes/telegram.ts";
import { localEnv } from "./env.ts";
import { startGateway } from "./gateway.ts";
import { startPoller } from "./poller.ts";

const root = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
const { env, ports } = localEnv(root);
// The console prints her messages; the functions log only warnings and errors over it.
env.LOG_LEVEL ??= "warn";
const CHAT_ID = Number(env.PLAY_CHAT_ID ?? 424242);

startFakeAuth(env.SUPABASE_DB_URL!, {
  port: ports.fakeAuth,
  print: (email, code) => console.log(`\n  ✉  sign-in code for ${email}: ${code}\n`),
});
if (!env.TELEGRAM_API_ROOT!.startsWith("http://127.0.0.1")) {
  const gateway = startGateway(env, ports.gateway);
  startPoller(gateway.env, ports.gateway);
} else {
  const telegram = startFakeTelegram(ports.fakeTelegram);
  telegram.onSend = (_chatId, text) => console.log(`\n  Nikita: ${text.replace(/\n/g, "\n          ")}\n`);
  startGateway(env, ports.gateway, { quiet: true });
  const offline = env.LLM_MODE === "offline";
  console.log(`
  Nikita, local play console${
    offline ? " (OFFLINE: canned lines and a heuristic judge; set ANTHROPIC_API_KEY for Claude)" : ""
  }
  You are Telegram user ${CHAT_ID}. Type messages; /start to sign up, /help for commands, Ctrl-D to quit.
  Her replies arrive after her reply delay, as on Telegram.
`);
  let updateId = Date.now();
  const rl = createInterface({ input: process.stdin, output: process.stdout, prompt: "  you> " });
  rl.prompt();
  rl.on("line", async (line) => {
    const text = line.trim();
    if (text) {
      const id = updateId++;
      const update = {
        update_id: id,
        message: {
          message_id: id,
          date: Math.floor(Date.now() / 1000),
          text,
          chat: { id: CHAT_ID, type: "private" },
          from: { id: CHAT_ID, is_bot: false, first_name: "You" },
          ...(text.startsWith("/")
            ? { entities: [{ type: "bot_command", offset: 0, length: text.split(" ")[0]!.length }] }
            : {}),
        },
      };
      const res = await fetch(`http://127.0.0.1:${ports.gateway}/functions/v1/telegram-webhook`, {
        method: "POST",
        body: JSON.stringify(update),
        headers: {
          "content-type": "application/json",
          "x-telegram-bot-api-secret-token": env.TELEGRAM_WEBHOOK_SECRET!,
        },
      });
      await res.body?.cancel();
      if (res.status !== 200) console.log(`  (webhook answered ${res.status})`);
    }
    rl.prompt();
  });
  rl.on("close", () => Deno.exit(0));
}
