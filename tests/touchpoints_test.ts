// She texts first (GAME_RULES.md §15; PLATFORM.md §5.1 touchpoints) through the jobs route with the fake Anthropic
// and the fake Telegram: a touchpoint is written and queued once even with two overlapping runs, never within
// 120 minutes of another, skipped (and recorded) in a hot conflict, re-asked once when too similar to a recent one
// and then skipped, a provider outage retried by the next run, a call queued once as one voice row, and nothing for
// a finished game. Other tests' players share the database: they are muted here (notifications off), so a run
// evaluates and claims only ours. Each test runs on its own clock, far from the real one.
import assert from "node:assert/strict";
import { jobsHandler } from "../functions/_shared/app.ts";
import {
  NO_REPEAT_WINDOW,
  OFFLINE_MARK,
  OFFLINE_TOUCHPOINTS,
  offlineTouchpoint,
} from "../functions/_shared/llm/offline.ts";
import type { Sql } from "../functions/_shared/platform/db.ts";
import { onboardedPlayer } from "./support/players.ts";
import { type Harness, JOBS_SECRET, startHarness } from "./support/telegram_harness.ts";
import { phoneNumber, VOICE_ENV } from "./support/voice.ts";

const tgId = () => 700_000_000 + Math.floor(Math.random() * 1e8);
const HOUR = 3600_000;
const MIN = 60_000;

interface Started {
  h: Harness;
  clock: { t: number };
  /** What the app's random draws answer. */
  draw: { value: number };
  run(): Promise<{ claimed: number; done: number; failed: number }>;
}

/** The harness on a movable clock (a day at 12:00 UTC, outside the time slots) with a settable draw. */
function start(env: Record<string, string> = {}): Started {
  const clock = { t: Date.parse("2031-03-05T12:00:00Z") + Math.floor(Math.random() * 1000) * 24 * HOUR };
  const draw = { value: 0.99 };
  const h = startHarness({ now: () => new Date(clock.t), random: () => draw.value, env });
  h.anthropic.toolDefaults.write_touchpoint = { lines: ["Thinking of you. Don't let it go to your head."] };
  const jobs = jobsHandler(h.app, { JOBS_SECRET });
  return {
    h,
    clock,
    draw,
    async run() {
      const res = await jobs(
        new Request("http://local/functions/v1/jobs/touchpoints?wait=true", {
          method: "POST",
          headers: { "x-jobs-secret": JOBS_SECRET },
        }),
      );
      assert.equal(res.status, 200);
      return await res.json();
    },
  };
}

/** A player of ours, onboarded two days before the clock and silent for 25 hours (a gap occasion is due). */
async function player(s: Started): Promise<string> {
  const id = await onboardedPlayer(s.h.sql, tgId(), { at: new Date(s.clock.t - 48 * HOUR) });
  await s.h.sql`update public.users set last_interaction_at = ${new Date(s.clock.t - 25 * HOUR)} where id = ${id}`;
  return id;
}

/** Mutes every other player, so the job's runs evaluate and claim only `ours`. */
async function onlyOurs(sql: Sql, ours: string[]) {
  await sql`update public.users set notifications_enabled = false
    where notifications_enabled and not (id = any (${ours}::uuid[]))`;
}

async function touchpoints(sql: Sql, userId: string) {
  return await sql<
    {
      id: string;
      trigger: string;
      channel: string;
      status: string;
      skip_reason: string | null;
      due_at: Date;
      text: string | null;
      outbox_id: number | null;
      attempts: number;
    }[]
  >`select id, trigger, channel, status, skip_reason, due_at, text, outbox_id::int, attempts
    from game.touchpoints where user_id = ${userId} order by created_at, due_at`;
}

async function outbox(sql: Sql, userId: string) {
  return await sql<{ dedupe_key: string; channel: string; kind: string; text: string | null; payload: unknown }[]>`
    select dedupe_key, channel, kind, text, payload from private.outbox
    where user_id = ${userId} and kind in ('touchpoint', 'call') order by id`;
}

