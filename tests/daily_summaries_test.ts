// The daily-summaries job (PLATFORM.md §5.1, GAME_RULES.md §17) through the jobs route with the fake Anthropic, on
// game clocks in early 2025, before every other test's rows (so no other player is due or decays then): a missed
// week caught up in one run with the real decay sums of game.apply_decay run hourly over that week, two
// overlapping runs doing the work once and a rerun nothing; a model that fails or keeps answering wrongly gives the
// fallback; the offline stand-in's summary passes the save's check.
import assert from "node:assert/strict";
import { jobsHandler } from "../functions/_shared/app.ts";
import type { DailySummaryInput } from "../functions/_shared/llm/daily_summary.ts";
import { createOfflineLlm } from "../functions/_shared/llm/offline.ts";
import type { Sql } from "../functions/_shared/platform/db.ts";
import { onboardedPlayer } from "./support/players.ts";
import { type Harness, JOBS_SECRET, startHarness } from "./support/telegram_harness.ts";

const tgId = () => 700_000_000 + Math.floor(Math.random() * 1e8);
const HOUR = 3_600_000;

/** A Los Angeles player (UTC-8 in winter) in chapter 2 (16 h grace, 0.6 points per overdue hour) whose score was
 * set to `score` by one history row at `at`. */
async function laPlayer(sql: Sql, at: Date, score: number): Promise<string> {
  const id = await onboardedPlayer(sql, tgId(), { metric: score, at });
  await sql`update public.users set timezone = 'America/Los_Angeles', chapter = 2 where id = ${id}`;
  await sql`insert into public.score_history (user_id, score, chapter, event_type, event_details, recorded_at)
    values (${id}, ${score}, 2, 'manual_adjustment', '{}', ${at})`;
  return id;
}

/** A closed conversation started at `at`, already summarised by the pipeline. */
async function conversation(sql: Sql, userId: string, at: Date, summary: string, tone = "playful") {
  await sql`insert into public.conversations (user_id, platform, status, started_at, last_message_at, ended_at,
      chapter_at_start, summary, emotional_tone)
    values (${userId}, 'telegram', 'closed', ${at}, ${new Date(at.getTime() + 600_000)},
      ${new Date(at.getTime() + 1_500_000)}, 2, ${summary}, ${tone})`;
}

function runJob(h: Harness) {
  const handler = jobsHandler(h.app, { JOBS_SECRET });
  return async () => {
    const res = await handler(
      new Request("http://local/functions/v1/jobs/daily-summaries?wait=true", {
        method: "POST",
        headers: { "x-jobs-secret": JOBS_SECRET },
        body: "{}",
      }),
    );
    assert.equal(res.status, 200);
    return await res.json() as { claimed: number; done: number; failed: number; remaining: number };
  };
}

interface Row {
  date: string;
  score_start: number;
  score_end: number;
  decay_applied: number;
  conversations_count: number;
  summary_text: string;
  key_moments: string[];
  emotional_tone: string;
}

function summaries(sql: Sql, userId: string): Promise<Row[]> {
  return sql<Row[]>`select to_char(date, 'YYYY-MM-DD') as date, score_start::float8 as score_start,
      score_end::float8 as score_end, decay_applied::float8 as decay_applied, conversations_count, summary_text,
      key_moments, emotional_tone
    from public.daily_summaries where user_id = ${userId} order by date`;
}

const summaryCalls = (h: Harness) =>
  h.anthropic.requests.filter((r) => (r.tool_choice as { name?: string } | undefined)?.name === "write_daily_summary");

