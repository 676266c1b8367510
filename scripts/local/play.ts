// The play console (`npm start`): a terminal chat that posts real Telegram-shaped updates to the local webhook and
// prints what the fake Bot API receives, so the whole loop (signup included: the fake Auth prints the code) can be
// played here. With TELEGRAM_BOT_TOKEN set it long-polls the real Telegram instead.
import { createInterface } from "node:readline";
import process from "node:process";
import { startFakeAuth } from "../../tests/fakes/auth.ts";
import { startFakeElevenLabs } from "../../tests/fakes/elevenlabs.ts";
import { startFakeTelegram } from "../../tests/fakes/telegram.ts";
import { ANSWER, createCallConsole, HANG_UP } from "./call_console.ts";
import { catchUp, createGameClock, parseWait } from "./clock.ts";
import { CONTACT_SHORTCUT, createConsoleView } from "./console_view.ts";
import { localEnv } from "./env.ts";
import { startGateway } from "./gateway.ts";
import { startPoller } from "./poller.ts";

const root = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
const { env, ports } = localEnv(root);
// The console prints her messages; the functions log only warnings and errors over it.
env.LOG_LEVEL ??= "warn";
const CHAT_ID = Number(env.PLAY_CHAT_ID ?? 424242);
// A dependency's Node deprecation notice (punycode) would land in the middle of the chat.
(process as { noDeprecation?: boolean }).noDeprecation = true;

/** Prints lines for the player; the console replaces it so that they land above its prompt. */
let show = (lines: string[]) => console.log(lines.join("\n"));
startFakeAuth(env.SUPABASE_DB_URL!, {
  port: ports.fakeAuth,
  print: (email, code) => show(["", `  ✉  sign-in code for ${email}: ${code}`, ""]),
});
if (!env.TELEGRAM_API_ROOT!.startsWith("http://127.0.0.1")) {
  const gateway = startGateway(env, ports.gateway);
  startPoller(gateway.env, ports.gateway);
} else {
  const telegram = startFakeTelegram(ports.fakeTelegram);
  const view = createConsoleView(CHAT_ID);
  const clock = createGameClock();
  const gateway = startGateway(env, ports.gateway, { quiet: true, now: clock.now });
  const offline = env.LLM_MODE === "offline";
  // Voice against the fake ElevenLabs (env.ts): /call rings her, and her own calls ring here.
  const fakeVoice = Boolean(env.ELEVENLABS_AGENT_ID && env.ELEVENLABS_API_BASE?.startsWith("http://127.0.0.1"));
  const calls = createCallConsole({
    voiceUrl: `http://127.0.0.1:${ports.gateway}/functions/v1/voice`,
    initiationSecret: env.ELEVENLABS_INITIATION_SECRET!,
    webhookSecret: env.ELEVENLABS_WEBHOOK_SECRET!,
    agentId: env.ELEVENLABS_AGENT_ID ?? "agent_local",
    llm: gateway.app.llm,
    sql: gateway.app.sql,
    show: (lines) => show(lines),
    now: clock.now,
  });
  if (fakeVoice) startFakeElevenLabs(ports.fakeElevenLabs).onDial = (call) => calls.incoming(call);
  /** The console player's number, once they shared it. */
  const phone = async () => {
    const [row] = await gateway.app.sql<{ phone: string | null }[]>`
      select phone from public.users where telegram_id = ${CHAT_ID}`;
    return row?.phone ?? null;
  };
  console.log(`
  Nikita, local play console${
    offline ? " (OFFLINE: canned lines and a heuristic judge; set ANTHROPIC_API_KEY for Claude)" : ""
  }
  You are Telegram user ${CHAT_ID}. Type messages; /start to sign up, /help for commands, Ctrl-D to quit.
  Buttons print under her messages: type a button's text to press it (${CONTACT_SHORTCUT} shares your number).
  Her replies arrive after her reply delay, as on Telegram. /wait 3h (or 90m, 2d) moves the game clock on.${
    fakeVoice
      ? `\n  /call rings her once you shared your number (type your lines, ${HANG_UP} ends the call); ${ANSWER} picks up hers.`
      : ""
  }
`);
  let updateId = Date.now();
  const rl = createInterface({ input: process.stdin, output: process.stdout, prompt: "  you> " });
  // What arrives while the player is typing is printed above the prompt, which is then redrawn with their input.
  show = (lines) => {
    process.stdout.write("\r\x1b[K" + lines.join("\n") + "\n");
    rl.prompt(true);
  };
  telegram.onCall = (method, body) => {
    const lines = view.render(method, body);
    if (lines.length > 0) show(lines);
  };
  rl.prompt();
  /** Lines typed during a call are spoken, not texted. */
  const onCall = async (text: string): Promise<boolean> => {
    if (calls.active) {
      if (text.toLowerCase() === HANG_UP) {
        rl.setPrompt("  you> ");
        await calls.hangUp();
      } else if (text) await calls.say(text);
      return true;
    }
    const wait = parseWait(text);
    if (wait !== null) {
      const lines = await catchUp(gateway.app, clock, wait);
      const at = clock.now().toISOString().slice(0, 16).replace("T", " ");
      show([`  (game clock: ${at} UTC${lines.length ? `; ${lines.join(", ")}` : ""})`]);
      return true;
    }
    if (fakeVoice && text.toLowerCase() === ANSWER) {
      if (!await calls.answer()) show(["  (nobody is calling)"]);
      return true;
    }
    return false;
  };
  rl.on("line", async (line) => {
    const text = line.trim();
    if (await onCall(text).catch((error) => (show([`  (the call failed: ${error}) `]), true))) {
      rl.setPrompt(calls.active ? "  you (phone)> " : "  you> ");
      rl.prompt();
      return;
    }
    if (text) {
      const update = view.update(text, updateId++, clock.now());
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
      // /call: her number comes on Telegram first, then the console dials it with the player's own number.
      const number = fakeVoice && text.toLowerCase() === "/call" ? await phone() : null;
      if (number) {
        await new Promise((resolve) => setTimeout(resolve, 1500));
        await calls.ring(number).catch((error) => show([`  (the call failed: ${error})`]));
        rl.setPrompt(calls.active ? "  you (phone)> " : "  you> ");
      }
    }
    rl.prompt();
  });
  rl.on("close", () => Deno.exit(0));
}
