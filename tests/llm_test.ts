// The live LLM client against the fake Anthropic server: forced tool calls validated with zod, one re-ask, the
// ledger, and the city -> timezone lookup.
import assert from "node:assert/strict";
import { createLiveLlm } from "../functions/_shared/llm/live.ts";
import type { LedgerEntry } from "../functions/_shared/llm/ledger.ts";
import type { TurnContext } from "../functions/_shared/llm/types.ts";
import { ProviderError } from "../functions/_shared/platform/errors.ts";
import { startFakeAnthropic } from "./fakes/anthropic.ts";

const context: TurnContext = {
  userId: "00000000-0000-4000-8000-000000000001",
  playerName: "Robin",
  chapter: 1,
  chapterName: "Curiosity",
  localTime: "Mon 21:00",
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

Deno.test("an invalid analysis is asked for once more, then the turn fails as a provider error", async () => {
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
    fake.analyses.push(bad, bad);
    await assert.rejects(client(fake.url, ledger).analyze(context, [], "reply"), ProviderError);
    assert.equal((fake.requests.at(-1)!.tool_choice as { name: string }).name, "analyze_exchange");
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