const touchpointCalls = (h: Harness) =>
  h.anthropic.requests.filter((r) => (r.tool_choice as { name?: string } | undefined)?.name === "write_touchpoint");

Deno.test("a touchpoint is written and queued once even with two overlapping runs, never within 120 minutes of another", async () => {
  const s = start();
  try {
    const me = await player(s);
    await onlyOurs(s.h.sql, [me]);
    // The gap trigger fires (every draw 0): due 2 minutes later, a text (voice is off here).
    s.draw.value = 0;
    await s.run();
    const [scheduled] = await touchpoints(s.h.sql, me);
    assert.deepEqual(
      { trigger: scheduled!.trigger, channel: scheduled!.channel, status: scheduled!.status },
      { trigger: "gap", channel: "text", status: "scheduled" },
    );
    assert.equal(scheduled!.due_at.getTime(), s.clock.t + 2 * MIN);
    // Due: two runs at once; strategic silence does not strike (a draw of 0.99 is above any chance).
    s.clock.t += 3 * MIN;
    s.draw.value = 0.99;
    s.h.anthropic.tools.write_touchpoint = [{ lines: ["Quiet day over there.", "I noticed, for the record."] }];
    await Promise.all([s.run(), s.run()]);
    assert.equal(touchpointCalls(s.h).length, 1, "one text written");
    const [sent] = await touchpoints(s.h.sql, me);
    assert.equal(sent!.status, "sent");
    assert.equal(sent!.text, "Quiet day over there.\nI noticed, for the record.");
    const rows = await outbox(s.h.sql, me);
    assert.deepEqual(rows.map((r) => r.dedupe_key), [`touchpoint:${sent!.id}:1`], "queued once under its dedupe key");
    assert.equal(rows[0]!.text, "Quiet day over there.\nI noticed, for the record.");
    // An hour later a new silence is due, but the last proactive message went out 57 minutes ago.
    s.clock.t += 57 * MIN;
    await s.h.sql`update public.users set last_interaction_at = ${new Date(s.clock.t - 25 * HOUR)} where id = ${me}`;
    s.draw.value = 0;
    await s.run();
    assert.equal((await touchpoints(s.h.sql, me)).length, 1, "nothing new within 120 minutes");
    const [rolled] = await s.h.sql<{ n: number }[]>`
      select count(*)::int as n from game.touchpoint_occasions where user_id = ${me} and trigger = 'gap'`;
    assert.equal(rolled!.n, 1, "the new silence is not even rolled while it is too close");
    // 120 minutes after it was queued, the new silence gets its roll.
    s.clock.t += 63 * MIN;
    await s.run();
    const after = await touchpoints(s.h.sql, me);
    assert.equal(after.length, 2);
    assert.equal(after[1]!.status, "scheduled");
    // Delivered: her two lines reach the chat once.
    s.draw.value = 0.99;
    await s.h.settle(0);
    const [user] = await s.h.sql<{ telegram_chat_id: number }[]>`
      select telegram_chat_id::float8 as telegram_chat_id from public.users where id = ${me}`;
    assert.deepEqual(s.h.telegram.sent(user!.telegram_chat_id), ["Quiet day over there.\nI noticed, for the record."]);
  } finally {
    await s.h.close();
  }
});

