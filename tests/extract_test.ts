// The extraction (PLATFORM.md §3, §6 stage 1): the extract_conversation tool schema comes from the zod schema that
// validates its answers, with the tone table of GAME_RULES.md §11 and the analyzer's vice vocabulary; the live call
// against the fake Anthropic server: the extraction model, the prompt, one re-ask told what was wrong, and a
// ProviderError (a job retry) when the answer stays invalid or the model cannot be reached.
import assert from "node:assert/strict";
import { viceCategoryNames } from "../functions/_shared/llm/analysis.ts";
import {
  EXTRACT_MAX_TOKENS,
  EXTRACT_TOOL,
  type Extraction,
  extractionSchema,
  graphTypeNames,
  toneNames,
} from "../functions/_shared/llm/extract.ts";
import type { LedgerEntry } from "../functions/_shared/llm/ledger.ts";
import { createLiveLlm } from "../functions/_shared/llm/live.ts";
import type { ChatLine, ConversationContext } from "../functions/_shared/llm/types.ts";
import { ProviderError } from "../functions/_shared/platform/errors.ts";
import { DEFAULT_EXTRACTION, startFakeAnthropic } from "./fakes/anthropic.ts";

type Schema = {
  type?: string;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  items?: Schema;
  required?: string[];
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
};

const context: ConversationContext = {
  userId: "00000000-0000-4000-8000-000000000001",
  playerName: "Robin",
  chapter: 2,
};
const transcript: ChatLine[] = [
  { role: "nikita", content: "So what do you actually do all day?" },
  { role: "player", content: "I work nights as a nurse. My sister Anna got me into it." },
  { role: "nikita", content: "Nights. So you're a vampire too. I like that." },
];

const valid: Extraction = {
  facts: [
    { fact: "Robin works night shifts as a nurse", graph_type: "user", confidence: 0.95 },
    { fact: "Robin and Nikita joked about both being vampires", graph_type: "relationship", confidence: 0.8 },
  ],
  threads: [{ type: "follow_up", content: "Ask about Anna, who got Robin into nursing" }],
  thoughts: [{ type: "curiosity", content: "A night nurse. Someone who stays when it's hard. Interesting." }],
  summary: "Robin told Nikita about working nights as a nurse; she teased that they are both vampires.",
  emotional_tone: ["playful", "supportive"],
  vice_signals: [{ category: "dark_humor", confidence: 0.6, positive: true }],
};

Deno.test("the extract_conversation tool schema is generated from the zod schema, with its limits and vocabularies", () => {
  const input = EXTRACT_TOOL.definition.input_schema as Schema;
  assert.equal(EXTRACT_TOOL.definition.name, "extract_conversation");
  assert.equal("$schema" in input, false);
  const p = input.properties!;
  assert.deepEqual(input.required, ["facts", "threads", "thoughts", "summary", "emotional_tone", "vice_signals"]);
  const fact = p.facts!.items!.properties!;
  assert.deepEqual([p.facts!.maxItems, fact.fact!.minLength, fact.fact!.maxLength], [20, 3, 300]);
  assert.deepEqual(fact.graph_type!.enum, ["user", "relationship", "nikita"]);
  assert.deepEqual([fact.confidence!.minimum, fact.confidence!.maximum], [0, 1]);
  assert.deepEqual([p.threads!.maxItems, p.threads!.items!.properties!.type!.maxLength], [10, 40]);
  assert.deepEqual(
    [p.threads!.items!.properties!.content!.minLength, p.threads!.items!.properties!.content!.maxLength],
    [1, 500],
  );
  assert.equal(p.thoughts!.maxItems, 5);
  assert.deepEqual([p.summary!.minLength, p.summary!.maxLength], [1, 1000]);
  // Exactly the rows of the tone table (GAME_RULES.md §11).
  assert.deepEqual(p.emotional_tone!.items!.enum, [
    "supportive",
    "dismissive",
    "romantic",
    "cold",
    "playful",
    "anxious",
    "apologetic",
    "neutral",
  ]);
  assert.deepEqual([p.emotional_tone!.minItems, p.emotional_tone!.maxItems], [1, 3]);
  assert.deepEqual(p.vice_signals!.items!.properties!.category!.enum, viceCategoryNames);
});

Deno.test("the extraction schema refuses what the pipeline could not store", () => {
  assert.ok(extractionSchema.safeParse(valid).success);
  assert.ok(extractionSchema.safeParse(DEFAULT_EXTRACTION).success, "the fake's default answer is valid");
  const bad: [string, unknown][] = [
    ["a fact of spaces", { ...valid, facts: [{ fact: "     ", graph_type: "user", confidence: 1 }] }],
    ["a fact too long", { ...valid, facts: [{ fact: "x".repeat(301), graph_type: "user", confidence: 1 }] }],
    ["21 facts", {
      ...valid,
      facts: Array.from({ length: 21 }, (_, i) => ({ fact: `fact ${i}`, graph_type: "user", confidence: 1 })),
    }],
    ["an unknown graph type", { ...valid, facts: [{ fact: "Robin is tall", graph_type: "friend", confidence: 1 }] }],
    ["a confidence above 1", { ...valid, facts: [{ fact: "Robin is tall", graph_type: "user", confidence: 1.5 }] }],
    ["11 threads", { ...valid, threads: Array.from({ length: 11 }, () => ({ type: "t", content: "c" })) }],
    ["a thread type over 40", { ...valid, threads: [{ type: "t".repeat(41), content: "c" }] }],
    ["6 thoughts", { ...valid, thoughts: Array.from({ length: 6 }, () => ({ type: "t", content: "c" })) }],
    ["an empty summary", { ...valid, summary: "" }],
    ["a summary over 1000", { ...valid, summary: "s".repeat(1001) }],
    ["no tone", { ...valid, emotional_tone: [] }],
    ["four tones", { ...valid, emotional_tone: ["playful", "cold", "anxious", "neutral"] }],
    ["a tone twice", { ...valid, emotional_tone: ["playful", "playful"] }],
    ["a tone outside the table", { ...valid, emotional_tone: ["angry"] }],
    ["an unknown vice", { ...valid, vice_signals: [{ category: "gambling", confidence: 0.5, positive: true }] }],
    ["a missing field", { ...valid, thoughts: undefined }],
  ];
  for (const [what, answer] of bad) assert.equal(extractionSchema.safeParse(answer).success, false, what);
  assert.deepEqual(graphTypeNames, ["user", "relationship", "nikita"]);
  assert.equal(toneNames.length, 8);
});

