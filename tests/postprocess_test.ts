import assert from "node:assert/strict";
import {
  filterEmoji,
  postProcess,
  splitMessage,
  stripActionMarkers,
  type TextRules,
} from "../functions/_shared/outbox/postprocess.ts";

const rules: TextRules = {
  approvedEmoji: ["😏", "🙄", "🍆", "😘", "😅", "🥲", "🙂", ":)", ":(", ":P", ";)", ":/"],
  maxEmoji: 2,
  maxChars: 4096,
};

Deno.test("action markers and the space they leave are removed", () => {
  assert.equal(stripActionMarkers("*smiles* hey you *leans back* what now?"), "hey you what now?");
  assert.equal(stripActionMarkers("2 * 3 is six"), "2 * 3 is six");
});

Deno.test("only approved emoji survive, at most two, the first ones", () => {
  assert.equal(filterEmoji("nice 👍 try 🔥🎉", rules), "nice try");
  assert.equal(filterEmoji("ok 😏 fine 🙄 whatever 😘", rules), "ok 😏 fine 🙄 whatever");
  assert.equal(filterEmoji("😅😅😅", rules), "😅😅");
  assert.equal(filterEmoji("sure :) or :D ;)", rules), "sure :) or ;)");
});

Deno.test("long text splits at sentence ends, then whitespace, then a hard cut", () => {
  const sentence = "This is a sentence. ";
  const text = sentence.repeat(300).trim();
  const parts = splitMessage(text, 4096);
  assert.ok(parts.length === 2);
  assert.ok(parts.every((p) => [...p].length <= 4096));
  assert.ok(parts[0]!.endsWith("."));
  assert.equal(parts.join(" "), text);
  assert.deepEqual(splitMessage("word ".repeat(10).trim(), 12), [
    "word word",
    "word word",
    "word word",
    "word word",
    "word word",
  ]);
  assert.deepEqual(splitMessage("x".repeat(10), 4), ["xxxx", "xxxx", "xx"]);
});

Deno.test("postProcess applies the three steps in order", () => {
  assert.deepEqual(postProcess("*sighs* fine. 🔥 you win 😏", rules), ["fine. you win 😏"]);
});

Deno.test('event rows render in her voice: the chapter\'s "where are you", the goodbye alone when the game ended', async () => {
  const { renderEvent } = await import("../functions/_shared/outbox/events.ts");
  const chapter3 = ["I miss talking to you.", "is everything ok?"];
  assert.ok(
    chapter3.includes(
      renderEvent({ event: "decay", chapter: 3, events: [{ type: "warning", kind: "where_are_you" }] }, 7),
    ),
  );
  assert.match(renderEvent({ event: "decay", chapter: 3, events: [{ type: "game_over" }] }, 7), /leaving/);
  assert.equal(
    renderEvent({ event: "decay", chapter: 2, events: [{ type: "warning", kind: "dont_forget_me" }] }, 1),
    "don't forget about me…",
  );
});

Deno.test("what a call decided renders in her voice: the chapter's opening, and each outcome of an encounter", async () => {
  const { renderEvent } = await import("../functions/_shared/outbox/events.ts");
  const outcome = (events: Record<string, unknown>[]) =>
    renderEvent({ event: "boss_outcome", chapter: 3, events: events as { type: string }[] }, 1);
  assert.match(renderEvent({ event: "boss_opening", chapter: 3 }, 1), /my ex wants me back/);
  assert.match(renderEvent({ event: "boss_opening", chapter: 5 }, 1), /dream job/);
  assert.match(outcome([{ type: "chapter_advanced", from: 3, to: 4 }]), /got through to me/);
  assert.equal(outcome([{ type: "won" }]), "I choose you. There, I said it.");
  assert.match(outcome([{ type: "boss_failed", attempts: 1, remaining: 2 }]), /two more chances/);
  assert.equal(outcome([{ type: "boss_failed", attempts: 2, remaining: 1 }]), "Last chance. I mean it.");
  assert.match(outcome([{ type: "boss_partial", judge_error: false }]), /collect my thoughts/);
  assert.doesNotMatch(outcome([{ type: "game_over", reason: "boss" }]), /chances|collect/, "the goodbye alone");
});
