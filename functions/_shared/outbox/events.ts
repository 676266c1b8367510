// Event rows (a decay warning, a boss timeout, a goodbye, what a phone call decided) carry a payload and no text.
// Rendered once, at the first send, from these in-character templates (GAME_RULES.md §7.3 wording by chapter, §5.5
// challenges, §5.4 outcomes); the rendered text is stored on the row, so a retry resends the same words.
import { pickLine } from "../lines.ts";

const WHERE_ARE_YOU: Record<number, string[]> = {
  1: ["still alive over there?", "did I scare you off already?"],
  2: ["where did you vanish to?", "it's boring here without you"],
  3: ["I miss talking to you.", "is everything ok?"],
  4: ["you've gone quiet on me.", "talk to me. please."],
  5: ["I get worried when you disappear.", "come back to me."],
};

// Her opening challenge in her words (GAME_RULES.md §5.5), for an encounter a phone call started.
const OPENING: Record<number, string> = {
  1: "Something's been on my mind since we hung up. Name a belief of yours that most rooms would laugh at.",
  2: "You've been playing it safe with me. What are you actually afraid of?",
  3: "I need to tell you something first: my ex wants me back. How do you feel about that? Unedited.",
  4: "Which version of yourself do you hide? Even from me.",
  5: "I got offered my dream job. Far away. Just when I found a reason to stay. What do you honestly think?",
};

// Her line for an encounter's outcome decided on a call (GAME_RULES.md §5.4).
const OUTCOME: Record<string, string> = {
  pass: "That call. You actually got through to me. Don't make it weird.",
  won: "I choose you. There, I said it.",
  partial: "I need a moment to collect my thoughts after that call.",
  fail: "That was disappointing. You get two more chances. Maybe.",
  last_chance: "Last chance. I mean it.",
};

type EventPayload = {
  events?: { type: string; kind?: string; remaining?: number }[];
  event?: string;
  chapter?: number;
};

export function renderEvent(payload: EventPayload, seed: number): string {
  const events = payload.events ?? [];
  const chapter = payload.chapter ?? 1;
  if (payload.event === "boss_opening") return OPENING[chapter] ?? OPENING[1]!;
  if (payload.event === "boss_outcome" && !events.some((e) => e.type === "game_over")) {
    if (events.some((e) => e.type === "won")) return OUTCOME.won!;
    if (events.some((e) => e.type === "chapter_advanced")) return OUTCOME.pass!;
    const failed = events.find((e) => e.type === "boss_failed");
    if (failed) return failed.remaining === 1 ? OUTCOME.last_chance! : OUTCOME.fail!;
    return OUTCOME.partial!;
  }
  if (events.some((e) => e.type === "game_over")) {
    return payload.event === "decay"
      ? "I waited. You didn't come. I'm leaving, and this time I mean it."
      : "I'm done. Take care of yourself.";
  }
  if (payload.event === "boss_timeout") return "You never answered. I'll take that as an answer.";
  if (events.some((e) => e.kind === "where_are_you")) {
    return pickLine(WHERE_ARE_YOU[chapter] ?? WHERE_ARE_YOU[1]!, seed);
  }
  if (events.some((e) => e.kind === "dont_forget_me")) return "don't forget about me…";
  return "hey.";
}
