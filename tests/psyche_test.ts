// Her psyche end to end (GAME_RULES.md §12; PLATFORM.md §5.1): the daily batch through the jobs route and the fake's
// Message Batches API (submitted once per day, results collected by custom_id, errored and expired items retried once,
// ledgered at batch prices), and the per-message tiers in a Telegram turn (a crisis phrase gets a deep generation
// before her reply, the sixth deep of the local day is quick, a failed generation never holds her reply back).
import assert from "node:assert/strict";
import { jobsHandler } from "../functions/_shared/app.ts";
import { createOfflineLlm, offlinePsyche } from "../functions/_shared/llm/offline.ts";
import { type PsycheContext, psycheStateSchema } from "../functions/_shared/llm/psyche.ts";
import { buildReadyPrompt, type PromptInputs } from "../functions/_shared/pipeline/ready_prompt.ts";
import { DEFAULT_PSYCHE } from "./fakes/anthropic.ts";
import { onboardedPlayer } from "./support/players.ts";
import { type Harness, JOBS_SECRET, startHarness, textUpdate } from "./support/telegram_harness.ts";

const tgId = () => 700_000_000 + Math.floor(Math.random() * 1e8);

async function runJob(h: Harness, job: string) {
  const res = await jobsHandler(h.app, { JOBS_SECRET })(
    new Request(`http://local/functions/v1/jobs/${job}?wait=true`, {
      method: "POST",
      headers: { "x-jobs-secret": JOBS_SECRET },
    }),
  );
  assert.equal(res.status, 200, `${job} answered`);
  return await res.json() as { claimed: number; done: number; failed: number; remaining: number | null };
}

async function requestOf(h: Harness, userId: string, day: string) {
  const [row] = await h.sql<{ custom_id: string; status: string; attempts: number; batch_id: string | null }[]>`
    select custom_id, status, attempts, batch_id from private.psyche_requests where user_id = ${userId} and day = ${day}`;
  return row;
}

async function current(h: Harness, userId: string) {
  const [row] = await h.sql<
    { p: { source: string; tier: string | null; model: string; state: { emotional_tone: string } } }[]
  >`
    select game.current_psyche(${userId}) as p`;
  return row!.p;
}

/** A game clock that only moves when the test says so. */
function clock(iso: string) {
  let at = new Date(iso).getTime();
  return { now: () => new Date(at), set: (next: string) => (at = new Date(next).getTime()) };
}

Deno.test("psyche-submit: nothing before 05:00 UTC, then one batch for the day; submitting again is a no-op", async () => {
  const c = clock("2031-03-02T04:59:00Z");
  const h = startHarness({ now: c.now });
  try {
    const id = await onboardedPlayer(h.sql, tgId());
    const early = await runJob(h, "psyche-submit");
    assert.equal(early.claimed, 0, "before the batch time");
    assert.equal(h.anthropic.batches.size, 0);
    c.set("2031-03-02T05:15:00Z");
    const first = await runJob(h, "psyche-submit");
    assert.ok(first.done >= 1, "the day's requests went out");
    assert.equal(h.anthropic.batches.size, 1, "in one batch");
    c.set("2031-03-02T06:15:00Z");
    const again = await runJob(h, "psyche-submit");
    assert.deepEqual([again.claimed, again.done], [0, 0], "the next run finds nothing to send");
    assert.equal(h.anthropic.batches.size, 1, "no second batch");
    const request = await requestOf(h, id, "2031-03-02");
    assert.equal(request?.custom_id, `${id}_20310302`, "custom_id <user_id>_<yyyymmdd>");
    assert.equal(request?.status, "submitted");
    const [batch] = [...h.anthropic.batches.values()];
    assert.equal(request?.batch_id, batch!.id);
    const item = batch!.requests.find((r) => r.custom_id === `${id}_20310302`)!;
    const system = item.params.system as { text: string; cache_control?: unknown }[];
    assert.deepEqual(system[0]!.cache_control, { type: "ephemeral", ttl: "1h" }, "the persona block cached for 1 h");
    assert.match(system[0]!.text, /You are Nikita/);
    assert.equal(item.params.model, "claude-sonnet-4-6", "MODEL_PSYCHE");
    assert.deepEqual(item.params.tool_choice, { type: "tool", name: "psyche_state" }, "a forced psyche_state call");
    const [chunks] = await h.sql<{ n: number; chunk: number }[]>`
      select count(*)::int as n, max(chunk) as chunk from private.psyche_batches where day = '2031-03-02'`;
    assert.deepEqual({ ...chunks }, { n: 1, chunk: 1 });
  } finally {
    await h.close();
  }
});

