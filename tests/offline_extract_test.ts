// The offline extraction (LLM_MODE=offline): the player's plain statements about themselves become third-person
// facts, her lines and passing remarks do not; a one-line summary marked offline, tones from simple cues, a thread
// only for something coming up; every answer passes the extraction schema. With the offline embedder, the job they
// mentioned in one conversation is what a question about work in the next one finds.
import assert from "node:assert/strict";
import { type Extraction, extractionSchema } from "../functions/_shared/llm/extract.ts";
import { createOfflineLlm, OFFLINE_MARK } from "../functions/_shared/llm/offline.ts";
import type { ChatLine, ConversationContext } from "../functions/_shared/llm/types.ts";
import { createOfflineEmbedder } from "../functions/_shared/memory/embeddings.ts";

const llm = createOfflineLlm();
const robin: ConversationContext = { userId: "00000000-0000-4000-8000-000000000001", playerName: "Robin", chapter: 1 };
const player = (content: string): ChatLine => ({ role: "player", content });
const nikita = (content: string): ChatLine => ({ role: "nikita", content });

async function extract(lines: ChatLine[], context = robin): Promise<Extraction> {
  const extraction = await llm.extract(context, lines);
  const parsed = extractionSchema.safeParse(extraction);
  assert.ok(parsed.success, JSON.stringify(parsed.error?.issues));
  return extraction;
}
const factsOf = async (lines: ChatLine[], context = robin) => (await extract(lines, context)).facts.map((f) => f.fact);

Deno.test("offline extraction: each pattern of a plain statement becomes a third-person fact about the player", async () => {
  const cases: [string, string][] = [
    ["I work as a nurse at the city hospital.", "Robin works as a nurse at the city hospital"],
    ["i'm working at a bakery downtown", "Robin works at a bakery downtown"],
    ["I'm a software engineer", "Robin is a software engineer"],
    ["I am an architect, sort of", "Robin is an architect, sort of"],
    ["My job is mostly spreadsheets", "Robin's job is mostly spreadsheets"],
    ["I live in Hamburg", "Robin lives in Hamburg"],
    ["I’m from Lisbon originally", "Robin is from Lisbon originally"],
    ["my sister Anna is a doctor", "Robin's sister Anna is a doctor"],
    ["My little brother lives with me", "Robin's little brother lives with them"],
    ["my dog died last year 😢", "Robin's dog died last year"],
    ["I love jazz and old records 🎷", "Robin loves jazz and old records"],
    ["I really hate early mornings lol", "Robin hates early mornings"],
    ["I can't stand people who are late to my parties", "Robin can't stand people who are late to their parties"],
    ["my best friend said you're trouble", "Robin's best friend said Nikita is trouble"],
  ];
  for (const [said, fact] of cases) assert.deepEqual(await factsOf([player(said)]), [fact], said);
  const [first] = (await extract([player("I work as a nurse")])).facts;
  assert.deepEqual(first, { fact: "Robin works as a nurse", graph_type: "user", confidence: 0.7 });
});

Deno.test("offline extraction: several statements in one message, in order, each once", async () => {
  const facts = await factsOf([
    player("I work as a nurse, and I live in Hamburg. My sister Anna is a doctor too!"),
    nikita("I live in Berlin, obviously. I love black coffee."),
    player("I work as a nurse. I love jazz"),
  ]);
  assert.deepEqual(facts, [
    "Robin works as a nurse",
    "Robin lives in Hamburg",
    "Robin's sister Anna is a doctor too",
    "Robin loves jazz",
  ]);
});

Deno.test("offline extraction: passing remarks, her lines and feelings about her are no facts", async () => {
  const facts = await factsOf([
    player("I'm a bit tired"),
    player("I love you"),
    player("i love it when you do that"),
    player("I miss my sister"),
    player("ok"),
    player("I love 🎷"),
    nikita("I work as a security researcher. My friend Lena lives in Kreuzberg."),
  ]);
  assert.deepEqual(facts, []);
});

