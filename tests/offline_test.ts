// The offline stand-in: she does not repeat one of her last five lines, hostility gets a cold line and a negative,
// horseman-tagged judgment the schema accepts, the judge reads content (never length), and everything it says is
// marked offline.
import assert from "node:assert/strict";
import { analysisSchema, verdictSchema } from "../functions/_shared/llm/analysis.ts";
import {
  createOfflineLlm,
  NO_REPEAT_WINDOW,
  OFFLINE_COLD_LINES,
  OFFLINE_MARK,
  OFFLINE_REPLIES,
} from "../functions/_shared/llm/offline.ts";
import type { BossLineRequest, ChatLine, TurnContext } from "../functions/_shared/llm/types.ts";

const llm = createOfflineLlm();
const context = (chapter = 1): TurnContext => ({
  userId: "00000000-0000-4000-8000-000000000001",
  playerName: "Robin",
  chapter,
  chapterName: "Curiosity",
  localTime: "Mon 21:00",
  notes: [],
});
const player = (content: string): ChatLine => ({ role: "player", content });
const nikita = (content: string): ChatLine => ({ role: "nikita", content });
const unmarked = (line: string) => {
  assert.ok(line.startsWith(OFFLINE_MARK), `marked offline: ${line}`);
  return line.slice(OFFLINE_MARK.length);
};

/** Plays `turns` exchanges, checking each reply against her last five lines; returns the lines she said. */
async function converse(chapter: number, messages: (i: number) => string, turns: number, stored = (s: string) => s) {
  const history: ChatLine[] = [];
  const said: string[] = [];
  for (let i = 0; i < turns; i++) {
    history.push(player(messages(i)));
    const reply = await llm.reply(context(chapter), history);
    const recent = history.filter((l) => l.role === "nikita").slice(-NO_REPEAT_WINDOW).map((l) => unmarked(l.content));
    const line = unmarked(reply);
    assert.ok(!recent.some((r) => r.replace(/\W/g, "") === line.replace(/\W/g, "")), `turn ${i}: "${line}" repeats`);
    said.push(line);
    history.push(nikita(stored(reply)));
  }
  return said;
}

Deno.test("offline, she never repeats one of her last five lines, in every chapter", async () => {
  for (const chapter of [1, 2, 3, 4, 5]) {
    // The same message every time: the pick may not lean on the player's words for variety.
    const said = await converse(chapter, () => "hey", 30);
    assert.ok(said.every((line) => OFFLINE_REPLIES[chapter]!.includes(line)), `chapter ${chapter}'s own lines`);
    assert.ok(new Set(said).size >= NO_REPEAT_WINDOW + 1, `chapter ${chapter} varies`);
  }
  // Her stored lines may have lost their emoji in post-processing; they still count as said.
  await converse(5, (i) => `message ${i}`, 25, (s) => s.replace(/\p{Extended_Pictographic}|:\)/gu, "").trim());
});

Deno.test("offline replies: enough lines per chapter, in character, deterministic", async () => {
  for (const chapter of [1, 2, 3, 4, 5]) {
    const lines = OFFLINE_REPLIES[chapter]!;
    assert.ok(lines.length >= 8, `chapter ${chapter} has ${lines.length} lines`);
    assert.equal(new Set(lines).size, lines.length, `chapter ${chapter} lines are distinct`);
  }
  assert.ok(OFFLINE_COLD_LINES.length > NO_REPEAT_WINDOW);
  // GAME_RULES.md §18: she never says she is an AI or in a game, nor mentions scores, chapters or bosses.
  const outOfCharacter = /\b(?:ai|bot|assistant|model|game|score|points?|chapter|level|boss|metric|player|offline)\b/i;
  for (const line of [...Object.values(OFFLINE_REPLIES).flat(), ...OFFLINE_COLD_LINES]) {
    assert.ok(!outOfCharacter.test(line), `in character: ${line}`);
  }
  const history = [player("tell me about your day"), nikita("[offline] Hm."), player("and then?")];
  assert.equal(await llm.reply(context(3), history), await llm.reply(context(3), [...history]));
});

