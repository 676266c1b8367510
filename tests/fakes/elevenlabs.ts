// A fake ElevenLabs for the tests and the local stack, both directions of PLATFORM.md §4:
// - its outbound-call API, POST /v1/convai/twilio/outbound-call (the official SDK talks to it through baseUrl):
//   answers {success, message, conversation_id, callSid}, records every request, and can be told to fail the next
//   ones: 429 (no call placed), a 5xx, or a timeout after accepting (the call rings, the answer never comes);
// - its webhooks: bodies signed exactly as ElevenLabs signs them (`ElevenLabs-Signature: t=<unix>,v0=<hex>`, v0 =
//   hex HMAC-SHA256(secret, "<t>.<raw body>"), computed here with Web Crypto like the SDK, independently of the
//   function's own check) and posted to a URL, plus the initiation webhook with its header secret.

export interface OutboundCallBody {
  agent_id: string;
  agent_phone_number_id: string;
  to_number: string;
  conversation_initiation_client_data?: {
    dynamic_variables?: Record<string, string | number | boolean>;
    conversation_config_override?: unknown;
  };
}

/** What the fake does with one request: answer, refuse with a status, or accept and never answer. */
export type OutboundFailure =
  | 429
  /** A refusal (4xx: a number Twilio will not dial) or a server error (5xx, after which the call may ring). */
  | { status: 400 | 404 | 422 | 500 | 502 | 503 | 504; /** whether the call rang (default false) */ dialled?: boolean }
  | "timeout";

export interface OutboundCallRecord {
  apiKey: string | null;
  body: OutboundCallBody;
  /** The status answered, or "timeout" when the fake held the answer until the client gave up. */
  outcome: number | "timeout";
  /** Whether a real ElevenLabs would have placed the call (success, a timeout after accepting, a 5xx told so). */
  dialled: boolean;
  conversationId: string | null;
  callSid: string | null;
}

export interface FakeElevenLabs {
  /** The API root to give the SDK as baseUrl (ELEVENLABS_API_BASE). */
  url: string;
  /** Every outbound-call request, in order. */
  calls: OutboundCallRecord[];
  /** How the next requests fail, one entry per request; an empty list answers success. */
  failures: OutboundFailure[];
  /** When set, a request with another xi-api-key is 401. */
  apiKey: string | null;
  /** How long a "timeout" request is held at most (ms); closing the fake ends it sooner. */
  holdMs: number;
  /** The calls that rang. */
  dialled(): OutboundCallRecord[];
  /** Told of each call as it rings (the play console announces her call). */
  onDial?: (call: OutboundCallRecord) => void;
  close(): Promise<void>;
}

function randomHex(bytes: number): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, "0")).join("");
}

export function startFakeElevenLabs(port = 0): FakeElevenLabs {
  const closing = Promise.withResolvers<void>();
  const fake: FakeElevenLabs = {
    url: "",
    calls: [],
    failures: [],
    apiKey: null,
    holdMs: 60_000,
    dialled: () => fake.calls.filter((c) => c.dialled),
    close: async () => {
      closing.resolve();
      await server.shutdown();
    },
  };
  const server = Deno.serve({ port, hostname: "127.0.0.1", onListen: () => {} }, async (req) => {
    const path = new URL(req.url).pathname;
    if (req.method !== "POST" || path !== "/v1/convai/twilio/outbound-call") {
      return Response.json({ detail: { status: "not_found", message: `no route ${req.method} ${path}` } }, {
        status: 404,
      });
    }
    const apiKey = req.headers.get("xi-api-key");
    if (!apiKey || (fake.apiKey !== null && apiKey !== fake.apiKey)) {
      return Response.json({ detail: { status: "invalid_api_key", message: "Invalid API key" } }, { status: 401 });
    }
    let body: OutboundCallBody;
    try {
      body = await req.json() as OutboundCallBody;
    } catch {
      return Response.json({ detail: [{ msg: "body is not JSON" }] }, { status: 422 });
    }
    if (!body?.agent_id || !body.agent_phone_number_id || !body.to_number) {
      return Response.json({ detail: [{ msg: "agent_id, agent_phone_number_id and to_number are required" }] }, {
        status: 422,
      });
    }
    const failure = fake.failures.shift();
    const record: OutboundCallRecord = {
      apiKey,
      body,
      outcome: 200,
      dialled: false,
      conversationId: null,
      callSid: null,
    };
    fake.calls.push(record);
    if (failure === 429) {
      record.outcome = 429;
      return Response.json({ detail: { status: "too_many_concurrent_requests", message: "Too many requests" } }, {
        status: 429,
        headers: { "retry-after": "1" },
      });
    }
    if (typeof failure === "object") {
      record.outcome = failure.status;
      record.dialled = failure.dialled ?? false;
      const detail = failure.status < 500
        ? { status: "invalid_request", message: `to_number ${body.to_number} cannot be dialled` }
        : { status: "internal_error", message: "Internal server error" };
      return Response.json({ detail }, { status: failure.status });
    }
    record.conversationId = `conv_${randomHex(12)}`;
    record.callSid = `CA${randomHex(16)}`;
    record.dialled = true;
    fake.onDial?.(record);
    if (failure === "timeout") {
      // Accepted and dialling: the answer is held past any client's timeout (until holdMs, or the fake closes).
      record.outcome = "timeout";
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([closing.promise, new Promise((r) => (timer = setTimeout(r, fake.holdMs)))]);
      clearTimeout(timer);
      return new Response(null, { status: 504 });
    }
    return Response.json({
      success: true,
      message: "Success",
      conversation_id: record.conversationId,
      callSid: record.callSid,
    });
  });
  fake.url = `http://127.0.0.1:${server.addr.port}`;
  return fake;
}

