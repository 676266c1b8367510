// The local stack's configuration (scripts/local/env.ts): without keys it runs offline (no OpenAI key needed for
// memory); ANTHROPIC_API_KEY turns live mode on, which then needs OPENAI_API_KEY and says so by name.
import assert from "node:assert/strict";
import { gatewayEnvSchema } from "../functions/_shared/config.ts";
import { ConfigError, parseEnv } from "../functions/_shared/platform/env.ts";
import { localEnv } from "../scripts/local/env.ts";

function withRoot<T>(dotEnv: string | null, run: (root: string) => T): T {
  const root = Deno.makeTempDirSync({ prefix: "nikita-local-env-" });
  try {
    if (dotEnv !== null) Deno.writeTextFileSync(`${root}/.env`, dotEnv);
    return run(root);
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
}

Deno.test("the local stack without keys runs offline and its configuration parses", () => {
  withRoot(null, (root) => {
    const { env } = localEnv(root, { NIKITA_PORT_OFFSET: "7" });
    assert.equal(env.LLM_MODE, "offline");
    assert.equal(env.OPENAI_API_KEY, undefined);
    const parsed = parseEnv(gatewayEnvSchema, env);
    assert.equal(parsed.LLM_MODE, "offline");
    assert.equal(parsed.EMBEDDING_MODEL, "text-embedding-3-small");
  });
  // Empty values in .env count as unset.
  withRoot("ANTHROPIC_API_KEY=\nOPENAI_API_KEY=\n", (root) => {
    assert.equal(parseEnv(gatewayEnvSchema, localEnv(root, {}).env).LLM_MODE, "offline");
  });
});

Deno.test("the local stack with both keys runs live; with the Anthropic key alone the missing one is named", () => {
  withRoot("ANTHROPIC_API_KEY=sk-ant-local\nOPENAI_API_KEY=sk-openai-local\n", (root) => {
    const parsed = parseEnv(gatewayEnvSchema, localEnv(root, {}).env);
    assert.deepEqual([parsed.LLM_MODE, parsed.OPENAI_API_KEY], ["live", "sk-openai-local"]);
  });
  withRoot(null, (root) => {
    const { env } = localEnv(root, { ANTHROPIC_API_KEY: "sk-ant-local" });
    assert.equal(env.LLM_MODE, "live");
    assert.throws(() => parseEnv(gatewayEnvSchema, env), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.deepEqual(error.problems, ["OPENAI_API_KEY is missing"]);
      return true;
    });
  });
});
