// Event rows (a decay warning, a boss timeout, a goodbye) carry a payload and no text. Rendered once, at the first
// send, from these in-character templates (GAME_RULES.md §7.3 wording by chapter); the rendered text is stored on
// the row, so a retry resends the same words.
import { pickLine } from "../lines.ts";

const WHERE_ARE_YOU: Record<number, string[]> = {
  1: ["still alive over there?", "did I scare you off already?"],
  2: ["where did you vanish to?", "it's boring here without you"],
  3: ["I miss talking to you.", "is everything ok?"],
  4: ["you've gone quiet on me.", "talk to me. please."],
  5: ["I get worried when you disappear.", "come back to me."],
};

export function renderEvent(
  payload: { events?: { type: string; kind?: string }[]; event?: string; chapter?: number },
  seed: number,
): string {
  const events = payload.events ?? [];
  const chapter = payload.chapter ?? 1;
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
