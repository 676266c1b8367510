// Dedupe keys of the outbox (PLATFORM.md §2.6), the one place they are built. A key names the input that caused
// the message, so a retried turn, a replayed update or a rerun job queues nothing twice. queueText appends the
// part number (`<key>:<part>`, from 1) for each part of a split message. `event:<score_history_id>` rows are
// queued by SQL (game.queue_event) and built there.

export const dedupeKey = {
  /** Her reply to a player message. */
  reply: (updateId: number) => `reply:${updateId}`,
  /** Her goodbye after a reply that ended the game. */
  goodbye: (updateId: number) => `reply:${updateId}:goodbye`,
  /** A command answer, signup step or other bot line caused by an update; `line` numbers several lines of one update. */
  command: (updateId: number, line = 1) => (line > 1 ? `cmd:${updateId}-${line}` : `cmd:${updateId}`),
  /** The one holding line of an update whose processing waits for a provider. */
  hold: (updateId: number) => `hold:${updateId}`,
  /** A line of a boss encounter: `opening`, `verdict`, or `<phase>:<resolution replies>`. */
  boss: (bossFightId: string, step: string) => `boss:${bossFightId}:${step}`,
  /** Her first message of a game (onboarding or reset). */
  welcome: (userId: string, gameStartedAt: Date | string) =>
    `welcome:${userId}:${new Date(gameStartedAt).toISOString()}`,
  /** A proactive message. */
  touchpoint: (touchpointId: string) => `touchpoint:${touchpointId}`,
  /** An outbound call. */
  call: (touchpointId: string) => `call:${touchpointId}`,
} as const;

/** The key of one part of a split message. */
export function partKey(key: string, part: number): string {
  return `${key}:${part}`;
}
