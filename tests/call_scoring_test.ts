// A phone call is scored by the pipeline's first stage (GAME_RULES.md §16, PLATFORM.md §6): once, as one exchange
// judged on its whole transcript; during an encounter its transcript joins the boss's and the judge decides; what the
// engine decided that she must say afterwards (her opening, an outcome) reaches the player's Telegram chat, once.
import assert from "node:assert/strict";
import { processConversations } from "../functions/_shared/pipeline/process_conversations.ts";
import type { Sql } from "../functions/_shared/platform/db.ts";
import { analysis, onboardedPlayer } from "./support/players.ts";
import { type Harness, startHarness } from "./support/telegram_harness.ts";

const tgId = () => 510_000_000 + Math.floor(Math.random() * 1e8);

type Line = { role: "user" | "agent"; message: string; time_in_call_secs: number };

/** The post-call webhook's durable step for a call of `userId` that ended at `at`; returns its conversation id. */
async function endedCall(sql: Sql, userId: string, transcript: Line[], at: Date): Promise<string> {
  const elevenlabsId = `conv_${crypto.randomUUID()}`;
  const payload = { data: { conversation_id: elevenlabsId, transcript, metadata: { call_duration_secs: 90 } } };
  const [row] = await sql<{ r: { status: string; conversation_id: string } }[]>`
    select game.record_post_call('post_call_transcription', ${elevenlabsId}, ${at}, ${sql.json(payload)},
      ${userId}, null, null, ${at}) as r`;
  assert.equal(row!.r.status, "stored");
  // Other tests' closed conversations share the database: their jobs are set aside, so a run here claims only ours.
  await sql`update private.conversation_jobs set status = 'done'
    where status in ('pending', 'retry') and conversation_id <> ${row!.r.conversation_id}`;
  return row!.r.conversation_id;
}

function requestsFor(h: Harness, tool: string, said: string) {
  return h.anthropic.requests.filter((r) =>
    (r.tool_choice as { name?: string } | undefined)?.name === tool && JSON.stringify(r.messages).includes(said)
  );
}

const deps = (h: Harness) => ({ sql: h.sql, llm: h.app.llm, embedder: h.app.embedder, runtime: h.app.runtime });

const longCall = (opening: string): Line[] =>
  Array.from(
    { length: 12 },
    (_, i) =>
      i % 2 === 0
        ? { role: "agent" as const, message: i === 0 ? "Hey. You called." : `Mm. Line ${i}.`, time_in_call_secs: i * 5 }
        : {
          role: "user" as const,
          message: i === 1 ? opening : `And another thing, number ${i}.`,
          time_in_call_secs: i * 5,
        },
  );

Deno.test("a call is scored once, as one exchange judged on its whole transcript; a rerun scores it no second time", async () => {
  const h = startHarness();
  try {
    const id = await onboardedPlayer(h.sql, tgId());
    const conversation = await endedCall(h.sql, id, longCall("I called because I miss your voice."), new Date());
    h.anthropic.analyses.push(analysis(2));
    await processConversations(deps(h), 5);
    const analyses = requestsFor(h, "analyze_exchange", "I miss your voice");
    assert.equal(analyses.length, 1, "one analysis for the whole call");
    const prompt = JSON.stringify(analyses[0]!.messages);
    assert.ok(prompt.includes("I miss your voice") && prompt.includes("number 11"), "it sees the first and last line");
    const history = await h.sql<{ event_type: string; score: number; conversation_id: string }[]>`
      select event_type, score::float8 as score, conversation_id from public.score_history
      where user_id = ${id} and event_type = 'voice_call'`;
    // Chapter 1, calibrating: +2 on each metric × 0.9 = +1.8 (GAME_RULES.md §3.3).
    assert.deepEqual(history.map((r) => ({ ...r })), [{
      event_type: "voice_call",
      score: 51.8,
      conversation_id: conversation,
    }]);
    const [job] = await h.sql<{ status: string; score: string }[]>`
      select status, stages -> 'score' ->> 'status' as score from private.conversation_jobs
      where conversation_id = ${conversation}`;
    assert.deepEqual({ ...job }, { status: "done", score: "done" });

    // As if the worker died after scoring but before recording the stage: the rerun finds the call scored.
    await h.sql`update private.conversation_jobs set status = 'pending', stages = stages - 'score'
      where conversation_id = ${conversation}`;
    await processConversations(deps(h), 5);
    const [again] = await h.sql<{ n: number }[]>`
      select count(*)::int as n from public.score_history where user_id = ${id} and event_type = 'voice_call'`;
    assert.equal(again!.n, 1, "scored once");
    assert.equal(requestsFor(h, "analyze_exchange", "I miss your voice").length, 1, "no second analysis");
  } finally {
    await h.close();
  }
});

