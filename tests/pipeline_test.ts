// The post-conversation pipeline (PLATFORM.md §6) through the jobs route and the webhook, with the fakes: processed
// once even when two workers run, a rerun adds no duplicate fact, a finished game gets only its summary, and what
// the player said yesterday is in her context today.
import assert from "node:assert/strict";
import { createApp, jobsHandler } from "../functions/_shared/app.ts";
import { gatewayEnvSchema } from "../functions/_shared/config.ts";
import { contextLines } from "../functions/_shared/memory/context.ts";
import { processConversations } from "../functions/_shared/pipeline/process_conversations.ts";
import {
  buildReadyPrompt,
  PROMPT_BUDGET_TOKENS,
  type PromptInputs,
} from "../functions/_shared/pipeline/ready_prompt.ts";
import { createDb, type Sql } from "../functions/_shared/platform/db.ts";
import { parseEnv } from "../functions/_shared/platform/env.ts";
import { createRuntime } from "../functions/_shared/platform/runtime.ts";
import { onboardedPlayer } from "./support/players.ts";
import { type Harness, startHarness, textUpdate } from "./support/telegram_harness.ts";
import { testDbUrl } from "./support/test_db.ts";

const tgId = () => 500_000_000 + Math.floor(Math.random() * 1e8);

/** One closed conversation of the player (a message of theirs, her answer), closed at `at`. */
async function closedConversation(sql: Sql, userId: string, text: string, at: Date): Promise<string> {
  const started = new Date(at.getTime() - 20 * 60_000);
  const updateId = Math.floor(Math.random() * 1e12);
  const [stored] = await sql<{ s: { conversation_id: string } }[]>`
    select game.store_player_message(${userId}, ${updateId}, ${text}, ${started}) as s`;
  await sql`insert into public.messages (conversation_id, user_id, role, content, created_at)
    values (${stored!.s.conversation_id}, ${userId}, 'nikita', 'Tell me more.', ${new Date(started.getTime() + 5000)})`;
  await sql`select game.close_conversations(array[${stored!.s.conversation_id}::uuid], ${at})`;
  return stored!.s.conversation_id;
}

/** Other tests' closed conversations share the database: their jobs are set aside, so a run here claims only ours. */
async function onlyOurs(sql: Sql, conversationIds: string[]) {
  await sql`update private.conversation_jobs set status = 'done'
    where status in ('pending', 'retry') and not (conversation_id = any (${conversationIds}::uuid[]))`;
}

async function job(sql: Sql, conversationId: string) {
  const [row] = await sql<{ status: string; stages: Record<string, { status: string }> }[]>`
    select status, stages from private.conversation_jobs where conversation_id = ${conversationId}`;
  return row!;
}

/** The extraction calls made for transcripts containing `said` (other tests' jobs may share the database). */
function extractRequests(h: Harness, said: string) {
  return h.anthropic.requests.filter((r) =>
    (r.tool_choice as { name?: string } | undefined)?.name === "extract_conversation" &&
    JSON.stringify(r.messages).includes(said)
  );
}

