// The voice server tools (PLATFORM.md §4.2) through the voice handler against the test database, with the fake
// Anthropic and OpenAI: identity only from the signed session token (nothing written without one, a player named in
// the parameters ignored), memory read and written, the idempotent update_memory, and each tool's budget.
import assert from "node:assert/strict";
import { offlineVector } from "../functions/_shared/memory/embeddings.ts";
import type { Embedder } from "../functions/_shared/memory/embeddings.ts";
import type { Sql } from "../functions/_shared/platform/db.ts";
import { TOOL_BUDGET_MS } from "../functions/_shared/voice/tools.ts";
import { signSessionToken } from "../functions/_shared/voice/token.ts";
import { callIn, callingPlayer, startVoiceHarness, VOICE_ENV, type VoiceHarness } from "./support/voice.ts";

/** What a player's voice tools have written: facts, tool calls and ledger rows. */
async function written(sql: Sql, userId: string) {
  const [row] = await sql<{ facts: number; calls: number; ledger: number }[]>`
    select (select count(*)::int from game.memory_facts where user_id = ${userId}) as facts,
           (select count(*)::int from private.tool_calls t join private.voice_sessions s using (session_id)
            where s.user_id = ${userId}) as calls,
           (select count(*)::int from private.llm_calls where user_id = ${userId}) as ledger`;
  return row!;
}

async function remember(sql: Sql, userId: string, graphType: string, fact: string, at = new Date()) {
  await sql`select game.remember_fact(${userId}, ${graphType}, ${fact},
    ${JSON.stringify(offlineVector(fact))}::extensions.vector, 'extraction', 0.9::real, null, ${at})`;
}

async function body(res: Response) {
  return await res.json() as { ok?: boolean; data?: Record<string, unknown>; error?: string; message?: string };
}

async function withVoice(run: (h: VoiceHarness) => Promise<void>, options: Parameters<typeof startVoiceHarness>[0]) {
  const h = startVoiceHarness(options);
  try {
    await run(h);
  } finally {
    await h.close();
  }
}

Deno.test("tools without a token, or with a forged, expired or foreign one, are 401 and write nothing", async () => {
  await withVoice(async (h) => {
    const a = await callingPlayer(h.sql);
    const b = await callingPlayer(h.sql);
    const { token } = await callIn(h, a.phone);
    const { token: tokenB } = await callIn(h, b.phone);
    const [, , issued] = token.split(":");
    const sessionA = token.split(":")[1]!;
    const now = Math.floor(Date.now() / 1000);
    const bad = [
      null,
      "",
      "garbage",
      token.slice(0, -1) + (token.endsWith("a") ? "b" : "a"),
      signSessionToken("a-different-secret-of-32-characters", { userId: a.userId, sessionId: sessionA, issuedAt: now }),
      // Expired: signed with the real key, 31 minutes old.
      signSessionToken(VOICE_ENV.VOICE_TOKEN_SECRET, { userId: a.userId, sessionId: sessionA, issuedAt: now - 1860 }),
      // Well signed, but the session is unknown, or is another player's.
      signSessionToken(VOICE_ENV.VOICE_TOKEN_SECRET, {
        userId: a.userId,
        sessionId: crypto.randomUUID(),
        issuedAt: now,
      }),
      signSessionToken(VOICE_ENV.VOICE_TOKEN_SECRET, {
        userId: a.userId,
        sessionId: tokenB.split(":")[1]!,
        issuedAt: Number(issued),
      }),
    ];
    const before = await written(h.sql, a.userId);
    for (const t of bad) {
      for (
        const [tool, params] of [
          ["update_memory", { fact: "The player has a cat named Pixel", category: "user" }],
          ["get_context", {}],
          ["get_memory", { query: "cat" }],
          ["score_turn", { user_message: "hi", nikita_response: "hey" }],
        ] as const
      ) {
        const res = await h.tool(tool, t, params);
        assert.equal(res.status, 401, `${tool} with ${t}`);
        assert.equal((await body(res)).error, "invalid_session");
      }
    }
    assert.deepEqual(await written(h.sql, a.userId), before);
    assert.equal(before.facts, 0);
    // The real token works.
    assert.equal((await h.tool("get_context", token)).status, 200);
  }, {});
});