Deno.test("psyche-collect: processing, then succeeded saved, errored and expired retried once, then the previous state stays", async () => {
  const c = clock("2031-03-03T05:15:00Z");
  const h = startHarness({ now: c.now });
  try {
    const [ok, errored, expired] = [
      await onboardedPlayer(h.sql, tgId()),
      await onboardedPlayer(h.sql, tgId()),
      await onboardedPlayer(h.sql, tgId()),
    ];
    // The state expired had before the batch: a live one.
    await h.sql`select game.save_psyche_state(${expired}, ${
      h.sql.json({ emotional_tone: "serious" })
    }, 'claude-haiku-4-5', 'quick', '2031-03-03T04:00:00Z')`;
    h.anthropic.batchPolls = 1;
    h.anthropic.batchOutcomes = { [`${errored}_20310303`]: "errored", [`${expired}_20310303`]: "expired" };
    h.anthropic.toolDefaults["psyche_state"] = { ...DEFAULT_PSYCHE, emotional_tone: "distant" };
    await runJob(h, "psyche-submit");
    const processing = await runJob(h, "psyche-collect");
    assert.equal(processing.remaining, 1, "the batch is still processing");
    assert.equal((await requestOf(h, ok, "2031-03-03"))?.status, "submitted", "nothing saved yet");
    c.set("2031-03-03T05:25:00Z");
    const collected = await runJob(h, "psyche-collect");
    assert.deepEqual([collected.done, collected.remaining], [1, 0], "the ended batch is collected");
    assert.equal((await requestOf(h, ok, "2031-03-03"))?.status, "succeeded");
    const saved = await current(h, ok);
    assert.deepEqual([saved.source, saved.model, saved.state.emotional_tone], [
      "batch",
      "claude-sonnet-4-6",
      "distant",
    ]);
    assert.equal((await requestOf(h, errored, "2031-03-03"))?.status, "retry", "errored: back to retry");
    assert.equal((await requestOf(h, expired, "2031-03-03"))?.status, "retry", "expired: back to retry");
    const ledger = await h.sql<{ status: string; batch: boolean; cost: string | null; input_tokens: number }[]>`
      select status, batch, cost_usd::text as cost, input_tokens from private.llm_calls
      where purpose = 'psyche_batch' and user_id in (${ok}, ${errored}) order by status`;
    assert.deepEqual(ledger.map((r) => ({ ...r })), [
      { status: "error", batch: true, cost: "0.000000", input_tokens: 0 },
      // 1000 input tokens at $3/M and 200 output at $15/M are $0.006 standard; a batch item pays half.
      { status: "ok", batch: true, cost: "0.003000", input_tokens: 1000 },
    ], "one ledger row per item, at batch prices");

    // The retries go out once more, the same day, as the second chunk: the expired one expires again.
    h.anthropic.batchPolls = 0;
    h.anthropic.batchOutcomes = { [`${expired}_20310303`]: "expired" };
    c.set("2031-03-03T06:15:00Z");
    const retried = await runJob(h, "psyche-submit");
    assert.equal(retried.done, 2, "the errored and the expired are sent again");
    await runJob(h, "psyche-collect");
    assert.deepEqual(
      [(await requestOf(h, errored, "2031-03-03"))?.status, (await requestOf(h, expired, "2031-03-03"))?.attempts],
      ["succeeded", 2],
    );
    assert.equal((await requestOf(h, expired, "2031-03-03"))?.status, "failed", "a second expiry is final");
    const kept = await current(h, expired);
    assert.deepEqual([kept.source, kept.state.emotional_tone], ["live", "serious"], "her previous state stays in use");
    c.set("2031-03-03T07:15:00Z");
    const batches = h.anthropic.batches.size;
    await runJob(h, "psyche-submit");
    assert.equal(h.anthropic.batches.size, batches, "nothing more is sent that day");
    const [chunks] = await h.sql<{ n: number }[]>`
      select max(chunk)::int as n from private.psyche_batches where day = '2031-03-03'`;
    assert.equal(chunks!.n, 2);
  } finally {
    await h.close();
  }
});

