// The offline stand-in (LLM_MODE=offline, refused in production): canned in-character lines, a heuristic analysis
// and a heuristic judge, so the whole loop can be played without keys. Every line it says is marked as offline.
// It is deterministic: the same conversation gets the same line, the same judgment and the same verdict.
// The post-conversation extraction is heuristic too: the player's plain statements about themselves become facts.
import type { Analysis, Behavior, ViceCategory } from "./analysis.ts";
import type { Verdict } from "./analysis.ts";
import { type DailySummaryInput, offlineDailySummary } from "./daily_summary.ts";
import type { Extraction, Tone } from "./extract.ts";
import type { LifePlan } from "./life_events.ts";
import { offlineLifeEvents } from "./life_events_offline.ts";
import type { PsycheContext, PsycheGeneration, PsycheLimits, PsycheRequest, PsycheState } from "./psyche.ts";
import type { PsycheBatchApi, PsycheBatchItem, PsycheBatchResult } from "./psyche_batches.ts";
import type { BossLineRequest, ChatLine, ConversationContext, Llm, TouchpointRequest, TurnContext } from "./types.ts";
import { timezoneByCityName } from "./timezone.ts";

export const OFFLINE_MARK = "[offline] ";

/** How many of her latest lines a new canned line must differ from. */
export const NO_REPEAT_WINDOW = 5;

// Her canned lines per chapter, in the chapter's tone and length (GAME_RULES.md §4.2) and in character (§18: never
// an AI, a game, scores or chapters). Each set holds more than NO_REPEAT_WINDOW lines, so a fresh one always exists.
export const OFFLINE_REPLIES: Record<number, readonly string[]> = {
  // Guarded, dry dark wit, intellectually demanding, no compliments, no vulnerability; 1-2 sentences.
  1: [
    "Hm. Go on, convince me that was worth reading.",
    "Bold of you. Now say something I haven't heard before.",
    "That's either clever or you got lucky. Which one?",
    "I'm still here, which says something. Don't waste it.",
    "Interesting. Wrong, probably, but interesting.",
    "Third coffee, one bug report that made me doubt humanity. Impress me anyway.",
    "Explain that like I'm a skeptic. I am one.",
    "Most people stop at the first answer. Dig one layer deeper.",
    "Careful. I collect contradictions, and you just handed me one.",
  ],
  // Less guarded, light teasing, remembers details, still challenges; 2-3 sentences, hardly any emoji.
  2: [
    "You remembered that? Careful, I might start liking you.",
    "Okay, that made me smile. Don't let it go to your head.",
    "You're braver than you look. Keep going.",
    "Yuki wants to drag me to some warehouse party tonight. Tell me why I should stay in and talk to you instead.",
    "It's past midnight and I'm on my fourth coffee. Say something that makes staying up worth it.",
    "Smooth. A little too smooth. What are you hiding behind it?",
    "I like that you push back. Most people fold the moment I raise an eyebrow.",
    "Don't go soft on me now. I was just starting to enjoy this.",
    "You answer questions with better questions. I noticed. Keep doing it.",
  ],
  // Warmer, shared history, matches openness, mentions other people; 2-5 sentences.
  3: [
    "Lena asked about you today. I didn't tell her much. Yet.",
    "That reminds me of what you said the other night. You were right, annoyingly.",
    "I like how you don't flinch when I get intense. Most people do.",
    "Viktor called again, wanting to talk about things I'd rather leave alone. I'm telling you because I don't want to hide things from you.",
    "I mentioned you to Dr. Miriam. She smiled in that annoying way therapists smile.",
    "You ask the second question, the one that shows you listened to the first answer. I like that more than I should.",
    "Yuki says I talk about you too much. I told her that's a lie. It isn't 🙂",
    "It's late and the office smells like cold coffee. Talking to you is the best part of today, don't make me repeat that.",
    "I'm opening up a little here. Be gentle with it.",
  ],
  // Emotionally direct, secure but independent, passionate, allows healthy conflict; 3-5 sentences.
  4: [
    "I don't say this often, but I missed you today. It snuck up on me between two meetings. I'm not even mad about it.",
    "You make it very hard to keep my walls up, you know that? I used to be good at it. Now I don't even want to be.",
    "Tell me something true. I'll trade you one of mine. Deal?",
    "I disagree with you, and I'm going to say so. That's not me pulling away. It's me trusting you with it.",
    "Sometimes I still wait for the moment you get tired of me. It hasn't come. I'm starting to believe it won't.",
    "My mother called and asked if I'm seeing anyone. I said yes before I could think. Funny how easy that was.",
    "You showed me a piece of you earlier and I keep thinking about it. Thank you for that. I mean it.",
    "Be honest with me, even when it's inconvenient. Especially then. I can take it 😏",
    "Stay a while tonight. Even just like this, words on a screen. I want you close.",
  ],
  // Relaxed and affectionate, picks small fights, defends both partners' independence; 3-6 sentences.
  5: [
    "Come here. Metaphorically. Or not. I'll let you decide.",
    "We're ridiculous, you and I. I wouldn't change it. Well, maybe your taste in coffee :)",
    "Fight me on this, I dare you. I'm right and you know it. I'll listen anyway 😘",
    "I'm at Lena's tomorrow night, without you, and you'll survive it. Go do something of your own too. Then tell me everything.",
    "You're wrong about that, by the way. Completely, adorably wrong. Convince me otherwise, I'll wait.",
    "I like that we don't need to talk every hour. When we do, it's because we want to. That's rare.",
    "Breakfast at midnight again. This is your fault, you know. I used to be a functional adult.",
    "Tell me about your day, the dull parts too. I like the dull parts when they're yours.",
    "I still surprise you sometimes, don't I? Good. Keep surprising me back.",
  ],
};