Deno.test("a call that starts an encounter is followed by her opening on Telegram, once, and the phase counts from it", async () => {
  const h = startHarness();
  const me = tgId();
  try {
    const id = await onboardedPlayer(h.sql, me, { metric: 54 });
    await endedCall(h.sql, id, longCall("Tell me what you're working on."), new Date());
    h.anthropic.analyses.push(analysis(2));
    await processConversations(deps(h), 5);
    const [fight] = await h.sql<{ phase: string; opening_sent_at: Date | null }[]>`
      select phase, opening_sent_at from game.boss_fights where user_id = ${id}`;
    assert.deepEqual({ ...fight }, { phase: "opening", opening_sent_at: null }, "55.8 crosses chapter 1's 55");
    await h.settle();
    await h.settle();
    assert.deepEqual(h.telegram.sent(me), [
      "Something's been on my mind since we hung up. Name a belief of yours that most rooms would laugh at.",
    ]);
    const [opened] = await h.sql<{ phase_started_at: Date; opening_sent_at: Date | null }[]>`
      select phase_started_at, opening_sent_at from game.boss_fights where user_id = ${id}`;
    assert.ok(opened!.opening_sent_at !== null, "the opening's delivery is recorded");
    assert.equal(opened!.phase_started_at.getTime(), opened!.opening_sent_at!.getTime());
  } finally {
    await h.close();
  }
});

Deno.test("a call during an encounter: silent, it is not scored; spoken, the judge sees the whole encounter and her outcome line follows", async () => {
  let clock = Date.now();
  const h = startHarness({ now: () => new Date(clock) });
  const me = tgId();
  try {
    const id = await onboardedPlayer(h.sql, me, { metric: 54 });
    // The encounter starts in Telegram play.
    const [started] = await h.sql<{ r: { events: { type: string }[] } }[]>`
      select game.apply_exchange(${id}, ${h.sql.json(analysis(2))}, ${new Date(clock)}) as r`;
    assert.ok(started!.r.events.some((e) => e.type === "boss_started"));
    await h.sql`select game.store_player_message(${id}, ${Math.floor(Math.random() * 1e12)},
      'A belief of mine: boredom is a signal.', ${new Date(clock + 1000)})`;

    const silent = await endedCall(h.sql, id, [{
      role: "agent",
      message: "Hello? Say something.",
      time_in_call_secs: 0,
    }], new Date(clock += 5 * 60_000));
    await processConversations(deps(h), 5);
    const [skipped] = await h.sql<{ score: string; reason: string }[]>`
      select stages -> 'score' ->> 'status' as score, stages -> 'score' -> 'output' ->> 'reason' as reason
      from private.conversation_jobs where conversation_id = ${silent}`;
    assert.deepEqual({ ...skipped }, { score: "skipped", reason: "a silent call during an encounter" });
    assert.equal(requestsFor(h, "judge_boss", "").length, 0, "no judge for a silent call");

    await endedCall(h.sql, id, longCall("Boredom tells you what you care about."), new Date(clock += 5 * 60_000));
    h.anthropic.verdicts.push({ outcome: "PASS", confidence: 0.9, reasoning: "held the view" });
    await processConversations(deps(h), 5);
    const judged = requestsFor(h, "judge_boss", "Boredom tells you what you care about");
    assert.equal(judged.length, 1, "the judge ran once");
    assert.ok(JSON.stringify(judged[0]!.messages).includes("boredom is a signal"), "with the Telegram part too");
    const [after] = await h.sql<{ chapter: number; game_status: string; voice_rows: number }[]>`
      select chapter, game_status, (select count(*)::int from public.score_history
        where user_id = ${id} and event_type = 'voice_call') as voice_rows
      from public.users where id = ${id}`;
    assert.deepEqual({ ...after }, { chapter: 2, game_status: "active", voice_rows: 0 }, "passed, the call unscored");
    await h.settle();
    await h.settle();
    assert.deepEqual(h.telegram.sent(me), ["That call. You actually got through to me. Don't make it weird."]);
  } finally {
    await h.close();
  }
});
