// Embeddings for her memory (PLATFORM.md §3 embeddings row, §7): game.memory_facts holds 1536-dimension vectors, so
// every embedder answers exactly that. Live: OpenAI's embeddings API through the official SDK, one batched request
// per call (a pipeline stage embeds all its texts at once), ledgered, with a 10 s timeout and the SDK's retries.
// Offline (LLM_MODE=offline, the play console without keys): a deterministic hashed bag of words, bigrams and
// character trigrams, so texts that share words land near each other and memory search still finds them.
import OpenAI from "npm:openai@7.59.0";
import type { Ledger } from "../llm/ledger.ts";
import { ProviderError } from "../platform/errors.ts";

/** The width of game.memory_facts.embedding and game.search_memory's query. */
export const EMBEDDING_DIMENSIONS = 1536;
export const EMBED_TIMEOUT_MS = 10_000;
/** The API's limit of inputs per request. */
export const MAX_BATCH = 2048;

export interface Embedder {
  readonly mode: "live" | "offline";
  /** One vector per text, in the order given, each of EMBEDDING_DIMENSIONS; one request for the whole batch.
   * A provider failure (after the SDK's retries) or an answer of the wrong shape is a ProviderError. */
  embed(texts: string[], purpose: string, userId: string | null): Promise<number[][]>;
}

export interface OpenAiEmbedderOptions {
  apiKey: string;
  /** OPENAI_BASE_URL, e.g. https://api.openai.com/v1 (tests: a local fake). */
  baseURL: string;
  /** EMBEDDING_MODEL; it must answer EMBEDDING_DIMENSIONS. */
  model: string;
  /** LLM_MAX_RETRIES: the SDK retries connection errors, 408, 409, 429 and >= 500, honouring retry-after. */
  maxRetries: number;
  ledger: Ledger;
  /** Per call; EMBED_TIMEOUT_MS unless a test needs it shorter. */
  timeoutMs?: number;
}

/** Texts the API would refuse (an empty input, too many inputs) are the caller's mistake, not a provider's. */
function checkInput(texts: string[]): void {
  if (texts.length > MAX_BATCH) throw new RangeError(`embed: ${texts.length} texts, at most ${MAX_BATCH} per call`);
  const empty = texts.findIndex((t) => t.trim() === "");
  if (empty >= 0) throw new RangeError(`embed: text ${empty} is empty`);
}

/** What is wrong with an answer, or null: one finite vector of the right width for every input index. */
function answerProblem(model: string, data: unknown, count: number): string | null {
  if (!Array.isArray(data)) return "the embeddings API answered no list of vectors";
  if (data.length !== count) return `the embeddings API answered ${data.length} vectors for ${count} texts`;
  const items = data as { embedding?: unknown; index?: unknown }[];
  const indexes = new Set(items.map((d) => d?.index));
  if (indexes.size !== count || [...indexes].some((i) => !Number.isInteger(i) || Number(i) < 0 || Number(i) >= count)) {
    return "the embeddings API answered vectors with missing or repeated indexes";
  }
  if (items.some((d) => !Array.isArray(d.embedding))) return "the embeddings API answered a vector that is not a list";
  const wrong = items.find((d) => (d.embedding as unknown[]).length !== EMBEDDING_DIMENSIONS);
  if (wrong) {
    return `EMBEDDING_MODEL ${model} answered ${(wrong.embedding as unknown[]).length} dimensions; memory stores ` +
      `${EMBEDDING_DIMENSIONS} (use a ${EMBEDDING_DIMENSIONS}-dimension model such as text-embedding-3-small)`;
  }
  if (items.some((d) => !(d.embedding as unknown[]).every(Number.isFinite))) {
    return "the embeddings API answered a non-numeric value";
  }
  return null;
}

export function createOpenAiEmbedder(options: OpenAiEmbedderOptions): Embedder {
  const timeout = options.timeoutMs ?? EMBED_TIMEOUT_MS;
  // The SDK's default timeout (10 min) exceeds any edge budget, so it is set here for every call.
  const openai = new OpenAI({
    apiKey: options.apiKey,
    baseURL: options.baseURL,
    maxRetries: options.maxRetries,
    timeout,
  });

  return {
    mode: "live",
    async embed(texts, purpose, userId) {
      if (texts.length === 0) return [];
      checkInput(texts);
      const started = Date.now();
      const entry = { userId, purpose, model: options.model, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };
      let response: OpenAI.CreateEmbeddingResponse & { _request_id?: string | null };
      try {
        // The SDK asks for base64 on the wire (a quarter of the JSON) and decodes it into numbers.
        response = await openai.embeddings.create({ model: options.model, input: texts }, { timeout });
      } catch (error) {
        await options.ledger({
          ...entry,
          requestId: null,
          inputTokens: 0,
          latencyMs: Date.now() - started,
          status: "error",
          error: String(error).slice(0, 500),
        });
        throw new ProviderError(`${purpose}: the embeddings call failed after its retries`, error);
      }
      const problem = answerProblem(options.model, response.data, texts.length);
      // Tokens are billed whether or not the answer is usable; the price row of the model (private.llm_prices)
      // costs them, and a model without one leaves the cost null.
      await options.ledger({
        ...entry,
        requestId: response._request_id ?? null,
        inputTokens: response.usage?.prompt_tokens ?? 0,
        latencyMs: Date.now() - started,
        status: problem ? "invalid" : "ok",
        ...(problem ? { error: problem } : {}),
      });
      if (problem) throw new ProviderError(`${purpose}: ${problem}`);
      const vectors: number[][] = new Array(texts.length);
      for (const d of response.data) vectors[d.index] = d.embedding;
      return vectors;
    },
  };
}