Deno.test("game_over and won players get no batch request and no generation before a reply", async () => {
  const c = clock("2031-03-04T05:15:00Z");
  const h = startHarness({ now: c.now });
  const [over, won] = [tgId(), tgId()];
  try {
    const overId = await onboardedPlayer(h.sql, over);
    const wonId = await onboardedPlayer(h.sql, won);
    await h.sql`update public.users set game_status = 'game_over', game_over_reason = 'decay' where id = ${overId}`;
    await h.sql`update public.users set game_status = 'won' where id = ${wonId}`;
    await runJob(h, "psyche-submit");
    assert.equal(await requestOf(h, overId, "2031-03-04"), undefined, "no request for a finished game");
    assert.equal(await requestOf(h, wonId, "2031-03-04"), undefined, "none for a won one");
    const before = h.anthropic.requests.length;
    await h.post(textUpdate(over, "i want to die"));
    await h.post(textUpdate(won, "i'm sad"));
    await h.settle();
    assert.equal(h.telegram.sent(over).length, 1, "her closing line");
    const psyche = h.anthropic.requests.slice(before).filter((r) =>
      (r.tool_choice as { name?: string } | undefined)?.name === "psyche_state"
    );
    assert.equal(psyche.length, 0, "no psyche generation");
    const [rows] = await h.sql<{ n: number }[]>`
      select count(*)::int as n from game.psyche_states where user_id in (${overId}, ${wonId})`;
    assert.equal(rows!.n, 0);
  } finally {
    await h.close();
  }
});

/** The psyche_state calls made for messages containing `said`. */
function psycheCalls(h: Harness, said: string) {
  return h.anthropic.requests.filter((r) =>
    (r.tool_choice as { name?: string } | undefined)?.name === "psyche_state" &&
    JSON.stringify(r.messages).includes(said)
  );
}

Deno.test("a crisis phrase gets a deep generation before her reply, which follows it; the sixth deep of the day is quick", async () => {
  const c = clock("2031-03-05T12:00:00Z");
  const h = startHarness({ now: c.now });
  const me = tgId();
  try {
    const id = await onboardedPlayer(h.sql, me, { at: new Date("2031-03-05T09:00:00Z") });
    h.anthropic.tools["psyche_state"] = [{
      ...DEFAULT_PSYCHE,
      emotional_tone: "serious",
      behavioral_guidance: "Take it seriously and stay with them tonight.",
    }];
    h.anthropic.texts.push("Hey. I'm here. Talk to me.");
    await h.post(textUpdate(me, "honestly I'm breaking down"));
    await h.settle();
    const [deep] = psycheCalls(h, "breaking down");
    assert.ok(deep, "a psyche generation for the message");
    assert.equal(deep!.model, "claude-sonnet-4-6", "deep: MODEL_PSYCHE");
    const reply = h.anthropic.requests.findIndex((r) =>
      r.system !== undefined && r.tool_choice === undefined && JSON.stringify(r.messages).includes("breaking down")
    );
    assert.ok(h.anthropic.requests.indexOf(deep!) < reply, "before her reply");
    assert.match(JSON.stringify(h.anthropic.requests[reply]!.system), /Take it seriously and stay with them tonight/);
    const now = await current(h, id);
    assert.deepEqual([now.source, now.tier, now.state.emotional_tone], ["live", "deep", "serious"]);
    assert.deepEqual(h.telegram.sent(me), ["Hey. I'm here. Talk to me."]);

    // Four more deep generations the same local day make five: the next crisis gets a quick one (MODEL_SUMMARY).
    for (const at of ["12:01", "12:02", "12:03", "12:04"]) {
      await h.sql`select game.save_psyche_state(${id}, ${
        h.sql.json(DEFAULT_PSYCHE)
      }, 'claude-sonnet-4-6', 'deep', ${`2031-03-05T${at}:00Z`})`;
    }
    c.set("2031-03-05T12:10:00Z");
    await h.post(textUpdate(me, "i give up on everything"));
    await h.settle();
    const [quick] = psycheCalls(h, "i give up on everything");
    assert.equal(quick?.model, "claude-haiku-4-5", "the sixth deep of the day runs as quick");
    assert.equal((await current(h, id)).tier, "quick");
    const [counts] = await h.sql<{ deep: number; quick: number }[]>`
      select count(*) filter (where tier = 'deep')::int as deep, count(*) filter (where tier = 'quick')::int as quick
      from game.psyche_states where user_id = ${id}`;
    assert.deepEqual({ ...counts }, { deep: 5, quick: 1 });
  } finally {
    await h.close();
  }
});