Deno.test("a missed week is caught up in one run, with the decay apply_decay really applied each local day", async () => {
  let clock = new Date("2025-02-10T09:00:00Z"); // 01:00 on 2025-02-10 in Los Angeles: the 9th has ended
  const h = startHarness({ now: () => clock });
  try {
    const id = await laPlayer(h.sql, new Date("2025-02-01T12:00:00Z"), 80);
    // A conversation every day at 10:00 local (18:00 UTC) from the 3rd to the 9th, each an interaction; decay runs
    // every hour in between, as pg_cron would, before the interaction of its hour.
    const first = new Date("2025-02-03T18:00:00Z").getTime();
    for (let t = first; t <= clock.getTime(); t += HOUR) {
      const at = new Date(t);
      await h.sql`select game.apply_decay(${at})`;
      if ((t - first) % (24 * HOUR) === 0 && t - first <= 6 * 24 * HOUR) {
        await conversation(h.sql, id, at, `They talked on ${at.toISOString().slice(0, 10)}.`);
        await h.sql`update public.users set last_interaction_at = ${at} where id = ${id}`;
      }
    }
    h.anthropic.toolDefaults.write_daily_summary = {
      summary: "They kept showing up at ten, like clockwork. I pretended not to notice that I noticed.",
      key_moments: ["coffee at ten", "the joke about firewalls"],
      emotional_tone: "playful",
    };
    // Two overlapping runs: one holds the job's lease and writes the week, the other does nothing.
    const job = runJob(h);
    const [a, b] = await Promise.all([job(), job()]);
    assert.deepEqual([a.done, b.done].sort(), [0, 7], "one run wrote the seven days, the other none");
    assert.equal(a.failed + b.failed, 0);
    assert.equal(summaryCalls(h).length, 7, "one model call per day");
    const rows = await summaries(h.sql, id);
    assert.deepEqual(rows.map((r) => r.date), [
      "2025-02-03",
      "2025-02-04",
      "2025-02-05",
      "2025-02-06",
      "2025-02-07",
      "2025-02-08",
      "2025-02-09",
    ]);
    // Each day after the first: 16 h of grace after 10:00, then 8 overdue hours (02:00-10:00 local) x 0.6 = 4.8.
    assert.deepEqual(rows.map((r) => r.decay_applied), [0, 4.8, 4.8, 4.8, 4.8, 4.8, 4.8]);
    assert.deepEqual(rows.map((r) => r.score_start), [80, 80, 75.2, 70.4, 65.6, 60.8, 56]);
    assert.deepEqual(rows.map((r) => r.score_end), [80, 75.2, 70.4, 65.6, 60.8, 56, 51.2]);
    assert.ok(rows.every((r) => r.conversations_count === 1));
    assert.equal(
      rows[3]!.summary_text,
      "They kept showing up at ten, like clockwork. I pretended not to notice that I noticed.",
    );
    assert.deepEqual(rows[3]!.key_moments, ["coffee at ten", "the joke about firewalls"]);
    assert.equal(rows[3]!.emotional_tone, "playful");
    // The week's decay in score_history is what the summaries add up.
    const [history] = await h.sql<{ drop: number }[]>`
      select sum((event_details ->> 'score_before')::numeric - score)::float8 as drop from public.score_history
      where user_id = ${id} and event_type = 'decay'`;
    assert.equal(history!.drop, 28.8);
    const prompt = JSON.stringify(summaryCalls(h)[0]!.messages);
    assert.match(prompt, /chapter 2\/5/);
    assert.match(prompt, /They talked on 2025-02-0\d/);

    // A rerun, an hour later, finds nothing due and asks no model.
    clock = new Date(clock.getTime() + HOUR);
    const again = await job();
    assert.deepEqual({ claimed: again.claimed, done: again.done, remaining: again.remaining }, {
      claimed: 0,
      done: 0,
      remaining: 0,
    });
    assert.equal(summaryCalls(h).length, 7);
    assert.equal((await summaries(h.sql, id)).length, 7);
  } finally {
    delete h.anthropic.toolDefaults.write_daily_summary;
    await h.close();
  }
});

