import assert from "node:assert/strict";
import { z } from "npm:zod@4.6.7";
import {
  appEnvSchema,
  gatewayEnvSchema,
  jobsEnvSchema,
  portalEnvSchema,
  telegramWebhookEnvSchema,
} from "../functions/_shared/config.ts";
import { baseEnvSchema, ConfigError, databaseUrl, parseEnv } from "../functions/_shared/platform/env.ts";

Deno.test("parseEnv applies the documented defaults", () => {
  const env = parseEnv(baseEnvSchema, { SUPABASE_DB_URL: "postgresql://postgres@127.0.0.1:54322/postgres" });
  assert.equal(env.ENVIRONMENT, "development");
  assert.equal(env.LOG_LEVEL, "info");
  assert.equal(env.DATABASE_URL, undefined);
});

Deno.test("parseEnv names every missing variable and never prints a value", () => {
  const schema = baseEnvSchema.extend({ JOBS_SECRET: z.string().min(16) });
  assert.throws(
    () => parseEnv(schema, { LOG_LEVEL: "info" }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.deepEqual(error.problems, ["SUPABASE_DB_URL is missing", "JOBS_SECRET is missing"]);
      return true;
    },
  );
});

Deno.test("parseEnv reports a malformed variable without its value", () => {
  assert.throws(
    () => parseEnv(baseEnvSchema, { SUPABASE_DB_URL: "not a url with secret-value", ENVIRONMENT: "staging" }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.problems.length, 2);
      assert.match(error.problems[0] ?? "", /^SUPABASE_DB_URL is invalid/);
      assert.match(error.problems[1] ?? "", /^ENVIRONMENT is invalid/);
      assert.ok(!error.message.includes("secret-value"));
      return true;
    },
  );
});

Deno.test("an empty variable counts as unset", () => {
  assert.throws(() => parseEnv(baseEnvSchema, { SUPABASE_DB_URL: "" }), ConfigError);
});

Deno.test("DATABASE_URL overrides the platform's SUPABASE_DB_URL", () => {
  const platform = "postgresql://postgres@db.example:5432/postgres";
  const pooler = "postgresql://postgres@pooler.example:6543/postgres";
  assert.equal(databaseUrl({ SUPABASE_DB_URL: platform }), platform);
  assert.equal(databaseUrl({ SUPABASE_DB_URL: platform, DATABASE_URL: pooler }), pooler);
});

// What every function needs, as production has it, less PORTAL_URL.
const productionEnv = {
  SUPABASE_DB_URL: "postgresql://postgres@db.example:5432/postgres",
  SUPABASE_URL: "https://project.supabase.co",
  SUPABASE_ANON_KEY: "anon-key",
  TELEGRAM_BOT_TOKEN: "123456:PROD-token",
  TELEGRAM_BOT_USERNAME: "nikita_bot",
  TELEGRAM_WEBHOOK_SECRET: "webhook-secret",
  JOBS_SECRET: "jobs-secret-0123456789",
  SUPABASE_SERVICE_ROLE_KEY: "service-role-key",
  ANTHROPIC_API_KEY: "sk-test",
  OPENAI_API_KEY: "sk-openai-test",
  ENVIRONMENT: "production",
};
const functionSchemas = { appEnvSchema, telegramWebhookEnvSchema, jobsEnvSchema, portalEnvSchema, gatewayEnvSchema };

Deno.test("the portal needs the service role key (account deletion); the gateway serves the portal only with it", () => {
  const { SUPABASE_SERVICE_ROLE_KEY: _, ...withoutKey } = productionEnv;
  const env = { ...withoutKey, PORTAL_URL: "https://portal.example" };
  assert.throws(() => parseEnv(portalEnvSchema, env), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    assert.deepEqual(error.problems, ["SUPABASE_SERVICE_ROLE_KEY is missing"]);
    return true;
  });
  assert.equal(parseEnv(gatewayEnvSchema, env).SUPABASE_SERVICE_ROLE_KEY, undefined);
  assert.equal(parseEnv(portalEnvSchema, { ...env, SUPABASE_SERVICE_ROLE_KEY: "k" }).SUPABASE_SERVICE_ROLE_KEY, "k");
});

