// Her life through the life-sim job and the pipeline (GAME_RULES.md §13, PLATFORM.md §5.1, §6 stage 5) against the
// fake Anthropic: one run generates the day once and a second run is a no-op; an answer that is nonsense twice, or
// a model that is down, fails the player with nothing written and the next run retries; a finished game gets
// nothing; the pipeline stage generates the day when it is missing, and her emotional state counts today's begun
// events. Each test plays on a date of its own (other tests' players are set aside with the day's mark), with every
// draw pinned at 0.5: 4 events (morning, afternoon, evening, night) and no new arc.
import assert from "node:assert/strict";
import { jobsHandler } from "../functions/_shared/app.ts";
import { generateLifeDay } from "../functions/_shared/life/day.ts";
import type { LifePlan } from "../functions/_shared/llm/life_events.ts";
import { offlineLifeEvents } from "../functions/_shared/llm/life_events_offline.ts";
import { createOfflineLlm } from "../functions/_shared/llm/offline.ts";
import { processConversations } from "../functions/_shared/pipeline/process_conversations.ts";
import type { Sql } from "../functions/_shared/platform/db.ts";
import { createRuntime } from "../functions/_shared/platform/runtime.ts";
import { onboardedPlayer } from "./support/players.ts";
import { type Harness, JOBS_SECRET, startHarness } from "./support/telegram_harness.ts";

const tgId = () => 700_000_000 + Math.floor(Math.random() * 1e8);
const half = () => 0.5;

/** Everyone else due at `at` gets the day's mark, so a run sees only `ours`. */
async function setAside(sql: Sql, at: Date, ours: string[]) {
  await sql`insert into private.job_marks (job, key, done_at)
    select 'life-sim', game.life_day_key(d.user_id, d.event_date), ${at}
    from game.due_life_players(${at}, 1000000) d where not (d.user_id = any (${ours}::uuid[]))
    on conflict do nothing`;
}

const event = (slot: string, extra: Record<string, unknown> = {}) => ({
  time_of_day: slot,
  domain: "personal",
  event_type: "errand",
  description: `She ran errands in the ${slot}, nothing dramatic.`,
  people: [],
  places: ["Bluestone Cafe"],
  emotional_impact: { arousal: 0, valence: 0.05, dominance: 0, intimacy: 0 },
  importance: 0.3,
  arc: null,
  ...extra,
});

/** A valid answer for the pinned plan: Lena at coffee in the morning (valence 0.2), then three errands. */
const day = () => ({
  events: [
    event("morning", {
      domain: "social",
      event_type: "friend_hangout",
      description: "Coffee with Lena at Bluestone Cafe before work; they laughed about nothing.",
      people: ["Lena"],
      emotional_impact: { arousal: 0.1, valence: 0.2, dominance: 0, intimacy: 0.05 },
    }),
    event("afternoon", { emotional_impact: { arousal: -0.1, valence: -0.15, dominance: 0.1, intimacy: 0 } }),
    event("evening"),
    event("night"),
  ],
});

function runJob(h: Harness) {
  return jobsHandler(h.app, { JOBS_SECRET })(
    new Request("http://local/functions/v1/jobs/life-sim?wait=true", {
      method: "POST",
      headers: { "x-jobs-secret": JOBS_SECRET },
    }),
  ).then(async (r) => ({ status: r.status, body: await r.json() }));
}

function lifeRequests(h: Harness) {
  return h.anthropic.requests.filter((r) =>
    (r.tool_choice as { name?: string } | undefined)?.name === "write_life_events"
  );
}

async function written(sql: Sql, userId: string) {
  const [row] = await sql<{ events: number; marks: number; arcs: number; people: number }[]>`
    select (select count(*)::int from public.life_events where user_id = ${userId}) as events,
           (select count(*)::int from private.job_marks where job = 'life-sim' and key like ${userId} || ':%') as marks,
           (select count(*)::int from game.life_arcs where user_id = ${userId}) as arcs,
           (select count(*)::int from game.life_people where user_id = ${userId}) as people`;
  return { ...row! };
}

