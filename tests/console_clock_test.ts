// The play console's game clock (scripts/local/clock.ts): `/wait` moves it on, and what the time between brought
// runs at the new time: the idle conversation closes and is processed, decay applies once the grace is over.
import assert from "node:assert/strict";
import { catchUp, createGameClock, parseWait } from "../scripts/local/clock.ts";
import { onboardedPlayer } from "./support/players.ts";
import { startHarness } from "./support/telegram_harness.ts";

Deno.test("/wait reads minutes, hours and days, and nothing else", () => {
  assert.equal(parseWait("/wait 90m"), 90 * 60_000);
  assert.equal(parseWait("/wait 3h"), 3 * 3_600_000);
  assert.equal(parseWait("/WAIT 1.5d"), 36 * 3_600_000);
  assert.equal(parseWait("/wait"), null);
  assert.equal(parseWait("/wait 3 weeks"), null);
  assert.equal(parseWait("wait 3h"), null);
});

Deno.test("a day later: her conversation was closed and processed, and decay took what the rules allow", async () => {
  const clock = createGameClock();
  const h = startHarness({ now: clock.now, env: { LLM_MODE: "offline" } });
  try {
    const start = clock.now();
    const userId = await onboardedPlayer(h.sql, 700_000_000 + Math.floor(Math.random() * 1e8), { at: start });
    await h.sql`select game.store_player_message(${userId}, ${Math.floor(Math.random() * 1e12)}, 'hi there', ${start})`;
    await catchUp(h.app, clock, 24 * 3_600_000);
    assert.ok(clock.now().getTime() - start.getTime() >= 24 * 3_600_000);
    const [conversation] = await h.sql<{ status: string; job: string | null }[]>`
      select c.status, j.status as job from public.conversations c
      left join private.conversation_jobs j on j.conversation_id = c.id where c.user_id = ${userId}`;
    assert.deepEqual({ ...conversation }, { status: "closed", job: "done" });
    // Chapter 1: 8 h of grace, then 0.8 an hour, at most 12 a UTC day (GAME_RULES.md §7.1): the 16 overdue hours
    // lose at most 12.8 (less when the cap of the UTC day they fall in binds), plus the real seconds the test took
    // (the console's clock is the real time plus the waits).
    const [player] = await h.sql<{ score: number; decays: number }[]>`
      select u.relationship_score::float8 as score,
             (select count(*)::int from public.score_history s where s.user_id = u.id and s.event_type = 'decay') as decays
      from public.users u where u.id = ${userId}`;
    assert.ok(player!.decays > 0 && player!.score < 50, `decay applied: ${JSON.stringify(player)}`);
    const overdueHours = (clock.now().getTime() - start.getTime()) / 3_600_000 - 8;
    assert.ok(overdueHours < 16.1, `the test took minutes of real time: ${overdueHours}`);
    assert.ok(
      player!.score >= 50 - 0.8 * overdueHours - 1e-4,
      `no more than 0.8 a point per overdue hour (${overdueHours} h): ${player!.score}`,
    );
  } finally {
    await h.close();
  }
});
