// The offline stand-in for write_life_events (LLM_MODE=offline): plausible mundane events written from the plan
// alone, deterministic for a player and date, so the play console has her day without keys. Every choice the plan
// makes (count, slots, domains allowed, types, bounds, arcs, lean) is followed; the rest is small templates.
import { type Domain, type LifeEvent, lifeEventsSchema, type LifePlan, type Slot } from "./life_events.ts";

/** A small stable hash, so the same player and date always get the same day. */
function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return h;
}

const pick = <T>(items: readonly T[], n: number): T | undefined => items.length ? items[n % items.length] : undefined;

/** What each type of event reads like: who (by role word) and where (by place word), and a sentence. */
const TEMPLATES: Record<string, { who?: string; where?: string; text: (who: string, where: string) => string }> = {
  project_update: { where: "co-working", text: (_, w) => `Made real progress on the disclosure write-up at ${w}.` },
  meeting: { who: "co-working", where: "co-working", text: (p, w) => `A long sync with ${p} at ${w} ran over.` },
  colleague_interaction: {
    who: "co-working",
    where: "co-working",
    text: (p, w) => `${p} asked her to look over some code at ${w}; she found two bugs in five minutes.`,
  },
  deadline: {
    where: "co-working",
    text: () => "Spent the afternoon racing a deadline for the conference talk slides.",
  },
  win: { where: "co-working", text: () => "A vendor finally confirmed the vulnerability she reported. Quiet win." },
  setback: { where: "co-working", text: () => "Her test setup broke and ate two hours before she found the cause." },
  friend_hangout: {
    who: "friend",
    where: "Cafe",
    text: (p, w) => `Coffee with ${p} at ${w}; they talked far longer than planned.`,
  },
  friend_drama: {
    who: "friend",
    text: (p) => `${p} called upset about a fight with a flatmate; she listened for an hour.`,
  },
  plans_made: { who: "friend", text: (p) => `Made plans with ${p} for the weekend, after a lot of back and forth.` },
  plans_cancelled: { who: "friend", text: (p) => `${p} cancelled their evening plans last minute. Again.` },
  new_person: { where: "Bar", text: (_, w) => `Met someone interesting at ${w} who actually knew what a CVE is.` },
  gym: { where: "Gym", text: (_, w) => `A hard session at ${w}; her legs will hate her tomorrow.` },
  errand: { text: () => "Finally sorted out the post office and the groceries she kept putting off." },
  hobby_activity: {
    where: "apartment",
    text: () => "Spent an hour soldering a small keyboard kit she bought months ago.",
  },
  self_care: { where: "apartment", text: () => "A long bath, a book and her phone on silent for once." },
  health: { text: () => "Woke up with a headache that coffee did not fix right away." },
  travel: { text: () => "Took the train across the city to pick up a parcel that could not be delivered." },
};

/** The domains a slot leans towards, in order of preference, on a work day and on a day off. */
const SLOT_DOMAINS: Record<Slot, { work: Domain[]; off: Domain[] }> = {
  morning: { work: ["work", "personal"], off: ["personal", "social"] },
  afternoon: { work: ["work", "social"], off: ["social", "personal"] },
  evening: { work: ["social", "personal"], off: ["social", "personal"] },
  night: { work: ["personal", "social"], off: ["personal", "social"] },
};

export function offlineLifeEvents(plan: LifePlan): LifeEvent[] {
  const seed = hash(`${plan.user_id}:${plan.date}`);
  const people = plan.seeds.people;
  const byRole = (word: string) => people.filter((p) => p.role.includes(word)).map((p) => p.name);
  const place = (word: string) =>
    word === "co-working" && plan.routine.work === "home"
      ? plan.seeds.places.find((p) => p.includes("apartment"))
      : plan.seeds.places.find((p) => p.includes(word));
  const arcs = [
    ...plan.arcs.resolving.map((a) => ({ ...a, note: `it ended: ${a.outcome.replaceAll("_", " ")}` })),
    ...(plan.arcs.opened ? [{ ...plan.arcs.opened, note: "it just started" }] : []),
    ...plan.arcs.continuing.map((a) => ({ ...a, note: "it goes on" })),
  ];
  const used = new Set<string>();
  const sign = (i: number) => plan.lean === "positive" ? 1 : plan.lean === "negative" ? -1 : i % 2 === 0 ? 1 : -1;
  const energy = plan.routine.energy === "high" ? 1 : plan.routine.energy === "low" ? -1 : 0;
  const events = plan.slots.map((slot, i) => {
    const preferred = SLOT_DOMAINS[slot][plan.day_off ? "off" : "work"];
    const domain = preferred.find((d) => plan.allowed_domains.includes(d)) ?? plan.allowed_domains[0]!;
    const types = plan.event_types[domain].filter((t) => TEMPLATES[t]);
    const therapy = plan.therapy_today && slot === "evening" && plan.allowed_domains.includes("personal");
    const type = therapy ? "self_care" : pick(types, seed + i * 7) ?? plan.event_types[domain][0]!;
    const template = TEMPLATES[type] ?? { text: () => "An ordinary stretch of her day, nothing worth a story." };
    const who = template.who ? pick(byRole(template.who), seed + i) : undefined;
    const where = template.where ? place(template.where) : undefined;
    let description = therapy
      ? "Her fortnightly session with Dr. Miriam; she left quieter than she came."
      : template.text(who ?? "a friend", where ?? "the cafe");
    const arc = arcs.find((a) => a.domain === domain && !used.has(a.kind));
    if (arc) {
      used.add(arc.kind);
      description += ` Part of her ${arc.kind.replaceAll("_", " ")}: ${arc.note}.`;
    }
    const third = (max: number, s: number) => Math.round((max / 3) * s * 100) / 100;
    return {
      time_of_day: slot,
      domain,
      event_type: type,
      description: description.slice(0, plan.limits.description_max),
      people: [...(therapy ? ["Dr. Miriam"] : who ? [who] : [])].slice(0, plan.limits.people_max),
      places: where && !therapy ? [where] : [],
      emotional_impact: {
        arousal: third(plan.impact_max.arousal, energy),
        valence: third(plan.impact_max.valence, sign(i)),
        dominance: 0,
        intimacy: domain === "social" ? third(plan.impact_max.intimacy, 1) : 0,
      },
      importance: arc ? 0.6 : 0.3,
      arc: arc?.kind ?? null,
    };
  });
  // The same checks the live answer passes: an offline day that breaks the plan is a bug here, not a retry.
  return lifeEventsSchema(plan).parse({ events }).events;
}