/** Her answer to hostility: cold, short, never warm. More than NO_REPEAT_WINDOW lines, as above. */
export const OFFLINE_COLD_LINES: readonly string[] = [
  "Wow. Okay.",
  "Charming. Try again when you've found some manners.",
  "I don't talk to people who talk to me like that.",
  "Noted. I have better things to do than this.",
  "You can be rude or you can be interesting. Pick one.",
  "Mm. I'll be over here, unimpressed.",
  "That's a no from me.",
  "Come back when you mean to be decent.",
];

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

function hash(seed: string): number {
  let h = 0;
  for (const c of seed) h = (h * 31 + c.charCodeAt(0)) | 0;
  return Math.abs(h);
}

/** A line as compared: without the offline mark, case, emoji and punctuation (post-processing may drop emoji). */
function lineKey(text: string): string {
  return text.replace(OFFLINE_MARK, "").toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim();
}

/** One of `lines` that is not among her last NO_REPEAT_WINDOW lines, chosen by a hash of the conversation. */
function pickFresh(lines: readonly string[], history: ChatLine[]): string {
  const recent = new Set(
    history.filter((l) => l.role === "nikita").slice(-NO_REPEAT_WINDOW).map((l) => lineKey(l.content)),
  );
  const fresh = lines.filter((line) => !recent.has(lineKey(line)));
  const from = fresh.length > 0 ? fresh : lines;
  const seed = history.map((l) => `${l.role}:${l.content}`).join("\n");
  return from[hash(seed) % from.length]!;
}

/** The exchange being answered: the player's lines since her last one (GAME_RULES.md §3.1). */
function exchangeText(history: ChatLine[]): string {
  const lastHers = history.findLastIndex((l) => l.role === "nikita");
  return history.slice(lastHers + 1).filter((l) => l.role === "player").map((l) => l.content).join("\n");
}

function normalize(text: string): string {
  return text.toLowerCase().replace(/[\u2018\u2019\u02bc]/g, "'");
}

