// Decay is idempotent under concurrency (GAME_RULES.md §7.2): two runs at the same p_now on two real
// connections apply the decay once, because the pass locks the rows it decays and advances the watermark.
import assert from "node:assert/strict";
import { asServiceRole, createDb } from "../functions/_shared/platform/db.ts";
import { createAuthUser, fixtureDb, testDbUrl, uniqueEmail } from "./support/test_db.ts";

Deno.test("two concurrent decay runs at the same time apply the decay once", async () => {
  const fixtures = fixtureDb();
  const workers = [createDb(testDbUrl(), { max: 1 }), createDb(testDbUrl(), { max: 1 })];
  const id = await createAuthUser(fixtures, uniqueEmail("decay-race"));
  try {
    // Chapter 1, last interaction far in the future of every other fixture: only this player is overdue at p_now.
    await fixtures`update public.users set onboarding_status = 'completed', last_interaction_at = '2031-03-03 00:00+00',
      decay_through = null where id = ${id}`;
    const now = "2031-03-03 10:00+00"; // 2 overdue hours x 0.8 = 1.6
    const results = await Promise.all(
      workers.map((sql) =>
        asServiceRole(sql, async (tx) => (await tx`select game.apply_decay(${now}::timestamptz) as r`)[0]?.r)
      ),
    );
    const decayed = results.map((r) => (r as { decayed: number }).decayed).sort();
    const [player] = await fixtures<{ score: number; rows: number }[]>`
      select relationship_score::float8 as score,
             (select count(*)::int from public.score_history where user_id = ${id} and event_type = 'decay') as rows
      from public.users where id = ${id}`;
    assert.equal(player?.score, 48.4);
    assert.equal(player?.rows, 1);
    assert.ok(decayed[1]! >= 1, "one run decayed the player");
  } finally {
    await fixtures`delete from auth.users where id = ${id}`;
    await Promise.all([fixtures.end(), ...workers.map((sql) => sql.end())]);
  }
});
