// Database access: postgres.js over DATABASE_URL. Every transaction runs as service_role, so grants decide what
// the backend may do; locks are transaction-scoped because a transaction-mode pooler keeps no session state.
import postgres from "npm:postgres@3.4.9";
import { gameErrorCode, type SqlErrorCode } from "./errors.ts";

export type Sql = postgres.Sql;
export type Tx = postgres.TransactionSql;

/** A small pool per isolate. Prepared statements are off on the transaction pooler (port 6543). */
export function createDb(url: string, options: { max?: number } = {}): Sql {
  const pooled = new URL(url).port === "6543";
  return postgres(url, {
    max: options.max ?? 4,
    prepare: !pooled,
    idle_timeout: 20,
    connect_timeout: 10,
    onnotice: () => {},
    connection: { application_name: "nikita-functions" },
  });
}

/** Runs `work` in one transaction as service_role; a throw rolls everything back. */
export function asServiceRole<T>(sql: Sql, work: (tx: Tx) => Promise<T>): Promise<T> {
  return sql.begin(async (tx) => {
    await tx`set local role service_role`;
    return await work(tx);
  }) as Promise<T>;
}

/** Runs `work` in a savepoint: a registered game error code (PLATFORM.md §10) comes back as a value and rolls back
 * only the savepoint, so the caller can answer it; any other error propagates. */
export async function attempt<T>(
  tx: Tx,
  work: (sp: Tx) => Promise<T>,
): Promise<{ ok: T } | { code: SqlErrorCode; detail: string }> {
  try {
    return { ok: await tx.savepoint((sp) => work(sp as unknown as Tx)) as T };
  } catch (error) {
    const code = gameErrorCode(error);
    if (!code) throw error;
    return { code, detail: String((error as { detail?: string }).detail ?? "") };
  }
}
