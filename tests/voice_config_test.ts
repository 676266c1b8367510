// The voice configuration (PLATFORM.md §11): the voice function needs its agent and its three secrets (the token key
// at least 32 characters) and names whichever is missing; the gateway and the jobs (whose deliver runs place her
// calls) need them only once ELEVENLABS_AGENT_ID turns voice on; the local stack sets local secrets and points voice
// at the fake ElevenLabs the play console starts.
import assert from "node:assert/strict";
import { gatewayEnvSchema, jobsEnvSchema, voiceEnvSchema } from "../functions/_shared/config.ts";
import { ConfigError, parseEnv } from "../functions/_shared/platform/env.ts";
import { localEnv } from "../scripts/local/env.ts";

const appEnv = {
  SUPABASE_DB_URL: "postgresql://postgres@db.example:5432/postgres",
  SUPABASE_URL: "https://project.supabase.co",
  SUPABASE_ANON_KEY: "anon-key",
  TELEGRAM_BOT_TOKEN: "123456:PROD-token",
  TELEGRAM_BOT_USERNAME: "nikita_bot",
  ANTHROPIC_API_KEY: "sk-test",
  OPENAI_API_KEY: "sk-openai-test",
  PORTAL_URL: "https://portal.example",
  ENVIRONMENT: "production",
};
const voice = {
  ELEVENLABS_AGENT_ID: "agent_123",
  ELEVENLABS_WEBHOOK_SECRET: "wsec_0123456789abcdef",
  ELEVENLABS_INITIATION_SECRET: "initiation-secret-0123",
  VOICE_TOKEN_SECRET: "v".repeat(32),
};

function problems(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

Deno.test("the voice function needs its agent and three secrets, and names the missing ones", () => {
  const env = parseEnv(voiceEnvSchema, { ...appEnv, ...voice });
  assert.equal(env.ELEVENLABS_API_BASE, "https://api.elevenlabs.io");
  assert.equal(env.ELEVENLABS_API_KEY, undefined);
  assert.equal(env.ELEVENLABS_PHONE_NUMBER_ID, undefined);
  assert.equal(env.VOICE_TOKEN_SECRET, "v".repeat(32));
  assert.deepEqual(problems(() => parseEnv(voiceEnvSchema, appEnv)).sort(), [
    "ELEVENLABS_AGENT_ID is missing",
    "ELEVENLABS_INITIATION_SECRET is missing",
    "ELEVENLABS_WEBHOOK_SECRET is missing",
    "VOICE_TOKEN_SECRET is missing",
  ]);
  const short = problems(() => parseEnv(voiceEnvSchema, { ...appEnv, ...voice, VOICE_TOKEN_SECRET: "v".repeat(31) }));
  assert.equal(short.length, 1);
  assert.match(short[0]!, /^VOICE_TOKEN_SECRET is invalid \(at least 32 characters/);
  assert.ok(!short[0]!.includes("v".repeat(31)), "the value is never printed");
  const custom = parseEnv(voiceEnvSchema, {
    ...appEnv,
    ...voice,
    ELEVENLABS_API_BASE: "http://127.0.0.1:54329/",
    ELEVENLABS_API_KEY: "xi-key",
    ELEVENLABS_PHONE_NUMBER_ID: "phnum_1",
  });
  assert.deepEqual([custom.ELEVENLABS_API_BASE, custom.ELEVENLABS_API_KEY, custom.ELEVENLABS_PHONE_NUMBER_ID], [
    "http://127.0.0.1:54329",
    "xi-key",
    "phnum_1",
  ]);
});

for (const [name, schema] of [["gateway", gatewayEnvSchema], ["jobs function", jobsEnvSchema]] as const) {
  Deno.test(`the ${name} needs the voice secrets only once ELEVENLABS_AGENT_ID is set`, () => {
    const env = { ...appEnv, TELEGRAM_WEBHOOK_SECRET: "webhook-secret", JOBS_SECRET: "jobs-secret-0123456789" };
    assert.equal(parseEnv(schema, env).VOICE_TOKEN_SECRET, undefined);
    assert.deepEqual(problems(() => parseEnv(schema, { ...env, ELEVENLABS_AGENT_ID: "agent_123" })), [
      "ELEVENLABS_WEBHOOK_SECRET is missing",
      "ELEVENLABS_INITIATION_SECRET is missing",
      "VOICE_TOKEN_SECRET is missing",
    ]);
    const on = parseEnv(schema, { ...env, ...voice, ELEVENLABS_API_KEY: "xi-key", ELEVENLABS_PHONE_NUMBER_ID: "ph_1" });
    assert.deepEqual([on.ELEVENLABS_AGENT_ID, on.ELEVENLABS_API_KEY, on.ELEVENLABS_PHONE_NUMBER_ID], [
      "agent_123",
      "xi-key",
      "ph_1",
    ]);
    // A token key set but too short is refused even with voice off.
    assert.equal(problems(() => parseEnv(schema, { ...env, VOICE_TOKEN_SECRET: "short" })).length, 1);
  });
}

Deno.test("the local stack turns voice on against the fake ElevenLabs, unless a real key or Telegram is set", () => {
  const root = Deno.makeTempDirSync({ prefix: "nikita-voice-env-" });
  try {
    const env = parseEnv(gatewayEnvSchema, localEnv(root, { NIKITA_PORT_OFFSET: "3" }).env);
    assert.equal(env.ELEVENLABS_WEBHOOK_SECRET, "local-elevenlabs-webhook-secret");
    assert.equal(env.ELEVENLABS_INITIATION_SECRET, "local-elevenlabs-initiation-secret");
    assert.ok(env.VOICE_TOKEN_SECRET!.length >= 32);
    assert.deepEqual([env.ELEVENLABS_AGENT_ID, env.ELEVENLABS_API_BASE], ["agent_local", "http://127.0.0.1:54332"]);
    assert.ok(env.VOICE_PHONE_NUMBER);
    // A real ElevenLabs key: the agent is the operator's to name (.env), nothing points at the fake.
    const real = parseEnv(gatewayEnvSchema, localEnv(root, { ELEVENLABS_API_KEY: "xi-real" }).env);
    assert.deepEqual([real.ELEVENLABS_AGENT_ID, real.ELEVENLABS_API_BASE], [undefined, "https://api.elevenlabs.io"]);
    // Real Telegram players would be given the fake's number: voice stays off.
    const telegram = parseEnv(gatewayEnvSchema, localEnv(root, { TELEGRAM_BOT_TOKEN: "1:real" }).env);
    assert.equal(telegram.ELEVENLABS_AGENT_ID, undefined);
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});