Deno.test("a player named in the parameters is ignored: the tools act on the token's player only", async () => {
  await withVoice(async (h) => {
    const a = await callingPlayer(h.sql);
    const b = await callingPlayer(h.sql);
    await remember(h.sql, b.userId, "user", "The player collects antique typewriters");
    const { token } = await callIn(h, a.phone);
    const forged = { user_id: b.userId, player_id: b.userId, player: { id: b.userId } };
    const stored = await h.tool("update_memory", token, {
      fact: "The player is learning the cello",
      category: "user",
      ...forged,
    });
    assert.equal(stored.status, 200);
    const memory = await body(await h.tool("get_memory", token, { query: "antique typewriters", ...forged }));
    assert.deepEqual(
      (memory.data!.facts as { text: string }[]).map((f) => f.text),
      ["The player is learning the cello"],
      "A's memory only: B's typewriters are not found",
    );
    const [facts] = await h.sql<{ a: string[]; b: string[] }[]>`
      select array(select fact from game.memory_facts where user_id = ${a.userId} order by fact) as a,
             array(select fact from game.memory_facts where user_id = ${b.userId} order by fact) as b`;
    assert.deepEqual(facts, {
      a: ["The player is learning the cello"],
      b: ["The player collects antique typewriters"],
    });
  }, {});
});

Deno.test("get_memory groups facts as you / us / me and finds a fact by a rare word", async () => {
  await withVoice(async (h) => {
    const a = await callingPlayer(h.sql);
    const at = new Date("2026-11-20T10:00:00Z");
    await remember(h.sql, a.userId, "user", "The player's sister is called Zephyrine", at);
    await remember(h.sql, a.userId, "user", "The player works night shifts at a hospital", at);
    await remember(h.sql, a.userId, "relationship", "We joked about penguins on our first date", at);
    await remember(h.sql, a.userId, "nikita", "Nikita is training for the Berlin marathon", at);
    for (let i = 0; i < 12; i++) {
      await remember(h.sql, a.userId, "user", `The player likes the colour number ${i} of the week`, at);
    }
    await h.sql`insert into game.conversation_threads (user_id, type, content, created_at)
      values (${a.userId}, 'plan', 'They promised to send her the playlist', ${at})`;
    const { token } = await callIn(h, a.phone);
    const all = await body(await h.tool("get_memory", token, { query: "what do we know about each other", limit: 10 }));
    assert.equal(all.ok, true);
    const about = new Map((all.data!.facts as { text: string; about: string; date: string }[]).map((f) => [f.text, f]));
    assert.equal(about.size, 10, "limit 10");
    const rare = await body(await h.tool("get_memory", token, { query: "Zephyrine", limit: 1 }));
    assert.deepEqual(rare.data!.facts, [{
      text: "The player's sister is called Zephyrine",
      about: "you",
      date: "2026-11-20",
    }]);
    const us = await body(await h.tool("get_memory", token, { query: "penguins", limit: 1 }));
    assert.equal((us.data!.facts as { about: string }[])[0]!.about, "us");
    const me = await body(await h.tool("get_memory", token, { query: "marathon", limit: 1 }));
    assert.deepEqual((me.data!.facts as { about: string; text: string }[])[0], {
      text: "Nikita is training for the Berlin marathon",
      about: "me",
      date: "2026-11-20",
    });
    assert.deepEqual(rare.data!.threads, [{ type: "plan", content: "They promised to send her the playlist" }]);
    // The default limit is 5; the bounds are checked.
    assert.equal(
      ((await body(await h.tool("get_memory", token, { query: "the player" }))).data!.facts as []).length,
      5,
    );
    for (
      const params of [{}, { query: "" }, { query: "x".repeat(201) }, { query: "a", limit: 0 }, {
        query: "a",
        limit: 11,
      }, {
        query: "a",
        limit: 2.5,
      }]
    ) {
      const res = await h.tool("get_memory", token, params);
      assert.equal(res.status, 422, JSON.stringify(params));
      assert.equal((await body(res)).error, "invalid_body");
    }
  }, {});
});

