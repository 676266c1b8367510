// Post-processing of her messages (GAME_RULES.md §14.4), applied exactly once before a message is queued.
// The sets and limits are game.tunables rows (emoji_approved, reply_max_emoji, message_max_chars), passed in.

export interface TextRules {
  approvedEmoji: string[];
  maxEmoji: number;
  maxChars: number;
}

// Pictographic emoji (with their modifiers and joiners) and the common text emoticons.
const EMOJI = /\p{Extended_Pictographic}(?:\uFE0F|\u200D\p{Extended_Pictographic}|[\u{1F3FB}-\u{1F3FF}])*/gu;
const EMOTICON = /(?<![\w:;])(?:[:;]-?[)(PpD\/]|xD)(?![\w)(])/g;
const ACTION_MARKER = /(^|[^*])\*[^*\n]+\*(?!\*)/g;

/** Removes `*action*` markers and the whitespace they leave. */
export function stripActionMarkers(text: string): string {
  return text
    .replace(ACTION_MARKER, "$1")
    .replace(/[ \t]{2,}/g, " ")
    .replace(/[ \t]+\n/g, "\n")
    .replace(/\n[ \t]+/g, "\n")
    .trim();
}

/** Keeps only approved emoji and emoticons, at most `maxEmoji` of them (the first ones). */
export function filterEmoji(text: string, rules: TextRules): string {
  const approved = new Set(rules.approvedEmoji);
  let kept = 0;
  const keep = (match: string) => {
    if (!approved.has(match.replace(/\uFE0F/g, "")) || kept >= rules.maxEmoji) return "";
    kept++;
    return match;
  };
  // One pass over both kinds, in order of appearance, so "the first ones" means first in the text.
  const combined = new RegExp(`${EMOJI.source}|${EMOTICON.source}`, "gu");
  return text.replace(combined, keep).replace(/[ \t]{2,}/g, " ").replace(/[ \t]+([.,!?])/g, "$1").trim();
}

/** Splits at the last sentence end before the limit, else the last whitespace, else a hard cut. */
export function splitMessage(text: string, maxChars: number): string[] {
  const parts: string[] = [];
  let rest = text;
  while ([...rest].length > maxChars) {
    const chars = [...rest];
    const window = chars.slice(0, maxChars).join("");
    let cut = -1;
    const sentence = /[.!?…](?=\s)/g;
    for (let m = sentence.exec(window); m; m = sentence.exec(window)) cut = m.index + m[0].length;
    if (cut <= 0) cut = Math.max(window.lastIndexOf(" "), window.lastIndexOf("\n"));
    if (cut <= 0) cut = window.length;
    parts.push(window.slice(0, cut).trim());
    rest = (window.slice(cut) + chars.slice(maxChars).join("")).trim();
  }
  if (rest.length > 0) parts.push(rest);
  return parts;
}

/** The whole of §14.4: markers, emoji, then parts of at most maxChars. */
export function postProcess(text: string, rules: TextRules): string[] {
  return splitMessage(filterEmoji(stripActionMarkers(text), rules), rules.maxChars);
}
