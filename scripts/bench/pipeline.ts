// The post-conversation pipeline's time per conversation (PLATFORM.md §6) with the fake providers answering at once:
// `count` players each with one closed conversation, then process-conversations runs until every job is done.
// Prints one line: "<conversations> <seconds> <ms per conversation> <facts written> <failed>".
import { createApp } from "../../functions/_shared/app.ts";
import { gatewayEnvSchema } from "../../functions/_shared/config.ts";
import { processConversations } from "../../functions/_shared/pipeline/process_conversations.ts";
import { createDb } from "../../functions/_shared/platform/db.ts";
import { parseEnv } from "../../functions/_shared/platform/env.ts";
import { setLogLevel } from "../../functions/_shared/platform/log.ts";

const dbUrl = Deno.args[0]!;
const count = Number(Deno.args[1] ?? 100);
const fakes = new Deno.Command(Deno.execPath(), {
  args: ["run", "--allow-all", new URL("./fakes.ts", import.meta.url).pathname, "0", "0"],
  stdout: "piped",
  stderr: "null",
}).spawn();
const first = await fakes.stdout.getReader().read();
const urls = JSON.parse(new TextDecoder().decode(first.value).split("\n")[0]!) as { anthropic: string; openai: string };
const env = parseEnv(gatewayEnvSchema, {
  SUPABASE_DB_URL: dbUrl,
  SUPABASE_URL: urls.anthropic,
  SUPABASE_ANON_KEY: "bench",
  TELEGRAM_BOT_TOKEN: "123456:BENCH-token",
  TELEGRAM_BOT_USERNAME: "nikita_bench_bot",
  TELEGRAM_WEBHOOK_SECRET: "bench-webhook-secret",
  TELEGRAM_API_ROOT: urls.anthropic,
  LLM_MODE: "live",
  ANTHROPIC_API_KEY: "bench",
  ANTHROPIC_BASE_URL: urls.anthropic,
  OPENAI_API_KEY: "bench",
  OPENAI_BASE_URL: urls.openai,
  LLM_MAX_RETRIES: "0",
  JOBS_SECRET: "bench-jobs-secret-0123456789",
  ENVIRONMENT: "test",
  LOG_LEVEL: "error",
});
setLogLevel("error");
const fixtures = createDb(dbUrl, { max: 2 });
const now = new Date();
await fixtures`select bench.pipeline_conversations(${count}, ${now})`;
const app = createApp(env);
const deps = { sql: app.sql, llm: app.llm, embedder: app.embedder, runtime: app.runtime };
const started = performance.now();
let done = 0;
let failed = 0;
for (let i = 0; i < 1000 && done + failed < count; i++) {
  const r = await processConversations(deps, 5);
  done += r.done;
  failed += r.failed;
  if (r.claimed === 0) break;
}
const seconds = (performance.now() - started) / 1000;
const [facts] = await fixtures<{ n: number }[]>`
  select count(*)::int as n from game.memory_facts f join auth.users a on a.id = f.user_id
  where a.email like 'pipeline-%@bench.test'`;
console.log([done, seconds.toFixed(2), ((seconds * 1000) / Math.max(1, done)).toFixed(1), facts!.n, failed].join(" "));
await fixtures`delete from auth.users where email like 'pipeline-%@bench.test'`;
await app.close();
await fixtures.end();
fakes.kill();
await fakes.status;
