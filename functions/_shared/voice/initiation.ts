// POST /initiation (PLATFORM.md §4.3): ElevenLabs asks, while an inbound call rings, what the agent should know and
// say. One call to game.start_voice_session decides the case (unknown caller, not onboarded, unavailable by
// GAME_RULES.md §16, available) and, when she picks up, opens the session; a repeated call_sid gets the same answer.
// No model on this path: the prompt is her ready-made voice prompt, the lines are fixed (lines.ts).
import { z } from "npm:zod@4.6.7";
import { asServiceRole, runsAsServiceRole, type Sql, type Tx } from "../platform/db.ts";
import type { Runtime } from "../platform/runtime.ts";
import {
  NOT_ONBOARDED_FIRST_MESSAGE,
  NOT_ONBOARDED_PROMPT,
  opener,
  PHONE_PERSONA,
  seedOf,
  STRANGER_FIRST_MESSAGE,
  STRANGER_PROMPT,
  UNAVAILABLE_FIRST_MESSAGE,
  UNAVAILABLE_PROMPT,
} from "./lines.ts";
import { signSessionToken, unixSeconds } from "./token.ts";
import { pickLine } from "../lines.ts";

/** What ElevenLabs posts for an inbound Twilio call. */
export const initiationSchema = z.object({
  caller_id: z.string().min(1).max(64),
  agent_id: z.string().min(1).max(128),
  called_number: z.string().min(1).max(64),
  call_sid: z.string().min(1).max(128),
});
export type InitiationRequest = z.infer<typeof initiationSchema>;

/** game.start_voice_session. */
export interface VoiceStart {
  case: "unknown" | "not_onboarded" | "unavailable" | "available";
  session_id: string | null;
  user_id: string | null;
  issued_at: string | number;
  player: {
    display_name: string | null;
    chapter: number;
    chapter_name: string;
    timezone: string;
    local_time: string;
    time_of_day: string;
  } | null;
  availability: { available: boolean; reason: string | null; chapter: number; probability: number } | null;
  voice_prompt: string | null;
  last_summary: string | null;
}

/** The dynamic variables the agent defines (PLATFORM.md §4.3): all of them, always, each a string. */
export interface DynamicVariables {
  player_name: string;
  chapter_name: string;
  local_time: string;
  time_of_day: string;
  last_summary: string;
  call_reason: string;
  secret__signed_token: string;
}

export interface InitiationResponse {
  type: "conversation_initiation_client_data";
  dynamic_variables: DynamicVariables;
  conversation_config_override: { agent: { prompt: { prompt: string }; first_message: string } };
}

export interface InitiationDeps {
  /** The acknowledgement pool: ElevenLabs is ringing the player while this runs. */
  sql: Sql;
  runtime: Runtime;
  /** The availability roll in [0, 1) (GAME_RULES.md §16), drawn here and passed in. */
  random: () => number;
  tokenSecret: string;
}

/** Her prompt when no voice ready prompt is built yet: the persona and what the player block says. */
export function fallbackPrompt(player: NonNullable<VoiceStart["player"]>, lastSummary: string | null): string {
  return [
    PHONE_PERSONA,
    `You are on the phone with ${player.display_name ?? "someone you met recently"}. It is ${player.time_of_day} ` +
    `for them (${player.local_time}).`,
    lastSummary ? `Last time you talked: ${lastSummary}` : "",
  ].filter(Boolean).join("\n\n");
}

/** The answer for one case of a call start (pure: the same start gives the same answer). `callReason` is "inbound"
 * for a call she receives, the touchpoint's reason for one she places (PLATFORM.md §4.5 uses the same variables). */
export function initiationResponse(
  start: VoiceStart,
  callSid: string,
  tokenSecret: string,
  callReason = "inbound",
): InitiationResponse {
  const seed = seedOf(callSid);
  const player = start.player;
  const variables: DynamicVariables = {
    player_name: "",
    chapter_name: "",
    local_time: "",
    time_of_day: "",
    last_summary: "",
    call_reason: callReason,
    secret__signed_token: "",
  };
  const answer = (prompt: string, firstMessage: string): InitiationResponse => ({
    type: "conversation_initiation_client_data",
    dynamic_variables: variables,
    conversation_config_override: { agent: { prompt: { prompt }, first_message: firstMessage } },
  });
  if (start.case === "unknown" || !player) return answer(STRANGER_PROMPT, pickLine(STRANGER_FIRST_MESSAGE, seed));
  if (start.case === "not_onboarded") {
    variables.player_name = player.display_name ?? "";
    return answer(NOT_ONBOARDED_PROMPT, pickLine(NOT_ONBOARDED_FIRST_MESSAGE, seed));
  }
  Object.assign(variables, {
    player_name: player.display_name ?? "",
    chapter_name: player.chapter_name,
    local_time: player.local_time,
    time_of_day: player.time_of_day,
    last_summary: start.last_summary ?? "",
  });
  if (start.case === "unavailable" || !start.session_id || !start.user_id) {
    const reason = start.availability?.reason ?? "busy";
    return answer(
      UNAVAILABLE_PROMPT,
      pickLine(UNAVAILABLE_FIRST_MESSAGE[reason] ?? UNAVAILABLE_FIRST_MESSAGE.busy!, seed),
    );
  }
  variables.secret__signed_token = signSessionToken(tokenSecret, {
    userId: start.user_id,
    sessionId: start.session_id,
    issuedAt: unixSeconds(start.issued_at),
  });
  const prompt = start.voice_prompt
    ? `${PHONE_PERSONA}\n\n${start.voice_prompt}`
    : fallbackPrompt(player, start.last_summary);
  return answer(prompt, opener(player.chapter, player.display_name ?? "", seed));
}

/** Starts (or finds again) the call's session and answers ElevenLabs. */
export async function answerInitiation(deps: InitiationDeps, body: InitiationRequest): Promise<InitiationResponse> {
  const roll = Math.min(Math.max(deps.random(), 0), 1 - Number.EPSILON);
  const now = deps.runtime.now();
  const start = (q: Sql | Tx) =>
    q<{ s: VoiceStart }[]>`
      select game.start_voice_session(${body.caller_id}, ${body.call_sid}, ${now}, ${roll}) as s`;
  const rows = runsAsServiceRole(deps.sql) ? await start(deps.sql) : await asServiceRole(deps.sql, start);
  return initiationResponse(rows[0]!.s, body.call_sid, deps.tokenSecret);
}