Deno.test("update_memory: a repeat returns the first response, the same fact elsewhere is 409 IDMIS, a blank one 422", async () => {
  await withVoice(async (h) => {
    const a = await callingPlayer(h.sql);
    const { token } = await callIn(h, a.phone);
    const first = await h.tool("update_memory", token, {
      fact: "The player has a dog named Biscuit",
      category: "user",
    });
    assert.equal(first.status, 200);
    const stored = await body(first);
    assert.equal(stored.data!.stored, true);
    assert.equal(stored.data!.superseded_id, null);
    // The same fact again, with other casing and spacing: the first response, nothing new stored.
    const again = await body(
      await h.tool("update_memory", token, { fact: "  the player has a DOG named   Biscuit ", category: "user" }),
    );
    assert.deepEqual(again, stored);
    // Two at once: one fact.
    const both = await Promise.all(
      [1, 2].map(() => h.tool("update_memory", token, { fact: "The player grew up in Porto", category: "user" })),
    );
    const answers = await Promise.all(both.map(body));
    assert.deepEqual(answers[0], answers[1]);
    const conflict = await h.tool("update_memory", token, {
      fact: "The player has a dog named Biscuit",
      category: "nikita",
    });
    assert.equal(conflict.status, 409);
    assert.equal((await body(conflict)).error, "IDMIS");
    const blank = await h.tool("update_memory", token, { fact: "     ", category: "user" });
    assert.equal(blank.status, 422);
    const membd = await body(blank);
    assert.equal(membd.error, "MEMBD");
    assert.match(membd.message!, /empty/);
    for (
      const params of [{ fact: "no", category: "user" }, { fact: "x".repeat(301), category: "user" }, {
        fact: "A fine fact",
        category: "friend",
      }]
    ) {
      assert.equal((await h.tool("update_memory", token, params)).status, 422, JSON.stringify(params));
    }
    const facts = await h.sql<{ fact: string; source: string; confidence: number; conversation_id: string | null }[]>`
      select fact, source, confidence, conversation_id from game.memory_facts where user_id = ${a.userId} order by fact`;
    assert.deepEqual(facts.map((f) => ({ ...f })), [
      { fact: "The player grew up in Porto", source: "voice_tool", confidence: 0.8, conversation_id: null },
      { fact: "The player has a dog named Biscuit", source: "voice_tool", confidence: 0.8, conversation_id: null },
    ]);
    const [calls] = await h.sql<{ n: number }[]>`
      select count(*)::int as n from private.tool_calls where session_id = ${token.split(":")[1]!}::uuid`;
    assert.equal(calls!.n, 2);
  }, {});
});

Deno.test("get_context: the voice ready prompt, else a live block from her prompt inputs", async () => {
  await withVoice(async (h) => {
    const a = await callingPlayer(h.sql);
    await remember(h.sql, a.userId, "user", "The player restores old motorbikes");
    const { token } = await callIn(h, a.phone);
    const live = await body(await h.tool("get_context", token));
    assert.equal(live.data!.source, "live");
    assert.equal(live.data!.player_name, "Robin");
    assert.equal(live.data!.chapter_name, "Curiosity");
    assert.match(live.data!.local_time as string, /^\w{3} \d{2} \w{3} \d{2}:\d{2}$/);
    assert.match(live.data!.context as string, /You are talking to Robin/);
    assert.match(live.data!.context as string, /restores old motorbikes/);
    assert.match(live.data!.context as string, /You are on the phone/);
    assert.equal(live.data!.degraded, undefined);
    await h.sql`select game.save_ready_prompt(${a.userId}, 'voice', 'THE VOICE READY PROMPT', 5, '{}', null, now())`;
    await h.sql`select game.save_ready_prompt(${a.userId}, 'text', 'THE TEXT READY PROMPT', 5, '{}', null, now())`;
    const ready = await body(await h.tool("get_context", token, {}));
    assert.deepEqual({ ...ready.data, local_time: undefined }, {
      context: "THE VOICE READY PROMPT",
      player_name: "Robin",
      chapter_name: "Curiosity",
      local_time: undefined,
      source: "ready_prompt",
    });
  }, {});
});

Deno.test("get_context on a database slower than its 2 s budget answers the static context, degraded", async () => {
  await withVoice(async (h) => {
    const a = await callingPlayer(h.sql);
    const { token } = await callIn(h, a.phone);
    // Another transaction holds the ready prompts: get_context's read waits behind it.
    const locked = Promise.withResolvers<void>();
    const release = Promise.withResolvers<void>();
    const holder = h.sql.begin(async (tx) => {
      await tx`lock table game.ready_prompts in access exclusive mode`;
      locked.resolve();
      await release.promise;
    });
    await locked.promise;
    const started = performance.now();
    const res = await h.tool("get_context", token);
    const elapsed = performance.now() - started;
    release.resolve();
    await holder;
    assert.equal(res.status, 200);
    const answer = await body(res);
    assert.equal(answer.data!.source, "fallback");
    assert.equal(answer.data!.degraded, true);
    assert.match(answer.data!.context as string, /phone call with someone you know/);
    assert.equal(TOOL_BUDGET_MS.get_context, 2000);
    assert.ok(elapsed >= 1990, `answered at the budget, not before (${elapsed.toFixed(0)} ms)`);
    assert.ok(elapsed < 4000, `and not long after it (${elapsed.toFixed(0)} ms)`);
    // Once the database answers again, so does the context.
    assert.equal((await body(await h.tool("get_context", token))).data!.source, "live");
  }, {});
});

