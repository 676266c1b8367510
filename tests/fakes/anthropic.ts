// A fake Anthropic Messages API: answers analyze_exchange, judge_boss, resolve_timezone and extract_conversation tool
// calls with scripted JSON (any other forced tool from `tools`/`toolDefaults`) and chat calls with scripted text; can
// be slowed down or made to fail. Her psyche (forced psyche_state) has scripts of its own (`psycheFailures`,
// `psycheDelays`, DEFAULT_PSYCHE), so a test scripting her reply's failures or delays is not disturbed by it. The
// Message Batches API: POST /v1/messages/batches, GET /v1/messages/batches/{id} (in_progress for `batchPolls` polls,
// then ended with a results_url) and GET …/results as JSONL, each item succeeded (its psyche_state answer), errored,
// expired or canceled as `batchOutcomes[custom_id]` says. The real SDK talks to it through baseURL.
export interface FakeAnthropic {
  url: string;
  requests: Record<string, unknown>[];
  analyses: unknown[];
  verdicts: unknown[];
  timezones: (string | null)[];
  /** Answers to extract_conversation, one per call; DEFAULT_EXTRACTION when none is left. */
  extractions: unknown[];
  texts: string[];
  /** Answers to any other forced tool, by tool name, one per call; then `toolDefaults[name]`; a tool with neither is
   * a 400, so a test that forgot to script it fails loudly. */
  tools: Record<string, unknown[]>;
  toolDefaults: Record<string, unknown>;
  /** Delays the next requests, one entry per request (ms). */
  delays: number[];
  failures: number[];
  /** How many requests have been answered (with a message or an error) so far; psyche calls not included. */
  responded: number;
  /** Failure statuses and delays (ms) of the next psyche_state calls, one entry per call. */
  psycheFailures: number[];
  psycheDelays: number[];
  /** Create-batch failures (statuses), one per POST /v1/messages/batches. */
  batchFailures: number[];
  /** How many polls a new batch answers in_progress before it has ended (default 0). */
  batchPolls: number;
  /** The outcome of a batch item by custom_id (default succeeded). */
  batchOutcomes: Record<string, "succeeded" | "errored" | "expired" | "canceled">;
  batches: Map<string, FakeBatch>;
  close(): Promise<void>;
}

export interface FakeBatch {
  id: string;
  requests: { custom_id: string; params: Record<string, unknown> }[];
  /** Polls left before it ends. */
  polls: number;
  /** The item results, fixed when the batch ends. */
  results: Record<string, unknown>[] | null;
  created_at: string;
}

export const DEFAULT_PSYCHE = {
  attachment_activation: "secure",
  defense_mode: "open",
  behavioral_guidance: "Be curious about their day and tease them a little.",
  internal_monologue: "They keep showing up. I like that more than I admit.",
  vulnerability_level: 0.4,
  emotional_tone: "playful",
  topics_to_encourage: ["their work"],
  topics_to_avoid: [],
};

export const DEFAULT_ANALYSIS = {
  deltas: { intimacy: 1, passion: 1, trust: 1, secureness: 1 },
  behaviors: [],
  repair: { attempted: false, quality: null },
  vice_signals: [],
  language: { needy: 0, distracted: 0 },
  confidence: 0.9,
};

export const DEFAULT_EXTRACTION = {
  facts: [{ fact: "The player works as a nurse", graph_type: "user", confidence: 0.9 }],
  threads: [],
  thoughts: [],
  summary: "The player told Nikita about their work.",
  emotional_tone: ["neutral"],
  vice_signals: [],
};