Deno.test("a closed conversation is processed once even when two workers run, every stage recorded", async () => {
  const h = startHarness();
  const second = createDb(testDbUrl(), { max: 4 });
  try {
    const id = await onboardedPlayer(h.sql, tgId());
    const conversation = await closedConversation(h.sql, id, "I work as a lighthouse keeper on the coast.", new Date());
    await onlyOurs(h.sql, [conversation]);
    // Her day is already generated (tests/life_sim_test.ts covers the stage that generates it).
    await h.sql`insert into private.job_marks (job, key, done_at)
      values ('life-sim', game.life_day_key(${id}, game.berlin_date(now())), now())`;
    h.anthropic.extractions.push({
      facts: [
        { fact: "The player works as a lighthouse keeper", graph_type: "user", confidence: 0.9 },
        { fact: "They talked about the sea", graph_type: "relationship", confidence: 0.7 },
      ],
      threads: [{ type: "follow_up", content: "ask about the storm season" }],
      thoughts: [{ type: "curiosity", content: "A lighthouse keeper. Of course." }],
      summary: "The player told Nikita they keep a lighthouse.",
      emotional_tone: ["playful"],
      vice_signals: [],
    });
    const deps = (sql: Sql) => ({ sql, llm: h.app.llm, embedder: h.app.embedder, runtime: h.app.runtime });
    await Promise.all([processConversations(deps(h.sql), 5), processConversations(deps(second), 5)]);
    assert.equal(
      extractRequests(h, "lighthouse keeper on the coast").length,
      1,
      "one worker ran the job: one extraction",
    );
    const state = await job(h.sql, conversation);
    assert.equal(state.status, "done");
    assert.deepEqual(Object.fromEntries(Object.entries(state.stages).map(([k, v]) => [k, v.status])), {
      score: "skipped",
      extraction: "done",
      memory: "done",
      effects: "done",
      cooling: "done",
      life_sim: "skipped",
      touchpoints: "done",
      summary: "done",
      prompt: "done",
    });
    const [facts] = await h.sql<{ n: number }[]>`
      select count(*)::int as n from game.memory_facts where user_id = ${id} and is_active`;
    assert.equal(facts!.n, 2);
    const [conv] = await h.sql<{ summary: string; emotional_tone: string }[]>`
      select summary, emotional_tone from public.conversations where id = ${conversation}`;
    assert.deepEqual({ ...conv }, {
      summary: "The player told Nikita they keep a lighthouse.",
      emotional_tone: "playful",
    });
    const [mood] = await h.sql<
      { n: number }[]
    >`select count(*)::int as n from public.emotional_states where user_id = ${id}`;
    assert.equal(mood!.n, 1, "her emotional state after the conversation");
    const [prompt] = await h.sql<{ prompt_text: string }[]>`
      select prompt_text from game.ready_prompts where user_id = ${id} and platform = 'text' and is_current`;
    assert.match(prompt!.prompt_text, /lighthouse keeper/);
    assert.match(prompt!.prompt_text, /ask about the storm season/);
  } finally {
    await second.end();
    await h.close();
  }
});

Deno.test("a rerun of a stage that wrote facts adds none twice; a critical failure retries the job later", async () => {
  const h = startHarness();
  try {
    const id = await onboardedPlayer(h.sql, tgId());
    const conversation = await closedConversation(h.sql, id, "My sister is a pilot.", new Date());
    await onlyOurs(h.sql, [conversation]);
    const deps = { sql: h.sql, llm: h.app.llm, embedder: h.app.embedder, runtime: h.app.runtime };
    // The embeddings provider is down: the memory stage is critical, so the job goes back for a retry.
    h.openai.failures.push(500);
    await processConversations(deps, 5);
    const failed = await job(h.sql, conversation);
    assert.equal(failed.status, "retry");
    assert.equal(failed.stages.extraction?.status, "done", "the extraction is kept for the retry");
    assert.equal(failed.stages.memory?.status, "failed");
    // As if the worker died after writing the facts but before recording the stage: the rerun writes them again.
    await h
      .sql`update private.conversation_jobs set status = 'pending', next_attempt_at = null where conversation_id = ${conversation}`;
    await processConversations(deps, 5);
    await h.sql`update private.conversation_jobs set status = 'pending', stages = stages - 'memory' - 'prompt'
      where conversation_id = ${conversation}`;
    await processConversations(deps, 5);
    const [facts] = await h.sql<
      { n: number }[]
    >`select count(*)::int as n from game.memory_facts where user_id = ${id}`;
    assert.equal(facts!.n, 1, "the fact exists once");
    assert.equal(
      extractRequests(h, "My sister is a pilot").length,
      1,
      "the saved extraction is reused, never asked again",
    );
    assert.equal((await job(h.sql, conversation)).status, "done");
  } finally {
    await h.close();
  }
});

