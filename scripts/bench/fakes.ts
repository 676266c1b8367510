// The fake providers of a bench in a process of their own (as the real ones are elsewhere): a fake Anthropic answering
// every call after a delay, a fake OpenAI (embeddings) and a fake Telegram. Prints their URLs as one JSON line, then
// serves until killed.
import { startFakeAnthropic } from "../../tests/fakes/anthropic.ts";
import { startFakeOpenAi } from "../../tests/fakes/openai.ts";
import { startFakeTelegram } from "../../tests/fakes/telegram.ts";

const modelMs = Number(Deno.args[0] ?? 2000);
const calls = Number(Deno.args[1] ?? 1000);
const anthropic = startFakeAnthropic();
anthropic.delays.push(...Array(calls).fill(modelMs));
const openai = startFakeOpenAi();
const telegram = startFakeTelegram();
console.log(JSON.stringify({ anthropic: anthropic.url, openai: openai.url, telegram: telegram.url }));