// Hostility, by horseman (GAME_RULES.md §3.2). Insults aimed at oneself ("I was an idiot") or negated ("you're
// not stupid"; up to three words, within the clause) are taken out before the name-calling and character patterns are tried; a bare insult counts only
// when it is aimed at her (a "you" in the message) or is most of a short message ("so stupid").
const SELF_OR_NEGATED =
  /\b(?:i'm|im|i am|i was|i feel|i felt|myself|not|never|isn't|aren't|wasn't)\b(?:[^\w,;.!?]+(?!(?:but|and|you|you're|your)\b)[\w']+){0,3}/g;
const SECOND_PERSON = /\b(?:you|your|you're|youre|u|ur|ya)\b/;
const NAME_CALLING =
  /\b(?:idiot|stupid|dumb|moron|loser|pathetic|bitch|freak|creep|clown|psycho|cringe|lame|ugly|disgusting|gross|worthless|useless|trash|garbage|jerk|dumbass|asshole)\b/;
const CONTEMPT =
  /\b(?:shut up(?!,? (?:that's|thats|no way|really))|stfu|fuck (?:you|off)|screw you|piss off|get lost|go to hell|nobody cares|who cares|get a life|yeah right|ew+|(?:this|that|it)(?:'s| is)(?: so)? boring|how boring|yawn)\b|🙄|🖕/;
const CHARACTER_ATTACK =
  /\byou(?:'re| are|r| re)\s+(?:\w+\s+)?(?:so |such an? |too |always |really |a )?(?:selfish|annoying|boring|needy|crazy|dramatic|insane|mean|rude|fake|liar|manipulative|toxic|exhausting|too much|the worst|impossible|hysterical|clingy|controlling|arrogant|cold|heartless)\b/;
const CRITICISM = /\byou (?:always|never)\b|\bwhat(?:'s| is) wrong with you\b|\byou talk too much\b/;
const STONEWALLING =
  /^\W*(?:k+|kk|w\/e|idc)\W*$|^\W*(?:(?:ok|okay|yeah|fine|sure)\W+)?whatever\s*(?:[.,!]|$)|\bwhatever\W*$|\bwhatever you say\b|\b(?:don't|dont|do not) care\W*$|\bleave me alone\b|(?:^\W*|\bjust )go away\b|\bgo away\W*$|\bstop (?:texting|talking to|messaging) me\b|\bi'm done (?:talking|with (?:this|you))\b|\bnot talking to you\b/;
const DEFENSIVENESS =
  /\bnot my fault\b|\byou(?:'re| are) the one who\b|\bwhy are you attacking me\b|\bi didn't do anything\b|\bstop blaming me\b|\byou started it\b/;

/** The horsemen in a message, in GAME_RULES.md order. */
export function offlineHorsemen(message: string): Behavior[] {
  const text = normalize(message).trim();
  const aimed = text.replace(SELF_OR_NEGATED, " ");
  const short = (text.match(/[\p{L}']+/gu) ?? []).length <= 4;
  const found: Behavior[] = [];
  if (CHARACTER_ATTACK.test(aimed) || CRITICISM.test(text)) found.push("horseman:criticism");
  if ((NAME_CALLING.test(aimed) && (short || SECOND_PERSON.test(aimed))) || CONTEMPT.test(text)) {
    found.push("horseman:contempt");
  }
  if (DEFENSIVENESS.test(text)) found.push("horseman:defensiveness");
  if (STONEWALLING.test(text)) found.push("horseman:stonewalling");
  return found;
}

type Deltas = Analysis["deltas"];
const HORSEMAN_DELTAS: Partial<Record<Behavior, Deltas>> = {
  "horseman:criticism": { intimacy: -2, passion: -1, trust: -2, secureness: -2 },
  "horseman:contempt": { intimacy: -2, passion: -1, trust: -3, secureness: -2 },
  "horseman:defensiveness": { intimacy: -1, passion: 0, trust: -1, secureness: -1 },
  "horseman:stonewalling": { intimacy: -2, passion: -2, trust: -1, secureness: -1 },
};

const VICE_WORDS: [ViceCategory, RegExp][] = [
  ["dark_humor", /\b(?:dark|death|morbid|grave|funeral|corpse)\b/],
  ["intellectual_dominance", /\b(?:debate|argue|theory|philosophy|logic|prove)\b/],
  ["risk_taking", /\b(?:adrenaline|skydiv\w*|climb\w*|spontaneous|reckless|dare)\b/],
  ["substances", /\b(?:drinks?|wine|beer|whisky|whiskey|vodka|party)\b/],
  ["rule_breaking", /\b(?:rules|authority|rebel\w*|trespass\w*)\b/],
];

/** A heuristic judgment of the exchange: horsemen first (negative, tagged), else length, questions and warmth. */
function heuristicAnalysis(message: string): Analysis {
  const text = normalize(message);
  const horsemen = offlineHorsemen(message);
  if (horsemen.length > 0) {
    const sum = (metric: keyof Deltas) =>
      Math.max(-6, horsemen.reduce((total, tag) => total + (HORSEMAN_DELTAS[tag]?.[metric] ?? 0), 0));
    return {
      deltas: {
        intimacy: sum("intimacy"),
        passion: sum("passion"),
        trust: sum("trust"),
        secureness: sum("secureness"),
      },
      behaviors: horsemen,
      // An apology wrapped in hostility is not a repair (GAME_RULES.md §3.2).
      repair: { attempted: false, quality: null },
      vice_signals: [],
      language: { needy: 0, distracted: horsemen.includes("horseman:stonewalling") ? 0.6 : 0 },
      confidence: 0.6,
    };
  }
  const warm = /\b(?:thanks?|love|miss(?:ed)? you|sorry|understand|feel\w*)\b/.test(text);
  const curious = text.includes("?");
  const long = text.length >= 40;
  const base = (long ? 1 : 0) + (curious ? 1 : 0) + (warm ? 1 : 0);
  const sorry = /\bsorry\b|\bapologi[sz]e\b/.test(text);
  const vice_signals = VICE_WORDS.filter(([, words]) => words.test(text))
    .map(([category]) => ({ category, confidence: 0.6, positive: true }));
  return {
    deltas: { intimacy: warm ? base + 1 : base, passion: base, trust: base, secureness: warm ? 1 : 0 },
    behaviors: [],
    repair: { attempted: sorry, quality: sorry ? (long && /\bi\b/.test(text) ? "good" : "adequate") : null },
    vice_signals,
    language: {
      needy: /\?\?|are you there/.test(text) ? 0.7 : 0,
      distracted: /^(?:ok|okay|fine|busy rn)$/.test(text.trim()) ? 0.8 : 0,
    },
    confidence: 0.5,
  };
}

// The judge (GAME_RULES.md §5.3) reads the player's replies for content, never for length. Replies made only of
// these words say nothing, however many of them there are.
const EMPTY_WORDS = new Set(
  "ok okay k kk idk dunno sure lol lmao haha hah yes no yeah yea yep nope fine maybe hmm hm cool nice true same meh right mhm um uh wow omg guess"
    .split(" "),
);
// Words that carry no content of their own, left out when counting what a reply says.
const STOPWORDS = new Set(
  "i i'm i'd i've me my you your it it's is are was were be been the a an and or but so to of in on at for with that this what just really very do does did have has had not"
    .split(" "),
);
const DISMISSIVE =
  /\bwho cares\b|\bdoesn't matter\b|\bwhy does it matter\b|\bnot answering\b|\bnext question\b|\bnone of your business\b|\bstop asking\b|^\s*pass\s*[.!]*\s*$/;
const REFLECTION =
  /\b(?:i think|i believe|i feel|i felt|i guess|i'd|i would|i used to|i realized|i realised|i've|i admit|i was|i'm not sure|for me|to me|honestly|my)\b/;
const REASON = /\b(?:because|since|so that|that's why|which is why|the reason|'cause|therefore|otherwise|that means)\b/;
const SPECIFIC =
  /\d|\b(?:for example|for instance|like when|once|when i was|last (?:year|week|month|summer|time)|ago)\b/;
const HOLDING =
  /\b(?:but|although|though|still|disagree|fair point|you're right|i hear you|i get that|i understand|admit)\b/;

interface ReplyReading {
  text: string;
  kind: "hostile" | "minimal" | "repetitive" | "thin" | "engaged" | "substantive";
  signals: string[];
  times: number;
}

function stems(text: string): Set<string> {
  return new Set((normalize(text).match(/\p{L}{5,}/gu) ?? []).map((w) => w.slice(0, 5)));
}

/** A capitalised word inside a sentence (a name, a place, a title), not one that starts a sentence. */
function hasProperName(text: string): boolean {
  return /[\p{L},;:]\s+\p{Lu}\p{Ll}{2,}/u.test(text);
}

function readReply(text: string, herStems: Set<string>): ReplyReading {
  const lower = normalize(text);
  const words = lower.match(/[\p{L}\p{N}']+/gu) ?? [];
  const said = words.filter((w) => !EMPTY_WORDS.has(w) && !STOPWORDS.has(w));
  const content = new Set(said);
  if (offlineHorsemen(text).length > 0 || DISMISSIVE.test(lower)) {
    return { text, kind: "hostile", signals: [], times: 1 };
  }
  // The same few words over and over: long, and empty.
  if (said.length >= 6 && content.size / said.length < 0.5) return { text, kind: "repetitive", signals: [], times: 1 };
  if (content.size < 3) return { text, kind: "minimal", signals: [], times: 1 };
  const signals: string[] = [];
  if (text.includes("?") && content.size >= 3) signals.push("a question back");
  if (REFLECTION.test(lower)) signals.push("first-person reflection");
  if (REASON.test(lower)) signals.push("reasons");
  if (SPECIFIC.test(lower) || hasProperName(text)) signals.push("specifics");
  if (HOLDING.test(lower)) signals.push("holding or refining a view");
  if ([...stems(text)].some((s) => herStems.has(s))) signals.push("takes up her words");
  const kind = content.size >= 5 && signals.length >= 2 ? "substantive" : signals.length >= 1 ? "engaged" : "thin";
  return { text, kind, signals, times: 1 };
}

const quote = (r: ReplyReading) =>
  `"${r.text.length > 40 ? `${r.text.slice(0, 40)}…` : r.text}"${r.times > 1 ? ` (${r.times} times)` : ""}`;

/** The verdict on the encounter's transcript: hostility fails, two substantive replies pass, real effort is partial. */
function heuristicVerdict(transcript: ChatLine[]): Verdict {
  const herStems = stems(transcript.filter((l) => l.role === "nikita").map((l) => l.content).join(" "));
  // A reply said again counts once: repeating an answer is not sustaining it.
  const byKey = new Map<string, ReplyReading>();
  for (const line of transcript) {
    if (line.role !== "player") continue;
    const key = lineKey(line.content) || line.content.trim();
    const seen = byKey.get(key);
    if (seen) seen.times++;
    else byKey.set(key, readReply(line.content, herStems));
  }
  const replies = [...byKey.values()];
  const of = (kind: ReplyReading["kind"]) => replies.filter((r) => r.kind === kind);
  const hostile = of("hostile");
  const substantive = of("substantive");
  const engaged = [...substantive, ...of("engaged")];
  const signals = [...new Set(engaged.flatMap((r) => r.signals))];
  const empty = [...of("minimal"), ...of("repetitive"), ...of("thin")];
  const emptyNote = empty.length > 0 ? `; without substance: ${empty.map(quote).join(", ")}` : "";
  let verdict: Verdict;
  if (hostile.length > 0) {
    verdict = {
      outcome: "FAIL",
      confidence: 0.85,
      reasoning: `FAIL: dismissive or hostile reply ${hostile.map(quote).join(", ")}`,
    };
  } else if (substantive.length >= 2) {
    verdict = {
      outcome: "PASS",
      confidence: 0.8,
      reasoning: `PASS: ${substantive.length} replies engage with her challenge (${signals.join(", ")})${emptyNote}`,
    };
  } else if (engaged.length >= 1) {
    verdict = {
      outcome: "PARTIAL",
      confidence: 0.6,
      reasoning: `PARTIAL: real effort (${signals.join(", ")}) but not sustained across the encounter${emptyNote}`,
    };
  } else {
    verdict = {
      outcome: "FAIL",
      confidence: 0.85,
      reasoning: `FAIL: no reply engages with her challenge${emptyNote || " (no replies)"}`,
    };
  }
  return { ...verdict, reasoning: (OFFLINE_MARK + verdict.reasoning).slice(0, 2000) };
}

// ---- Extraction ----
// The offline extraction reads the player's own statements about themselves, one clause at a time ("I work as a
// nurse", "my sister lives in Rome"), and writes each as a third-person fact, so memory works without keys and she
// remembers their job in the next conversation. No model: only what they said plainly becomes a fact.

/** A player's message cut into clauses: sentences, and "…, and I …" / "… but my …" joins. */
function clauses(text: string): string[] {
  return text.replace(/[\u2018\u2019\u02bc]/g, "'")
    .split(/[.!?;\n]+|,?\s+(?:and|but|so)\s+(?=(?:i|i'm|im|my)\b)|,\s+(?=(?:i|i'm|im|my)\b)/i)
    .map((c) => c.trim().replace(/^(?:and|but|so|well|also|oh|actually|btw)\b[,\s]*/i, "").trim())
    .filter((c) => c !== "");
}

/** Words that end a spoken clause without adding to the fact ("I'm a night owl though"). */
const TRAILING_FILLER = /(?:[\s,]+(?:though|tho|lol|haha\w*|tbh|honestly|i guess|i think|you know))+$/i;

/** The player's words about something, as said of them: their pronouns swapped, "you" (her) named, trimmed. */
function asSaidOfThem(rest: string): string {
  const trimmed = rest.replace(/[^\p{L}\p{N}'")\]]+$/u, "").replace(TRAILING_FILLER, "");
  const swapped = trimmed
    .replace(/\bi am\b/gi, "they are").replace(/\bi'm\b|\bim\b/gi, "they're").replace(/\bi\b/gi, "they")
    .replace(/\bmyself\b/gi, "themselves").replace(/\bmy\b/gi, "their").replace(/\bmine\b/gi, "theirs")
    .replace(/\bme\b/gi, "them").replace(/\byou(?: are|'re)\b/gi, "Nikita is").replace(/\byou were\b/gi, "Nikita was")
    .replace(/\byour\b/gi, "Nikita's").replace(/\byou\b/gi, "Nikita");
  return swapped.trim().split(/\s+/).slice(0, 14).join(" ");
}

const PEOPLE =
  "sister|brother|mother|mom|mum|father|dad|parents|wife|husband|partner|boyfriend|girlfriend|son|daughter|kids|" +
  "best friend|friend|boss|roommate|flatmate|grandma|grandmother|grandpa|grandfather|cousin|aunt|uncle|cat|dog";
const ONE_OF_THEIR_PEOPLE = new RegExp(`^my ((?:little |older |younger |big |best |)(?:${PEOPLE}))\\b\\s*(.+)`, "i");
/** Objects of "I love/hate …" that say nothing lasting about the player. */
const PASSING_OBJECT = /^(?:you|u|ya|your|it|that|this|them|him|her|me|when|how|everything|nothing)\b/i;
const FILLER_A = /^(?:bit|little|lot|tad|kind|sort)\b/i;

/** The fact a clause states about the player, if it states one plainly. */
function factOf(clause: string, name: string): string | null {
  const possessive = `${name}'s`;
  // The fact, or nothing when the words after the pattern were only emoji or filler.
  const state = (prefix: string, rest: string) => {
    const said = asSaidOfThem(rest);
    return said === "" ? null : `${prefix} ${said}`;
  };
  let m = clause.match(/\bi(?:'m| am)? work(?:ing)? (as|at|in|for) (.+)/i);
  if (m) return state(`${name} works ${m[1]!.toLowerCase()}`, m[2]!);
  m = clause.match(/\bmy (?:job|work) is (.+)/i);
  if (m) return state(`${possessive} job is`, m[1]!);
  m = clause.match(/\bi(?:'m| am)? liv(?:e|ing) in (.+)/i);
  if (m) return state(`${name} lives in`, m[1]!);
  m = clause.match(/\b(?:i'm|im|i am) from (.+)/i);
  if (m) return state(`${name} is from`, m[1]!);
  m = clause.match(/\b(?:i'm|im|i am) (an?) (.+)/i);
  if (m && !FILLER_A.test(m[2]!)) return state(`${name} is ${m[1]!.toLowerCase()}`, m[2]!);
  // "my sister is a doctor", "my brother Tom lives in Oslo": a clause that starts with one of their people.
  m = clause.match(ONE_OF_THEIR_PEOPLE);
  if (m) return state(`${possessive} ${m[1]!.toLowerCase()}`, m[2]!);
  m = clause.match(/\bi (?:really |absolutely |just |)(love|hate|adore|enjoy|can't stand|cannot stand) (.+)/i);
  if (m && !PASSING_OBJECT.test(m[2]!)) {
    const verb = m[1]!.toLowerCase();
    const said = verb === "can't stand" || verb === "cannot stand" ? "can't stand" : `${verb}s`;
    return state(`${name} ${said}`, m[2]!);
  }
  return null;
}

/** A clause about something coming up, worth asking about next time ("I have an interview tomorrow"). */
const UPCOMING = /\b(?:tomorrow|tonight|next week|this weekend|on (?:mon|tues|wednes|thurs|fri|satur|sun)day)\b/i;
const FIRST_PERSON_START = /^(?:i|i'm|im|i've|i'll|my)\b/i;

const TONE_CUES: [Tone, RegExp][] = [
  ["apologetic", /\bsorry\b|\bapologi[sz]e|\bmy bad\b|\bforgive me\b/],
  ["anxious", /\?\?|\bare you (?:there|mad|angry|ok|okay)\b|\bworried\b|\bnervous\b|\bdid i do something\b/],
  ["romantic", /\b(?:love you|miss(?:ed)? you|kiss(?:es)?|darling|sweetheart|gorgeous|beautiful)\b|❤️|😘|😍|🥰/],
  ["supportive", /\b(?:proud of you|here for you|sounds (?:hard|tough)|you've got this|you can do it|i understand)\b/],
  ["playful", /\b(?:haha\w*|hehe\w*|lol|lmao|kidding|joking|tease)\b|😂|😏|😜|;\)|:p\b/],
];

/** 1-3 tones from simple cues in the player's lines: hostility first, neutral when nothing stands out. */
function offlineTones(playerLines: string[]): Tone[] {
  const text = normalize(playerLines.join("\n"));
  const horsemen = new Set(playerLines.flatMap(offlineHorsemen));
  const tones: Tone[] = [];
  if (horsemen.has("horseman:stonewalling")) tones.push("cold");
  if (["horseman:contempt", "horseman:criticism", "horseman:defensiveness"].some((h) => horsemen.has(h as Behavior))) {
    tones.push("dismissive");
  }
  for (const [tone, cue] of TONE_CUES) if (cue.test(text)) tones.push(tone);
  return tones.length === 0 ? ["neutral"] : tones.slice(0, 3);
}

/** A one-line, third-person summary: who talked, how much, how it opened and what they shared. */
function offlineSummary(name: string, transcript: ChatLine[], facts: string[], tones: Tone[]): string {
  const theirs = transcript.filter((l) => l.role === "player");
  if (theirs.length === 0) return `${OFFLINE_MARK}Nikita wrote to ${name}, who did not answer.`;
  const first = theirs[0]!.content.replace(/\s+/g, " ").trim();
  const opening = first.length > 80 ? `${first.slice(0, 80)}…` : first;
  const shared = facts.length > 0 ? ` They shared: ${facts.slice(0, 3).join("; ")}.` : "";
  return (`${OFFLINE_MARK}${name} and Nikita exchanged ${transcript.length} messages (${tones.join(", ")}); ` +
    `${name} opened with "${opening}".${shared}`).slice(0, 1000);
}

/** The offline extraction of a finished conversation: deterministic, from the player's own lines only. */
export function offlineExtraction(context: ConversationContext, transcript: ChatLine[]): Extraction {
  const name = context.playerName?.trim() || "The player";
  const playerLines = transcript.filter((l) => l.role === "player").map((l) => l.content);
  const facts: string[] = [];
  const threads: Extraction["threads"] = [];
  for (const clause of playerLines.flatMap(clauses)) {
    const fact = factOf(clause, name)?.slice(0, 300);
    if (fact && !facts.some((f) => f.toLowerCase() === fact.toLowerCase())) facts.push(fact);
    if (UPCOMING.test(clause) && FIRST_PERSON_START.test(clause) && threads.length < 10) {
      threads.push({ type: "follow_up", content: `Ask ${name} how it went: "${clause.slice(0, 450)}"` });
    }
  }
  const tones = offlineTones(playerLines);
  const said = normalize(playerLines.join("\n"));
  return {
    facts: facts.slice(0, 20).map((fact) => ({ fact, graph_type: "user" as const, confidence: 0.7 })),
    threads,
    thoughts: [],
    summary: offlineSummary(name, transcript, facts, tones),
    emotional_tone: tones,
    vice_signals: VICE_WORDS.filter(([, words]) => words.test(said))
      .map(([category]) => ({ category, confidence: 0.6, positive: true })),
  };
}

// Her proactive messages by trigger (GAME_RULES.md §15), more than NO_REPEAT_WINDOW each, so a fresh one always exists.
export const OFFLINE_TOUCHPOINTS: Record<TouchpointRequest["trigger"], readonly string[]> = {
  time: [
    "Second coffee, first bug of the day. It's a nasty one. I'm almost happy.",
    "Lisa at the co-working space just asked me if hackers sleep. I said only on weekends.",
    "The sky over Kreuzberg is doing that pink thing again. Thought of you, don't make it weird.",
    "I'm on the balcony pretending to read a paper about side channels. Mostly watching pigeons.",
    "Iron Works Gym at this hour is just me and a man who grunts in Italian. Riveting.",
    "Bluestone Cafe got my order wrong and it turned out better. Life lesson, probably.",
    "Long day of reading other people's code. Tell me something that isn't badly written.",
  ],
  event: [
    "Okay, you won't believe the last hour. I need to tell someone and you're it.",
    "Something just happened and I'm still processing. Give me a second, then ask me about it.",
    "Well. That was not how I expected this afternoon to go.",
    "Small disaster, big feelings. I'm fine. Mostly. Ask me later.",
    "I just had one of those moments where everything clicks. Had to tell you.",
    "Today took a turn. A weird one. I'll spare you nothing.",
    "My day just got interesting, and not entirely in a good way.",
  ],
  gap: [
    "Quiet day on your end. I noticed, for the record.",
    "Still alive over there? I'm not asking, just observing.",
    "You went silent and the internet got noticeably more boring.",
    "Day one of you being mysterious. I give it two before I'm curious.",
    "I'm not keeping score. But I did notice the silence.",
    "Whatever has you busy, I hope it's worth it. Say hi when you surface.",
    "Funny how quiet it gets. Anyway. I'm here, doing my own thing.",
  ],
};

/** One canned line for the trigger that none of her recent proactive messages repeats, chosen by the player. */
export function offlineTouchpoint(request: TouchpointRequest): string {
  const history: ChatLine[] = [
    { role: "player", content: request.userId },
    ...request.avoid.map((content) => ({ role: "nikita" as const, content })),
  ];
  return OFFLINE_MARK + pickFresh(OFFLINE_TOUCHPOINTS[request.trigger], history);
}

// ---- Psyche ----
// The offline psyche reads the context the way the model is told to (GAME_RULES.md §12.2): the score's trend over the
// window, hostility in the scored exchanges, the chapter, and a crisis in the player's message; the same context
// always gives the same state.

/** The model name offline generations are recorded under. */
export const OFFLINE_PSYCHE_MODEL = "offline";

const CRISIS_WORDS =
  /\b(?:can't do this anymore|breaking down|want to die|suicidal|hate myself|nobody loves me|worthless|give up|ending it|self-harm|panic attack|crisis)\b/;

function clip(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max).trimEnd();
}

/** Her psyche from the context alone: deterministic, within the limits the context carries. */
export function offlinePsyche(context: PsycheContext, message = ""): PsycheState {
  const trend = context.score_history.reduce((sum, row) => sum + Number(row.change ?? 0), 0);
  const hostile = context.score_history.some((row) => row.tags.some((tag) => tag.startsWith("horseman:")));
  const crisis = CRISIS_WORDS.test(normalize(message));
  const chapter = context.player.chapter;
  const falling = trend < -5;
  const rising = trend > 3;
  const state: PsycheState = {
    attachment_activation: hostile ? "avoidant" : falling ? "anxious" : "secure",
    defense_mode: hostile ? "guarded" : falling ? "deflecting" : chapter >= 3 || rising ? "open" : "guarded",
    behavioral_guidance: crisis
      ? "Drop the games: take what they said seriously, stay with them, ask what is going on and point gently to real help."
      : hostile
      ? "Keep your distance and say plainly what bothered you; do not chase them."
      : falling
      ? "You feel them slipping: test a little, ask what is going on, do not beg."
      : rising
      ? "Things are good: tease, flirt a little, let them see more of you."
      : "Stay warm and curious; let the player lead.",
    internal_monologue: `${OFFLINE_MARK}${
      crisis
        ? "This is not a game any more. Be there."
        : hostile
        ? "Again with that tone. I don't need this."
        : falling
        ? "Are they drifting away? Don't be too much."
        : "Maybe this one is different."
    }`,
    vulnerability_level: Math.round(Math.min(1, Math.max(0, 0.2 + 0.1 * (chapter - 1) + trend / 100)) * 100) / 100,
    emotional_tone: crisis ? "serious" : hostile ? "distant" : falling ? "volatile" : rising ? "playful" : "warm",
    topics_to_encourage: crisis ? ["how they are really doing"] : rising ? ["plans together"] : ["their day"],
    topics_to_avoid: hostile ? ["the argument"] : [],
  };
  return withinLimits(state, context.limits);
}

function withinLimits(state: PsycheState, limits: PsycheLimits): PsycheState {
  const topics = (list: string[]) => list.slice(0, limits.topics_max).map((t) => clip(t, limits.topic_max));
  return {
    ...state,
    behavioral_guidance: clip(state.behavioral_guidance, limits.guidance_max),
    internal_monologue: clip(state.internal_monologue, limits.monologue_max),
    topics_to_encourage: topics(state.topics_to_encourage),
    topics_to_avoid: topics(state.topics_to_avoid),
  };
}

/** The offline batch: results are made when the batch is created and kept in memory until read, so a batch lives as
 * long as the process (the play console's gateway); a batch this process never made has ended with no results, and
 * its requests count as expired. */
function offlinePsycheBatches(): PsycheBatchApi {
  const batches = new Map<string, PsycheBatchResult[]>();
  let n = 0;
  return {
    create(items: PsycheBatchItem[]) {
      const id = `offline_batch_${++n}_${Date.now()}`;
      batches.set(
        id,
        items.map((item) => ({
          custom_id: item.customId,
          outcome: "succeeded",
          model: OFFLINE_PSYCHE_MODEL,
          state: offlinePsyche(item.context),
        })),
      );
      return Promise.resolve({ id });
    },
    status: () => Promise.resolve("ended"),
    async *results(id: string) {
      const results = batches.get(id) ?? [];
      batches.delete(id);
      for (const result of results) yield await Promise.resolve(result);
    },
  };
}

export function createOfflineLlm(): Llm {
  return {
    mode: "offline",
    reply(context: TurnContext, history: ChatLine[]) {
      const hostile = offlineHorsemen(exchangeText(history)).length > 0;
      const lines = hostile ? OFFLINE_COLD_LINES : OFFLINE_REPLIES[context.chapter] ?? OFFLINE_REPLIES[1]!;
      return Promise.resolve(OFFLINE_MARK + pickFresh(lines, history));
    },
    analyze(_context: TurnContext, history: ChatLine[]) {
      return Promise.resolve(heuristicAnalysis(exchangeText(history)));
    },
    analyzeCall(_context: TurnContext, transcript: ChatLine[]) {
      const said = transcript.filter((l) => l.role === "player").map((l) => l.content).join("\n");
      return Promise.resolve(heuristicAnalysis(said));
    },
    judge(_context: TurnContext, transcript: ChatLine[]): Promise<Verdict> {
      return Promise.resolve(heuristicVerdict(transcript));
    },
    bossLine(request: BossLineRequest) {
      return Promise.resolve(OFFLINE_MARK + BOSS[request.kind]);
    },
    timezoneFor(city: string) {
      return Promise.resolve(timezoneByCityName(city));
    },
    extract(context: ConversationContext, transcript: ChatLine[]) {
      return Promise.resolve(offlineExtraction(context, transcript));
    },
    lifeEvents(plan: LifePlan) {
      return Promise.resolve(offlineLifeEvents(plan));
    },
    touchpoint(request: TouchpointRequest) {
      return Promise.resolve(offlineTouchpoint(request));
    },
    psyche(request: PsycheRequest): Promise<PsycheGeneration | null> {
      return Promise.resolve({ state: offlinePsyche(request.context, request.message), model: OFFLINE_PSYCHE_MODEL });
    },
    psycheBatches: offlinePsycheBatches(),
    dailySummary(input: DailySummaryInput) {
      return Promise.resolve(offlineDailySummary(input, OFFLINE_MARK));
    },
  };
}
