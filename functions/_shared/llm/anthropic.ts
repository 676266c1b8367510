// The live LLM: Anthropic's Messages API through the official SDK. Her replies use the layered, cached system
// prompt; the analyzer and the judge are forced tool calls whose inputs are validated with zod.
import Anthropic from "npm:@anthropic-ai/sdk@1.12.0";
import { z } from "npm:zod@4.6.7";
import type { Ledger } from "./ledger.ts";
import { bossInstruction, contextBlock, dynamicTail, PERSONA, toMessages } from "./persona.ts";
import { timezoneByCityName } from "./timezones.ts";
import {
  type Analysis,
  analysisSchema,
  type BossLineRequest,
  type ChatLine,
  type Llm,
  ProviderError,
  type TurnContext,
  type Verdict,
  verdictSchema,
} from "./types.ts";

export interface AnthropicOptions {
  apiKey: string;
  baseURL: string;
  maxRetries: number;
  models: { reply: string; analyzer: string; judge: string; summary: string };
  ledger: Ledger;
}

const ANALYZE_TOOL = {
  name: "analyze_exchange",
  description: "Judge one exchange of the relationship game: metric deltas, behaviour tags, repair, vice signals, language.",
  input_schema: {
    type: "object" as const,
    properties: {
      deltas: {
        type: "object",
        properties: Object.fromEntries(["intimacy", "passion", "trust", "secureness"].map((k) => [k, { type: "number", minimum: -10, maximum: 10 }])),
        required: ["intimacy", "passion", "trust", "secureness"],
      },
      behaviors: { type: "array", items: { type: "string" } },
      repair: {
        type: "object",
        properties: { attempted: { type: "boolean" }, quality: { type: ["string", "null"], enum: ["excellent", "good", "adequate", null] } },
        required: ["attempted", "quality"],
      },
      vice_signals: {
        type: "array",
        items: {
          type: "object",
          properties: { category: { type: "string" }, confidence: { type: "number" }, positive: { type: "boolean" } },
          required: ["category", "confidence", "positive"],
        },
      },
      language: {
        type: "object",
        properties: { needy: { type: "number" }, distracted: { type: "number" } },
        required: ["needy", "distracted"],
      },
      confidence: { type: "number" },
    },
    required: ["deltas", "behaviors", "repair", "vice_signals", "language", "confidence"],
  },
};

const TIMEZONE_TOOL = {
  name: "resolve_timezone",
  description: "The IANA timezone of a city, or null when it cannot be told.",
  input_schema: {
    type: "object" as const,
    properties: { timezone: { type: ["string", "null"], description: "An IANA name such as Europe/Berlin" } },
    required: ["timezone"],
  },
};
const timezoneSchema = z.object({ timezone: z.string().max(64).nullable() });

const JUDGE_TOOL = {
  name: "judge_boss",
  description: "The verdict on a boss encounter.",
  input_schema: {
    type: "object" as const,
    properties: {
      outcome: { type: "string", enum: ["PASS", "PARTIAL", "FAIL"] },
      confidence: { type: "number" },
      reasoning: { type: "string" },
    },
    required: ["outcome", "confidence", "reasoning"],
  },
};

function transcriptText(lines: ChatLine[]): string {
  return lines.map((l) => `${l.role === "player" ? "Them" : "Nikita"}: ${l.content}`).join("\n");
}

