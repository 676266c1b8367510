// The offline stand-in (LLM_MODE=offline, refused in production): canned in-character lines and a simple
// heuristic judgment, so the whole loop can be played without keys. Every line is marked as offline.
import type { Analysis, Verdict } from "./analysis.ts";
import type { BossLineRequest, ChatLine, Llm, TurnContext } from "./types.ts";
import { timezoneByCityName } from "./timezone.ts";

const MARK = "[offline] ";

const REPLIES: Record<number, string[]> = {
  1: [
    "Hm. Go on, convince me that was worth reading.",
    "Bold of you. Now say something I haven't heard before.",
    "That's either clever or you got lucky. Which one?",
    "I'm still here, which says something. Don't waste it.",
  ],
  2: [
    "You remembered that? Careful, I might start liking you.",
    "Okay, that made me smile. Don't let it go to your head 😏",
    "You're braver than you look. Keep going.",
  ],
  3: [
    "Lena asked about you today. I didn't tell her much. Yet.",
    "That reminds me of what you said last week. You were right, annoyingly.",
    "I like how you don't flinch when I get intense.",
  ],
  4: [
    "I don't say this often, but I missed you today.",
    "You make it very hard to keep my walls up, you know that?",
    "Tell me something true. I'll trade you one of mine.",
  ],
  5: [
    "Come here. Metaphorically. Or not.",
    "We're ridiculous and I wouldn't change it :)",
    "Fight me on this, I dare you 😘",
  ],
};

const BOSS: Record<BossLineRequest["kind"], string> = {
  opening: "Can I ask you something real? Name a belief of yours that most rooms would laugh at.",
  follow_up: "Hm. I don't buy it. Convince me, in your own words this time.",
  answer: "Keep going. I'm listening.",
  pass: "Okay. You actually got through to me. Don't make it weird.",
  won: "I choose you. There, I said it.",
  fail: "That was disappointing. You get two more chances. Maybe.",
  last_chance: "Last chance. I mean it.",
  partial: "I need a moment to collect my thoughts.",
  goodbye: "I'm done. Take care of yourself.",
};

function pick<T>(items: T[], seed: string): T {
  let h = 0;
  for (const c of seed) h = (h * 31 + c.charCodeAt(0)) | 0;
  return items[Math.abs(h) % items.length]!;
}

/** A heuristic judgment from the player's last message: length, questions, warmth and rudeness. */
function heuristicAnalysis(message: string): Analysis {
  const text = message.toLowerCase();
  const rude = /\b(shut up|stupid|whatever|idiot|boring)\b/.test(text);
  const warm = /\b(thank|love|miss|sorry|understand|feel)\b/.test(text);
  const curious = text.includes("?");
  const long = text.length >= 40;
  const base = rude ? -2 : (long ? 1 : 0) + (curious ? 1 : 0) + (warm ? 1 : 0);
  return {
    deltas: { intimacy: warm ? base + 1 : base, passion: base, trust: rude ? -2 : base, secureness: warm ? 1 : 0 },
    behaviors: rude ? ["horseman:contempt"] : [],
    repair: { attempted: /\bsorry\b/.test(text), quality: /\bsorry\b/.test(text) ? "adequate" : null },
    vice_signals: /\b(dark|death|morbid)\b/.test(text)
      ? [{ category: "dark_humor", confidence: 0.7, positive: true }]
      : [],
    language: {
      needy: /\?\?|are you there/.test(text) ? 0.7 : 0,
      distracted: /^(k|ok|fine)$/.test(text.trim()) ? 0.8 : 0,
    },
    confidence: 0.5,
  };
}

export function createOfflineLlm(): Llm {
  return {
    mode: "offline",
    reply(context: TurnContext, history: ChatLine[]) {
      const last = history.filter((l) => l.role === "player").at(-1)?.content ?? "";
      return Promise.resolve(MARK + pick(REPLIES[context.chapter] ?? REPLIES[1]!, last + history.length));
    },
    analyze(_context: TurnContext, history: ChatLine[]) {
      return Promise.resolve(heuristicAnalysis(history.filter((l) => l.role === "player").at(-1)?.content ?? ""));
    },
    judge(_context: TurnContext, transcript: ChatLine[]): Promise<Verdict> {
      const said = transcript.filter((l) => l.role === "player").map((l) => l.content).join(" ");
      const outcome = said.length >= 120 ? "PASS" : said.length >= 40 ? "PARTIAL" : "FAIL";
      return Promise.resolve({
        outcome,
        confidence: 0.8,
        reasoning: `${MARK}judged by length (${said.length} characters)`,
      });
    },
    bossLine(request: BossLineRequest) {
      return Promise.resolve(MARK + BOSS[request.kind]);
    },
    timezoneFor(city: string) {
      return Promise.resolve(timezoneByCityName(city));
    },
  };
}
