// The portal's two home-page reads as PostgREST runs them for supabase-js (README, "Reading the portal's data"): one
// transaction per request, `set local role authenticated` and the caller's claims in `request.jwt.claims`, then the
// query the client's filters describe. The typed client example, tests/portal_reads_test.ts and the bench
// (scripts/bench/portal.ts) run these same statements.
import type { Database } from "../../functions/_shared/database.types.ts";
import type { Sql, Tx } from "../../functions/_shared/platform/db.ts";

export type PlayerStats = Database["public"]["Views"]["player_stats"]["Row"];
export type ScoreHistoryRow = Database["public"]["Tables"]["score_history"]["Row"];
export type HistoryPoint = Omit<ScoreHistoryRow, "user_id">;

/** The claims of a signed-in player's access token (app_metadata as Auth sets it). */
export function playerClaims(userId: string, appMetadata: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    sub: userId,
    role: "authenticated",
    aud: "authenticated",
    app_metadata: { provider: "email", ...appMetadata },
    user_metadata: {},
  };
}

/** One request's transaction under the role and claims PostgREST would set for this token. */
export function asRequest<T>(
  sql: Sql,
  claims: Record<string, unknown>,
  work: (tx: Tx) => Promise<T>,
): Promise<T> {
  return sql.begin(async (tx) => {
    const t = tx as unknown as Tx;
    // Pipelined with work's first statement: setClaims sends its statement as it is called, before work is called,
    // and postgres.js runs a transaction's statements in the order sent.
    const [, result] = await Promise.all([setClaims(t, claims), work(t)]);
    return result;
  }) as Promise<T>;
}

/** PostgREST's first statement of a request: the role and the claims, transaction-local. */
async function setClaims(tx: Tx, claims: Record<string, unknown>): Promise<void> {
  await tx`select set_config('role', ${String(claims.role)}, true),
    set_config('request.jwt.claims', ${JSON.stringify(claims)}, true)`;
}

/** supabase.from("player_stats").select("*").eq("user_id", userId).maybeSingle() */
export async function readStats(tx: Tx, userId: string): Promise<PlayerStats | null> {
  const rows = await tx<PlayerStats[]>`select * from public.player_stats where user_id = ${userId}`;
  return rows[0] ?? null;
}

/** supabase.from("score_history").select("id, score, chapter, event_type, event_details, conversation_id,
 * recorded_at").eq("user_id", userId).gte("recorded_at", since).order("recorded_at") */
export async function readHistory(tx: Tx, userId: string, since: Date): Promise<HistoryPoint[]> {
  return [
    ...await tx<HistoryPoint[]>`
    select id, score, chapter, event_type, event_details, conversation_id, recorded_at from public.score_history
    where user_id = ${userId} and recorded_at >= ${since} order by recorded_at`,
  ];
}
