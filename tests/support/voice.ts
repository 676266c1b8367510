// The voice function against the test database: the Telegram harness's app (fake Anthropic, OpenAI, Auth) served by
// voiceHandler, requests shaped as ElevenLabs sends them, and players with a phone number who can call.
import { voiceHandler } from "../../functions/_shared/app.ts";
import type { Sql } from "../../functions/_shared/platform/db.ts";
import type { VoiceDeps } from "../../functions/_shared/voice/handler.ts";
import { type InitiationResponse } from "../../functions/_shared/voice/initiation.ts";
import { initiationRequest, signedWebhookRequest, type WebhookOptions } from "../fakes/elevenlabs.ts";
import { onboardedPlayer } from "./players.ts";
import { type Harness, type HarnessOptions, startHarness } from "./telegram_harness.ts";

export const VOICE_ENV = {
  ELEVENLABS_WEBHOOK_SECRET: "test-elevenlabs-webhook-secret",
  ELEVENLABS_INITIATION_SECRET: "test-elevenlabs-initiation-secret",
  VOICE_TOKEN_SECRET: "test-voice-token-secret-0123456789abcdef",
};

export interface VoiceHarness extends Harness {
  voice: (req: Request) => Promise<Response>;
  /** POST /tools/{tool} with the token (null: no header) and the parameters. */
  tool(name: string, token: string | null, params?: unknown): Promise<Response>;
  /** POST /initiation for a caller, with the initiation secret unless told otherwise. */
  initiate(callerId: string, callSid?: string, secret?: string | null): Promise<Response>;
  /** POST /post-call, signed with the webhook secret unless told otherwise. */
  postCall(body: unknown, options?: Partial<WebhookOptions>): Promise<Response>;
}

const BASE = "http://local/functions/v1/voice";

export function startVoiceHarness(
  options: HarnessOptions & { deps?: Partial<VoiceDeps> } = {},
): VoiceHarness {
  const h = startHarness(options);
  const voice = voiceHandler(h.app, VOICE_ENV, { random: () => 0, ...options.deps });
  return {
    ...h,
    voice,
    tool(name, token, params) {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (token !== null) headers["x-nikita-session"] = token;
      return voice(
        new Request(`${BASE}/tools/${name}`, {
          method: "POST",
          headers,
          body: params === undefined ? undefined : JSON.stringify(params),
        }),
      );
    },
    initiate(
      callerId,
      callSid = `CA${crypto.randomUUID().replaceAll("-", "")}`,
      secret = VOICE_ENV.ELEVENLABS_INITIATION_SECRET,
    ) {
      return voice(initiationRequest(`${BASE}/initiation`, { caller_id: callerId, call_sid: callSid }, secret));
    },
    async postCall(body, webhook = {}) {
      return voice(
        await signedWebhookRequest(`${BASE}/post-call`, body, {
          secret: VOICE_ENV.ELEVENLABS_WEBHOOK_SECRET,
          ...webhook,
        }),
      );
    },
  };
}

/** A random E.164 number no other test uses. */
export function phoneNumber(): string {
  return `+49151${String(Math.floor(Math.random() * 1e8)).padStart(8, "0")}`;
}

/** An onboarded player (chapter 1, named Robin) with a phone number; returns its id and number. */
export async function callingPlayer(sql: Sql, at = new Date()): Promise<{ userId: string; phone: string }> {
  const userId = await onboardedPlayer(sql, 600_000_000 + Math.floor(Math.random() * 1e8), { at });
  const phone = phoneNumber();
  const [saved] = await sql<{ r: string }[]>`select game.save_phone(${userId}, ${phone}, ${at}) as r`;
  if (saved?.r !== "saved") throw new Error(`phone not saved: ${saved?.r}`);
  return { userId, phone };
}

/** Calls in as the player (she picks up: the harness's roll is 0 unless told otherwise) and returns the answer and
 * the session token ElevenLabs would hold. */
export async function callIn(
  h: VoiceHarness,
  phone: string,
  callSid?: string,
): Promise<{ answer: InitiationResponse; token: string }> {
  const res = await h.initiate(phone, callSid);
  if (res.status !== 200) throw new Error(`initiation answered ${res.status}: ${await res.text()}`);
  const answer = await res.json() as InitiationResponse;
  return { answer, token: answer.dynamic_variables.secret__signed_token };
}
