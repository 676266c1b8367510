// Her ready prompts (PLATFORM.md §6): the per-player context block of her system prompt (system[1], cached), built
// from game.prompt_inputs after each conversation and at onboarding. Sections in a fixed order, a budget of about
// 6,000 tokens for text and 3,500 for voice (4 characters a token, 10 % headroom), and a fixed drop order when over
// it. The same inputs always give the same text: nothing here reads a clock or draws at random.
import { CHALLENGES, chapterBehaviour } from "../llm/persona.ts";
import { type PsycheState, psycheText } from "../llm/psyche.ts";
import { dayLines, type TodaysEvent } from "../life/lines.ts";
import type { Tx } from "../platform/db.ts";

export type PromptPlatform = "text" | "voice";

/** game.prompt_inputs. */
export interface PromptInputs {
  player: {
    display_name: string | null;
    city: string | null;
    chapter: number;
    days_played: number;
    game_status: string;
  };
  relationship: { band: string | null; engagement_state: string | null; conflict_zone: string; in_boss_fight: boolean };
  memory: {
    facts: Record<"user" | "relationship" | "nikita", { date: string; fact: string }[]>;
    threads: { type: string; content: string }[];
    thoughts: { type: string; content: string }[];
  };
  conversations: { date: string; platform: string; summary: string | null; tone: string | null }[];
  mood: { arousal: number; valence: number; dominance: number; intimacy: number } | null;
  vices: { top: { category: string; intensity: number }[]; expression: string; discovering: boolean };
  /** Her current psyche state (GAME_RULES.md §12.1; the default until one is generated). */
  psyche?: PsycheState | null;
  /** Her day so far (GAME_RULES.md §13: today's events whose slot has begun). */
  life_today?: TodaysEvent[];
}

export interface ReadyPrompt {
  text: string;
  tokenEstimate: number;
  /** The sections kept, and what the budget dropped. */
  sections: { kept: string[]; dropped: string[] };
}

const CHARS_PER_TOKEN = 4;
const HEADROOM = 0.9;
export const PROMPT_BUDGET_TOKENS: Record<PromptPlatform, number> = { text: 6000, voice: 3500 };

const GROUPS = [["user", "About them"], ["relationship", "Between us"], ["nikita", "My life"]] as const;

const ENGAGEMENT: Record<string, string> = {
  calibrating: "You are still working out their rhythm.",
  in_zone: "Their rhythm suits you.",
  drifting: "They feel a little further away lately.",
  clingy: "They have been texting too much, too needily: it crowds you.",
  distant: "They have been absent and distracted: it stings more than you admit.",
  out_of_zone: "Things between you have been off for days.",
};

const CONFLICT: Record<string, string> = {
  calm: "",
  warm: "There is some friction between you.",
  hot: "You are in a real conflict with them: be direct about it.",
  critical: "This is a crisis between you: you are hurt and close to walking away.",
};

function level(value: number): string {
  return value < 0.3 ? "low" : value > 0.7 ? "high" : "medium";
}

interface Section {
  name: string;
  text: string;
}

function memoryLines(inputs: PromptInputs, perGroup: number): string {
  const parts = GROUPS.flatMap(([key, title]) => {
    const facts = inputs.memory.facts[key].slice(0, perGroup);
    return facts.length ? [`${title}:\n${facts.map((f) => `[${f.date}] ${f.fact}`).join("\n")}`] : [];
  });
  return parts.length ? `What you remember:\n${parts.join("\n")}` : "";
}

