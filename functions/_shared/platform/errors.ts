// The SQL error codes the game.* functions raise (PLATFORM.md §10), with the HTTP status an edge route answers.
// TypeScript never decides a game outcome from them; it only maps them to replies and statuses.

export const sqlErrorCodes = {
  PNFND: { status: 404, meaning: "player not found" },
  ONBRQ: { status: 409, meaning: "onboarding not complete" },
  GOVER: { status: 409, meaning: "game finished" },
  BOSSA: { status: 409, meaning: "boss fight active" },
  BOSSN: { status: 409, meaning: "no boss fight active" },
  RATEL: { status: 429, meaning: "rate limited" },
  ANBAD: { status: 422, meaning: "analysis invalid or out of range" },
  VRBAD: { status: 422, meaning: "boss verdict invalid" },
  DKINV: { status: 422, meaning: "darkness level outside 1..5" },
  TZINV: { status: 422, meaning: "unknown IANA timezone" },
  TGBND: { status: 409, meaning: "Telegram account bound to another player" },
  LNKEX: { status: 410, meaning: "link code unknown or expired" },
  CVNFD: { status: 404, meaning: "conversation not found" },
  MEMBD: { status: 422, meaning: "memory fact invalid" },
  IDMIS: { status: 409, meaning: "idempotency key reused with different input" },
  ADMRQ: { status: 403, meaning: "admin role required" },
  DSBAD: { status: 422, meaning: "daily summary invalid, or its day not over or without a conversation" },
} as const;

export type SqlErrorCode = keyof typeof sqlErrorCodes;

/** The registered code carried by a database error, if it is one of ours. */
export function gameErrorCode(error: unknown): SqlErrorCode | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && Object.hasOwn(sqlErrorCodes, code) ? code as SqlErrorCode : undefined;
}

/** HTTP status for an error: the registered code's status, else 500 (a real fault). */
export function httpStatusFor(error: unknown): number {
  const code = gameErrorCode(error);
  return code ? sqlErrorCodes[code].status : 500;
}

/** A provider (model, embeddings, Auth) could not be reached, or kept answering wrongly after its retries: the
 * work is retried later, never shown to the player. */
export class ProviderError extends Error {
  constructor(message: string, override readonly cause?: unknown) {
    super(message);
    this.name = "ProviderError";
  }
}
