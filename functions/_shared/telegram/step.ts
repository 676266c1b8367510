// What is left of an update once its first transaction commits: provider calls (models, Auth) made holding no
// transaction and no pooled connection, then the effects in a second transaction that checks the claim is still
// held (PLATFORM.md §2.2). A step may leave another (her boss opening after the exchange that started the fight).

import type { Tx } from "../platform/db.ts";

export interface Step {
  /** The player whose advisory lock the second transaction takes besides the chat's. */
  userId?: string | null;
  /** The provider calls; they may throw a ProviderError, and the update is retried later. */
  draft(): Promise<void>;
  /** The effects, inside the second transaction; returns the next step, if any. */
  apply(tx: Tx): Promise<Step | void>;
}

/** The world changed between planning and applying (a timeout, a call, a game that ended): plan the turn again. */
export class StalePlan extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StalePlan";
  }
}
