// The voice sender (PLATFORM.md §4.5): a `channel = 'voice'` outbox row is a call she places. At dial time it opens
// an outbound session (game.start_outbound_session: the phone read now, her voice prompt, a fresh token), then asks
// ElevenLabs' Twilio outbound-call API through the official SDK to ring the player with the same dynamic variables
// and overrides an inbound call gets. A call must never ring twice, so failures are told apart by whether a call
// may have been placed: refused connections and 429s surely placed none (retried), other 4xx are final, and a
// timeout, a dropped connection or a 5xx after sending leave the row unconfirmed (never redialled).
import { ElevenLabsClient, ElevenLabsError, ElevenLabsTimeoutError } from "npm:@elevenlabs/elevenlabs-js@2.73.0";
import { asServiceRole, type Sql } from "../../platform/db.ts";
import { initiationResponse, type VoiceStart } from "../../voice/initiation.ts";
import type { OutboxRow, Sender, SendFailure } from "../deliver.ts";

export interface VoiceSenderSettings {
  sql: Sql;
  now: () => Date;
  apiKey: string;
  /** ELEVENLABS_API_BASE. */
  baseUrl: string;
  agentId: string;
  /** ELEVENLABS_PHONE_NUMBER_ID: the agent's Twilio number she calls from. */
  phoneNumberId: string;
  tokenSecret: string;
  /** How long the API may take to answer before the dial counts as unconfirmed. */
  timeoutSeconds?: number;
}

/** The outbound-call API answers once Twilio has the call: seconds, not minutes. */
export const DIAL_TIMEOUT_SECONDS = 20;

/** A failure that surely placed no call, decided before or without the provider (no session, no phone, a refusal
 * in the answer's body). */
class DialRefused extends Error {
  constructor(message: string, readonly permanent: boolean) {
    super(message);
  }
}

/** game.start_outbound_session: the inbound available case's shape, plus the phone to dial. */
interface OutboundStart extends VoiceStart {
  phone: string | null;
}

export function voiceSender(settings: VoiceSenderSettings): Sender {
  const client = new ElevenLabsClient({ apiKey: settings.apiKey, baseUrl: settings.baseUrl, maxRetries: 0 });
  const timeoutInSeconds = settings.timeoutSeconds ?? DIAL_TIMEOUT_SECONDS;
  const failSession = (sessionId: string) =>
    asServiceRole(settings.sql, (tx) => tx`select private.fail_outbound_session(${sessionId}::uuid)`);

  return {
    async send(row: OutboxRow) {
      if (!row.user_id) throw new DialRefused("a call row names no player", true);
      const start = await asServiceRole(settings.sql, async (tx) => {
        const [r] = await tx<{ s: OutboundStart }[]>`
          select game.start_outbound_session(${row.user_id}::uuid, ${row.id}, ${settings.now()}) as s`;
        return r!.s;
      }).catch((error) => {
        throw new DialRefused(`no session: ${String(error)}`, false);
      });
      const sessionId = start.session_id!;
      if (!start.phone) {
        await failSession(sessionId);
        throw new DialRefused("the player has no phone number", true);
      }
      const reason = row.payload.reason ?? "touchpoint";
      const answer = initiationResponse(start, sessionId, settings.tokenSecret, reason);
      let result;
      try {
        result = await client.conversationalAi.twilio.outboundCall({
          agentId: settings.agentId,
          agentPhoneNumberId: settings.phoneNumberId,
          toNumber: start.phone,
          conversationInitiationClientData: {
            dynamicVariables: { ...answer.dynamic_variables },
            conversationConfigOverride: {
              agent: {
                prompt: { prompt: answer.conversation_config_override.agent.prompt.prompt },
                firstMessage: answer.conversation_config_override.agent.first_message,
              },
            },
          },
        }, { timeoutInSeconds, maxRetries: 0 });
      } catch (error) {
        // A call that surely never rang frees its session: a retry of the row mints a new one.
        if (!classifyDial(error).unconfirmed) await failSession(sessionId);
        throw error;
      }
      if (!result.success) {
        await failSession(sessionId);
        throw new DialRefused(`call refused: ${result.message}`, true);
      }
      await asServiceRole(
        settings.sql,
        (tx) =>
          tx`select private.set_session_call(${sessionId}::uuid, ${result.callSid ?? null}, ${
            result.conversationId ?? null
          })`,
      );
      return { providerRef: result.conversationId ?? result.callSid ?? sessionId };
    },
    classify: classifyDial,
  };
}

/** The error and its causes, as "name message" lines. */
function chain(error: unknown): string[] {
  const lines: string[] = [];
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const { name, message } = e as { name?: unknown; message?: unknown };
    lines.push(`${String(name ?? "")} ${String(message ?? e)}`);
    e = (e as { cause?: unknown }).cause;
  }
  return lines;
}

/** Whether an error surely placed no call: the connection was never made (refused, no route, no such host). */
function neverConnected(error: unknown): boolean {
  return chain(error).some((l) =>
    /connection refused|ECONNREFUSED|os error 111|dns error|failed to lookup address|ENOTFOUND/i.test(l)
  );
}

/** The SDK's timeout: it aborts the request with the reason "timeout", and Deno's fetch rejects with that reason
 * itself rather than an AbortError, so the SDK passes it on as a plain ElevenLabsError caused by "timeout". */
function timedOut(error: unknown): boolean {
  return error instanceof ElevenLabsTimeoutError ||
    (error instanceof ElevenLabsError && error.cause === "timeout") ||
    chain(error).some((l) => /^(TimeoutError|AbortError) /.test(l));
}

export function classifyDial(error: unknown): SendFailure {
  if (error instanceof DialRefused) return { message: error.message, permanent: error.permanent, retryAfter: null };
  if (timedOut(error)) {
    return { message: "timeout: the call may ring", permanent: false, retryAfter: null, unconfirmed: true };
  }
  if (error instanceof ElevenLabsError && error.statusCode !== undefined) {
    const message = `${error.statusCode} ${describe(error.body)}`;
    // A 429 surely placed no call; the Telegram sends of the same run are not paused for it.
    if (error.statusCode === 429) return { message, permanent: false, retryAfter: null };
    if (error.statusCode >= 500) return { message, permanent: false, retryAfter: null, unconfirmed: true };
    return { message, permanent: true, retryAfter: null };
  }
  if (neverConnected(error)) return { message: `network: ${String(error)}`, permanent: false, retryAfter: null };
  // The request may have reached ElevenLabs (a reset, a body lost): ringing twice is worse than not at all.
  return { message: `unknown: ${String(error)}`, permanent: false, retryAfter: null, unconfirmed: true };
}

function describe(body: unknown): string {
  if (body && typeof body === "object" && "detail" in body) return JSON.stringify((body as { detail: unknown }).detail);
  return typeof body === "string" ? body : JSON.stringify(body ?? null);
}