Deno.test("offline extraction: without a name the facts are about the player", async () => {
  assert.deepEqual(await factsOf([player("I work as a nurse")], { ...robin, playerName: null }), [
    "The player works as a nurse",
  ]);
});

Deno.test("offline extraction: a one-line summary, marked offline, in the third person", async () => {
  const lines = [nikita("So?"), player("I work as a nurse. Long night."), nikita("Go on.")];
  const { summary } = await extract(lines);
  assert.ok(summary.startsWith(OFFLINE_MARK), summary);
  assert.ok(!summary.includes("\n"));
  assert.match(summary, /^\[offline\] Robin and Nikita exchanged 3 messages \(neutral\); Robin opened with "I work/);
  assert.match(summary, /They shared: Robin works as a nurse\./);
  assert.match((await extract([nikita("Hello?")])).summary, /Nikita wrote to Robin, who did not answer/);
  const long = await extract([player("word ".repeat(400))]);
  assert.ok(long.summary.length <= 1000);
});

Deno.test("offline extraction: tones from simple cues, hostility first, neutral when nothing stands out", async () => {
  const tones = async (...said: string[]) => (await extract(said.map(player))).emotional_tone;
  assert.deepEqual(await tones("I work as a nurse"), ["neutral"]);
  assert.deepEqual(await tones("whatever"), ["cold"]);
  assert.deepEqual(await tones("you're so annoying"), ["dismissive"]);
  assert.deepEqual(await tones("I'm sorry about yesterday"), ["apologetic"]);
  assert.deepEqual(await tones("are you there??"), ["anxious"]);
  assert.deepEqual(await tones("I missed you 😘"), ["romantic"]);
  assert.deepEqual(await tones("that sounds hard, I'm proud of you"), ["supportive"]);
  assert.deepEqual(await tones("haha you wish"), ["playful"]);
  // At most three, each once.
  assert.deepEqual(await tones("sorry!! are you mad?? I miss you haha", "proud of you"), [
    "apologetic",
    "anxious",
    "romantic",
  ]);
});

Deno.test("offline extraction: a thread only for something coming up, no thoughts, vice words as signals", async () => {
  const e = await extract([
    player("I have a job interview tomorrow. Wish me luck"),
    player("want to debate philosophy?"),
  ]);
  assert.deepEqual(e.threads, [{
    type: "follow_up",
    content: 'Ask Robin how it went: "I have a job interview tomorrow"',
  }]);
  assert.deepEqual(e.thoughts, []);
  assert.deepEqual(e.vice_signals, [{ category: "intellectual_dominance", confidence: 0.6, positive: true }]);
  const quiet = await extract([player("tomorrow is another day"), player("I work as a nurse")]);
  assert.deepEqual([quiet.threads, quiet.vice_signals], [[], []]);
});

Deno.test("offline extraction: the same conversation gives the same extraction", async () => {
  const lines = [player("I work as a nurse and I love jazz"), nikita("Jazz. Of course."), player("haha sorry")];
  assert.deepEqual(await createOfflineLlm().extract(robin, lines), await llm.extract(robin, lines));
});

Deno.test("offline memory: the job told in one conversation is what a question about work finds in the next", async () => {
  const embedder = createOfflineEmbedder();
  const first = await extract([
    player("hey. I live in Hamburg"),
    nikita("Hm. And?"),
    player("I work as a nurse at the Charité. My sister Anna is a doctor. I love jazz"),
  ]);
  const facts = first.facts.map((f) => f.fact);
  const vectors = await embedder.embed(facts, "memory_write", robin.userId);
  const cosine = (a: number[], b: number[]) => a.reduce((sum, x, i) => sum + x * b[i]!, 0);
  for (const question of ["do you remember what I do for work?", "ugh, work was long today"]) {
    const [q] = await embedder.embed([question], "memory_search", robin.userId);
    const best = facts[vectors.map((v) => cosine(v, q!)).reduce((bi, s, i, all) => (s > all[bi]! ? i : bi), 0)];
    assert.equal(best, "Robin works as a nurse at the Charité", question);
  }
});
