// The balance simulator (scripts/simulate/): the same seed and flags give the same results, and every simulated
// player ends in a state the engine's rules allow. Runs a small simulation twice against the test database; only
// this run's players (sim.players of the run) are looked at.
import assert from "node:assert/strict";
import { type PlayerFacts, type SimResult, simulate } from "../scripts/simulate/driver.ts";
import { DEFAULT_MIX } from "../scripts/simulate/personas.ts";
import { personaTable } from "../scripts/simulate/report.ts";
import { parseFlags } from "../scripts/simulate/cli.ts";
import { fixtureDb, testDbUrl } from "./support/test_db.ts";

const PLAYERS = 60;
const DAYS = 4;

function run(name: string): Promise<SimResult> {
  return simulate({
    players: PLAYERS,
    days: DAYS,
    seed: 7,
    mix: DEFAULT_MIX,
    tune: {},
    dbUrl: testDbUrl(),
    run: `${name}-${crypto.randomUUID().slice(0, 8)}`,
    connections: 2,
  });
}

const comparable = (facts: PlayerFacts[]) => facts.map(({ user_id: _, ...rest }) => rest);

Deno.test("simulate: one seed twice gives identical tables, and every player's state obeys the rules", async () => {
  const a = await run("determinism-a");
  const b = await run("determinism-b");
  assert.deepEqual(a.errors, [], "no engine call raised");
  assert.equal(a.facts.length, PLAYERS);
  // Something happened: exchanges were scored and at least one boss fight was fought.
  assert.ok((a.routes.exchange ?? 0) > 500, JSON.stringify(a.routes));
  assert.ok((a.routes.boss ?? 0) > 0, JSON.stringify(a.routes));
  assert.deepEqual(personaTable(b.facts, DAYS), personaTable(a.facts, DAYS));
  assert.deepEqual(comparable(b.facts), comparable(a.facts));
  assert.deepEqual(b.routes, a.routes);

  const sql = fixtureDb();
  try {
    const ids = a.facts.map((f) => f.user_id);
    // Score = the weighted metrics.
    const [scores] = await sql<{ bad: number }[]>`
      select count(*)::int as bad from public.users u join public.user_metrics m on m.user_id = u.id
      where u.id = any (${ids}::uuid[])
        and u.relationship_score <> game.score_of(game.tunables_json(), m.intimacy, m.passion, m.trust, m.secureness)`;
    assert.equal(scores!.bad, 0, "score = weighted metrics");
    // The chapter only rises through a PASS, and only a reset brings it down (history in the order it was written).
    const [chapters] = await sql<{ bad: number; rises: number }[]>`
      with h as (
        select event_type, chapter, lag(chapter, 1, 1::smallint) over (partition by user_id order by id) as before
        from public.score_history where user_id = any (${ids}::uuid[]))
      select count(*) filter (where (chapter > before and event_type <> 'boss_pass')
                                 or (chapter < before and event_type <> 'game_reset'))::int as bad,
             count(*) filter (where chapter > before)::int as rises
      from h`;
    assert.equal(chapters!.bad, 0, "chapter moves only through a PASS (up) or a reset (down)");
    assert.ok(chapters!.rises > 0, "some player passed a boss");
    // No decay while in a boss fight: checked around every hourly run (sim.end_hour), since decay keeps one history
    // row per player per day; and some players were in one at an hourly run, so the check had something to see.
    const [decay] = await sql<{ bad: number; seen: number }[]>`
      select (select count(*)::int from sim.decay_in_boss where user_id = any (${ids}::uuid[])) as bad,
             (select count(*)::int from game.boss_fights f where f.user_id = any (${ids}::uuid[])
                and coalesce(f.resolved_at, f.started_at + interval '1 day') - f.started_at > interval '1 hour') as seen`;
    assert.ok(decay!.seen > 0, "some encounter lasted over an hourly run");
    assert.equal(decay!.bad, 0, "no decay while in a boss fight");
    // The last history row is the final state; a finished game has the row that finished it.
    const [final] = await sql<{ bad: number; over: number }[]>`
      select count(*) filter (where l.score is distinct from u.relationship_score or l.chapter is distinct from u.chapter
               or (u.game_status = 'game_over' and not exists (
                 select 1 from public.score_history h cross join jsonb_array_elements(h.event_details -> 'events') e
                 where h.user_id = u.id and h.id >= l.last_reset and e ->> 'type' = 'game_over'
                   and e ->> 'reason' = u.game_over_reason)))::int as bad,
             count(*) filter (where u.game_status = 'game_over')::int as over
      from public.users u
      cross join lateral (
        select h.score, h.chapter,
               (select coalesce(max(r.id), 0) from public.score_history r
                where r.user_id = u.id and r.event_type = 'game_reset') as last_reset
        from public.score_history h where h.user_id = u.id order by h.id desc limit 1) l
      where u.id = any (${ids}::uuid[])`;
    assert.equal(final!.bad, 0, "history rows consistent with the final state");
    // Boss encounters: every resolved one has its history row, and at most one is open per player.
    const [bosses] = await sql<{ bad: number }[]>`
      select count(*)::int as bad from game.boss_fights f
      where f.user_id = any (${ids}::uuid[]) and f.phase = 'resolved' and f.outcome is not null
        and not exists (select 1 from public.score_history h
                        where h.user_id = f.user_id and h.event_details ->> 'boss_fight_id' = f.id::text)`;
    assert.equal(bosses!.bad, 0, "every judged or timed-out encounter has its history row");
  } finally {
    await sql.end();
  }
});

Deno.test("simulate: flags are parsed strictly", () => {
  const f = parseFlags(["--players", "10", "--days", "2", "--tune", "boss_max_attempts=4", "--mix", "toxic=1"]);
  assert.equal(f.players, 10);
  assert.deepEqual(f.tune, { boss_max_attempts: 4 });
  assert.equal(f.mix.toxic, 1);
  assert.equal(f.mix.attentive, 0);
  assert.throws(() => parseFlags(["--mix", "saint=1"]), /unknown persona/);
  assert.throws(() => parseFlags(["--tune", "x=not json"]), /must be JSON/);
  assert.throws(() => parseFlags(["--players", "-3"]), /whole number/);
});
