// The typed client example of the README ("Reading the portal's data") run as PostgREST runs it: the same two reads
// (player_stats, 30 days of score_history) in a transaction under `set local role authenticated` and the caller's
// `request.jwt.claims`, so RLS and the column grants decide, as they do behind supabase-js.
import assert from "node:assert/strict";
import { fixtureDb, uniqueEmail } from "./support/test_db.ts";
import { asRequest, playerClaims, type PlayerStats, readHistory, readStats } from "./support/portal_reads.ts";

const DAY = 86_400_000;

Deno.test("a signed-in player reads their own stats and 30 days of history, and nothing of anyone else's", async () => {
  const sql = fixtureDb();
  try {
    const now = new Date();
    const ids: string[] = [];
    for (const label of ["reader-a", "reader-b"]) {
      const [row] = await sql<{ id: string }[]>`insert into auth.users (email) values (${
        uniqueEmail(label)
      }) returning id`;
      ids.push(row!.id);
      // 40 days of history, one row a day, the newest an hour ago.
      await sql`insert into public.score_history (user_id, score, chapter, event_type, recorded_at)
        select ${row!.id}, 50 - d * 0.25, 1, 'decay', ${now}::timestamptz - interval '1 hour' - d * interval '1 day'
        from generate_series(0, 39) d`;
    }
    const [a, b] = ids as [string, string];
    await sql`update public.users set display_name = 'Robin', last_interaction_at = ${new Date(
      now.getTime() - 3_600_000,
    )}
              where id = ${a}`;
    const since = new Date(now.getTime() - 30 * DAY);

    const own = await asRequest(sql, playerClaims(a), async (tx) => ({
      stats: await readStats(tx, a),
      history: await readHistory(tx, a, since),
      others: await readStats(tx, b),
      othersHistory: await readHistory(tx, b, since),
      visible: await tx<{ stats: number; history: number; conversations: number }[]>`
        select (select count(*)::int from public.player_stats) as stats,
               (select count(*)::int from public.score_history) as history,
               (select count(*)::int from public.conversation_list where user_id <> ${a}) as conversations`,
    }));
    const stats: PlayerStats = own.stats!;
    assert.equal(stats.user_id, a);
    assert.equal(stats.display_name, "Robin");
    assert.equal(stats.chapter_name, "Curiosity");
    assert.equal(Number(stats.relationship_score), 50);
    // Chapter 1: 8 h of grace after the interaction an hour ago, then 0.8 an hour for the 17 h left of the 24.
    assert.equal(stats.is_decaying, false);
    assert.ok(Number(stats.projected_score_24h) < 50, `projected ${stats.projected_score_24h}`);
    assert.equal(own.history.length, 30, "the rows of the last 30 days");
    assert.ok(own.history.every((h) => new Date(h.recorded_at).getTime() >= since.getTime()));
    assert.deepEqual(
      own.history.map((h) => new Date(h.recorded_at).getTime()),
      own.history.map((h) => new Date(h.recorded_at).getTime()).sort((x, y) => x - y),
      "oldest first",
    );
    assert.equal(own.others, null, "another player's stats are invisible");
    assert.deepEqual(own.othersHistory, [], "another player's history is invisible");
    assert.deepEqual({ ...own.visible[0] }, { stats: 1, history: 40, conversations: 0 }, "unfiltered: own rows only");

    // An admin (app_metadata.role, which only the service key sets) reads anyone's.
    const admin = await asRequest(sql, playerClaims(a, { role: "admin" }), (tx) => readStats(tx, b));
    assert.equal(admin?.user_id, b);

    // Not signed in: no read at all.
    await assert.rejects(
      asRequest(sql, { role: "anon" }, (tx) => readStats(tx, a)),
      (error: { code?: string }) => error.code === "42501",
    );
    // Internal columns stay out of reach even of the player's own row.
    await assert.rejects(
      asRequest(sql, playerClaims(a), (tx) => tx`select status, scored_at from public.conversations`),
      (error: { code?: string }) => error.code === "42501",
    );
  } finally {
    await sql.end();
  }
});
