// The daily psyche batch through Anthropic's Message Batches API (PLATFORM.md §5.1): one request per player, the
// shared persona block cached for an hour across the batch, results streamed (unordered) once the batch has ended.
// Items come back as results to save by custom_id; what they cost is priced in SQL at batch rates.
import Anthropic from "npm:@anthropic-ai/sdk@1.12.0";
import { ProviderError } from "../platform/errors.ts";
import { type PsycheContext, type PsycheLimits, psycheParams, type PsycheState, stateOf } from "./psyche.ts";

export interface PsycheBatchItem {
  customId: string;
  userId: string;
  context: PsycheContext;
}

export type BatchStatus = "in_progress" | "canceling" | "ended";

/** One item's outcome, as game.save_psyche_results takes it. */
export interface PsycheBatchResult {
  custom_id: string;
  outcome: "succeeded" | "errored" | "expired" | "canceled" | "invalid";
  model: string;
  state?: PsycheState;
  message_id?: string;
  usage?: { input_tokens: number; output_tokens: number; cache_read_tokens: number; cache_write_tokens: number };
  error?: string;
}

export interface PsycheBatchApi {
  /** Creates one batch of the items; a ProviderError when the vendor cannot be reached or refuses it. */
  create(items: PsycheBatchItem[]): Promise<{ id: string }>;
  /** The batch's processing status. */
  status(id: string): Promise<BatchStatus>;
  /** The results of an ended batch, in any order; each item's state validated against `limits`. */
  results(id: string, limits: PsycheLimits): AsyncIterable<PsycheBatchResult>;
}

export interface BatchOptions {
  apiKey: string;
  baseURL: string;
  maxRetries: number;
  model: string;
}

const BATCH_TIMEOUT_MS = 60_000;

/** One response line of the results file as a result to save. */
export function batchResult(
  line: Anthropic.Messages.MessageBatchIndividualResponse,
  model: string,
  limits: PsycheLimits,
): PsycheBatchResult {
  const r = line.result;
  if (r.type !== "succeeded") {
    const error = r.type === "errored" ? r.error?.error?.message ?? r.error?.error?.type : undefined;
    return { custom_id: line.custom_id, outcome: r.type, model, ...(error ? { error } : {}) };
  }
  const usage = {
    input_tokens: r.message.usage.input_tokens,
    output_tokens: r.message.usage.output_tokens,
    cache_read_tokens: r.message.usage.cache_read_input_tokens ?? 0,
    cache_write_tokens: r.message.usage.cache_creation_input_tokens ?? 0,
  };
  const state = stateOf(r.message, limits);
  const base = { custom_id: line.custom_id, model: r.message.model ?? model, message_id: r.message.id, usage };
  return state
    ? { ...base, outcome: "succeeded", state }
    : { ...base, outcome: "invalid", error: "the answer broke the psyche_state schema" };
}

export function createPsycheBatches(options: BatchOptions): PsycheBatchApi {
  const anthropic = new Anthropic({ apiKey: options.apiKey, baseURL: options.baseURL, maxRetries: options.maxRetries });
  return {
    async create(items) {
      try {
        const batch = await anthropic.messages.batches.create({
          requests: items.map((item) => ({
            custom_id: item.customId,
            params: psycheParams(options.model, item.context, "1h"),
          })),
        }, { timeout: BATCH_TIMEOUT_MS });
        return { id: batch.id };
      } catch (error) {
        throw new ProviderError("psyche batch: could not be created", error);
      }
    },
    async status(id) {
      try {
        return (await anthropic.messages.batches.retrieve(id, {}, { timeout: BATCH_TIMEOUT_MS })).processing_status;
      } catch (error) {
        throw new ProviderError(`psyche batch ${id}: could not be polled`, error);
      }
    },
    async *results(id, limits) {
      let lines: AsyncIterable<Anthropic.Messages.MessageBatchIndividualResponse>;
      try {
        lines = await anthropic.messages.batches.results(id, {}, { timeout: BATCH_TIMEOUT_MS });
      } catch (error) {
        throw new ProviderError(`psyche batch ${id}: results could not be read`, error);
      }
      for await (const line of lines) yield batchResult(line, options.model, limits);
    },
  };
}
