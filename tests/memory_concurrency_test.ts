// Integration: concurrent writes of near-identical facts for one player cannot both stay active (PLATFORM.md §7).
// Eight transactions over eight real connections each remember a rewording of the same fact (pairwise cosine
// similarity 0.94, above memory_dedup_similarity) and stay open a moment before committing, so without the
// per-player lock each would miss the others' uncommitted rows and all eight would stay active.
import assert from "node:assert/strict";
import { asServiceRole, createDb } from "../functions/_shared/platform/db.ts";
import { createAuthUser, fixtureDb, testDbUrl, uniqueEmail } from "./support/test_db.ts";

const WRITERS = 8;
const NOW = "2026-12-01T12:00:00Z";

/** 0.97 on axis 1, the rest on axis 2 + i: two of these have cosine similarity 0.97^2 = 0.94. */
function rewording(i: number): string {
  const v = new Array<number>(1536).fill(0);
  v[0] = 0.97;
  v[2 + i] = Math.sqrt(1 - 0.97 * 0.97);
  return `[${v.join(",")}]`;
}

Deno.test("concurrent near-identical facts of one player leave exactly one active", async () => {
  const fixtures = fixtureDb();
  const sql = createDb(testDbUrl(), { max: WRITERS });
  let userId = "";
  try {
    userId = await createAuthUser(fixtures, uniqueEmail("memory-race"));
    const results = await Promise.all(
      Array.from({ length: WRITERS }, (_, i) =>
        asServiceRole(sql, async (tx) => {
          const [row] = await tx<{ result: { fact_id: string; superseded_id: string | null } }[]>`
            select game.remember_fact(${userId}::uuid, 'user', ${`works nights at the bakery (${i})`},
              ${rewording(i)}::extensions.vector, 'extraction', 0.9, null, ${NOW}::timestamptz) as result`;
          // Still open: a writer that did not wait for this one would not see this row.
          await tx`select pg_sleep(0.05)`;
          return row!.result;
        })),
    );
    const [state] = await fixtures<{ active: number; superseded: number }[]>`
      select count(*) filter (where is_active)::int as active,
        count(*) filter (where not is_active and superseded_by is not null)::int as superseded
      from game.memory_facts where user_id = ${userId}`;
    assert.deepEqual(state, { active: 1, superseded: WRITERS - 1 });
    // Each write but the first superseded exactly one earlier fact: a chain, the last writer's wording active.
    assert.equal(results.filter((r) => r.superseded_id !== null).length, WRITERS - 1);
    assert.equal(new Set(results.map((r) => r.superseded_id).filter((id) => id !== null)).size, WRITERS - 1);
  } finally {
    if (userId) await fixtures`delete from auth.users where id = ${userId}`;
    await sql.end();
    await fixtures.end();
  }
});
