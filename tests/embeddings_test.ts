// Embeddings (PLATFORM.md §3, §7): the offline embedder is deterministic, unit length, 1536 wide and puts texts that
// share words near each other; the live embedder talks to the fake OpenAI server through the real SDK: one batched
// request, vectors in input order, the SDK's retries, a ProviderError for an outage, a wrong width or a timeout, and
// one ledger row per call, priced from private.llm_prices.
import assert from "node:assert/strict";
import type { LedgerEntry } from "../functions/_shared/llm/ledger.ts";
import { createLedger } from "../functions/_shared/llm/ledger.ts";
import {
  createOfflineEmbedder,
  createOpenAiEmbedder,
  EMBEDDING_DIMENSIONS,
  offlineVector,
} from "../functions/_shared/memory/embeddings.ts";
import { ProviderError } from "../functions/_shared/platform/errors.ts";
import { startFakeOpenAi } from "./fakes/openai.ts";
import { fixtureDb } from "./support/test_db.ts";

const USER = "00000000-0000-4000-8000-000000000001";
const cosine = (a: number[], b: number[]) => a.reduce((sum, x, i) => sum + x * b[i]!, 0);
const norm = (v: number[]) => Math.sqrt(cosine(v, v));

Deno.test("offline: the same text gives the same vector, 1536 wide and of unit length", async () => {
  const embedder = createOfflineEmbedder();
  assert.equal(embedder.mode, "offline");
  const texts = ["Robin works as a nurse at the city hospital", "🙂", "?!", "Ünïcödé café"];
  const [a, b] = [await embedder.embed(texts, "test", USER), await createOfflineEmbedder().embed(texts, "test", null)];
  assert.deepEqual(a, b);
  for (const v of a) {
    assert.equal(v.length, EMBEDDING_DIMENSIONS);
    assert.ok(Math.abs(norm(v) - 1) < 1e-9, `unit length, got ${norm(v)}`);
  }
  assert.notDeepEqual(a[0], a[1]);
  assert.notDeepEqual(a[1], a[2], "texts without words still differ");
  assert.deepEqual(await embedder.embed([], "test", null), []);
});

Deno.test("offline: a rephrasing that shares most words is nearer than an unrelated text", () => {
  const cases: [string, string, string][] = [
    [
      "Robin works as a nurse at the city hospital",
      "Robin works as a nurse in the hospital",
      "Robin loves jazz and old vinyl records",
    ],
    ["Her sister Anna lives in Rome", "Anna, her sister, moved to Rome and lives there", "She hates early mornings"],
    ["The player is learning to play the guitar", "The player is learning guitar", "The player lives in Hamburg"],
  ];
  for (const [fact, rephrased, unrelated] of cases) {
    const [f, r, u] = [offlineVector(fact), offlineVector(rephrased), offlineVector(unrelated)];
    assert.ok(cosine(f, r) > cosine(f, u) + 0.2, `${fact}: ${cosine(f, r)} vs ${cosine(f, u)}`);
  }
  // Sharing only a subject and filler words ("the player is a") keeps two facts below the similarity at which a new
  // fact supersedes an old one (memory_dedup_similarity, 0.87).
  const a = offlineVector("The player is a nurse"), b = offlineVector("The player is a vegetarian");
  assert.ok(cosine(a, b) < 0.7, String(cosine(a, b)));
});

Deno.test("offline: a question about their work finds the job among the facts about the player first", () => {
  const facts = [
    "Robin lives in Hamburg",
    "Robin's sister is a doctor",
    "Robin works as a nurse",
    "Robin loves jazz",
    "Robin hates early mornings",
  ];
  for (const question of ["what do I do for work?", "do you remember my job?", "how was work today"]) {
    const q = offlineVector(question);
    const ranked = [...facts].sort((a, b) => cosine(offlineVector(b), q) - cosine(offlineVector(a), q));
    assert.equal(ranked[0], "Robin works as a nurse", question);
  }
});

Deno.test("offline: an empty text is refused as the caller's mistake", async () => {
  await assert.rejects(createOfflineEmbedder().embed(["fine", "  "], "test", null), RangeError);
});

