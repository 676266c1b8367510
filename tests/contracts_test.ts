// One source for each contract between the talking and the engine: the analyzer's tool schema is generated from
// the zod schema that validates its answers, and its vocabulary is exactly what the engine's SQL checks accept.
import assert from "node:assert/strict";
import { ANALYZE_TOOL } from "../functions/_shared/llm/analyze.ts";
import {
  analysisSchema,
  behaviorNames,
  NEUTRAL_ANALYSIS,
  viceCategoryNames,
} from "../functions/_shared/llm/analysis.ts";
import { JUDGE_TOOL } from "../functions/_shared/llm/judge.ts";
import { gameErrorCode } from "../functions/_shared/platform/errors.ts";
import { fixtureDb } from "./support/test_db.ts";

type Schema = {
  type?: string;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  items?: Schema;
  required?: string[];
};

Deno.test("the analyze_exchange tool schema comes from the zod schema, with enums for tags and vice categories", () => {
  const input = ANALYZE_TOOL.definition.input_schema as Schema;
  assert.equal(input.type, "object");
  assert.equal("$schema" in input, false, "the tool gets a plain object schema");
  assert.deepEqual(input.properties!.behaviors!.items!.enum, behaviorNames);
  assert.deepEqual(input.properties!.vice_signals!.items!.properties!.category!.enum, viceCategoryNames);
  assert.deepEqual(input.required, Object.keys(analysisSchema.shape));
  const deltas = input.properties!.deltas!.properties!;
  assert.deepEqual(Object.keys(deltas), ["intimacy", "passion", "trust", "secureness"]);
  assert.deepEqual([deltas.trust!.type, (deltas.trust as { minimum?: number }).minimum], ["number", -10]);
  const judge = JUDGE_TOOL.definition.input_schema as Schema;
  assert.deepEqual(judge.properties!.outcome!.enum, ["PASS", "PARTIAL", "FAIL"]);
});

Deno.test("the engine's lists of vice categories and behaviour tags are exactly the analyzer's", async () => {
  const sql = fixtureDb();
  try {
    const [lists] = await sql<{ vices: string[]; tags: string[] }[]>`
      select game.vice_categories() as vices, game.behavior_tags() as tags`;
    assert.deepEqual(lists!.vices, viceCategoryNames);
    assert.deepEqual(lists!.tags, behaviorNames);
    const check = async (analysis: unknown) => {
      try {
        await sql`select game.check_analysis(${sql.json(analysis as never)}, game.tunables_json())`;
        return "ok";
      } catch (error) {
        return gameErrorCode(error) ?? String(error);
      }
    };
    for (const category of viceCategoryNames) {
      const signal = { category, confidence: 0.9, positive: true };
      assert.equal(await check({ ...NEUTRAL_ANALYSIS, vice_signals: [signal] }), "ok", category);
    }
    for (const tag of behaviorNames) assert.equal(await check({ ...NEUTRAL_ANALYSIS, behaviors: [tag] }), "ok", tag);
    const unknownVice = {
      ...NEUTRAL_ANALYSIS,
      vice_signals: [{ category: "gambling", confidence: 0.9, positive: true }],
    };
    assert.equal(await check(unknownVice), "ANBAD");
    assert.equal(await check({ ...NEUTRAL_ANALYSIS, behaviors: ["horseman:sarcasm"] }), "ANBAD");
    // The vice table's own check takes the same list: every category can be stored.
    await sql.begin(async (tx) => {
      const [user] = await tx<
        { id: string }[]
      >`insert into auth.users (email) values (${`vocab-${crypto.randomUUID()}@players.test`})
        returning id`;
      for (const category of viceCategoryNames) {
        await tx`insert into public.user_vice_preferences (user_id, category) values (${user!.id}, ${category})`;
      }
      await assert.rejects(
        tx.savepoint((sp) =>
          sp`insert into public.user_vice_preferences (user_id, category) values (${user!.id}, 'gambling')`
        ),
        /check constraint/,
      );
      throw new Rollback();
    }).catch((error) => {
      if (!(error instanceof Rollback)) throw error;
    });
  } finally {
    await sql.end();
  }
});

class Rollback extends Error {}