Deno.test("one run of the job generates her day once; a second run is a no-op", async () => {
  // Thursday 2031-03-13, 07:00 in Berlin.
  const at = new Date("2031-03-13T06:00:00Z");
  const h = startHarness({ now: () => at, random: half });
  try {
    const id = await onboardedPlayer(h.sql, tgId(), { at: new Date("2031-03-01T10:00:00Z") });
    await setAside(h.sql, at, [id]);
    h.anthropic.tools.write_life_events = [day()];
    const first = await runJob(h);
    assert.equal(first.status, 200);
    assert.deepEqual([first.body.claimed, first.body.done, first.body.failed, first.body.remaining], [1, 1, 0, 0]);
    const requests = lifeRequests(h);
    assert.equal(requests.length, 1, "one model call");
    assert.equal(requests[0]!.model, h.app.env.MODEL_SUMMARY, "the summary model writes her day");
    assert.match(JSON.stringify(requests[0]!.messages), /Thursday/, "the plan's routine is in the prompt");
    const events = await h.sql<{ ordinal: number; time_of_day: string; event_type: string; event_date: string }[]>`
      select ordinal, time_of_day, event_type, event_date::text from public.life_events where user_id = ${id}
      order by ordinal`;
    assert.deepEqual(events.map((e) => `${e.event_date} ${e.ordinal} ${e.time_of_day} ${e.event_type}`), [
      "2031-03-13 1 morning friend_hangout",
      "2031-03-13 2 afternoon errand",
      "2031-03-13 3 evening errand",
      "2031-03-13 4 night errand",
    ]);
    const [lena] = await h.sql<{ feeling: string }[]>`
      select feeling from game.life_people where user_id = ${id} and person = 'Lena'`;
    assert.equal(lena?.feeling, "positive", "coffee with Lena at valence 0.2 makes her feel positive about Lena");

    const second = await runJob(h);
    assert.deepEqual([second.body.claimed, second.body.done, second.body.failed], [0, 0, 0]);
    assert.equal(lifeRequests(h).length, 1, "no second model call");
    assert.deepEqual(await written(h.sql, id), { events: 4, marks: 1, arcs: 0, people: 1 });
    // The pipeline's on-demand call finds the day done as well.
    assert.deepEqual(await generateLifeDay({ ...h.app, random: half }, id), {
      status: "not_due",
      date: "2031-03-13",
      reason: "done",
    });
  } finally {
    await h.close();
  }
});

Deno.test("nonsense twice or a model that is down fails the player with nothing written; the next run retries", async () => {
  const at = new Date("2031-03-14T06:00:00Z");
  const h = startHarness({ now: () => at, random: half });
  try {
    const id = await onboardedPlayer(h.sql, tgId(), { at: new Date("2031-03-01T10:00:00Z") });
    await setAside(h.sql, at, [id]);
    // Three events where the plan asks for four, then a description too short: both refused, so the player fails.
    h.anthropic.tools.write_life_events = [
      { events: day().events.slice(0, 3) },
      { events: [event("morning", { description: "short" }), ...day().events.slice(1)] },
    ];
    const failed = await runJob(h);
    assert.deepEqual([failed.body.claimed, failed.body.done, failed.body.failed, failed.body.remaining], [1, 0, 1, 1]);
    const asked = lifeRequests(h);
    assert.equal(asked.length, 2, "asked once, re-asked once, not again in the same run");
    assert.match(JSON.stringify(asked[1]!.messages), /Invalid: events/, "the re-ask says what was wrong");
    assert.deepEqual(await written(h.sql, id), { events: 0, marks: 0, arcs: 0, people: 0 }, "nothing half written");

    // The model is down: the SDK does not retry here (LLM_MAX_RETRIES=0), so the run fails the player again.
    h.anthropic.failures.push(529);
    const down = await runJob(h);
    assert.deepEqual([down.body.claimed, down.body.done, down.body.failed], [1, 0, 1]);
    assert.deepEqual(await written(h.sql, id), { events: 0, marks: 0, arcs: 0, people: 0 });

    h.anthropic.tools.write_life_events = [day()];
    const retried = await runJob(h);
    assert.deepEqual([retried.body.claimed, retried.body.done, retried.body.failed, retried.body.remaining], [
      1,
      1,
      0,
      0,
    ]);
    assert.deepEqual(await written(h.sql, id), { events: 4, marks: 1, arcs: 0, people: 1 });
  } finally {
    await h.close();
  }
});