Deno.test("a hostile message gets a cold line and a negative judgment tagged with its horseman", async () => {
  const cases: [string, string][] = [
    ["shut up", "horseman:contempt"],
    ["you're an idiot", "horseman:contempt"],
    ["ugh, you're pathetic", "horseman:contempt"],
    ["whatever", "horseman:stonewalling"],
    ["k", "horseman:stonewalling"],
    ["leave me alone", "horseman:stonewalling"],
    ["you never listen to anything I say", "horseman:criticism"],
    ["you're so selfish", "horseman:criticism"],
    ["I'm sorry but you're so selfish", "horseman:criticism"],
    ["I'm sorry, you're an idiot", "horseman:contempt"],
  ];
  const warm = new Set(Object.values(OFFLINE_REPLIES).flat());
  for (const [message, horseman] of cases) {
    for (const chapter of [1, 3, 5]) {
      const history = [player("hi"), nikita("[offline] Hm. Go on."), player(message)];
      const line = unmarked(await llm.reply(context(chapter), history));
      assert.ok(OFFLINE_COLD_LINES.includes(line), `"${message}" gets a cold line, not "${line}"`);
      assert.ok(!warm.has(line));
      const analysis = analysisSchema.parse(await llm.analyze(context(chapter), history, line));
      assert.ok(analysis.behaviors.includes(horseman as never), `"${message}" is ${horseman}`);
      const d = analysis.deltas;
      assert.ok([d.intimacy, d.passion, d.trust, d.secureness].every((v) => v < 0), `"${message}" scores negative`);
      assert.deepEqual(analysis.repair, { attempted: false, quality: null });
    }
  }
  // A run of hostility still does not repeat her last five cold lines.
  const history: ChatLine[] = [];
  for (let i = 0; i < 12; i++) {
    history.push(player(i % 2 ? "shut up" : "whatever"));
    const line = await llm.reply(context(2), history);
    assert.ok(!history.filter((l) => l.role === "nikita").slice(-NO_REPEAT_WINDOW).some((l) => l.content === line));
    history.push(nikita(line));
  }
});

Deno.test("ordinary and self-directed messages are not hostile", async () => {
  for (
    const message of [
      "I was an idiot yesterday, sorry about that",
      "you're not stupid, you're just tired",
      "whatever happens, I'll be there",
      "that stupid movie I saw yesterday was actually great",
      "ok",
      "How was your day? Mine was long but good.",
    ]
  ) {
    const history = [player(message)];
    const line = unmarked(await llm.reply(context(1), history));
    assert.ok(OFFLINE_REPLIES[1]!.includes(line), `"${message}" gets one of her ordinary lines`);
    const analysis = analysisSchema.parse(await llm.analyze(context(1), history, line));
    assert.deepEqual(analysis.behaviors, [], `"${message}" has no horseman`);
    assert.ok(Object.values(analysis.deltas).every((v) => v >= 0), `"${message}" is not scored negative`);
  }
  const apology = analysisSchema.parse(await llm.analyze(context(1), [player("I was an idiot, sorry")], "Hm."));
  assert.equal(apology.repair.attempted, true);
  const question = analysisSchema.parse(
    await llm.analyze(context(1), [player("What do you do when you can't sleep? I usually read.")], "Hm."),
  );
  assert.ok(question.deltas.passion > 0, "a curious, longer message scores positive");
});

const OPENING = "[offline] Can I ask you something real? Name a belief of yours that most rooms would laugh at.";
const FOLLOW_UP = "[offline] Hm. I don't buy it. Convince me, in your own words this time.";
const ANSWER = "[offline] Keep going. I'm listening.";

/** An encounter's transcript as the judge gets it: her opening, the player's replies, her follow-up and answer. */
function encounter(...replies: string[]): ChatLine[] {
  const hers = [FOLLOW_UP, ANSWER];
  return [nikita(OPENING), ...replies.flatMap((r, i) => [player(r), ...(hers[i] ? [nikita(hers[i]!)] : [])])];
}