Deno.test("in a hot conflict the touchpoint is skipped and recorded; a provider outage leaves it for the next run", async () => {
  const s = start();
  try {
    const hot = await player(s);
    const down = await player(s);
    await onlyOurs(s.h.sql, [hot, down]);
    s.draw.value = 0;
    await s.run();
    assert.equal((await touchpoints(s.h.sql, hot))[0]?.status, "scheduled");
    assert.equal((await touchpoints(s.h.sql, down))[0]?.status, "scheduled");
    s.clock.t += 3 * MIN;
    await s.h.sql`update game.conflict_state set temperature = 60, updated_at = ${new Date(s.clock.t)}
      where user_id = ${hot}`;
    s.draw.value = 0.99;
    s.h.anthropic.failures.push(500);
    const first = await s.run();
    assert.equal(first.failed, 1, "the outage is one failure");
    const [skipped] = await touchpoints(s.h.sql, hot);
    assert.deepEqual({ status: skipped!.status, reason: skipped!.skip_reason }, {
      status: "skipped",
      reason: "conflict_hot",
    });
    assert.equal((await outbox(s.h.sql, hot)).length, 0, "nothing queued for the hot conflict");
    const [waiting] = await touchpoints(s.h.sql, down);
    assert.deepEqual({ status: waiting!.status, attempts: waiting!.attempts }, { status: "scheduled", attempts: 1 });
    assert.equal((await outbox(s.h.sql, down)).length, 0);
    // The next run (5 minutes later) retries it once the provider answers.
    s.clock.t += 5 * MIN;
    await s.run();
    const [retried] = await touchpoints(s.h.sql, down);
    assert.equal(retried!.status, "sent");
    assert.equal((await outbox(s.h.sql, down)).length, 1);
    assert.equal(touchpointCalls(s.h).length, 2, "the failed call and the retry; none for the hot conflict");
  } finally {
    await s.h.close();
  }
});