function sections(inputs: PromptInputs, platform: PromptPlatform, drop: Set<string>): Section[] {
  const p = inputs.player;
  const out: Section[] = [];
  const name = p.display_name ?? "someone you met recently";
  out.push({
    name: "current state",
    text: `You are talking to ${name}${p.city ? `, who lives in ${p.city}` : ""}. You have known each other for ` +
      `${p.days_played} day${p.days_played === 1 ? "" : "s"} of talking.` +
      (inputs.relationship.in_boss_fight ? " Something important is being decided between you right now." : ""),
  });
  const r = inputs.relationship;
  out.push({
    name: "relationship state",
    text: [
      r.band ? `How it feels between you: ${r.band}.` : "",
      ENGAGEMENT[r.engagement_state ?? ""] ?? "",
      CONFLICT[r.conflict_zone] ?? "",
    ].filter(Boolean).join(" "),
  });
  const perGroup = drop.has("memory beyond the top 5") ? 5 : 30;
  out.push({ name: "memory", text: memoryLines(inputs, perGroup) });
  const conversations = inputs.conversations.slice(0, drop.has("older summaries") ? 1 : 5)
    .filter((c) => c.summary)
    .map((c) => `[${c.date}${c.platform === "voice" ? ", a call" : ""}] ${c.summary}`);
  const threads = inputs.memory.threads.map((t) => `- ${t.content}`);
  out.push({
    name: "continuity",
    text: [
      conversations.length ? `Your last conversations:\n${conversations.join("\n")}` : "",
      threads.length ? `Things to come back to:\n${threads.join("\n")}` : "",
    ].filter(Boolean).join("\n"),
  });
  if (!drop.has("inner life")) {
    const mood = inputs.mood;
    const thoughts = inputs.memory.thoughts.map((t) => `- ${t.content}`);
    out.push({
      name: "inner life",
      text: [
        mood
          ? `Your mood: energy ${level(mood.arousal)}, mood ${level(mood.valence)}, assertiveness ` +
            `${level(mood.dominance)}, openness ${level(mood.intimacy)}.`
          : "",
        thoughts.length ? `What you have been thinking about them:\n${thoughts.join("\n")}` : "",
        ...dayLines(inputs.life_today),
      ]
        .filter(Boolean).join("\n"),
    });
  }
  if (inputs.psyche) {
    // Her guidance and topics stay; the detail (monologue, attachment, defenses) goes before her inner life does.
    const psyche = psycheText(inputs.psyche);
    out.push({
      name: "psyche guidance",
      text: drop.has("psyche detail") ? psyche.guidance : `${psyche.guidance}
${psyche.detail}`,
    });
  }
  const challenge = CHALLENGES[p.chapter] ?? CHALLENGES[1]!;
  out.push({
    name: "chapter behaviour",
    text: `How you are with them: ${chapterBehaviour(p.chapter)}` +
      (drop.has("chapter examples")
        ? ""
        : `\nWhat wins you over: ${challenge.pass}. What puts you off: ${challenge.fail}.`),
  });
  if (!drop.has("vice shaping") && inputs.vices.top.length) {
    out.push({
      name: "vice shaping",
      text: `What draws you in (${inputs.vices.expression}, never beyond your limits): ` +
        inputs.vices.top.map((v) => v.category.replace(/_/g, " ")).join(", ") + ".",
    });
  }
  if (platform === "voice") {
    out.push({
      name: "speaking style",
      text: "You are on the phone: speak in short spoken sentences, no lists, no emoji, no stage directions; " +
        "leave pauses for them; never read anything out.",
    });
  }
  return out.filter((s) => s.text.trim().length > 0);
}

const DROP_ORDER = [
  "vice shaping",
  "chapter examples",
  "psyche detail",
  "inner life",
  "memory beyond the top 5",
  "older summaries",
] as const;

function render(list: Section[]): string {
  return list.map((s) => s.text).join("\n\n");
}

/** The ready prompt for a platform: all sections while they fit, else dropped in order, else a hard cut at the end
 * of the memory section. */
export function buildReadyPrompt(inputs: PromptInputs, platform: PromptPlatform): ReadyPrompt {
  const budget = Math.floor(PROMPT_BUDGET_TOKENS[platform] * CHARS_PER_TOKEN * HEADROOM);
  const drop = new Set<string>();
  let list = sections(inputs, platform, drop);
  for (const step of DROP_ORDER) {
    if (render(list).length <= budget) break;
    drop.add(step);
    list = sections(inputs, platform, drop);
  }
  let text = render(list);
  if (text.length > budget) {
    // The hard cut: the memory section loses its tail until everything fits.
    const memory = list.find((s) => s.name === "memory");
    if (memory) memory.text = memory.text.slice(0, Math.max(0, memory.text.length - (text.length - budget)));
    text = render(list).slice(0, budget);
    drop.add("memory cut");
  }
  return {
    text,
    tokenEstimate: Math.ceil(text.length / CHARS_PER_TOKEN),
    sections: { kept: list.map((s) => s.name), dropped: [...drop] },
  };
}

/** Rebuilds and stores both ready prompts of a player (the pipeline's prompt stage, and onboarding's bootstrap). */
export async function rebuildReadyPrompts(tx: Tx, userId: string, conversationId: string | null, now: Date) {
  const [row] = await tx<{ i: PromptInputs }[]>`select game.prompt_inputs(${userId}, ${now}) as i`;
  const built: Record<PromptPlatform, ReadyPrompt> = {
    text: buildReadyPrompt(row!.i, "text"),
    voice: buildReadyPrompt(row!.i, "voice"),
  };
  for (const platform of ["text", "voice"] as const) {
    const p = built[platform];
    await tx`select game.save_ready_prompt(${userId}, ${platform}, ${p.text}, ${p.tokenEstimate},
      ${tx.json(p.sections as never)}, ${conversationId}, ${now})`;
  }
  return built;
}