export function createAnthropicLlm(options: AnthropicOptions): Llm {
  const client = new Anthropic({ apiKey: options.apiKey, baseURL: options.baseURL, maxRetries: options.maxRetries });

  async function call(purpose: string, userId: string | null, timeoutMs: number, body: Anthropic.MessageCreateParamsNonStreaming) {
    const started = Date.now();
    try {
      const message = await client.messages.create(body, { timeout: timeoutMs });
      await options.ledger({
        userId, purpose, model: body.model, requestId: (message as { _request_id?: string | null })._request_id ?? null,
        inputTokens: message.usage.input_tokens, outputTokens: message.usage.output_tokens,
        cacheReadTokens: message.usage.cache_read_input_tokens ?? 0, cacheWriteTokens: message.usage.cache_creation_input_tokens ?? 0,
        latencyMs: Date.now() - started, status: "ok",
      });
      return message;
    } catch (error) {
      await options.ledger({
        userId, purpose, model: body.model, requestId: null, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0,
        cacheWriteTokens: 0, latencyMs: Date.now() - started, status: "error", error: String(error).slice(0, 500),
      });
      throw new ProviderError(`${purpose}: the model could not be reached`, error);
    }
  }

  function system(context: TurnContext, extra?: string): Anthropic.TextBlockParam[] {
    return [
      { type: "text", text: PERSONA, cache_control: { type: "ephemeral" } },
      { type: "text", text: contextBlock(context), cache_control: { type: "ephemeral" } },
      { type: "text", text: [dynamicTail(context), extra].filter(Boolean).join("\n") },
    ];
  }

  function text(message: Anthropic.Message): string {
    return message.content.flatMap((b) => (b.type === "text" ? [b.text] : [])).join("").trim();
  }

  /** A forced tool call whose input must pass the schema; one re-ask, then null. */
  async function forcedTool<S extends z.ZodType>(purpose: string, userId: string | null, model: string, timeoutMs: number,
    tool: typeof ANALYZE_TOOL | typeof JUDGE_TOOL | typeof TIMEZONE_TOOL, prompt: string, schema: S): Promise<z.infer<S> | null> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const message = await call(purpose, userId, timeoutMs, {
        model, max_tokens: 800, tools: [tool], tool_choice: { type: "tool", name: tool.name },
        messages: [{ role: "user", content: prompt }],
      });
      const use = message.content.find((b) => b.type === "tool_use");
      const parsed = schema.safeParse(use?.type === "tool_use" ? use.input : undefined);
      if (parsed.success) return parsed.data;
    }
    return null;
  }

  return {
    mode: "live",
    async reply(context, history) {
      const message = await call("reply", context.userId, 40_000, {
        model: options.models.reply, max_tokens: 600, system: system(context), messages: toMessages(history),
      });
      const reply = text(message);
      if (!reply) throw new ProviderError("reply: empty text");
      return reply;
    },
    async analyze(context, history, reply): Promise<Analysis> {
      const prompt = `Chapter ${context.chapter} (${context.chapterName}). Recent lines:\n${transcriptText(history.slice(-6))}\n` +
        `Nikita: ${reply}\nJudge this exchange with analyze_exchange. Typical deltas are -3..3.`;
      const analysis = await forcedTool("analyze", context.userId, options.models.analyzer, 15_000, ANALYZE_TOOL, prompt, analysisSchema);
      if (!analysis) throw new ProviderError("analyze: invalid judgment after one re-ask");
      return analysis;
    },
    async judge(context, transcript): Promise<Verdict | "ERROR"> {
      const prompt = `Boss encounter of chapter ${context.chapter}. Transcript:\n${transcriptText(transcript)}\n` +
        "PASS = genuine understanding sustained across both phases; PARTIAL = real effort, not sustained; FAIL = dismissive, avoidant or hostile.";
      const verdict = await forcedTool("judge", context.userId, options.models.judge, 30_000, JUDGE_TOOL, prompt, verdictSchema);
      return verdict ?? "ERROR";
    },
    async bossLine(request: BossLineRequest) {
      const message = await call(`boss_${request.kind}`, request.userId, 40_000, {
        model: options.models.reply, max_tokens: 400, system: system(request, bossInstruction(request)),
        messages: toMessages(request.transcript.length > 0 ? request.transcript : [{ role: "player", content: "…" }]),
      });
      const line = text(message);
      if (!line) throw new ProviderError("boss line: empty text");
      return line;
    },
    async timezoneFor(city) {
      const known = timezoneByCityName(city);
      if (known) return known;
      const answer = await forcedTool("timezone", null, options.models.summary, 30_000, TIMEZONE_TOOL,
        `Which IANA timezone is this place in? ${JSON.stringify(city.slice(0, 120))}`, timezoneSchema);
      return answer?.timezone ?? null;
    },
  };
}