Deno.test("a finished game gets the summary stage only", async () => {
  const h = startHarness();
  try {
    const id = await onboardedPlayer(h.sql, tgId());
    const conversation = await closedConversation(h.sql, id, "fine, whatever", new Date());
    await onlyOurs(h.sql, [conversation]);
    await h.sql`update public.users set game_status = 'game_over', game_over_reason = 'decay' where id = ${id}`;
    await processConversations({ sql: h.sql, llm: h.app.llm, embedder: h.app.embedder, runtime: h.app.runtime }, 5);
    const state = await job(h.sql, conversation);
    assert.equal(state.status, "done");
    const ran = Object.entries(state.stages).filter(([, v]) => v.status === "done").map(([k]) => k);
    assert.deepEqual(ran, ["summary"]);
    const [facts] = await h.sql<
      { n: number }[]
    >`select count(*)::int as n from game.memory_facts where user_id = ${id}`;
    assert.equal(facts!.n, 0, "no memory written");
  } finally {
    await h.close();
  }
});

Deno.test("what the player said yesterday is in her reply context today", async () => {
  let clock = Date.now() - 26 * 3600_000;
  const h = startHarness({ now: () => new Date(clock) });
  const me = tgId();
  try {
    await onboardedPlayer(h.sql, me, { at: new Date(clock - 3600_000) });
    h.anthropic.texts.push("A lighthouse? Tell me everything.");
    await h.post(textUpdate(me, "I work as a lighthouse keeper, nights mostly."));
    await h.settle(15_000);
    h.anthropic.extractions.push({
      facts: [{
        fact: "The player works as a lighthouse keeper, mostly at night",
        graph_type: "user",
        confidence: 0.9,
      }],
      threads: [],
      thoughts: [],
      summary: "The player keeps a lighthouse.",
      emotional_tone: ["playful"],
      vice_signals: [],
    });
    clock += 20 * 60_000;
    const [closed] = await h.sql<{ id: string }[]>`
      select c.id from public.conversations c join public.users u on u.id = c.user_id
      where u.telegram_id = ${me} and c.status = 'open'`;
    await h.sql`select game.close_conversations(array[${closed!.id}::uuid], ${new Date(clock)})`;
    await onlyOurs(h.sql, [closed!.id]);
    const jobs = await jobsHandler(h.app, { JOBS_SECRET: "test-jobs-secret-0123456789" })(
      new Request("http://local/functions/v1/jobs/process-conversations?wait=true", {
        method: "POST",
        headers: { "x-jobs-secret": "test-jobs-secret-0123456789" },
      }),
    );
    assert.equal(jobs.status, 200);
    assert.ok((await jobs.json()).done >= 1);
    // The next day, a question the fact answers.
    clock += 24 * 3600_000;
    h.anthropic.texts.push("Of course I remember.");
    await h.post(textUpdate(me, "do you remember what I do at night?"));
    await h.settle(15_000);
    const reply = h.anthropic.requests.findLast((r) =>
      r.system !== undefined && JSON.stringify(r.messages).includes("what I do at night")
    );
    const system = JSON.stringify(reply!.system);
    assert.match(system, /lighthouse keeper/, "the fact is in her context");
  } finally {
    await h.close();
  }
});

Deno.test("offline, the console remembers the player's job across conversations", async () => {
  const env = parseEnv(gatewayEnvSchema, {
    SUPABASE_DB_URL: testDbUrl(),
    SUPABASE_URL: "http://127.0.0.1:9",
    SUPABASE_ANON_KEY: "local",
    TELEGRAM_BOT_TOKEN: "123456:OFFLINE",
    TELEGRAM_BOT_USERNAME: "nikita_offline_bot",
    TELEGRAM_WEBHOOK_SECRET: "offline-secret",
    TELEGRAM_API_ROOT: "http://127.0.0.1:9",
    LLM_MODE: "offline",
    JOBS_SECRET: "offline-jobs-secret-0123456",
    ENVIRONMENT: "test",
    LOG_LEVEL: "error",
  });
  const app = createApp(env, { runtime: createRuntime() });
  try {
    const id = await onboardedPlayer(app.sql, tgId());
    await onlyOurs(app.sql, [
      await closedConversation(app.sql, id, "I work as a nurse at the children's hospital.", new Date()),
    ]);
    await processConversations({ sql: app.sql, llm: app.llm, embedder: app.embedder, runtime: app.runtime }, 5);
    const live = await app.drain.replyContext!(id, "what is my job again?", crypto.randomUUID(), new Date());
    assert.ok(live.memories.some((m) => /nurse/.test(m.fact)), JSON.stringify(live.memories));
    assert.match(live.ready_prompt ?? "", /nurse/);
  } finally {
    await app.close();
  }
});

