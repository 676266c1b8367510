// The four server tools of her phone agent (PLATFORM.md §4.2), POST /tools/{tool}. The caller is the player of the
// session token (X-Nikita-Session), checked by the handler; here it is also checked that the token's session exists
// and belongs to that player (game.voice_session), and nothing a tool is sent can name another player: the parameter
// schemas strip every unknown key. Each tool answers within its budget; the read tools degrade (a static context,
// empty lists, no analysis) rather than fail, so the call goes on.
import { createHash } from "node:crypto";
import { z } from "npm:zod@4.6.7";
import type { Llm } from "../llm/types.ts";
import type { Embedder } from "../memory/embeddings.ts";
import { buildReadyPrompt, type PromptInputs } from "../pipeline/ready_prompt.ts";
import { asServiceRole, type Sql, type Tx } from "../platform/db.ts";
import { gameErrorCode, ProviderError } from "../platform/errors.ts";
import { log } from "../platform/log.ts";
import type { Runtime } from "../platform/runtime.ts";
import { withinBudget } from "./budget.ts";
import { STATIC_CONTEXT } from "./lines.ts";
import type { SessionClaims } from "./token.ts";

/** Each tool's budget (PLATFORM.md §4.2), inside the 5 s ElevenLabs waits for any tool. */
export const TOOL_BUDGET_MS = { get_context: 2000, get_memory: 3000, score_turn: 5000, update_memory: 5000 } as const;
export type ToolName = keyof typeof TOOL_BUDGET_MS;
export const TOOL_NAMES = Object.keys(TOOL_BUDGET_MS) as ToolName[];

/** The parameters of each tool. z.object drops unknown keys: a `user_id` or a player sent along is never read. */
export const toolParams = {
  get_context: z.object({}),
  get_memory: z.object({
    query: z.string().min(1).max(200),
    limit: z.number().int().min(1).max(10).default(5),
  }),
  score_turn: z.object({
    user_message: z.string().min(1).max(2000),
    nikita_response: z.string().min(1).max(2000),
  }),
  update_memory: z.object({
    fact: z.string().min(3).max(300),
    category: z.enum(["user", "relationship", "nikita"]),
  }),
} satisfies Record<ToolName, z.ZodType>;

export interface ToolDeps {
  sql: Sql;
  embedder: Embedder;
  analyze: Llm["analyze"];
  runtime: Runtime;
  /** Shorter budgets for tests; TOOL_BUDGET_MS otherwise. */
  budgets?: Partial<Record<ToolName, number>>;
}

/** What a tool answers: 200 with data, 401 for a session that is not the token's player's, or a coded error. */
export type ToolResult =
  | { status: 200; data: Record<string, unknown> }
  | { status: 401 }
  | { status: 409 | 422; error: string; message: string };

const UNAUTHORIZED = { status: 401 } as const;

/** How she names whom a fact is about (get_memory): the player, the two of them, herself. */
const ABOUT = { user: "you", relationship: "us", nikita: "me" } as const;

/** Facts below this confidence are not offered to her on the phone, as in her text replies (game.reply_context). */
const MIN_FACT_CONFIDENCE = 0.3;
/** The open threads get_memory adds, newest first. */
const THREAD_LIMIT = 5;

/** The voice tool's memory writes (game.remember_fact): a fact she was told on the phone is taken at this confidence. */
export const VOICE_FACT_CONFIDENCE = 0.8;

function budget(deps: ToolDeps, tool: ToolName): number {
  return deps.budgets?.[tool] ?? TOOL_BUDGET_MS[tool];
}

interface SessionRow {
  session_id: string;
  user_id: string;
  status: string;
}

/** Whether game.voice_session knows the token's session and it belongs to the token's player. */
function ownsSession(session: SessionRow | null, claims: SessionClaims): boolean {
  return session !== null && session.user_id === claims.userId && session.session_id === claims.sessionId;
}

async function loadSession(tx: Tx, claims: SessionClaims): Promise<SessionRow | null> {
  const [row] = await tx<{ s: SessionRow | null }[]>`select game.voice_session(${claims.sessionId}::uuid) as s`;
  return row?.s ?? null;
}

