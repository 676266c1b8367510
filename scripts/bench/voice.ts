// The voice function's budgets (DESIGN.md: get_context p95 <= 100 ms server side, initiation p95 <= 300 ms;
// PLATFORM.md §4.4: the post-call acknowledgement within 2 s, here p95 <= 200 ms): the real handler (voiceHandler,
// built by the wiring module like the deployed function) over the bench database, requests passed to it in this
// process, so each time is the server's own, from the request to its response. Offline models and embedder (no
// provider on any of these paths; the pipeline each stored call starts runs after the answer, as deployed).
// `count` players with a phone, 10 remembered facts each, half with a voice ready prompt; one after another:
// `count` initiations (one call each), get_context twice per call (the ready-prompt half and the live half apart),
// `count` signed post-call events. Beside them the floor: one service_role transaction selecting 1.
// Prints one line per measure: "<label> <n> <p50 ms> <p95 ms> <p99 ms> <errors>".
import { createApp, voiceHandler } from "../../functions/_shared/app.ts";
import { gatewayEnvSchema } from "../../functions/_shared/config.ts";
import { offlineVector } from "../../functions/_shared/memory/embeddings.ts";
import { rebuildReadyPrompts } from "../../functions/_shared/pipeline/ready_prompt.ts";
import { asServiceRole, createDb } from "../../functions/_shared/platform/db.ts";
import { parseEnv } from "../../functions/_shared/platform/env.ts";
import { setLogLevel } from "../../functions/_shared/platform/log.ts";
import type { InitiationResponse } from "../../functions/_shared/voice/initiation.ts";
import { initiationRequest, postCallEvent, signedWebhookRequest } from "../../tests/fakes/elevenlabs.ts";

const dbUrl = Deno.args[0]!;
const count = Math.max(200, Number(Deno.args[1] ?? 200));
const secrets = {
  ELEVENLABS_WEBHOOK_SECRET: "bench-elevenlabs-webhook-secret",
  ELEVENLABS_INITIATION_SECRET: "bench-elevenlabs-initiation-secret",
  VOICE_TOKEN_SECRET: "bench-voice-token-secret-0123456789abcdef",
};
const env = parseEnv(gatewayEnvSchema, {
  SUPABASE_DB_URL: dbUrl,
  SUPABASE_URL: "http://127.0.0.1:9",
  SUPABASE_ANON_KEY: "bench",
  TELEGRAM_BOT_TOKEN: "123456:BENCH-token",
  TELEGRAM_BOT_USERNAME: "nikita_bench_bot",
  TELEGRAM_WEBHOOK_SECRET: "bench-webhook-secret",
  JOBS_SECRET: "bench-jobs-secret-0123456789",
  LLM_MODE: "offline",
  ENVIRONMENT: "test",
  LOG_LEVEL: "error",
  ...secrets,
});
setLogLevel("error");
const fixtures = createDb(dbUrl, { max: 4 });
const now = new Date();
const EMAIL = "voice-%@bench.test";
await fixtures`delete from auth.users where email like ${EMAIL}`;

// Players: onboarded, a phone each, 10 facts each; the even ones with their ready prompts built.
const players: { id: string; phone: string; ready: boolean }[] = [];
for (let i = 0; i < count; i++) {
  const [user] = await fixtures<{ id: string }[]>`
    insert into auth.users (email) values (${`voice-${i}@bench.test`}) returning id`;
  const id = user!.id;
  const phone = `+4917${String(10_000_000 + i).padStart(9, "0")}`;
  await fixtures`select game.complete_onboarding(${id}, ${
    fixtures.json({ display_name: `Bench ${i}`, timezone: "Europe/Berlin", darkness: 3 })
  }, ${new Date(now.getTime() - 7_200_000)})`;
  await fixtures`select game.save_phone(${id}, ${phone}, ${now})`;
  for (let f = 0; f < 10; f++) {
    const fact = `Bench player ${i} mentioned topic ${f}: ${
      ["cats", "jazz", "Lisbon", "night shifts", "chess"][f % 5]
    }`;
    await fixtures`select game.remember_fact(${id}, ${["user", "relationship", "nikita"][f % 3]!}, ${fact},
      ${JSON.stringify(offlineVector(fact))}::extensions.vector, 'extraction', 0.9::real, null,
      ${new Date(now.getTime() - 3_600_000)})`;
  }
  const ready = i % 2 === 0;
  if (ready) await asServiceRole(fixtures, (tx) => rebuildReadyPrompts(tx, id, null, now));
  players.push({ id, phone, ready });
}
await fixtures`vacuum analyze public.users, game.memory_facts, game.ready_prompts`;

