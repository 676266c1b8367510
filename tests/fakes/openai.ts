// A fake OpenAI embeddings API (POST /v1/embeddings): answers every input with the offline embedder's vector (so a
// test knows what to expect) and a usage block, in the encoding asked for (the SDK asks for base64 by default);
// records requests, can be slowed down, told to fail, or told to answer the wrong width. The real SDK talks to it
// through baseURL (`${url}/v1`).
import { offlineVector } from "../../functions/_shared/memory/embeddings.ts";

export interface EmbeddingsRequest {
  model: string;
  input: string | string[];
  encoding_format?: "float" | "base64";
  dimensions?: number;
}

export interface FakeOpenAi {
  /** The API root to give the SDK as baseURL (OPENAI_BASE_URL). */
  url: string;
  requests: EmbeddingsRequest[];
  /** Delays the next requests, one entry per request (ms). */
  delays: number[];
  /** HTTP statuses to fail the next requests with, one entry per request (e.g. 500, 429). */
  failures: number[];
  /** Vector widths to answer the next successful requests with instead of 1536, one entry per request. */
  dimensions: number[];
  /** Lists the vectors last to first (each still carries its index), as the API is free to. */
  reverse: boolean;
  /** How many requests have been answered (with vectors or an error) so far. */
  responded: number;
  close(): Promise<void>;
}

/** A vector of `width` numbers: the offline vector, cut or padded. */
function vectorOf(text: string, width: number): number[] {
  const v = offlineVector(text);
  return width <= v.length ? v.slice(0, width) : [...v, ...new Array(width - v.length).fill(0)];
}

function base64Float32(values: number[]): string {
  const bytes = new Uint8Array(new Float32Array(values).buffer);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** A rough token count: words and punctuation marks. */
function tokens(text: string): number {
  return text.match(/\w+|[^\s\w]/g)?.length ?? 0;
}

export function startFakeOpenAi(port = 0): FakeOpenAi {
  const fake: FakeOpenAi = {
    url: "",
    requests: [],
    delays: [],
    failures: [],
    dimensions: [],
    reverse: false,
    responded: 0,
    close: () => server.shutdown(),
  };
  let n = 0;
  const server = Deno.serve({ port, hostname: "127.0.0.1", onListen: () => {} }, async (req) => {
    const path = new URL(req.url).pathname;
    if (req.method !== "POST" || path !== "/v1/embeddings") {
      return Response.json({ error: { message: `no route ${req.method} ${path}`, type: "invalid_request_error" } }, {
        status: 404,
      });
    }
    if (!req.headers.get("authorization")?.startsWith("Bearer ")) {
      return Response.json({ error: { message: "missing API key", type: "invalid_request_error" } }, { status: 401 });
    }
    const body = await req.json() as EmbeddingsRequest;
    fake.requests.push(body);
    const delay = fake.delays.shift();
    if (delay) await new Promise((r) => setTimeout(r, delay));
    fake.responded++;
    const status = fake.failures.shift();
    if (status) {
      return Response.json({ error: { message: "The server had an error", type: "server_error" } }, {
        status,
        headers: { "retry-after": "0" },
      });
    }
    n++;
    const inputs = typeof body.input === "string" ? [body.input] : body.input;
    const width = fake.dimensions.shift() ?? 1536;
    const data = inputs.map((text, index) => {
      const vector = vectorOf(text, width);
      return {
        object: "embedding",
        index,
        embedding: body.encoding_format === "base64" ? base64Float32(vector) : vector,
      };
    });
    const promptTokens = inputs.reduce((sum, text) => sum + tokens(text), 0);
    return Response.json({
      object: "list",
      model: body.model,
      data: fake.reverse ? data.reverse() : data,
      usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
    }, { headers: { "x-request-id": `req_emb_${n}` } });
  });
  fake.url = `http://127.0.0.1:${server.addr.port}/v1`;
  return fake;
}