export function runTool(deps: ToolDeps, tool: ToolName, claims: SessionClaims, params: unknown): Promise<ToolResult> {
  switch (tool) {
    case "get_context":
      return getContext(deps, claims);
    case "get_memory":
      return getMemory(deps, claims, params as z.infer<typeof toolParams.get_memory>);
    case "score_turn":
      return scoreTurn(deps, claims, params as z.infer<typeof toolParams.score_turn>);
    case "update_memory":
      return updateMemory(deps, claims, params as z.infer<typeof toolParams.update_memory>);
  }
}

// ---- get_context ----

interface ContextRow {
  session: SessionRow | null;
  ready_prompt: string | null;
  player: { display_name: string | null; chapter_name: string; local_time: string } | null;
  inputs: PromptInputs | null;
}

/** When nothing is known in time: the static context, no player details, marked degraded. */
function staticContext(): ToolResult {
  return {
    status: 200,
    data: {
      context: STATIC_CONTEXT,
      player_name: "",
      chapter_name: "",
      local_time: "",
      source: "fallback",
      degraded: true,
    },
  };
}

/** Her context for the call: the voice ready prompt when one is built, else the same block built live from
 * game.prompt_inputs, else (the database too slow or failing) a short static one. One statement checks the session
 * and reads everything, so the common case is one round trip. */
async function getContext(deps: ToolDeps, claims: SessionClaims): Promise<ToolResult> {
  const now = deps.runtime.now();
  const work = asServiceRole(deps.sql, (tx) =>
    tx<ContextRow[]>`
      with ready as (
        select r.prompt_text from game.ready_prompts r
        where r.user_id = ${claims.userId}::uuid and r.platform = 'voice' and r.is_current
      ), player as (
        select u.display_name, c.name as chapter_name,
               to_char(${now}::timestamptz at time zone u.timezone, 'Dy DD Mon HH24:MI') as local_time
        from public.users u join public.chapters c on c.chapter = u.chapter
        where u.id = ${claims.userId}::uuid
      )
      select game.voice_session(${claims.sessionId}::uuid) as session,
             (select prompt_text from ready) as ready_prompt,
             (select to_jsonb(p) from player p) as player,
             case when not exists (select 1 from ready) and exists (select 1 from player)
                  then game.prompt_inputs(${claims.userId}::uuid, ${now}) end as inputs`);
  let row: ContextRow | undefined;
  try {
    const outcome = await withinBudget(work, budget(deps, "get_context"), deps.runtime);
    if (!outcome.done) {
      log("warn", "voice get_context over its budget: static context", { session_id: claims.sessionId });
      return staticContext();
    }
    row = outcome.value[0];
  } catch (error) {
    log("error", "voice get_context failed: static context", { error: String(error) });
    return staticContext();
  }
  if (!row || !ownsSession(row.session, claims) || !row.player) return UNAUTHORIZED;
  const player = {
    player_name: row.player.display_name ?? "",
    chapter_name: row.player.chapter_name,
    local_time: row.player.local_time,
  };
  if (row.ready_prompt) return { status: 200, data: { context: row.ready_prompt, ...player, source: "ready_prompt" } };
  if (row.inputs) {
    return { status: 200, data: { context: buildReadyPrompt(row.inputs, "voice").text, ...player, source: "live" } };
  }
  return { status: 200, data: { context: STATIC_CONTEXT, ...player, source: "fallback" } };
}

// ---- get_memory ----

interface MemoryRow {
  facts: { fact: string; graph_type: keyof typeof ABOUT; date: string }[];
  threads: { type: string; content: string }[];
}

function noMemories(): ToolResult {
  return { status: 200, data: { facts: [], threads: [], degraded: true } };
}

/** What she remembers that fits the query: once the session is checked, the query is embedded and searched with its
 * words too (game.search_memory's fused ranking, so a name the player used is found), plus the open threads. */