function llm(url: string, ledger: LedgerEntry[]) {
  return createLiveLlm({
    apiKey: "test",
    baseURL: url,
    maxRetries: 0,
    models: {
      reply: "claude-sonnet-4-6",
      analyzer: "claude-haiku-4-5",
      judge: "claude-sonnet-4-6",
      summary: "claude-haiku-4-5",
      extraction: "claude-extraction-model",
    },
    ledger: (e) => Promise.resolve(void ledger.push(e)),
  });
}

Deno.test("live: one forced extract_conversation call to the extraction model, over the whole transcript", async () => {
  const fake = startFakeAnthropic();
  const ledger: LedgerEntry[] = [];
  try {
    fake.extractions.push(valid);
    assert.deepEqual(await llm(fake.url, ledger).extract(context, transcript), valid);
    assert.equal(fake.requests.length, 1);
    const request = fake.requests[0]! as {
      model: string;
      max_tokens: number;
      tool_choice: unknown;
      tools: { name: string }[];
      messages: { content: string }[];
    };
    assert.equal(request.model, "claude-extraction-model");
    assert.equal(request.max_tokens, EXTRACT_MAX_TOKENS);
    assert.deepEqual(request.tool_choice, { type: "tool", name: "extract_conversation" });
    assert.deepEqual(request.tools.map((t) => t.name), ["extract_conversation"]);
    const prompt = request.messages[0]!.content;
    // The player's name and chapter, every line of the transcript, and every word the schema allows, explained.
    assert.match(prompt, /The player: Robin; chapter 2 of 5/);
    for (const line of transcript) assert.ok(prompt.includes(line.content), line.content);
    assert.match(prompt, /Them: I work nights as a nurse/);
    for (const name of [...graphTypeNames, ...toneNames, ...viceCategoryNames]) {
      assert.ok(prompt.includes(`- ${name}:`));
    }
    assert.match(prompt, /facts: only facts worth remembering/);
    assert.match(prompt, /threads: open topics to come back to/);
    assert.match(prompt, /thoughts: Nikita's private reactions/);
    assert.match(prompt, /summary: what happened, in the third person/);
    assert.deepEqual(ledger.map((e) => [e.purpose, e.model, e.userId, e.status]), [
      ["extraction", "claude-extraction-model", context.userId, "ok"],
    ]);
  } finally {
    await fake.close();
  }
});

Deno.test("live: without a name the prompt says so", async () => {
  const fake = startFakeAnthropic();
  try {
    await llm(fake.url, []).extract({ ...context, playerName: null }, transcript);
    const prompt = (fake.requests[0]!.messages as { content: string }[])[0]!.content;
    assert.match(prompt, /The player: name unknown/);
  } finally {
    await fake.close();
  }
});

Deno.test("live: an invalid answer is re-asked once with what was wrong, and the valid one is used", async () => {
  const fake = startFakeAnthropic();
  try {
    fake.extractions.push({ ...valid, emotional_tone: ["angry"], summary: "" }, valid);
    assert.deepEqual(await llm(fake.url, []).extract(context, transcript), valid);
    assert.equal(fake.requests.length, 2);
    const messages = fake.requests[1]!.messages as { role: string; content: unknown }[];
    assert.deepEqual(messages.map((m) => m.role), ["user", "assistant", "user"]);
    const [result] = messages[2]!.content as {
      type: string;
      tool_use_id: string;
      is_error: boolean;
      content: string;
    }[];
    assert.equal(result!.type, "tool_result");
    assert.equal(result!.tool_use_id, "toolu_1", "answers the invalid call");
    assert.equal(result!.is_error, true);
    assert.match(result!.content, /summary/);
    assert.match(result!.content, /emotional_tone\.0/);
  } finally {
    await fake.close();
  }
});

Deno.test("live: an answer still invalid after the re-ask is a ProviderError, after exactly two calls", async () => {
  const fake = startFakeAnthropic();
  try {
    const tooMany = { ...valid, thoughts: Array.from({ length: 6 }, () => ({ type: "t", content: "c" })) };
    fake.extractions.push(tooMany, tooMany, valid);
    await assert.rejects(llm(fake.url, []).extract(context, transcript), (error: unknown) => {
      assert.ok(error instanceof ProviderError);
      assert.match(error.message, /extraction: still invalid after one re-ask \(thoughts/);
      return true;
    });
    assert.equal(fake.requests.length, 2);
  } finally {
    await fake.close();
  }
});

Deno.test("live: a model that cannot be reached is a ProviderError (the pipeline job retries)", async () => {
  const fake = startFakeAnthropic();
  const ledger: LedgerEntry[] = [];
  try {
    fake.failures.push(529);
    await assert.rejects(llm(fake.url, ledger).extract(context, transcript), ProviderError);
    assert.deepEqual(ledger.map((e) => [e.purpose, e.status]), [["extraction", "error"]]);
  } finally {
    await fake.close();
  }
});