Deno.test("the ready prompt stays within its budget by the drop order, and the same inputs give the same text", () => {
  const long = (n: number, what: string) =>
    Array.from({ length: n }, (_, i) => ({ date: "2026-11-30", fact: `${what} ${i} `.repeat(20) }));
  const inputs: PromptInputs = {
    player: { display_name: "Robin", city: "Lisbon", chapter: 3, days_played: 12, game_status: "active" },
    relationship: {
      band: "warming up to you",
      engagement_state: "in_zone",
      conflict_zone: "warm",
      in_boss_fight: false,
    },
    memory: {
      facts: { user: long(30, "about them"), relationship: long(30, "between us"), nikita: long(30, "my life") },
      threads: [{ type: "follow_up", content: "the storm" }],
      thoughts: [{ type: "worry", content: "Do they mean it?" }],
    },
    conversations: Array.from({ length: 5 }, (_, i) => ({
      date: `2026-11-2${i}`,
      platform: "telegram",
      summary: `conversation ${i} `.repeat(40),
      tone: "warm",
    })),
    mood: { arousal: 0.2, valence: 0.8, dominance: 0.5, intimacy: 0.5 },
    vices: { top: [{ category: "dark_humor", intensity: 0.6 }], expression: "confident", discovering: false },
  };
  for (const platform of ["text", "voice"] as const) {
    const built = buildReadyPrompt(inputs, platform);
    assert.ok(built.text.length <= PROMPT_BUDGET_TOKENS[platform] * 4 * 0.9, `${platform} within budget`);
    assert.ok(built.tokenEstimate <= PROMPT_BUDGET_TOKENS[platform], `${platform} token estimate`);
    assert.deepEqual(built, buildReadyPrompt(inputs, platform), "the same inputs give the same prompt");
  }
  const voice = buildReadyPrompt(inputs, "voice");
  assert.deepEqual(voice.sections.dropped.slice(0, 4), [
    "vice shaping",
    "chapter examples",
    "psyche detail",
    "inner life",
  ], "dropped in order: vice shaping, chapter examples, psyche detail, inner life, …");
  assert.match(voice.text, /speaking in short spoken sentences|speak in short spoken sentences/);
  const small = buildReadyPrompt({
    ...inputs,
    memory: { ...inputs.memory, facts: { user: long(2, "x"), relationship: [], nikita: [] } },
    conversations: [],
  }, "text");
  assert.deepEqual(small.sections.dropped, [], "nothing dropped when it fits");
  assert.match(small.text, /About them:\n\[2026-11-30\]/);
});

Deno.test("her day so far is in her ready prompt's inner life and in a reply's live tail, in order", () => {
  const today = [
    { time_of_day: "morning", description: "A stand-up that ran an hour over.", people: ["David"] },
    { time_of_day: "afternoon", description: "Finally fixed the fuzzing harness.", people: [] },
  ];
  const inputs: PromptInputs = {
    player: { display_name: "Robin", city: "Lisbon", chapter: 2, days_played: 3, game_status: "active" },
    relationship: { band: "curious", engagement_state: "in_zone", conflict_zone: "calm", in_boss_fight: false },
    memory: { facts: { user: [], relationship: [], nikita: [] }, threads: [], thoughts: [] },
    conversations: [],
    mood: null,
    vices: { top: [], expression: "guarded", discovering: false },
    life_today: today,
  };
  const expected = "Your day so far:\n- (morning) A stand-up that ran an hour over. [David]\n" +
    "- (afternoon) Finally fixed the fuzzing harness.";
  assert.ok(buildReadyPrompt(inputs, "text").text.includes(expected));
  assert.ok(!buildReadyPrompt({ ...inputs, life_today: [] }, "text").text.includes("Your day so far"));
  const tail = contextLines({
    ready_prompt: null,
    mood: null,
    conflict_zone: "calm",
    vices: { top: [], expression: "guarded", probe: [] },
    threads: [],
    memories: [],
    life_today: today,
  });
  assert.deepEqual(tail, [expected]);
});
