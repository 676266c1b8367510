// The admin tools (PLATFORM.md §8.1, GAME_RULES.md §19): each one engine call that checks the admin again (ADMRQ),
// does the action and writes its public.admin_audit_log row, in the one transaction asServiceRole opens.
import { asServiceRole, type Sql } from "../platform/db.ts";
import type { AdjustBody } from "./requests.ts";

export type AdminAction =
  | { kind: "reset"; userId: string; reason: string }
  | { kind: "adjust"; userId: string; body: AdjustBody }
  | { kind: "reprocess"; conversationId: string };

export async function runAdminAction(
  sql: Sql,
  action: AdminAction,
  adminId: string,
  now: Date,
): Promise<Record<string, unknown>> {
  const [row] = await asServiceRole(sql, (tx) => {
    switch (action.kind) {
      case "reset":
        return tx<{ r: Record<string, unknown> }[]>`
          select game.admin_reset(${action.userId}, ${action.reason}, ${adminId}, ${now}) as r`;
      case "adjust":
        return tx<{ r: Record<string, unknown> }[]>`
          select game.admin_adjust(${action.userId}, ${tx.json(action.body.deltas)}, ${action.body.reason},
            ${adminId}, ${now}) as r`;
      case "reprocess":
        return tx<{ r: Record<string, unknown> }[]>`
          select game.admin_reprocess(${action.conversationId}, ${adminId}, ${now}) as r`;
    }
  });
  return row!.r;
}
