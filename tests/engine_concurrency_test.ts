// Integration: no lost update under 50 concurrent writers to one player (DESIGN.md budgets). The same exchange is
// applied 50 times one after another to player A and 50 times at once, over 50 real connections, to player B;
// if the engine serializes a player's mutations, both end in exactly the same state.
import assert from "node:assert/strict";
import { asServiceRole, createDb, type Sql } from "../functions/_shared/platform/db.ts";
import { createAuthUser, fixtureDb, testDbUrl, uniqueEmail } from "./support/test_db.ts";

const CALLS = 50;
// One literal game time for every call: the result may not depend on which call ran first.
const NOW = "2026-12-01T12:00:00Z";
// Identical calls, so order cannot matter. +1 intimacy / -1 passion moves the score by +0.02..+0.05 per exchange
// (positive deltas are scaled by engagement): 50 calls stay far from the chapter 1 boss threshold (55), which
// would turn later calls into BOSSA refusals, and keep every metric inside 0..100, where a clamp could hide a
// lost update.
const ANALYSIS = {
  deltas: { intimacy: 1, passion: -1, trust: 0, secureness: 0 },
  behaviors: [],
  repair: { attempted: false, quality: null },
  vice_signals: [],
  language: { needy: 0, distracted: 0 },
  confidence: 0.9,
};

interface ExchangeResult {
  score_after: number;
}

interface PlayerState {
  score: string;
  intimacy: string;
  passion: string;
  trust: string;
  secureness: string;
  exchanges: number;
  history_scores: string[];
}

async function onboardedPlayer(fixtures: Sql, label: string): Promise<string> {
  const id = await createAuthUser(fixtures, uniqueEmail(label));
  await fixtures`update public.users set onboarding_status = 'completed', onboarded_at = ${NOW}, timezone = 'UTC'
                 where id = ${id}`;
  return id;
}

function applyExchange(sql: Sql, userId: string): Promise<ExchangeResult> {
  return asServiceRole(sql, async (tx) => {
    const [row] = await tx<{ result: ExchangeResult }[]>`
      select game.apply_exchange(${userId}::uuid, ${tx.json(ANALYSIS)}::jsonb, ${NOW}::timestamptz) as result`;
    if (!row) throw new Error("apply_exchange returned no row");
    return row.result;
  });
}

// Numbers as text: numeric(7,4) compared exactly, not through floats.
async function playerState(fixtures: Sql, userId: string): Promise<PlayerState | undefined> {
  const [row] = await fixtures<PlayerState[]>`
    select u.relationship_score::text as score, m.intimacy::text as intimacy, m.passion::text as passion,
      m.trust::text as trust, m.secureness::text as secureness,
      (select count(*)::int from public.score_history h where h.user_id = u.id and h.event_type = 'exchange') as exchanges,
      (select coalesce(array_agg(h.score::text order by h.id), '{}') from public.score_history h
       where h.user_id = u.id) as history_scores
    from public.users u join public.user_metrics m on m.user_id = u.id
    where u.id = ${userId}`;
  return row;
}

function sortedScores(results: ExchangeResult[]): string[] {
  return results.map((r) => String(r.score_after)).sort();
}

Deno.test("50 concurrent exchanges on one player end exactly like 50 sequential ones", async () => {
  const fixtures = fixtureDb();
  // One real connection per concurrent call: the calls contend in Postgres, not in the client's pool queue.
  const sql = createDb(testDbUrl(), { max: CALLS });
  const ids: string[] = [];
  try {
    const sequentialId = await onboardedPlayer(fixtures, "sequential");
    ids.push(sequentialId);
    const concurrentId = await onboardedPlayer(fixtures, "concurrent");
    ids.push(concurrentId);

    const sequential: ExchangeResult[] = [];
    for (let i = 0; i < CALLS; i++) sequential.push(await applyExchange(sql, sequentialId));

    // allSettled, not all: every failure is reported, and no call is still running when the players are deleted.
    const settled = await Promise.allSettled(Array.from({ length: CALLS }, () => applyExchange(sql, concurrentId)));
    const failures = settled.flatMap((s) => s.status === "rejected" ? [String(s.reason)] : []);
    assert.deepEqual(failures, [], "every concurrent exchange succeeds");
    const concurrent = settled.flatMap((s) => s.status === "fulfilled" ? [s.value] : []);

    const a = await playerState(fixtures, sequentialId);
    const b = await playerState(fixtures, concurrentId);
    assert.ok(a && b, "both players still exist");
    assert.equal(a.exchanges, CALLS);
    assert.equal(b.exchanges, CALLS);
    assert.notEqual(a.intimacy, "50.0000", "the exchanges moved the metrics");
    assert.deepEqual(
      { score: b.score, intimacy: b.intimacy, passion: b.passion, trust: b.trust, secureness: b.secureness },
      { score: a.score, intimacy: a.intimacy, passion: a.passion, trust: a.trust, secureness: a.secureness },
    );
    // Each concurrent call saw the state the previous one left: the history (in write order) and the scores the
    // calls returned are the sequential ones, not 50 calls starting from the same score.
    assert.deepEqual(b.history_scores, a.history_scores);
    assert.deepEqual(sortedScores(concurrent), sortedScores(sequential));
  } finally {
    if (ids.length > 0) await fixtures`delete from auth.users where id = any(${ids}::uuid[])`;
    await Promise.all([fixtures.end(), sql.end()]);
  }
});
