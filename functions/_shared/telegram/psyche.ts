// Her psyche in a turn (GAME_RULES.md §12.2): the tier is decided in SQL in the turn's first transaction
// (game.psyche_tier, with game.psyche_context when a generation is due) and kept in the update's progress, so a retry
// asks the same question; deep and quick run a live generation while no transaction is held, bounded by a short
// deadline (a failure keeps the current state); the new state is saved with the turn's effects and shapes her reply.
import type { PsycheContext, PsycheGeneration } from "../llm/psyche.ts";
import type { Llm } from "../llm/types.ts";
import type { Tx } from "../platform/db.ts";
import { log } from "../platform/log.ts";

/** What game.psyche_tier decided for a message, with the context a generation is made from. */
export interface PsycheDecision {
  tier: "deep" | "quick" | "cached";
  context: PsycheContext | null;
}

export async function decidePsyche(tx: Tx, userId: string, text: string, now: Date): Promise<PsycheDecision> {
  const [row] = await tx<PsycheDecision[]>`
    select d.tier, case when d.tier <> 'cached' then game.psyche_context(${userId}, ${now}) end as context
    from (select game.psyche_tier(${userId}, ${text}, ${now}) as tier) d`;
  return row!;
}

/** The live generation a decision calls for; null for cached, and when the model fails or misses its deadline. */
export function generateFor(
  llm: Llm,
  userId: string,
  decision: PsycheDecision | undefined,
  message: string,
): Promise<PsycheGeneration | null> {
  if (!decision || decision.tier === "cached" || !decision.context) return Promise.resolve(null);
  return llm.psyche({ userId, tier: decision.tier, context: decision.context, message });
}

/** Saves a live generation with the turn's effects; a state SQL refuses is logged and dropped (the turn goes on). */
export async function savePsyche(
  tx: Tx,
  userId: string,
  decision: PsycheDecision | undefined,
  generation: PsycheGeneration | null,
  now: Date,
): Promise<void> {
  if (!generation || !decision || decision.tier === "cached") return;
  try {
    await tx.savepoint((sp) =>
      sp`select game.save_psyche_state(${userId}, ${sp.json(generation.state as never)}, ${generation.model},
        ${decision.tier}, ${now})`
    );
  } catch (error) {
    // 22023: the state broke a rule zod did not know of (a tunable changed meanwhile); the current state stays.
    if ((error as { code?: string }).code !== "22023") throw error;
    log("warn", "psyche state refused", { user_id: userId, error: String(error).slice(0, 300) });
  }
}
