// The live LLM client against the fake Anthropic server: forced tool calls validated with zod, one re-ask, the
// ledger, and the city -> timezone lookup.
import assert from "node:assert/strict";
import { createLiveLlm } from "../functions/_shared/llm/live.ts";
import type { LedgerEntry } from "../functions/_shared/llm/ledger.ts";
import { behaviorNames, NEUTRAL_ANALYSIS, viceCategoryNames } from "../functions/_shared/llm/analysis.ts";
import { CHALLENGES } from "../functions/_shared/llm/persona.ts";
import type { TurnContext } from "../functions/_shared/llm/types.ts";
import { ProviderError } from "../functions/_shared/platform/errors.ts";
import { startFakeAnthropic } from "./fakes/anthropic.ts";

const context: TurnContext = {
  userId: "00000000-0000-4000-8000-000000000001",
  playerName: "Robin",
  chapter: 1,
  chapterName: "Curiosity",
  localTime: "Mon 21:00",
  score: 50,
  notes: [],
};

function client(url: string, ledger: LedgerEntry[]) {
  return createLiveLlm({
    apiKey: "test",
    baseURL: url,
    maxRetries: 0,
    models: {
      reply: "claude-sonnet-4-6",
      analyzer: "claude-haiku-4-5",
      judge: "claude-sonnet-4-6",
      summary: "claude-haiku-4-5",
    },
    ledger: (e) => Promise.resolve(void ledger.push(e)),
  });
}

Deno.test("her reply uses the layered system prompt with cached persona and context blocks", async () => {
  const fake = startFakeAnthropic();
  const ledger: LedgerEntry[] = [];
  try {
    fake.texts.push("Hm. Go on.");
    assert.equal(await client(fake.url, ledger).reply(context, [{ role: "player", content: "hi" }]), "Hm. Go on.");
    const system = fake.requests[0]!.system as { cache_control?: unknown }[];
    assert.equal(system.length, 3);
    assert.deepEqual(system.map((b) => b.cache_control ?? null), [{ type: "ephemeral" }, { type: "ephemeral" }, null]);
    assert.deepEqual(ledger.map((e) => [e.purpose, e.status, e.cacheReadTokens]), [["reply", "ok", 80]]);
  } finally {
    await fake.close();
  }
});

Deno.test("an invalid analysis is asked for once more, then the exchange gets the neutral judgment", async () => {
  const fake = startFakeAnthropic();
  const ledger: LedgerEntry[] = [];
  try {
    const bad = {
      deltas: { intimacy: 50, passion: 0, trust: 0, secureness: 0 },
      behaviors: [],
      repair: { attempted: false, quality: null },
      vice_signals: [],
      language: { needy: 0, distracted: 0 },
      confidence: 1,
    };
    fake.analyses.push(bad, { ...bad, deltas: { intimacy: 2, passion: 0, trust: 0, secureness: 0 } });
    const analysis = await client(fake.url, ledger).analyze(context, [], "reply");
    assert.equal(analysis.deltas.intimacy, 2, "the re-ask's valid answer is used");
    // An invented behaviour tag (not in the enum) is as invalid as an out-of-range delta.
    fake.analyses.push(bad, {
      ...bad,
      deltas: { intimacy: 1, passion: 0, trust: 0, secureness: 0 },
      behaviors: ["flirty"],
    });
    assert.deepEqual(await client(fake.url, ledger).analyze(context, [], "reply"), NEUTRAL_ANALYSIS);
    assert.equal((fake.requests.at(-1)!.tool_choice as { name: string }).name, "analyze_exchange");
    assert.equal(fake.requests.length, 4, "one re-ask each, no more");
    // The prompt defines every tag and category the tool's enums allow.
    const prompt = JSON.stringify(fake.requests.at(-1)!.messages);
    for (const name of [...behaviorNames, ...viceCategoryNames]) assert.ok(prompt.includes(name), name);
    assert.match(prompt, /current score 50/);
  } finally {
    await fake.close();
  }
});

Deno.test("an unreachable analyzer is a provider error: the turn is retried", async () => {
  const fake = startFakeAnthropic();
  try {
    fake.failures.push(529);
    await assert.rejects(client(fake.url, []).analyze(context, [], "reply"), ProviderError);
  } finally {
    await fake.close();
  }
});

Deno.test("the judge sees the chapter's challenge with its PASS and FAIL criteria, her top vices and the engagement state", async () => {
  const fake = startFakeAnthropic();
  try {
    fake.verdicts.push({ outcome: "PASS", confidence: 0.9, reasoning: "held her ground" });
    const verdict = await client(fake.url, []).judge(context, [{ role: "player", content: "my belief" }], {
      vices: [{ category: "dark_humor", intensity: 0.6 }],
      engagementState: "in_zone",
    });
    assert.equal(verdict === "ERROR" ? verdict : verdict.outcome, "PASS");
    const prompt = JSON.stringify(fake.requests.at(-1)!.messages);
    for (
      const part of [
        CHALLENGES[1]!.pass,
        CHALLENGES[1]!.fail,
        CHALLENGES[1]!.opening,
        "dark_humor (0.6)",
        "in_zone",
        "my belief",
      ]
    ) {
      assert.ok(prompt.includes(part), part);
    }
  } finally {
    await fake.close();
  }
});

Deno.test("an unusable verdict becomes ERROR; a city is resolved to a zone by name or by the summary model", async () => {
  const fake = startFakeAnthropic();
  try {
    const llm = client(fake.url, []);
    fake.verdicts.push({ outcome: "MAYBE" }, { outcome: "PASS", confidence: 3 });
    assert.equal(await llm.judge(context, []), "ERROR");
    assert.equal(await llm.timezoneFor("Lisbon, Portugal"), "Europe/Lisbon");
    assert.equal(fake.requests.length, 2, "a city that names its zone needs no model call");
    fake.timezones.push("America/Chicago");
    assert.equal(await llm.timezoneFor("Springfield, Illinois"), "America/Chicago");
  } finally {
    await fake.close();
  }
});