const app = createApp(env);
// She always picks up (roll 0 < every chapter's odds): every initiation opens a session, the costly case.
const voice = voiceHandler(app, secrets, { random: () => 0 });
const base = "http://bench/functions/v1/voice";

function percentiles(samples: number[]): [number, number, number] {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * p) - 1))] ?? 0;
  return [at(0.5), at(0.95), at(0.99)];
}

function print(label: string, samples: number[], errors: number) {
  const [p50, p95, p99] = percentiles(samples);
  console.log([label, samples.length, p50.toFixed(2), p95.toFixed(2), p99.toFixed(2), errors].join(" "));
}

/** Times one request through the handler, body read included. */
async function timed(req: Request): Promise<{ ms: number; status: number; body: unknown }> {
  const started = performance.now();
  const res = await voice(req);
  const body = await res.json();
  return { ms: performance.now() - started, status: res.status, body };
}

// Warm-up: the pools, the prepared statements and the JIT, on players the timed runs do not use as callers.
for (let i = 0; i < 20; i++) {
  await timed(initiationRequest(`${base}/initiation`, { caller_id: "+10000000000", call_sid: `CA-warm-${i}` }, null));
  await timed(
    initiationRequest(
      `${base}/initiation`,
      { caller_id: "+10000000000", call_sid: `CA-warm-${i}` },
      secrets.ELEVENLABS_INITIATION_SECRET,
    ),
  );
}

// The floor: one service_role transaction doing nothing, on the tools' pool.
const floor: number[] = [];
for (let i = 0; i < count; i++) {
  const started = performance.now();
  await asServiceRole(app.sql, (tx) => tx`select 1`);
  floor.push(performance.now() - started);
}
print("floor", floor, 0);

// Initiations: one call per player.
const initiation: number[] = [];
const tokens: { token: string; ready: boolean; callSid: string }[] = [];
let initiationErrors = 0;
for (const [i, p] of players.entries()) {
  const callSid = `CA${now.getTime()}${String(i).padStart(6, "0")}`;
  const r = await timed(
    initiationRequest(
      `${base}/initiation`,
      { caller_id: p.phone, call_sid: callSid },
      secrets.ELEVENLABS_INITIATION_SECRET,
    ),
  );
  const token = (r.body as InitiationResponse).dynamic_variables?.secret__signed_token ?? "";
  if (r.status !== 200 || token === "") initiationErrors++;
  initiation.push(r.ms);
  tokens.push({ token, ready: p.ready, callSid });
}
print("initiation", initiation, initiationErrors);

// get_context, twice per call.
const context = { ready_prompt: [] as number[], live: [] as number[] };
let contextErrors = 0;
for (let round = 0; round < 2; round++) {
  for (const t of tokens) {
    const r = await timed(
      new Request(`${base}/tools/get_context`, {
        method: "POST",
        headers: { "x-nikita-session": t.token },
        body: "{}",
      }),
    );
    const source = (r.body as { data?: { source?: string } }).data?.source;
    if (r.status !== 200 || source !== (t.ready ? "ready_prompt" : "live")) contextErrors++;
    (t.ready ? context.ready_prompt : context.live).push(r.ms);
  }
}
print("get_context", [...context.ready_prompt, ...context.live], contextErrors);
print("get_context_ready_prompt", context.ready_prompt, 0);
print("get_context_live", context.live, 0);

// Post-call acknowledgements: a signed event per call, with a transcript of 12 lines.
const ack: number[] = [];
let ackErrors = 0;
for (const [i, t] of tokens.entries()) {
  const transcript = Array.from({ length: 12 }, (_, n) => ({
    role: (n % 2 === 0 ? "agent" : "user") as "agent" | "user",
    message: `Line ${n} of bench call ${i}: something about jazz and Lisbon.`,
    time_in_call_secs: n * 5,
  }));
  const event = postCallEvent({
    conversationId: `conv_bench_${i}_${now.getTime()}`,
    token: t.token,
    callSid: t.callSid,
    transcript,
  });
  const req = await signedWebhookRequest(`${base}/post-call`, event, { secret: secrets.ELEVENLABS_WEBHOOK_SECRET });
  const r = await timed(req);
  if (r.status !== 200 || (r.body as { status?: string }).status !== "stored") ackErrors++;
  ack.push(r.ms);
}
print("post_call_ack", ack, ackErrors);

await app.close();
await fixtures`delete from auth.users where email like ${EMAIL}`;
await fixtures.end();