Deno.test("a finished game gets no day: not due for the job, nothing asked, nothing written", async () => {
  const at = new Date("2031-03-15T06:00:00Z");
  const h = startHarness({ now: () => at, random: half });
  try {
    const over = await onboardedPlayer(h.sql, tgId(), { at: new Date("2031-03-01T10:00:00Z") });
    const won = await onboardedPlayer(h.sql, tgId(), { at: new Date("2031-03-01T10:00:00Z") });
    await h.sql`update public.users set game_status = 'game_over', game_over_reason = 'decay' where id = ${over}`;
    await h.sql`update public.users set game_status = 'won' where id = ${won}`;
    await setAside(h.sql, at, []);
    const run = await runJob(h);
    assert.deepEqual([run.body.claimed, run.body.done, run.body.failed], [0, 0, 0]);
    assert.deepEqual(await generateLifeDay({ ...h.app, random: half }, over), {
      status: "not_due",
      date: "2031-03-15",
      reason: "game_over",
    });
    assert.deepEqual(await generateLifeDay({ ...h.app, random: half }, won), {
      status: "not_due",
      date: "2031-03-15",
      reason: "won",
    });
    assert.equal(lifeRequests(h).length, 0, "the model is never asked");
    assert.deepEqual(await written(h.sql, over), { events: 0, marks: 0, arcs: 0, people: 0 });
    assert.deepEqual(await written(h.sql, won), { events: 0, marks: 0, arcs: 0, people: 0 });
  } finally {
    await h.close();
  }
});

/** A closed conversation of the player (a message of theirs, her answer), closed at `at`. */
async function closedConversation(sql: Sql, userId: string, text: string, at: Date): Promise<string> {
  const started = new Date(at.getTime() - 20 * 60_000);
  const [stored] = await sql<{ s: { conversation_id: string } }[]>`
    select game.store_player_message(${userId}, ${Math.floor(Math.random() * 1e12)}, ${text}, ${started}) as s`;
  await sql`insert into public.messages (conversation_id, user_id, role, content, created_at)
    values (${stored!.s.conversation_id}, ${userId}, 'nikita', 'Go on.', ${new Date(started.getTime() + 5000)})`;
  await sql`select game.close_conversations(array[${stored!.s.conversation_id}::uuid], ${at})`;
  await sql`update private.conversation_jobs set status = 'done'
    where status in ('pending', 'retry') and conversation_id <> ${stored!.s.conversation_id}`;
  return stored!.s.conversation_id;
}

Deno.test("the pipeline's stage 5 generates her day when it is missing; her state then counts today's begun events", async () => {
  // Sunday 2031-03-16, 14:00 in Berlin: her morning and afternoon events have begun, the evening and night not yet.
  let clock = new Date("2031-03-16T13:00:00Z");
  const h = startHarness({ now: () => clock, random: half });
  const deps = () => ({ sql: h.sql, llm: h.app.llm, embedder: h.app.embedder, runtime: h.app.runtime, random: half });
  try {
    const id = await onboardedPlayer(h.sql, tgId(), { at: new Date("2031-03-01T10:00:00Z") });
    await setAside(h.sql, clock, [id]);
    const first = await closedConversation(h.sql, id, "How was your weekend so far?", clock);
    h.anthropic.tools.write_life_events = [day()];
    await processConversations(deps(), 5);
    const [job] = await h.sql<{ stages: Record<string, { status: string; output: { status: string } }> }[]>`
      select stages from private.conversation_jobs where conversation_id = ${first}`;
    assert.equal(job!.stages.life_sim!.status, "done");
    assert.equal(job!.stages.life_sim!.output.status, "saved");
    assert.deepEqual(await written(h.sql, id), { events: 4, marks: 1, arcs: 0, people: 1 });

    clock = new Date("2031-03-16T13:40:00Z");
    const second = await closedConversation(h.sql, id, "Tell me about Lena.", clock);
    await processConversations(deps(), 5);
    const [again] = await h.sql<{ stages: Record<string, { status: string; output: { reason?: string } }> }[]>`
      select stages from private.conversation_jobs where conversation_id = ${second}`;
    assert.equal(again!.stages.life_sim!.status, "skipped");
    assert.equal(again!.stages.life_sim!.output.reason, "done", "the day is generated once");
    assert.equal(lifeRequests(h).length, 1);
    const [effects] = await h.sql<{ life_events: unknown; part: Record<string, number> }[]>`
      select effects -> 'life_events' as life_events, result -> 'emotional_state' -> 'parts' -> 'life_events' as part
      from game.conversation_effects where conversation_id = ${second}`;
    assert.deepEqual(effects!.life_events, [
      { arousal: 0.1, valence: 0.2, dominance: 0, intimacy: 0.05 },
      { arousal: -0.1, valence: -0.15, dominance: 0.1, intimacy: 0 },
    ], "the morning and afternoon impacts, not the evening's or night's");
    assert.deepEqual(
      Object.fromEntries(Object.entries(effects!.part).map(([k, v]) => [k, Number(v)])),
      { arousal: 0, valence: 0.05, dominance: 0.1, intimacy: 0.05 },
      "her state adds their sum",
    );
  } finally {
    await h.close();
  }
});

