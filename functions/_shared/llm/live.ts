// The live Llm: the prompt modules over one model client.
import type { Ledger } from "./ledger.ts";
import { analyzeCall, analyzeExchange } from "./analyze.ts";
import { writeBossLine } from "./boss_lines.ts";
import { createModelClient } from "./client.ts";
import { writeDailySummary } from "./daily_summary.ts";
import { extractConversation } from "./extract.ts";
import { judgeEncounter } from "./judge.ts";
import { writeLifeEvents } from "./life_events.ts";
import { generatePsyche } from "./psyche.ts";
import { createPsycheBatches } from "./psyche_batches.ts";
import { writeReply } from "./reply.ts";
import { resolveTimezone } from "./timezone.ts";
import { writeTouchpoint } from "./touchpoint.ts";
import type { Llm } from "./types.ts";

export interface Models {
  reply: string;
  analyzer: string;
  judge: string;
  summary: string;
  /** MODEL_EXTRACTION; the reply model when not given (both default to the same model). */
  extraction?: string;
  /** MODEL_PSYCHE: the daily batch and deep generations; the judge model when not given. */
  psyche?: string;
}

export interface LiveOptions {
  apiKey: string;
  baseURL: string;
  maxRetries: number;
  models: Models;
  ledger: Ledger;
}

export function createLiveLlm(options: LiveOptions): Llm {
  const client = createModelClient(options);
  const m = options.models;
  return {
    mode: "live",
    reply: (context, history) => writeReply(client, m.reply, context, history),
    analyze: (context, history, reply) => analyzeExchange(client, m.analyzer, context, history, reply),
    analyzeCall: (context, transcript) => analyzeCall(client, m.analyzer, context, transcript),
    judge: (context, transcript, encounter) => judgeEncounter(client, m.judge, context, transcript, encounter),
    bossLine: (request) => writeBossLine(client, m.reply, request),
    timezoneFor: (city) => resolveTimezone(client, m.summary, city),
    extract: (context, transcript) => extractConversation(client, m.extraction ?? m.reply, context, transcript),
    lifeEvents: (plan) => writeLifeEvents(client, m.summary, plan),
    touchpoint: (request) => writeTouchpoint(client, m.summary, request),
    psyche: (request) => generatePsyche(client, { deep: m.psyche ?? m.judge, quick: m.summary }, request),
    psycheBatches: createPsycheBatches({ ...options, model: m.psyche ?? m.judge }),
    dailySummary: (input) => writeDailySummary(client, m.summary, input),
  };
}
