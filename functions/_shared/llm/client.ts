// The model client: Anthropic's Messages API through the official SDK, with the ledger row every call writes, a
// per-call timeout (the SDK's default of 10 min exceeds any edge budget) and forced tool calls whose input must
// pass a zod schema (one re-ask). The prompt modules (reply, analyze, judge, boss_lines, timezone) build on it.
import Anthropic from "npm:@anthropic-ai/sdk@1.12.0";
import { z } from "npm:zod@4.6.7";
import type { Ledger } from "./ledger.ts";
import { ProviderError } from "../platform/errors.ts";

export interface ClientOptions {
  apiKey: string;
  baseURL: string;
  maxRetries: number;
  ledger: Ledger;
}

export interface ModelClient {
  /** One Messages API call, ledgered; a failure after the SDK's retries is a ProviderError. */
  call(
    purpose: string,
    userId: string | null,
    timeoutMs: number,
    body: Anthropic.MessageCreateParamsNonStreaming,
  ): Promise<Anthropic.Message>;
  /** A forced tool call whose answer must pass the tool's schema; an invalid answer is re-asked once with what was
   * wrong (answered as its tool result, so the model corrects rather than repeats it), then a ProviderError naming
   * the problem, so the job that asked retries later. For answers too large for forcedTool's 800 tokens. */
  correctedTool<S extends z.ZodType>(
    purpose: string,
    userId: string | null,
    model: string,
    limits: { timeoutMs: number; maxTokens: number },
    tool: SchemaTool<S>,
    prompt: string,
  ): Promise<z.infer<S>>;
  /** A forced tool call whose input must pass the tool's schema; one re-ask, then null. */
  forcedTool<S extends z.ZodType>(
    purpose: string,
    userId: string | null,
    model: string,
    timeoutMs: number,
    tool: SchemaTool<S>,
    prompt: string,
  ): Promise<z.infer<S> | null>;
}

/** A tool whose input schema is generated from the zod schema that validates its answers. */
export interface SchemaTool<S extends z.ZodType> {
  definition: Anthropic.Tool;
  schema: S;
}

export function schemaTool<S extends z.ZodType>(name: string, description: string, schema: S): SchemaTool<S> {
  const { $schema: _, ...inputSchema } = z.toJSONSchema(schema, { target: "draft-7" }) as Record<string, unknown>;
  return { definition: { name, description, input_schema: inputSchema as Anthropic.Tool.InputSchema }, schema };
}

/** The zod issues of an invalid answer, for the re-ask: paths and rules only, never the values. */
function issuesOf(error: z.ZodError): string {
  return error.issues.slice(0, 10).map((i) => `${i.path.join(".") || "(answer)"}: ${i.message}`).join("; ");
}

/** The text blocks of a message, joined and trimmed. */
export function textOf(message: Anthropic.Message): string {
  return message.content.flatMap((b) => (b.type === "text" ? [b.text] : [])).join("").trim();
}

export function createModelClient(options: ClientOptions): ModelClient {
  const anthropic = new Anthropic({ apiKey: options.apiKey, baseURL: options.baseURL, maxRetries: options.maxRetries });

  async function call(
    purpose: string,
    userId: string | null,
    timeoutMs: number,
    body: Anthropic.MessageCreateParamsNonStreaming,
  ) {
    const started = Date.now();
    try {
      const message = await anthropic.messages.create(body, { timeout: timeoutMs });
      await options.ledger({
        userId,
        purpose,
        model: body.model,
        requestId: (message as { _request_id?: string | null })._request_id ?? null,
        inputTokens: message.usage.input_tokens,
        outputTokens: message.usage.output_tokens,
        cacheReadTokens: message.usage.cache_read_input_tokens ?? 0,
        cacheWriteTokens: message.usage.cache_creation_input_tokens ?? 0,
        latencyMs: Date.now() - started,
        status: "ok",
      });
      return message;
    } catch (error) {
      await options.ledger({
        userId,
        purpose,
        model: body.model,
        requestId: null,
        inputTokens: 0,
        outputTokens: 0,
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
        latencyMs: Date.now() - started,
        status: "error",
        error: String(error).slice(0, 500),
      });
      throw new ProviderError(`${purpose}: the model could not be reached`, error);
    }
  }

  async function forcedTool<S extends z.ZodType>(
    purpose: string,
    userId: string | null,
    model: string,
    timeoutMs: number,
    tool: SchemaTool<S>,
    prompt: string,
  ): Promise<z.infer<S> | null> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const message = await call(purpose, userId, timeoutMs, {
        model,
        max_tokens: 800,
        tools: [tool.definition],
        tool_choice: { type: "tool", name: tool.definition.name },
        messages: [{ role: "user", content: prompt }],
      });
      const use = message.content.find((b) => b.type === "tool_use");
      const parsed = tool.schema.safeParse(use?.type === "tool_use" ? use.input : undefined);
      if (parsed.success) return parsed.data;
    }
    return null;
  }

  async function correctedTool<S extends z.ZodType>(
    purpose: string,
    userId: string | null,
    model: string,
    limits: { timeoutMs: number; maxTokens: number },
    tool: SchemaTool<S>,
    prompt: string,
  ): Promise<z.infer<S>> {
    let messages: Anthropic.MessageParam[] = [{ role: "user", content: prompt }];
    let problem = "no tool call";
    for (let attempt = 0; attempt < 2; attempt++) {
      const message = await call(purpose, userId, limits.timeoutMs, {
        model,
        max_tokens: limits.maxTokens,
        tools: [tool.definition],
        tool_choice: { type: "tool", name: tool.definition.name },
        messages,
      });
      const use = message.content.find((b) => b.type === "tool_use");
      const parsed = tool.schema.safeParse(use?.type === "tool_use" ? use.input : undefined);
      if (parsed.success) return parsed.data;
      problem = message.stop_reason === "max_tokens" ? "the answer was cut off" : issuesOf(parsed.error);
      if (use?.type === "tool_use" && message.stop_reason !== "max_tokens") {
        messages = [...messages, { role: "assistant", content: message.content }, {
          role: "user",
          content: [{
            type: "tool_result",
            tool_use_id: use.id,
            is_error: true,
            content: `Invalid: ${problem}. Call ${tool.definition.name} again with a corrected answer.`,
          }],
        }];
      }
    }
    throw new ProviderError(`${purpose.replace(/_/g, " ")}: still invalid after one re-ask (${problem})`);
  }

  return { call, forcedTool, correctedTool };
}