Deno.test("in production a missing PORTAL_URL is a configuration error, for every function", () => {
  for (const [name, schema] of Object.entries(functionSchemas)) {
    for (const portal of [undefined, ""]) {
      assert.throws(
        () => parseEnv(schema, { ...productionEnv, PORTAL_URL: portal }),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError, name);
          assert.deepEqual(error.problems, ["PORTAL_URL is missing"], name);
          return true;
        },
      );
    }
  }
});

Deno.test("in production the PORTAL_URL given is used, and it must be a URL", () => {
  for (const schema of Object.values(functionSchemas)) {
    const env = parseEnv(schema, { ...productionEnv, PORTAL_URL: "https://portal.example" });
    assert.equal(env.PORTAL_URL, "https://portal.example");
    assert.throws(() => parseEnv(schema, { ...productionEnv, PORTAL_URL: "portal" }), /PORTAL_URL is invalid/);
  }
});

Deno.test("outside production PORTAL_URL defaults to the local portal", () => {
  for (const environment of ["development", "test", undefined]) {
    for (const schema of Object.values(functionSchemas)) {
      const env = parseEnv(schema, { ...productionEnv, ENVIRONMENT: environment });
      assert.equal(env.PORTAL_URL, "http://127.0.0.1:3000", String(environment));
    }
  }
});

Deno.test("live mode needs OPENAI_API_KEY for the embeddings, in every function; offline does not", () => {
  const { OPENAI_API_KEY: _, ...withoutOpenAi } = productionEnv;
  const live = { ...withoutOpenAi, PORTAL_URL: "https://portal.example" };
  for (const [name, schema] of Object.entries(functionSchemas)) {
    for (const key of [undefined, ""]) {
      for (const mode of ["live", undefined]) {
        assert.throws(
          () => parseEnv(schema, { ...live, OPENAI_API_KEY: key, LLM_MODE: mode }),
          (error: unknown) => {
            assert.ok(error instanceof ConfigError, name);
            assert.deepEqual(error.problems, ["OPENAI_API_KEY is missing"], name);
            return true;
          },
        );
      }
    }
    const offline = parseEnv(schema, { ...live, ENVIRONMENT: "development", LLM_MODE: "offline" });
    assert.equal(offline.OPENAI_API_KEY, undefined, name);
    // Offline needs neither key.
    const { ANTHROPIC_API_KEY: __, ...noKeys } = withoutOpenAi;
    assert.equal(parseEnv(schema, { ...noKeys, ENVIRONMENT: "test", LLM_MODE: "offline" }).LLM_MODE, "offline");
  }
});

Deno.test("the embedding and extraction variables have the documented defaults and take overrides", () => {
  for (const schema of Object.values(functionSchemas)) {
    const env = parseEnv(schema, { ...productionEnv, PORTAL_URL: "https://portal.example" });
    assert.equal(env.OPENAI_API_KEY, "sk-openai-test");
    assert.equal(env.OPENAI_BASE_URL, "https://api.openai.com/v1");
    assert.equal(env.EMBEDDING_MODEL, "text-embedding-3-small");
    assert.equal(env.MODEL_EXTRACTION, "claude-sonnet-4-6");
    const custom = parseEnv(schema, {
      ...productionEnv,
      PORTAL_URL: "https://portal.example",
      OPENAI_BASE_URL: "http://127.0.0.1:54328/v1/",
      EMBEDDING_MODEL: "text-embedding-3-large",
      MODEL_EXTRACTION: "claude-opus-4-1",
    });
    assert.deepEqual(
      [custom.OPENAI_BASE_URL, custom.EMBEDDING_MODEL, custom.MODEL_EXTRACTION],
      ["http://127.0.0.1:54328/v1", "text-embedding-3-large", "claude-opus-4-1"],
    );
    assert.throws(
      () => parseEnv(schema, { ...productionEnv, PORTAL_URL: "https://p.example", OPENAI_BASE_URL: "openai" }),
      /OPENAI_BASE_URL is invalid/,
    );
  }
});
