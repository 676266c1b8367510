// POST /post-call (PLATFORM.md §4.4): once the signature over the raw body holds (handler.ts), the event is stored in
// one transaction by game.record_post_call (unique per type and conversation: a replay is 'duplicate'; the call's
// conversation, its messages and its pipeline job) and acknowledged with 200 whatever the status, since ElevenLabs
// does not retry by default and disables a webhook after repeated failures. The pipeline then runs after the answer.
import { z } from "npm:zod@4.6.7";
import { asServiceRole, runsAsServiceRole, type Sql, type Tx } from "../platform/db.ts";
import type { Runtime } from "../platform/runtime.ts";
import { verifySessionTokenIgnoringExpiry } from "./token.ts";

/** The envelope every post-call event has; everything else (transcript, metadata, analysis, ...) is kept as sent. */
export const postCallSchema = z.looseObject({
  type: z.string().min(1).max(64),
  event_timestamp: z.number().int().nonnegative(),
  data: z.looseObject({ conversation_id: z.string().min(1).max(256) }),
});

export type PostCallStatus = "stored" | "duplicate" | "unmatched" | "ignored";

export interface PostCallDeps {
  /** The acknowledgement pool, so an insert never queues behind the pipeline it starts. */
  sql: Sql;
  runtime: Runtime;
  tokenSecret: string;
  /** Runs the post-conversation pipeline after the response (waitUntil); the job's row is its backstop. */
  afterStored: (stored: { conversationId: string; userId: string }) => void;
}

function objectAt(value: unknown, key: string): Record<string, unknown> | undefined {
  const v = (value as Record<string, unknown> | null | undefined)?.[key];
  return v !== null && typeof v === "object" && !Array.isArray(v) ? v as Record<string, unknown> : undefined;
}

function stringAt(value: unknown, key: string): string | null {
  const v = (value as Record<string, unknown> | null | undefined)?.[key];
  return typeof v === "string" && v !== "" ? v : null;
}

/** Who the call was with, as far as the event says: the signed token of the call (expiry ignored: the call is over,
 * and an invalid token is no error, only no help) and the Twilio call_sid; record_post_call also tries the session
 * by conversation_id. */
export function callIdentity(payload: z.infer<typeof postCallSchema>, tokenSecret: string, now: Date) {
  const variables = objectAt(objectAt(payload.data, "conversation_initiation_client_data"), "dynamic_variables");
  const claims = verifySessionTokenIgnoringExpiry(tokenSecret, stringAt(variables, "secret__signed_token"), now);
  const callSid = stringAt(objectAt(objectAt(payload.data, "metadata"), "phone_call"), "call_sid") ??
    stringAt(variables, "system__call_sid");
  return { userId: claims?.userId ?? null, sessionId: claims?.sessionId ?? null, callSid };
}

/** Stores the event and answers its status; `raw` is the body as parsed, unknown fields and all. */
export async function recordPostCall(
  deps: PostCallDeps,
  event: z.infer<typeof postCallSchema>,
  raw: unknown,
): Promise<PostCallStatus> {
  const now = deps.runtime.now();
  const who = callIdentity(event, deps.tokenSecret, now);
  const record = (q: Sql | Tx) =>
    q<{ r: { status: PostCallStatus; conversation_id?: string | null; user_id?: string | null } }[]>`
      select game.record_post_call(${event.type}, ${event.data.conversation_id},
        to_timestamp(${event.event_timestamp}), ${q.json(raw as never)}, ${who.userId}::uuid, ${who.sessionId}::uuid,
        ${who.callSid}, ${now}) as r`;
  const rows = runsAsServiceRole(deps.sql) ? await record(deps.sql) : await asServiceRole(deps.sql, record);
  const result = rows[0]!.r;
  if (result.status === "stored" && result.conversation_id && result.user_id) {
    deps.afterStored({ conversationId: result.conversation_id, userId: result.user_id });
  }
  return result.status;
}