/** The app's embedder, `delayMs` slower. */
function slowEmbedder(h: { app: { embedder: Embedder } }, delayMs: number): Embedder {
  return {
    mode: h.app.embedder.mode,
    embed: async (texts, purpose, userId) => {
      await new Promise((r) => setTimeout(r, delayMs));
      return await h.app.embedder.embed(texts, purpose, userId);
    },
  };
}

Deno.test("get_memory with an embedder slower than its 3 s budget answers empty lists, degraded", async () => {
  const h = startVoiceHarness();
  try {
    const a = await callingPlayer(h.sql);
    await remember(h.sql, a.userId, "user", "The player's sister is called Zephyrine");
    const { token } = await callIn(h, a.phone);
    const slow = startVoiceHarness({ deps: { embedder: slowEmbedder(h, 3500) } });
    try {
      const started = performance.now();
      const res = await slow.tool("get_memory", token, { query: "Zephyrine" });
      const elapsed = performance.now() - started;
      assert.deepEqual(await body(res), { ok: true, data: { facts: [], threads: [], degraded: true } });
      assert.equal(TOOL_BUDGET_MS.get_memory, 3000);
      assert.ok(elapsed >= 2990 && elapsed < 3400, `answered at the 3 s budget (${elapsed.toFixed(0)} ms)`);
    } finally {
      await slow.close();
    }
    // The embeddings API itself slow (the fake OpenAI holding its answer): the same.
    h.openai.delays.push(3500);
    assert.deepEqual((await body(await h.tool("get_memory", token, { query: "Zephyrine" }))).data, {
      facts: [],
      threads: [],
      degraded: true,
    });
    // An embedder within its budget finds the fact.
    const fine = await body(await h.tool("get_memory", token, { query: "Zephyrine" }));
    assert.equal((fine.data!.facts as unknown[]).length, 1);
  } finally {
    await h.close();
  }
});

Deno.test("score_turn answers the analyzer's judgment and stores nothing; over its 5 s budget, no analysis", async () => {
  await withVoice(async (h) => {
    const a = await callingPlayer(h.sql);
    const { token } = await callIn(h, a.phone);
    const judgment = {
      deltas: { intimacy: 2, passion: -1, trust: 0.5, secureness: 0 },
      behaviors: [],
      repair: { attempted: false, quality: null },
      vice_signals: [{ category: "dark_humor", confidence: 0.7, positive: true }],
      language: { needy: 0.1, distracted: 0 },
      confidence: 0.85,
    };
    h.anthropic.analyses.push(judgment);
    const before = await h.sql`select relationship_score::text as s, (select count(*)::int from public.score_history
      where user_id = ${a.userId}) as n from public.users where id = ${a.userId}`;
    const res = await h.tool("score_turn", token, {
      user_message: "I spent the day reading about lock picking.",
      nikita_response: "Now you have my attention.",
      user_id: crypto.randomUUID(),
    });
    assert.deepEqual(await body(res), { ok: true, data: { analysis: judgment } });
    const request = h.anthropic.requests.at(-1) as { messages: unknown[] };
    assert.match(JSON.stringify(request.messages), /lock picking/);
    const after = await h.sql`select relationship_score::text as s, (select count(*)::int from public.score_history
      where user_id = ${a.userId}) as n from public.users where id = ${a.userId}`;
    assert.deepEqual(after, before, "no score moved, no history row");
    for (const params of [{ user_message: "hi" }, { user_message: "x".repeat(2001), nikita_response: "ok" }]) {
      assert.equal((await h.tool("score_turn", token, params)).status, 422);
    }
    h.anthropic.delays.push(6000);
    const started = performance.now();
    const slow = await body(
      await h.tool("score_turn", token, { user_message: "Are you there?", nikita_response: "Mm." }),
    );
    const elapsed = performance.now() - started;
    assert.deepEqual(slow.data, { analysis: null, degraded: true });
    assert.equal(TOOL_BUDGET_MS.score_turn, 5000);
    assert.ok(elapsed >= 4990 && elapsed < 5600, `answered at the 5 s budget (${elapsed.toFixed(0)} ms)`);
  }, {});
});
