// A fake Anthropic Messages API: answers analyze_exchange, judge_boss, resolve_timezone and extract_conversation tool
// calls with scripted JSON (any other forced tool from `tools`/`toolDefaults`) and chat calls with scripted text; can
// be slowed down or made to fail. The real SDK talks
// to it through baseURL.
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
  /** How many requests have been answered (with a message or an error) so far. */
  responded: number;
  close(): Promise<void>;
}

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
    close: () => server.shutdown(),
  };
  let n = 0;
  const server = Deno.serve({ port, hostname: "127.0.0.1", onListen: () => {} }, async (req) => {
    const body = await req.json() as { model: string; tool_choice?: { name?: string } };
    fake.requests.push(body);
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
    const usage = { input_tokens: 100, output_tokens: 20, cache_creation_input_tokens: 0, cache_read_input_tokens: 80 };
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
