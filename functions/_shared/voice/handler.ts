// The voice function's routes (PLATFORM.md §4, §1): POST /tools/{tool} behind the session token, POST /initiation
// behind the initiation secret, POST /post-call behind the HMAC signature. Every check that can refuse a request
// runs before anything is written: unknown path 404, wrong method 405 with Allow, body over 2 MiB 413, bad token,
// secret or signature 401, malformed JSON 400, a body the schema refuses 422, each as {"error", "message"}.
import type { z } from "npm:zod@4.6.7";
import type { Llm } from "../llm/types.ts";
import type { Embedder } from "../memory/embeddings.ts";
import type { Sql } from "../platform/db.ts";
import {
  BodyError,
  errorResponse,
  functionPath,
  json,
  MAX_BODY_BYTES,
  methodNotAllowed,
  parseJson,
  secretEquals,
} from "../platform/http.ts";
import { log } from "../platform/log.ts";
import type { Runtime } from "../platform/runtime.ts";
import { answerInitiation, initiationSchema } from "./initiation.ts";
import { postCallSchema, recordPostCall } from "./post_call.ts";
import { verifyWebhookSignature } from "./signature.ts";
import { verifySessionToken } from "./token.ts";
import { runTool, TOOL_NAMES, type ToolName, toolParams } from "./tools.ts";

export interface VoiceSecrets {
  /** ELEVENLABS_WEBHOOK_SECRET: the post-call HMAC key. */
  webhook: string;
  /** ELEVENLABS_INITIATION_SECRET: the X-Voice-Webhook-Secret of the initiation webhook. */
  initiation: string;
  /** VOICE_TOKEN_SECRET: the session tokens' key. */
  token: string;
}

export interface VoiceDeps {
  /** The pool the tools use. */
  sql: Sql;
  /** The acknowledgement pool: initiation and post-call answer ElevenLabs while a call rings or has just ended. */
  ackSql: Sql;
  runtime: Runtime;
  embedder: Embedder;
  analyze: Llm["analyze"];
  /** The availability roll (GAME_RULES.md §16). */
  random: () => number;
  secrets: VoiceSecrets;
  /** After a stored post-call event: run the post-conversation pipeline (waitUntil). */
  afterPostCall: (stored: { conversationId: string; userId: string }) => void;
  /** Shorter tool budgets for tests. */
  budgets?: Partial<Record<ToolName, number>>;
}

type Route = { kind: "tool"; tool: ToolName } | { kind: "initiation" } | { kind: "post-call" };

function routeOf(path: string): Route | "unknown_tool" | null {
  if (path === "/initiation") return { kind: "initiation" };
  if (path === "/post-call") return { kind: "post-call" };
  const tool = /^\/tools\/([^/]+)$/.exec(path)?.[1];
  if (tool === undefined) return null;
  return (TOOL_NAMES as string[]).includes(tool) ? { kind: "tool", tool: tool as ToolName } : "unknown_tool";
}

/** The raw body's bytes (the post-call signature covers them exactly), refusing more than MAX_BODY_BYTES (413). */
async function readBytes(req: Request): Promise<Uint8Array> {
  const tooLarge = () =>
    new BodyError(errorResponse(413, "body_too_large", `the body exceeds ${MAX_BODY_BYTES} bytes`));
  if (Number(req.headers.get("content-length") ?? "0") > MAX_BODY_BYTES) throw tooLarge();
  const bytes = new Uint8Array(await req.arrayBuffer());
  if (bytes.byteLength > MAX_BODY_BYTES) throw tooLarge();
  return bytes;
}

function decode(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

/** The body as JSON checked by `schema`: 400 when it is no JSON, 422 saying what the schema refuses. An empty body
 * counts as {} (a tool without parameters). */
function parseBody<S extends z.ZodType>(text: string, schema: S): { data: z.infer<S>; raw: unknown } {
  const raw = text.trim() === "" ? {} : parseJson(text);
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const message = parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ");
    throw new BodyError(errorResponse(422, "invalid_body", message));
  }
  return { data: parsed.data, raw };
}

export function createVoiceHandler(deps: VoiceDeps): (req: Request) => Promise<Response> {
  const initiation = { sql: deps.ackSql, runtime: deps.runtime, random: deps.random, tokenSecret: deps.secrets.token };
  const postCall = {
    sql: deps.ackSql,
    runtime: deps.runtime,
    tokenSecret: deps.secrets.token,
    afterStored: deps.afterPostCall,
  };

  async function tool(req: Request, name: ToolName): Promise<Response> {
    const text = decode(await readBytes(req));
    const claims = verifySessionToken(deps.secrets.token, req.headers.get("x-nikita-session"), deps.runtime.now());
    if (!claims) return errorResponse(401, "invalid_session", "missing, malformed, expired or badly signed session");
    const { data } = parseBody(text, toolParams[name]);
    const result = await runTool(deps, name, claims, data);
    if (result.status === 200) return json({ ok: true, data: result.data });
    if (result.status === 401) return errorResponse(401, "invalid_session", "the session is not this player's");
    return errorResponse(result.status, result.error, result.message);
  }

  async function initiate(req: Request): Promise<Response> {
    const text = decode(await readBytes(req));
    if (!secretEquals(req.headers.get("x-voice-webhook-secret"), deps.secrets.initiation)) {
      return errorResponse(401, "unauthorized", "missing or wrong X-Voice-Webhook-Secret");
    }
    const { data } = parseBody(text, initiationSchema);
    return json(await answerInitiation(initiation, data));
  }

  async function postCallEvent(req: Request): Promise<Response> {
    const bytes = await readBytes(req);
    const check = verifyWebhookSignature(
      deps.secrets.webhook,
      req.headers.get("elevenlabs-signature"),
      bytes,
      deps.runtime.now(),
    );
    if (!check.ok) {
      log("warn", "voice post-call refused", { reason: check.reason });
      return errorResponse(401, "invalid_signature", "missing, malformed, stale or wrong ElevenLabs-Signature");
    }
    const { data, raw } = parseBody(decode(bytes), postCallSchema);
    return json({ status: await recordPostCall(postCall, data, raw) });
  }

  return async (req) => {
    const route = routeOf(functionPath(req, "voice"));
    if (route === null) {
      return errorResponse(404, "not_found", "voice has POST /tools/{tool}, POST /initiation and POST /post-call");
    }
    if (route === "unknown_tool") {
      return errorResponse(404, "unknown_tool", `the tools are ${TOOL_NAMES.join(", ")}`);
    }
    if (req.method !== "POST") return methodNotAllowed(["POST"]);
    try {
      if (route.kind === "tool") return await tool(req, route.tool);
      if (route.kind === "initiation") return await initiate(req);
      return await postCallEvent(req);
    } catch (error) {
      if (error instanceof BodyError) return error.response;
      log("error", "voice request failed", { route: route.kind, error: String(error) });
      return errorResponse(500, "internal_error", "the request could not be handled");
    }
  };
}