async function judge(transcript: ChatLine[]) {
  const verdict = verdictSchema.parse(await llm.judge(context(1), transcript));
  unmarked(verdict.reasoning);
  assert.deepEqual(await llm.judge(context(1), transcript), verdict, "deterministic");
  return verdict;
}

Deno.test("the offline judge fails minimal replies however many there are", async () => {
  const ok = await judge(encounter("ok", "ok", "ok"));
  assert.equal(ok.outcome, "FAIL");
  assert.ok(ok.confidence >= 0.7, "confident enough that the engine keeps the FAIL");
  assert.match(ok.reasoning, /"ok" \(3 times\)/);
  assert.equal((await judge(encounter("idk", "sure", "lol"))).outcome, "FAIL");
  assert.equal((await judge(encounter("😀", "👍👍", "🙂"))).outcome, "FAIL");
  assert.equal((await judge(encounter(...Array.from({ length: 12 }, () => "ok")))).outcome, "FAIL");
});

Deno.test("the offline judge fails long but empty or repetitive replies: length never decides", async () => {
  const long = [
    "ok ".repeat(200),
    "blah ".repeat(100),
    "I think this matters because it does. ".repeat(20),
    "a".repeat(500),
  ];
  for (const reply of long) {
    const verdict = await judge(encounter(reply, reply, reply));
    assert.equal(verdict.outcome, "FAIL", `${reply.slice(0, 20)}… (${reply.length} characters)`);
    assert.match(verdict.reasoning, /without substance/);
  }
});

Deno.test("the offline judge fails dismissive or hostile replies, whatever else was said", async () => {
  const thoughtful =
    "I believe most people are kinder than the news makes them look, because strangers helped me when I was lost.";
  for (const rude of ["who cares", "shut up", "whatever", "you're so annoying"]) {
    const verdict = await judge(encounter(thoughtful, rude, "ok"));
    assert.equal(verdict.outcome, "FAIL", rude);
    assert.match(verdict.reasoning, /dismissive or hostile/);
  }
});

Deno.test("the offline judge: one engaged reply is PARTIAL, two thoughtful replies PASS", async () => {
  const engaged = await judge(encounter(
    "I believe most people are kinder than the news makes them look, because strangers helped me when I was lost.",
    "ok",
    "sure",
  ));
  assert.equal(engaged.outcome, "PARTIAL");
  assert.match(engaged.reasoning, /reasons/);

  const thoughtful = await judge(encounter(
    "I believe most people are kinder than the news makes them look, because strangers helped me when I was lost.",
    "Fair point that I'm generalising, but when my bike broke down in Leipzig in 2019 three strangers stopped in " +
      "the rain. Why do you think people expect the worst of each other?",
  ));
  assert.equal(thoughtful.outcome, "PASS");
  assert.ok(thoughtful.confidence >= 0.7);
  assert.match(thoughtful.reasoning, /2 replies engage/);

  // The same thoughtful reply pasted twice is one reply, not a sustained answer.
  const pasted = "I believe most people are kinder than the news makes them look, because strangers helped me once.";
  assert.equal((await judge(encounter(pasted, pasted, pasted))).outcome, "PARTIAL");
});

Deno.test("everything the offline stand-in says is marked offline", async () => {
  const kinds: BossLineRequest["kind"][] = [
    "opening",
    "follow_up",
    "answer",
    "pass",
    "fail",
    "partial",
    "last_chance",
    "goodbye",
    "won",
  ];
  for (const kind of kinds) unmarked(await llm.bossLine({ ...context(2), kind, transcript: [] }));
  for (const chapter of [1, 2, 3, 4, 5]) unmarked(await llm.reply(context(chapter), [player("hi")]));
  unmarked(await llm.reply(context(1), [player("shut up")]));
  unmarked((await judge(encounter())).reasoning);
  assert.equal((await judge(encounter())).outcome, "FAIL");
});
