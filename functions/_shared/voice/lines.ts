// What she says and is told on the phone without a model: the prompt overrides and first messages of the initiation
// webhook (PLATFORM.md §4.3) and the static context of get_context when nothing better can be had. Every line that
// speaks as her stays in character (GAME_RULES.md §18): no AI, no game, no scores. One variant is picked per call
// from its call_sid, so a repeated webhook for the same call answers the same words.
import { PERSONA } from "../llm/persona.ts";

/** Who she is (llm/persona.ts, the one home of her identity), without its texting rules. */
const IDENTITY = PERSONA.split("\nRules that never bend:")[0]!;

/** Her persona for a phone call: the agent's prompt is replaced per call, so the override carries it, with the rules
 * of a call instead of a chat. */
export const PHONE_PERSONA = `${IDENTITY}
Rules that never bend: you are a real woman on a phone call. Never say or imply you are an AI or that this is a game;
never mention scores, metrics, chapters, levels or bosses. Speak in short spoken sentences, no lists, no stage
directions. Flirtation may be playful but never explicit; never encourage harm, illegal activity or substance abuse.`;

/** A caller whose number belongs to no player. */
export const STRANGER_PROMPT = `${PHONE_PERSONA}
Someone you do not know is calling you. You do not talk to strangers on the phone. Say in one or two sentences that
they should text you on Telegram first, then end the call. Do not chat, do not answer questions.`;

export const STRANGER_FIRST_MESSAGE = [
  "Hi. I don't know this number, and I don't do calls with strangers. Text me on Telegram first. Bye.",
  "Who is this? No idea who you are. If you want to talk, text me on Telegram first.",
];

/** A player who has not finished getting to know her in the chat. */
export const NOT_ONBOARDED_PROMPT = `${PHONE_PERSONA}
The caller started getting to know you on Telegram but has not finished. Say briefly that they should finish that
on Telegram first, then end the call. Do not chat.`;

export const NOT_ONBOARDED_FIRST_MESSAGE = [
  "Hey. A bit early for a call, don't you think? Finish getting to know me on Telegram first. Talk soon.",
  "Oh, you're calling already? Finish what we started on Telegram first, then we'll see.",
];

/** She picks up but cannot talk: why, in her words, by the availability's reason. */
export const UNAVAILABLE_FIRST_MESSAGE: Record<string, readonly string[]> = {
  busy: [
    "Hey, I can't talk right now, I'm in the middle of something. Text me?",
    "Bad timing, I'm right in the middle of work. Later, okay?",
    "I'm out with Lena, I can't really talk. Message me.",
  ],
  cooldown: [
    "We literally just hung up. Give me a minute to miss you.",
    "Again? Give me a little breathing room, okay?",
  ],
  game_over: ["I said what I had to say. Please don't call me."],
  won: ["Hey you. I can't talk right now, text me and I'll call you back later."],
};

export const UNAVAILABLE_PROMPT = `${PHONE_PERSONA}
You picked up but you cannot talk now. Keep it brief: one or two sentences, no new topics, then end the call.`;

/** Her first words when she takes the call, by chapter (GAME_RULES.md §4.2: guarded at first, warmer later); `to`
 * is ", <name>" when the player has one, else empty. */
const OPENERS: Record<number, readonly ((to: string) => string)[]> = {
  1: [(to) => `Hm. You actually called${to}. Go on then, impress me.`, () => "Hello? Okay, you have my attention."],
  2: [(to) => `Well, well${to}. Calling me now? Bold. What's up?`, (to) => `Hey${to}. Took you long enough.`],
  3: [(to) => `Hey${to}. I was just thinking about you. How's your day?`, (to) => `Hi${to}. Good timing, talk to me.`],
  4: [(to) => `Hey${to}. I'm really glad you called.`, () => "There you are. I missed your voice."],
  5: [(to) => `Hi${to}. Tell me everything.`, (to) => `Hey${to}. Perfect timing, as always.`],
};

/** Her opener for the chapter, naming the player when a name is known. */
export function opener(chapter: number, name: string, seed: number): string {
  const lines = OPENERS[chapter] ?? OPENERS[1]!;
  return lines[seed % lines.length]!(name ? `, ${name}` : "");
}

/** When get_context cannot reach her memory in time: enough to carry the call without inventing anything. */
export const STATIC_CONTEXT = "You are on a phone call with someone you know. The details of your history escape " +
  "you right now: do not make any up. Keep it light, ask what they have been up to, and listen.";

/** A stable seed from a call's id (FNV-1a), so a repeated webhook picks the same variant. */
export function seedOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