Deno.test("a text too similar to a recent proactive message is re-asked once, then skipped with its reason", async () => {
  const s = start();
  try {
    const me = await player(s);
    const other = await player(s);
    await onlyOurs(s.h.sql, [me, other]);
    const earlier = "Second coffee, first bug of the day. It's a nasty one.";
    for (const id of [me, other]) {
      await s.h.sql`insert into game.touchpoints (user_id, trigger, occasion, channel, due_at, status, rate, chance,
          created_at, sent_at, text)
        values (${id}, 'time', 'time:earlier', 'text', ${new Date(s.clock.t - 26 * HOUR)}, 'sent', 0.15, 0.15,
          ${new Date(s.clock.t - 27 * HOUR)}, ${new Date(s.clock.t - 26 * HOUR)}, ${earlier})`;
    }
    s.draw.value = 0;
    await s.run();
    s.clock.t += 3 * MIN;
    s.draw.value = 0.99;
    // Players are claimed by due time, then id: script the answers in that order.
    const order = await s.h.sql<{ user_id: string }[]>`
      select user_id from game.touchpoints where user_id in (${me}, ${other}) and status = 'scheduled'
      order by due_at, id`;
    const answers: Record<string, unknown[]> = {
      [me]: [
        { lines: ["Second coffee, first bug of the day. It's a nasty one!"] },
        { lines: ["second coffee... first bug of the day, it's a nasty one"] },
      ],
      [other]: [
        { lines: ["Second coffee, first bug of the day. It's a nasty one :)"] },
        { lines: ["Lena dragged me to a gallery opening. Send help."] },
      ],
    };
    s.h.anthropic.tools.write_touchpoint = order.flatMap((o) => answers[o.user_id]!);
    await s.run();
    const calls = touchpointCalls(s.h);
    assert.equal(calls.length, 4, "each asked twice");
    assert.match(JSON.stringify(calls[1]!.messages), /It's a nasty one/, "the re-ask lists the rejected text");
    const mine = (await touchpoints(s.h.sql, me)).at(-1)!;
    assert.deepEqual({ status: mine.status, reason: mine.skip_reason }, { status: "skipped", reason: "too_similar" });
    assert.equal((await outbox(s.h.sql, me)).length, 0);
    const theirs = (await touchpoints(s.h.sql, other)).at(-1)!;
    assert.equal(theirs.status, "sent", "a fresh text after the re-ask goes out");
    assert.equal(theirs.text, "Lena dragged me to a gallery opening. Send help.");
  } finally {
    await s.h.close();
  }
});

Deno.test("with voice on, a chapter-3 player with a phone may get a call: one voice row, no text written", async () => {
  const s = start({
    ...VOICE_ENV,
    ELEVENLABS_AGENT_ID: "agent_test",
    ELEVENLABS_API_KEY: "test-elevenlabs-key",
    ELEVENLABS_PHONE_NUMBER_ID: "phnum_test",
  });
  try {
    const me = await player(s);
    await s.h.sql`update public.users set chapter = 3, phone = ${phoneNumber()} where id = ${me}`;
    await onlyOurs(s.h.sql, [me]);
    s.draw.value = 0;
    await s.run();
    const [scheduled] = await touchpoints(s.h.sql, me);
    assert.equal(scheduled!.channel, "voice", "a channel draw of 0 is below chapter 3's call share");
    s.clock.t += 3 * MIN;
    s.draw.value = 0.99;
    await Promise.all([s.run(), s.run()]);
    await s.run();
    const rows = await outbox(s.h.sql, me);
    assert.deepEqual(rows.map((r) => [r.dedupe_key, r.channel, r.kind]), [[`call:${scheduled!.id}`, "voice", "call"]]);
    assert.match((rows[0]!.payload as { reason: string }).reason, /quiet for a day/);
    assert.equal((await touchpoints(s.h.sql, me))[0]!.status, "sent");
    assert.equal(touchpointCalls(s.h).length, 0, "a call needs no written text");
  } finally {
    await s.h.close();
  }
});

Deno.test("a finished game gets no touchpoint: game over and won players are neither evaluated nor sent to", async () => {
  const s = start();
  try {
    const over = await player(s);
    const won = await player(s);
    await onlyOurs(s.h.sql, [over, won]);
    // Each had one scheduled before the game ended.
    for (const id of [over, won]) {
      await s.h.sql`insert into game.touchpoints (user_id, trigger, occasion, channel, due_at, rate, chance, created_at)
        values (${id}, 'time', 'time:before', 'text', ${new Date(s.clock.t - MIN)}, 0.15, 0.15,
          ${new Date(s.clock.t - HOUR)})`;
    }
    await s.h.sql`update public.users set game_status = 'game_over', game_over_reason = 'decay' where id = ${over}`;
    await s.h.sql`update public.users set game_status = 'won' where id = ${won}`;
    s.draw.value = 0;
    await s.run();
    for (const id of [over, won]) {
      const rows = await touchpoints(s.h.sql, id);
      assert.deepEqual(rows.map((r) => [r.status, r.skip_reason]), [["skipped", "not_eligible"]]);
      assert.equal((await outbox(s.h.sql, id)).length, 0);
      const [rolled] = await s.h.sql<{ n: number }[]>`
        select count(*)::int as n from game.touchpoint_occasions where user_id = ${id}`;
      assert.equal(rolled!.n, 0, "no occasion rolled");
    }
    assert.equal(touchpointCalls(s.h).length, 0);
  } finally {
    await s.h.close();
  }
});

Deno.test("offline, her proactive lines are in character, marked offline, deterministic, and avoid her recent ones", () => {
  const request = {
    userId: "3f1c0c52-0000-4000-8000-000000000001",
    playerName: "Robin",
    chapter: 2,
    localTime: "Mon 08:40",
    lifeEvent: null,
    avoid: [] as string[],
  };
  for (const trigger of ["time", "gap", "event"] as const) {
    assert.ok(OFFLINE_TOUCHPOINTS[trigger].length > NO_REPEAT_WINDOW, `${trigger}: a fresh line always exists`);
    const first = offlineTouchpoint({ ...request, trigger });
    assert.ok(first.startsWith(OFFLINE_MARK));
    assert.equal(offlineTouchpoint({ ...request, trigger }), first, "the same request, the same line");
    // The lines she sent most recently are never picked again.
    const avoid = OFFLINE_TOUCHPOINTS[trigger].slice(0, NO_REPEAT_WINDOW).map((l) => OFFLINE_MARK + l);
    const fresh = offlineTouchpoint({ ...request, trigger, avoid });
    assert.ok(!avoid.includes(fresh), `${trigger}: ${fresh}`);
  }
});