async function getMemory(
  deps: ToolDeps,
  claims: SessionClaims,
  params: z.infer<typeof toolParams.get_memory>,
): Promise<ToolResult> {
  const work = (async (): Promise<ToolResult> => {
    const session = await asServiceRole(deps.sql, (tx) => loadSession(tx, claims));
    if (!ownsSession(session, claims)) return UNAUTHORIZED;
    const [vector] = await deps.embedder.embed([params.query], "voice_memory", claims.userId);
    const [row] = await asServiceRole(deps.sql, (tx) =>
      tx<MemoryRow[]>`
        select coalesce((
          select jsonb_agg(jsonb_build_object('fact', m.fact, 'graph_type', m.graph_type,
                   'date', to_char(m.created_at at time zone u.timezone, 'YYYY-MM-DD')) order by m.n)
          from public.users u,
               game.search_memory(u.id, ${JSON.stringify(vector)}::extensions.vector, ${params.limit}::int, null,
                 ${MIN_FACT_CONFIDENCE}::real, ${params.query}) with ordinality
                 as m(id, graph_type, fact, confidence, created_at, similarity, n)
          where u.id = ${claims.userId}::uuid), '[]'::jsonb) as facts,
        coalesce((
          select jsonb_agg(jsonb_build_object('type', t.type, 'content', t.content) order by t.created_at desc)
          from (select * from game.conversation_threads
                where user_id = ${claims.userId}::uuid and status = 'open'
                order by created_at desc limit ${THREAD_LIMIT}) t), '[]'::jsonb) as threads`);
    return {
      status: 200,
      data: {
        facts: row!.facts.map((f) => ({ text: f.fact, about: ABOUT[f.graph_type], date: f.date })),
        threads: row!.threads,
      },
    };
  })();
  try {
    const outcome = await withinBudget(work, budget(deps, "get_memory"), deps.runtime);
    if (outcome.done) return outcome.value;
    log("warn", "voice get_memory over its budget: empty lists", { session_id: claims.sessionId });
  } catch (error) {
    log(error instanceof ProviderError ? "warn" : "error", "voice get_memory failed: empty lists", {
      error: String(error),
    });
  }
  return noMemories();
}

// ---- score_turn ----

interface PlayerRow {
  session: SessionRow | null;
  player: { display_name: string | null; chapter: number; chapter_name: string; score: number } | null;
}

/** The analyzer's judgment of one exchange of the call, for her to act on: nothing is stored and no score moves
 * (the whole call is scored once, after it ends). */
async function scoreTurn(
  deps: ToolDeps,
  claims: SessionClaims,
  params: z.infer<typeof toolParams.score_turn>,
): Promise<ToolResult> {
  const work = (async (): Promise<ToolResult> => {
    const [row] = await asServiceRole(deps.sql, (tx) =>
      tx<PlayerRow[]>`
        select game.voice_session(${claims.sessionId}::uuid) as session,
               (select jsonb_build_object('display_name', u.display_name, 'chapter', u.chapter, 'chapter_name', c.name,
                         'score', u.relationship_score)
                from public.users u join public.chapters c on c.chapter = u.chapter
                where u.id = ${claims.userId}::uuid) as player`);
    if (!row || !ownsSession(row.session, claims) || !row.player) return UNAUTHORIZED;
    const analysis = await deps.analyze(
      {
        userId: claims.userId,
        playerName: row.player.display_name,
        chapter: row.player.chapter,
        chapterName: row.player.chapter_name,
        localTime: "",
        score: Number(row.player.score),
        notes: [],
      },
      [{ role: "player", content: params.user_message }],
      params.nikita_response,
    );
    return { status: 200, data: { analysis } };
  })();
  try {
    const outcome = await withinBudget(work, budget(deps, "score_turn"), deps.runtime);
    if (outcome.done) return outcome.value;
    log("warn", "voice score_turn over its budget: no analysis", { session_id: claims.sessionId });
  } catch (error) {
    log(error instanceof ProviderError ? "warn" : "error", "voice score_turn failed: no analysis", {
      error: String(error),
    });
  }
  return { status: 200, data: { analysis: null, degraded: true } };
}

// ---- update_memory ----

/** The fact as its idempotency key sees it: trimmed, lowercased, whitespace collapsed. */
export function normaliseFact(fact: string): string {
  return fact.replace(/\s+/g, " ").trim().toLowerCase();
}