Deno.test("a model that cannot be reached, or answers wrongly twice, gives the fallback: the day is never skipped", async () => {
  let clock = new Date("2025-01-14T12:00:00Z");
  const h = startHarness({ now: () => clock });
  try {
    // The provider fails (no SDK retries in the harness): the fallback for two conversations.
    const outage = await laPlayer(h.sql, new Date("2025-01-10T12:00:00Z"), 60);
    await conversation(h.sql, outage, new Date("2025-01-13T17:00:00Z"), "Morning talk.");
    await conversation(h.sql, outage, new Date("2025-01-14T06:00:00Z"), "Late talk, 22:00 local.");
    h.anthropic.failures.push(500);
    const job = runJob(h);
    const first = await job();
    assert.deepEqual({ claimed: first.claimed, done: first.done, failed: first.failed }, {
      claimed: 1,
      done: 1,
      failed: 0,
    });
    const [down] = await summaries(h.sql, outage);
    assert.deepEqual(
      {
        text: down!.summary_text,
        moments: down!.key_moments,
        tone: down!.emotional_tone,
        n: down!.conversations_count,
      },
      { text: "We talked 2 times today.", moments: [], tone: "neutral", n: 2 },
    );
    const [ledger] = await h.sql<{ status: string }[]>`
      select status from private.llm_calls where user_id = ${outage} and purpose = 'daily_summary'`;
    assert.equal(ledger!.status, "error", "the failed call is in the ledger");

    // Two invalid answers (a tone outside the six, then no key moment): one re-ask, then the fallback.
    clock = new Date("2025-01-21T12:00:00Z");
    const wrong = await laPlayer(h.sql, new Date("2025-01-18T12:00:00Z"), 60);
    await conversation(h.sql, wrong, new Date("2025-01-20T18:00:00Z"), "One talk.");
    const before = summaryCalls(h).length;
    h.anthropic.tools.write_daily_summary = [
      { summary: "A fine day, honestly. I liked it.", key_moments: ["the talk"], emotional_tone: "happy" },
      { summary: "A fine day, honestly. I liked it.", key_moments: [], emotional_tone: "warm" },
    ];
    const second = await job();
    assert.equal(second.done, 1);
    assert.equal(summaryCalls(h).length - before, 2, "asked once and re-asked once");
    const [invalid] = await summaries(h.sql, wrong);
    assert.deepEqual(
      { text: invalid!.summary_text, moments: invalid!.key_moments, tone: invalid!.emotional_tone },
      { text: "We talked 1 time today.", moments: [], tone: "neutral" },
    );
  } finally {
    await h.close();
  }
});

Deno.test("offline, her summary is deterministic and passes the save's check", async () => {
  const h = startHarness();
  try {
    const id = await laPlayer(h.sql, new Date("2025-03-01T12:00:00Z"), 55);
    await conversation(h.sql, id, new Date("2025-03-02T18:00:00Z"), "They told her about the lighthouse.", "romantic");
    await conversation(h.sql, id, new Date("2025-03-02T20:00:00Z"), "A quick goodnight.", "romantic");
    const [row] = await h.sql<{ inputs: DailySummaryInput }[]>`
      select game.daily_summary_inputs(${id}, '2025-03-02') as inputs`;
    const offline = createOfflineLlm();
    const summary = await offline.dailySummary(row!.inputs);
    assert.deepEqual(await offline.dailySummary(row!.inputs), summary, "the same day, the same summary");
    assert.equal(summary!.emotional_tone, "passionate");
    assert.match(summary!.summary, /^\[offline\] Robin and I talked 2 times today\./);
    const [saved] = await h.sql<{ r: { saved: boolean; fallback: boolean } }[]>`
      select game.save_daily_summary(${id}, '2025-03-02', ${
      h.sql.json(summary as never)
    }, '2025-03-04T00:00:00Z') as r`;
    assert.deepEqual(saved!.r.saved, true);
    assert.deepEqual(saved!.r.fallback, false);
  } finally {
    await h.close();
  }
});