function live(url: string, ledger: LedgerEntry[], maxRetries = 0, timeoutMs?: number) {
  return createOpenAiEmbedder({
    apiKey: "test-openai-key",
    baseURL: url,
    model: "text-embedding-3-small",
    maxRetries,
    ledger: (e) => Promise.resolve(void ledger.push(e)),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
}

// The SDK decodes base64 float32, so the vectors the fake sent arrive at float32 precision.
const asSent = (text: string) => offlineVector(text).map(Math.fround);

Deno.test("live: several texts are one request, and the vectors come back in input order", async () => {
  const fake = startFakeOpenAi();
  const ledger: LedgerEntry[] = [];
  try {
    fake.reverse = true;
    const texts = ["Works as a nurse", "Has a sister called Anna", "Loves jazz"];
    const embedder = live(fake.url, ledger);
    assert.equal(embedder.mode, "live");
    const vectors = await embedder.embed(texts, "memory_write", USER);
    assert.equal(fake.requests.length, 1);
    assert.deepEqual(fake.requests[0]!.input, texts);
    assert.equal(fake.requests[0]!.model, "text-embedding-3-small");
    assert.deepEqual(vectors, texts.map(asSent));
    assert.deepEqual(ledger.map((e) => [e.purpose, e.model, e.userId, e.status, e.requestId, e.inputTokens]), [
      ["memory_write", "text-embedding-3-small", USER, "ok", "req_emb_1", 11],
    ]);
    assert.equal(ledger[0]!.outputTokens, 0);
    assert.ok(ledger[0]!.latencyMs >= 0);
    // Nothing to embed is no request at all.
    assert.deepEqual(await embedder.embed([], "memory_write", USER), []);
    assert.equal(fake.requests.length, 1);
  } finally {
    await fake.close();
  }
});

Deno.test("live: a 500 then a 200 succeeds with one retry, and is one ledger row", async () => {
  const fake = startFakeOpenAi();
  const ledger: LedgerEntry[] = [];
  try {
    fake.failures.push(500);
    assert.deepEqual(await live(fake.url, ledger, 1).embed(["Loves jazz"], "memory_write", USER), [
      asSent("Loves jazz"),
    ]);
    assert.equal(fake.requests.length, 2);
    assert.deepEqual(ledger.map((e) => e.status), ["ok"]);
  } finally {
    await fake.close();
  }
});

Deno.test("live: an outage that outlasts the retries is a ProviderError, ledgered as an error", async () => {
  const fake = startFakeOpenAi();
  const ledger: LedgerEntry[] = [];
  try {
    fake.failures.push(500, 500);
    await assert.rejects(live(fake.url, ledger, 1).embed(["Loves jazz"], "memory_write", USER), ProviderError);
    assert.equal(fake.requests.length, 2, "one try and one retry");
    fake.failures.push(429);
    await assert.rejects(live(fake.url, ledger, 0).embed(["Loves jazz"], "memory_write", USER), ProviderError);
    assert.equal(fake.requests.length, 3, "no retry with maxRetries 0");
    assert.deepEqual(ledger.map((e) => [e.status, e.inputTokens, e.requestId]), [["error", 0, null], [
      "error",
      0,
      null,
    ]]);
    assert.match(ledger[1]!.error ?? "", /429/);
  } finally {
    await fake.close();
  }
});

Deno.test("live: a model answering another width is a ProviderError that names the widths", async () => {
  const fake = startFakeOpenAi();
  const ledger: LedgerEntry[] = [];
  try {
    fake.dimensions.push(3072);
    await assert.rejects(
      live(fake.url, ledger).embed(["Loves jazz", "Lives in Rome"], "memory_write", USER),
      (error: unknown) => {
        assert.ok(error instanceof ProviderError);
        assert.match(error.message, /text-embedding-3-small answered 3072 dimensions; memory stores 1536/);
        return true;
      },
    );
    // The tokens were billed all the same.
    assert.deepEqual(ledger.map((e) => [e.status, e.inputTokens]), [["invalid", 5]]);
    // The next answer of the right width is used.
    assert.equal((await live(fake.url, ledger).embed(["Loves jazz"], "memory_write", USER))[0]!.length, 1536);
  } finally {
    await fake.close();
  }
});

Deno.test("live: a call slower than its timeout is a ProviderError", async () => {
  const fake = startFakeOpenAi();
  const ledger: LedgerEntry[] = [];
  try {
    fake.delays.push(500);
    await assert.rejects(live(fake.url, ledger, 0, 100).embed(["Loves jazz"], "memory_write", USER), ProviderError);
    assert.deepEqual(ledger.map((e) => e.status), ["error"]);
    assert.ok(ledger[0]!.latencyMs < 450, `gave up at the timeout, not the answer: ${ledger[0]!.latencyMs} ms`);
  } finally {
    await fake.close();
  }
});

Deno.test("live: the ledger row in private.llm_calls is priced from the embedding model's price row", async () => {
  const fake = startFakeOpenAi();
  const sql = fixtureDb();
  const purpose = `embed-test-${crypto.randomUUID()}`;
  try {
    const ledger = createLedger(sql);
    // 400 tokens (the fake counts words), enough for a cost the ledger's six decimals show.
    const text = Array.from({ length: 50 }, () => "Works as a nurse at the city hospital").join(" ");
    const embed = (model: string) =>
      createOpenAiEmbedder({ apiKey: "k", baseURL: fake.url, model, maxRetries: 0, ledger }).embed(
        [text],
        purpose,
        null,
      );
    await embed("text-embedding-3-small");
    await embed("an-unpriced-embedding-model");
    const rows = await sql<
      { model: string; input_tokens: number; output_tokens: number; status: string; cost: string | null }[]
    >`
      select model, input_tokens, output_tokens, status, cost_usd::text as cost
      from private.llm_calls where purpose = ${purpose} order by id`;
    const [price] = await sql<{ input_per_mtok: string }[]>`
      select input_per_mtok::text from private.llm_prices where model = 'text-embedding-3-small'`;
    assert.ok(price, "text-embedding-3-small has a price row");
    const expected = (400 * Number(price.input_per_mtok) / 1e6).toFixed(6);
    assert.notEqual(Number(expected), 0);
    assert.deepEqual(rows.map((r) => [r.model, r.input_tokens, r.output_tokens, r.status, r.cost]), [
      ["text-embedding-3-small", 400, 0, "ok", expected],
      ["an-unpriced-embedding-model", 400, 0, "ok", null],
    ]);
  } finally {
    await sql`delete from private.llm_calls where purpose = ${purpose}`;
    await sql.end();
    await fake.close();
  }
});