function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** update_memory's key (PLATFORM.md §4.2): sha256 of the session and the normalised fact, so the agent repeating a
 * fact in the same call stores it once; the request hash adds the category, so the same fact filed elsewhere is a
 * conflict (IDMIS), not a repeat. */
export function memoryKeys(sessionId: string, fact: string, category: string): { key: string; requestHash: string } {
  const normalised = normaliseFact(fact);
  return {
    key: sha256Hex(sessionId + normalised),
    requestHash: sha256Hex(JSON.stringify({ fact: normalised, category })),
  };
}

function coded(error: unknown): ToolResult | null {
  const code = gameErrorCode(error);
  const message = String((error as { message?: string }).message ?? error);
  if (code === "IDMIS") return { status: 409, error: "IDMIS", message };
  if (code === "MEMBD") return { status: 422, error: "MEMBD", message };
  return null;
}

/** Stores what the player told her on the phone (game.remember_fact, source voice_tool), once per session and fact:
 * a repeat answers the first response, the same fact in another category is IDMIS (409), an invalid fact MEMBD
 * (422). The fact is embedded holding no transaction; the write, its replay check and the saved response are one
 * transaction under a lock on the key, so two concurrent repeats store one fact. */
async function updateMemory(
  deps: ToolDeps,
  claims: SessionClaims,
  params: z.infer<typeof toolParams.update_memory>,
): Promise<ToolResult> {
  const { key, requestHash } = memoryKeys(claims.sessionId, params.fact, params.category);
  const replay = (tx: Tx) =>
    tx<{ r: Record<string, unknown> | null }[]>`
      select private.tool_call_replay(${key}, ${claims.sessionId}::uuid, 'update_memory', ${requestHash}) as r`
      .then((rows) => rows[0]?.r ?? null);
  const work = (async (): Promise<ToolResult> => {
    const first = await asServiceRole(deps.sql, async (tx) => {
      if (!ownsSession(await loadSession(tx, claims), claims)) return UNAUTHORIZED;
      return await replay(tx);
    });
    if (first === UNAUTHORIZED) return UNAUTHORIZED;
    if (first) return { status: 200, data: first as Record<string, unknown> };
    const text = params.fact.trim();
    // Nothing to embed in a fact of blanks: game.remember_fact, the one home of the fact rules, refuses it (MEMBD).
    const vector = text === "" ? null : (await deps.embedder.embed([text], "voice_memory", claims.userId))[0]!;
    const now = deps.runtime.now();
    const saved = await asServiceRole(deps.sql, async (tx) => {
      await tx`select pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended(${`tool_call:${key}`}, 0))`;
      const again = await replay(tx);
      if (again) return again;
      const [stored] = await tx<{ r: { fact_id: string; superseded_id: string | null } }[]>`
        select game.remember_fact(${claims.userId}::uuid, ${params.category}, ${params.fact},
          ${vector === null ? null : JSON.stringify(vector)}::extensions.vector, 'voice_tool',
          ${VOICE_FACT_CONFIDENCE}::real, null, ${now}) as r`;
      const response = { stored: true, fact_id: stored!.r.fact_id, superseded_id: stored!.r.superseded_id };
      const [row] = await tx<{ r: Record<string, unknown> }[]>`
        select private.save_tool_call(${key}, ${claims.sessionId}::uuid, 'update_memory', ${requestHash},
          ${tx.json(response)}) as r`;
      return row!.r;
    });
    return { status: 200, data: saved };
  })();
  try {
    const outcome = await withinBudget(work, budget(deps, "update_memory"), deps.runtime);
    if (outcome.done) return outcome.value;
    // The write goes on after the answer (waitUntil); a repeat of the call finds it by its key.
    log("warn", "voice update_memory over its budget: answered before the write", { session_id: claims.sessionId });
    return { status: 200, data: { stored: false, degraded: true } };
  } catch (error) {
    const answer = coded(error);
    if (answer) return answer;
    if (error instanceof ProviderError) {
      log("warn", "voice update_memory: the embedder failed", { error: String(error) });
      return { status: 200, data: { stored: false, degraded: true } };
    }
    throw error;
  }
}