// ---- webhooks ----

/** `t=<unix>,v0=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`, as ElevenLabs signs a webhook (Web Crypto, as the
 * SDK's own check computes it). */
export async function elevenLabsSignature(secret: string, rawBody: string, at = new Date()): Promise<string> {
  const t = Math.floor(at.getTime() / 1000);
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    {
      name: "HMAC",
      hash: "SHA-256",
    },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${t}.${rawBody}`));
  return `t=${t},v0=${Array.from(new Uint8Array(mac), (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

export interface WebhookOptions {
  /** The signing secret; null sends no signature header at all. */
  secret: string | null;
  /** When the event is signed (default: now). */
  at?: Date;
  /** Sends this header value instead of the computed one. */
  signature?: string;
}

/** Builds the signed request ElevenLabs would POST; `body` is sent as given when it is a string, else as JSON. */
export async function signedWebhookRequest(url: string, body: unknown, options: WebhookOptions): Promise<Request> {
  const raw = typeof body === "string" ? body : JSON.stringify(body);
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (options.signature !== undefined) headers["elevenlabs-signature"] = options.signature;
  else if (options.secret !== null) {
    headers["elevenlabs-signature"] = await elevenLabsSignature(options.secret, raw, options.at);
  }
  return new Request(url, { method: "POST", headers, body: raw });
}

/** Signs and posts a webhook to `url` (a running function or the gateway). */
export async function sendWebhook(url: string, body: unknown, options: WebhookOptions): Promise<Response> {
  return await fetch(await signedWebhookRequest(url, body, options));
}

/** The conversation-initiation webhook ElevenLabs sends while an inbound Twilio call rings. */
export function initiationRequest(
  url: string,
  body: { caller_id: string; call_sid: string; agent_id?: string; called_number?: string },
  secret: string | null,
): Request {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (secret !== null) headers["x-voice-webhook-secret"] = secret;
  return new Request(url, {
    method: "POST",
    headers,
    body: JSON.stringify({ agent_id: "agent_fake", called_number: "+4930000000", ...body }),
  });
}

export interface TranscriptLine {
  role: "user" | "agent";
  message: string;
  time_in_call_secs: number;
}

/** A post_call_transcription event as ElevenLabs sends it (the fields the backend reads, and some it keeps). */
export function postCallEvent(options: {
  conversationId?: string;
  token?: string;
  callSid?: string;
  transcript?: TranscriptLine[];
  at?: Date;
  type?: string;
}): Record<string, unknown> {
  const at = options.at ?? new Date();
  const transcript = options.transcript ?? [
    { role: "agent", message: "Hey. I'm really glad you called.", time_in_call_secs: 0 },
    { role: "user", message: "I wanted to hear your voice.", time_in_call_secs: 4 },
  ];
  const duration = Math.max(1, ...transcript.map((l) => Math.ceil(l.time_in_call_secs) + 3));
  return {
    type: options.type ?? "post_call_transcription",
    event_timestamp: Math.floor(at.getTime() / 1000),
    data: {
      agent_id: "agent_fake",
      conversation_id: options.conversationId ?? `conv_${randomHex(12)}`,
      status: "done",
      transcript,
      metadata: {
        start_time_unix_secs: Math.floor(at.getTime() / 1000) - duration,
        call_duration_secs: duration,
        cost: 420,
        phone_call: options.callSid
          ? { direction: "inbound", type: "twilio", call_sid: options.callSid, external_number: "+4915100000000" }
          : undefined,
      },
      analysis: { call_successful: "success", transcript_summary: "A short call." },
      conversation_initiation_client_data: {
        dynamic_variables: options.token === undefined ? {} : { secret__signed_token: options.token },
      },
    },
  };
}