export function startFakeAnthropic(port = 0): FakeAnthropic {
  const fake: FakeAnthropic = {
    url: "",
    requests: [],
    analyses: [],
    verdicts: [],
    timezones: [],
    extractions: [],
    texts: [],
    tools: {},
    toolDefaults: {},
    delays: [],
    failures: [],
    responded: 0,
    psycheFailures: [],
    psycheDelays: [],
    batchFailures: [],
    batchPolls: 0,
    batchOutcomes: {},
    batches: new Map(),
    close: () => server.shutdown(),
  };
  let n = 0;
  let nextBatch = 0;
  const usage = { input_tokens: 100, output_tokens: 20, cache_creation_input_tokens: 0, cache_read_input_tokens: 80 };
  const psycheAnswer = () => fake.tools["psyche_state"]?.shift() ?? fake.toolDefaults["psyche_state"] ?? DEFAULT_PSYCHE;

  function batchJson(batch: FakeBatch): Record<string, unknown> {
    const ended = batch.results !== null;
    const count = (type: string) =>
      (batch.results ?? []).filter((r) => (r.result as { type: string }).type === type).length;
    return {
      id: batch.id,
      type: "message_batch",
      processing_status: ended ? "ended" : "in_progress",
      request_counts: {
        processing: ended ? 0 : batch.requests.length,
        succeeded: count("succeeded"),
        errored: count("errored"),
        canceled: count("canceled"),
        expired: count("expired"),
      },
      created_at: batch.created_at,
      expires_at: batch.created_at,
      ended_at: ended ? new Date().toISOString() : null,
      cancel_initiated_at: null,
      archived_at: null,
      results_url: ended ? `${fake.url}/v1/messages/batches/${batch.id}/results` : null,
    };
  }

  /** The batch's item results, fixed once it ends. */
  function endBatch(batch: FakeBatch) {
    batch.results = batch.requests.map((r, i) => {
      const outcome = fake.batchOutcomes[r.custom_id] ?? "succeeded";
      if (outcome === "succeeded") {
        const tool = (r.params.tool_choice as { name?: string } | undefined)?.name ?? "psyche_state";
        const message = {
          id: `msg_${batch.id}_${i}`,
          type: "message",
          role: "assistant",
          model: r.params.model,
          stop_reason: "tool_use",
          stop_sequence: null,
          usage: { input_tokens: 1000, output_tokens: 200, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
          content: [{ type: "tool_use", id: `toolu_${batch.id}_${i}`, name: tool, input: psycheAnswer() }],
        };
        return { custom_id: r.custom_id, result: { type: "succeeded", message } };
      }
      if (outcome === "errored") {
        return {
          custom_id: r.custom_id,
          result: { type: "errored", error: { type: "error", error: { type: "api_error", message: "Internal" } } },
        };
      }
      return { custom_id: r.custom_id, result: { type: outcome } };
    });
  }

  async function batchRoute(req: Request, path: string): Promise<Response> {
    const error = (status: number, message: string) =>
      Response.json({ type: "error", error: { type: "invalid_request_error", message } }, { status });
    if (req.method === "POST" && path === "/v1/messages/batches") {
      const body = await req.json() as { requests?: FakeBatch["requests"] };
      fake.requests.push(body as Record<string, unknown>);
      const status = fake.batchFailures.shift();
      if (status) return error(status, "the fake refused the batch");
      if (!Array.isArray(body.requests) || body.requests.length === 0) return error(400, "requests: empty");
      const batch: FakeBatch = {
        id: `msgbatch_fake_${++nextBatch}_${crypto.randomUUID().slice(0, 8)}`,
        requests: body.requests,
        polls: fake.batchPolls,
        results: null,
        created_at: new Date().toISOString(),
      };
      fake.batches.set(batch.id, batch);
      return Response.json(batchJson(batch));
    }
    const match = path.match(/^\/v1\/messages\/batches\/([\w-]+)(\/results)?$/);
    const batch = match ? fake.batches.get(match[1]!) : undefined;
    if (req.method !== "GET" || !batch) return error(404, `no batch at ${path}`);
    if (!match![2]) {
      if (batch.results === null && batch.polls-- <= 0) endBatch(batch);
      return Response.json(batchJson(batch));
    }
    if (batch.results === null) return error(400, "the batch has not ended");
    return new Response(batch.results.map((r) => JSON.stringify(r)).join("\n") + "\n", {
      headers: { "content-type": "application/binary" },
    });
  }

  const server = Deno.serve({ port, hostname: "127.0.0.1", onListen: () => {} }, async (req) => {
    const path = new URL(req.url).pathname;
    if (path.startsWith("/v1/messages/batches")) return await batchRoute(req, path);
    const body = await req.json() as { model: string; tool_choice?: { name?: string } };
    fake.requests.push(body);
    if (body.tool_choice?.name === "psyche_state") {
      const delay = fake.psycheDelays.shift();
      if (delay) await new Promise((r) => setTimeout(r, delay));
      const status = fake.psycheFailures.shift();
      if (status) {
        return Response.json({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } }, { status });
      }
      n++;
      return Response.json({
        id: `msg_${n}`,
        type: "message",
        role: "assistant",
        model: body.model,
        stop_sequence: null,
        usage,
        stop_reason: "tool_use",
        content: [{ type: "tool_use", id: `toolu_${n}`, name: "psyche_state", input: psycheAnswer() }],
      }, { headers: { "request-id": `req_${n}` } });
    }
    const delay = fake.delays.shift();
    if (delay) await new Promise((r) => setTimeout(r, delay));
    fake.responded++;
    const status = fake.failures.shift();
    if (status) {
      return Response.json({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } }, {
        status,
        headers: { "retry-after": "0" },
      });
    }
    n++;
    const base = { id: `msg_${n}`, type: "message", role: "assistant", model: body.model, stop_sequence: null, usage };
    const tool = body.tool_choice?.name;
    if (
      tool === "analyze_exchange" || tool === "judge_boss" || tool === "resolve_timezone" ||
      tool === "extract_conversation"
    ) {
      const input = tool === "analyze_exchange"
        ? fake.analyses.shift() ?? DEFAULT_ANALYSIS
        : tool === "judge_boss"
        ? fake.verdicts.shift() ?? { outcome: "PASS", confidence: 0.9, reasoning: "held her ground" }
        : tool === "extract_conversation"
        ? fake.extractions.shift() ?? DEFAULT_EXTRACTION
        : { timezone: fake.timezones.shift() ?? null };
      return Response.json({
        ...base,
        stop_reason: "tool_use",
        content: [{ type: "tool_use", id: `toolu_${n}`, name: tool, input }],
      }, { headers: { "request-id": `req_${n}` } });
    }
    if (tool) {
      const input = fake.tools[tool]?.shift() ?? fake.toolDefaults[tool];
      if (input === undefined) {
        return Response.json({
          type: "error",
          error: { type: "invalid_request_error", message: `the fake has no answer for tool ${tool}` },
        }, { status: 400 });
      }
      return Response.json({
        ...base,
        stop_reason: "tool_use",
        content: [{ type: "tool_use", id: `toolu_${n}`, name: tool, input }],
      }, { headers: { "request-id": `req_${n}` } });
    }
    const text = fake.texts.shift() ?? `a reply ${n}`;
    return Response.json({ ...base, stop_reason: "end_turn", content: [{ type: "text", text }] }, {
      headers: { "request-id": `req_${n}` },
    });
  });
  fake.url = `http://127.0.0.1:${server.addr.port}`;
  return fake;
}