Deno.test("offline, her day follows the plan: a week of valid days, no work on the weekend, the same plan the same day", async () => {
  const h = startHarness({ random: half });
  try {
    const id = await onboardedPlayer(h.sql, tgId(), { at: new Date("2031-04-01T10:00:00Z") });
    const offline = { sql: h.sql, llm: createOfflineLlm(), runtime: createRuntime(), random: half };
    // Monday 2031-04-07 to Sunday 2031-04-13, 05:00 in Berlin.
    for (let d = 7; d <= 13; d++) {
      const now = new Date(`2031-04-${String(d).padStart(2, "0")}T03:00:00Z`);
      const outcome = await generateLifeDay(offline, id, now);
      assert.equal(outcome.status, "saved", `2031-04-${d}`);
    }
    const rows = await h.sql<{ event_date: string; domains: string[] }[]>`
      select event_date::text, array_agg(domain order by ordinal) as domains from public.life_events
      where user_id = ${id} group by event_date order by event_date`;
    assert.equal(rows.length, 7);
    for (const r of rows.slice(5)) assert.ok(!r.domains.includes("work"), `${r.event_date}: no work on a day off`);
    assert.ok(rows.slice(0, 5).every((r) => r.domains.includes("work")), "her work days have work in them");
    const [plan] = await h.sql<{ p: LifePlan }[]>`
      select game.plan_life_day(${id}, '2031-04-14T03:00:00Z', ${
      h.sql.json({ count: 0.9, slots: 0.1, arc_open: 0.1, arc_kind: 0.3, arc_resolve: [0.5], arc_outcome: [0.5] })
    }) as p`;
    assert.deepEqual(offlineLifeEvents(plan!.p), offlineLifeEvents(plan!.p));
    assert.equal(offlineLifeEvents(plan!.p).length, 5);
    assert.ok(offlineLifeEvents(plan!.p).some((e) => e.arc === plan!.p.arcs.opened?.kind), "the new arc has an event");
  } finally {
    await h.close();
  }
});

Deno.test("two runs at once write her day once: the second save finds the mark", async () => {
  const at = new Date("2031-03-17T06:00:00Z");
  const h = startHarness({ now: () => at, random: half });
  try {
    const id = await onboardedPlayer(h.sql, tgId(), { at: new Date("2031-03-01T10:00:00Z") });
    h.anthropic.tools.write_life_events = [day(), day()];
    // A slow model, so both runs have planned the day before either saves it.
    h.anthropic.delays.push(150, 150);
    const outcomes = await Promise.all([
      generateLifeDay({ ...h.app, random: half }, id),
      generateLifeDay({ ...h.app, random: half }, id),
    ]);
    assert.deepEqual(outcomes.map((o) => o.status).sort(), ["duplicate", "saved"]);
    assert.deepEqual(await written(h.sql, id), { events: 4, marks: 1, arcs: 0, people: 1 });
    const [lena] = await h.sql<{ events: number }[]>`
      select events from game.life_people where user_id = ${id} and person = 'Lena'`;
    assert.equal(lena?.events, 1, "her feelings counted once");
  } finally {
    await h.close();
  }
});