// ---- Offline ----

// Words that carry little meaning of their own: they still count, at a fraction of a content word's weight, so
// two facts that share only "the player is a" stay apart.
const STOPWORDS = new Set(
  ("a an the and or but so of to in on at for with from by as is are was were be been being am i i'm me my mine " +
    "you your yours he she it its we our they them their this that these those there here do does did have has had " +
    "not no just very really too also than then what which who whom how when where why can could would should will")
    .split(" "),
);
const WEIGHTS = { word: 1, stopword: 0.15, bigram: 0.6, trigram: 0.25, concept: 0.8 };

// A few concepts the player's questions and her facts name with different words ("what's my job?" and "works as a
// nurse"): each of these stems also adds its concept's feature.
const CONCEPTS: Record<string, string> = Object.fromEntries(
  Object.entries({
    work: "work job career profession occupation employ office shift boss colleague",
    home: "live home house flat apartment city town hometown move moved from",
    family: "family sister brother mother mom mum father dad parent sibling son daughter wife husband cousin",
    taste: "love hate like enjoy adore favorite favourite prefer",
    pet: "pet dog cat puppy kitten",
  }).flatMap(([concept, list]) => list.split(" ").map((w) => [stem(w), concept])),
);

/** FNV-1a, 32 bits: a stable hash, the same in every process and runtime. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A light stem, so "works", "working" and "worked" count as one word (the trigrams catch the rest). */
function stem(word: string): string {
  if (word.length > 5 && word.endsWith("ing")) return word.slice(0, -3);
  if (word.length > 4 && word.endsWith("ed")) return word.slice(0, -2);
  if (word.length > 4 && word.endsWith("es") && /(?:ss|sh|ch|x)es$/.test(word)) return word.slice(0, -2);
  if (word.length > 3 && word.endsWith("s") && !word.endsWith("ss")) return word.slice(0, -1);
  return word;
}

/** Lowercased words without accents, apostrophes kept inside ("don't") and a possessive "'s" dropped. */
function words(text: string): string[] {
  const plain = text.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase().replace(/[\u2018\u2019\u02bc]/g, "'");
  const found = plain.match(/[\p{L}\p{N}']+/gu) ?? [];
  return found.map((w) => w.replace(/'s$/, "").replace(/^'+|'+$/g, "")).filter((w) => w !== "");
}

/** The deterministic offline vector of a text: unit length, EMBEDDING_DIMENSIONS wide. */
export function offlineVector(text: string): number[] {
  const v = new Float64Array(EMBEDDING_DIMENSIONS);
  // Signed feature hashing: a second hash bit picks the sign, so colliding features cancel instead of piling up.
  const add = (feature: string, weight: number) => {
    const h = fnv1a(feature);
    v[h % EMBEDDING_DIMENSIONS]! += (h & 0x80000000 ? -1 : 1) * weight;
  };
  const ws = words(text);
  const stems = ws.map(stem);
  ws.forEach((w, i) => {
    const stop = STOPWORDS.has(w);
    add(`w:${stems[i]}`, stop ? WEIGHTS.stopword : WEIGHTS.word);
    const concept = CONCEPTS[stems[i]!];
    if (concept) add(`k:${concept}`, WEIGHTS.concept);
    if (!stop) {
      const padded = `<${w}>`;
      for (let j = 0; j + 3 <= padded.length; j++) add(`c:${padded.slice(j, j + 3)}`, WEIGHTS.trigram);
    }
    if (i > 0) add(`b:${stems[i - 1]} ${stems[i]}`, WEIGHTS.bigram);
  });
  // A text without words (emoji, punctuation) is hashed by its characters, so it still has a direction.
  if (ws.length === 0) { for (const c of text.trim() || " ") add(`x:${c}`, 1); }
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm);
  // Every feature may have cancelled out (a vanishing chance): fall back to one fixed axis.
  if (norm === 0) return Array.from(v, (_, i) => (i === 0 ? 1 : 0));
  return Array.from(v, (x) => x / norm);
}

export function createOfflineEmbedder(): Embedder {
  return {
    mode: "offline",
    embed(texts) {
      try {
        checkInput(texts);
        return Promise.resolve(texts.map(offlineVector));
      } catch (error) {
        return Promise.reject(error);
      }
    },
  };
}
