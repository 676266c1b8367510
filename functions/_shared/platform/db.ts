// Database access: postgres.js over DATABASE_URL. Every transaction runs as service_role, so grants decide what
// the backend may do; locks are transaction-scoped because a transaction-mode pooler keeps no session state.
import postgres from "npm:postgres@3.4.9";
import { gameErrorCode, type SqlErrorCode } from "./errors.ts";

export type Sql = postgres.Sql;
export type Tx = postgres.TransactionSql;

/** The functions' session limits (PLATFORM.md §2.2): no statement, lock wait or idle transaction lasts long enough
 * to hold a pooled connection hostage. */
export const SESSION_LIMITS = {
  statement_timeout: 30_000,
  lock_timeout: 30_000,
  idle_in_transaction_session_timeout: 60_000,
} as const;

/** A small pool per isolate. Prepared statements are off on the transaction pooler (port 6543), which keeps no
 * session state, so the limits are also set in every transaction (serviceRole below). */
export function createDb(
  url: string,
  options: { max?: number; applicationName?: string; serviceRoleSessions?: boolean } = {},
): Sql {
  const pooled = new URL(url).port === "6543";
  // On a direct connection a pool may run its sessions as service_role from their start, so a single statement
  // needs no transaction to set the role (the transaction pooler keeps no session state: there, serviceRole below).
  const role = options.serviceRoleSessions && !pooled ? { role: "service_role" } : {};
  const sql = postgres(url, {
    max: options.max ?? 4,
    prepare: !pooled,
    idle_timeout: 20,
    connect_timeout: 10,
    onnotice: () => {},
    connection: {
      application_name: options.applicationName ?? "nikita-functions",
      ...(pooled ? {} : SESSION_LIMITS),
      ...role,
    } as Record<string, string | number>,
  });
  if ("role" in role) serviceRolePools.add(sql);
  return sql;
}

const serviceRolePools = new WeakSet<Sql>();

/** Whether the pool's sessions already run as service_role under the session limits (see createDb). */
export function runsAsServiceRole(sql: Sql): boolean {
  return serviceRolePools.has(sql);
}

/** The first statement of every backend transaction, one round trip: act as service_role (grants decide what the
 * backend may do) under the session limits. */
export async function serviceRole(tx: Tx): Promise<void> {
  // Milliseconds, the unit of all three settings.
  await tx`select set_config('role', 'service_role', true),
    set_config('statement_timeout', ${String(SESSION_LIMITS.statement_timeout)}, true),
    set_config('lock_timeout', ${String(SESSION_LIMITS.lock_timeout)}, true),
    set_config('idle_in_transaction_session_timeout', ${
    String(SESSION_LIMITS.idle_in_transaction_session_timeout)
  }, true)`;
}

/** Runs `work` in one transaction as service_role; a throw rolls everything back. The role goes out pipelined with
 * work's first statement (postgres.js sends a transaction's queries in order, so the role is set before it runs). */
export function asServiceRole<T>(sql: Sql, work: (tx: Tx) => Promise<T>): Promise<T> {
  return sql.begin(async (tx) => {
    const t = tx as unknown as Tx;
    const [, result] = await Promise.all([serviceRole(t), work(t)]);
    return result;
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