Deno.test("a failed psyche generation keeps her current state and her reply still goes out", async () => {
  const c = clock("2031-03-06T12:00:00Z");
  const h = startHarness({ now: c.now });
  const me = tgId();
  try {
    const id = await onboardedPlayer(h.sql, me, { at: new Date("2031-03-06T09:00:00Z") });
    h.anthropic.psycheFailures.push(500);
    h.anthropic.texts.push("You sound tired. What happened?");
    await h.post(textUpdate(me, "I'm lonely tonight"));
    await h.settle();
    assert.equal(psycheCalls(h, "lonely tonight").length, 1, "the quick generation was tried");
    assert.deepEqual(h.telegram.sent(me), ["You sound tired. What happened?"]);
    assert.equal((await current(h, id)).source, "default", "nothing saved: her default state stays");
  } finally {
    await h.close();
  }
});

const CONTEXT: PsycheContext = {
  player: {
    display_name: "Robin",
    chapter: 3,
    chapter_name: "Deepening",
    game_status: "active",
    score: 48,
    local_time: "Tue 05 Mar 12:00",
  },
  current: { state: { ...DEFAULT_PSYCHE } as PsycheContext["current"]["state"], source: "default" },
  score_history: [
    { at: "2031-03-05T10:00:00Z", event_type: "exchange", score: 48, change: -4, tags: ["horseman:contempt"] },
    { at: "2031-03-05T09:00:00Z", event_type: "decay", score: 52, change: -3, tags: [] },
  ],
  conversations: [],
  life_events: [],
  circle: [],
  limits: { guidance_max: 500, monologue_max: 40, topics_max: 1, topic_max: 80 },
};

Deno.test("offline: a deterministic psyche from the context, within its limits; the offline batch returns it", async () => {
  const state = offlinePsyche(CONTEXT);
  assert.deepEqual(state, offlinePsyche(structuredClone(CONTEXT)), "the same context gives the same state");
  assert.ok(psycheStateSchema(CONTEXT.limits).safeParse(state).success, "within the context's limits");
  assert.deepEqual([state.attachment_activation, state.defense_mode, state.emotional_tone], [
    "avoidant",
    "guarded",
    "distant",
  ], "hostility in the window reads as avoidant and guarded");
  const rising = offlinePsyche({
    ...CONTEXT,
    score_history: [{ at: "2031-03-05T10:00:00Z", event_type: "exchange", score: 60, change: 6, tags: [] }],
  });
  assert.deepEqual([rising.attachment_activation, rising.defense_mode, rising.emotional_tone], [
    "secure",
    "open",
    "playful",
  ], "a rising score leans secure and open");
  assert.equal(offlinePsyche(CONTEXT, "i want to die").emotional_tone, "serious", "a crisis is taken seriously");
  const llm = createOfflineLlm();
  const batch = await llm.psycheBatches.create([{ customId: "u_20310305", userId: "u", context: CONTEXT }]);
  assert.equal(await llm.psycheBatches.status(batch.id), "ended");
  const results = [];
  for await (const r of llm.psycheBatches.results(batch.id, CONTEXT.limits)) results.push(r);
  assert.deepEqual(results, [{ custom_id: "u_20310305", outcome: "succeeded", model: "offline", state }]);
});

Deno.test("the ready prompt carries her psyche: the guidance stays, the detail goes before her inner life", () => {
  const psyche = { ...DEFAULT_PSYCHE, behavioral_guidance: "Keep it light tonight." } as PromptInputs["psyche"];
  const inputs: PromptInputs = {
    player: { display_name: "Robin", city: null, chapter: 2, days_played: 3, game_status: "active" },
    relationship: { band: null, engagement_state: null, conflict_zone: "calm", in_boss_fight: false },
    memory: { facts: { user: [], relationship: [], nikita: [] }, threads: [], thoughts: [] },
    conversations: [],
    mood: { arousal: 0.5, valence: 0.5, dominance: 0.5, intimacy: 0.5 },
    vices: { top: [], expression: "guarded", discovering: true },
    psyche,
  };
  const full = buildReadyPrompt(inputs, "voice");
  assert.match(full.text, /Your tone with them now: playful\. Keep it light tonight\./);
  assert.match(full.text, /Inside \(never say it\): They keep showing up/);
  assert.ok(full.sections.kept.includes("psyche guidance"));
  const long = {
    ...inputs,
    memory: {
      ...inputs.memory,
      facts: {
        user: Array.from({ length: 30 }, (_, i) => ({ date: "2031-03-01", fact: `fact ${i} `.repeat(60) })),
        relationship: [],
        nikita: [],
      },
    },
  };
  const tight = buildReadyPrompt(long, "voice");
  assert.ok(tight.sections.dropped.includes("psyche detail"), "over budget: the detail goes");
  assert.match(tight.text, /Keep it light tonight\./, "the guidance stays");
  assert.doesNotMatch(tight.text, /Inside \(never say it\)/);
});
