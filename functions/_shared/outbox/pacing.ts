// The pace of one deliver run (PLATFORM.md §2.6: at most 25 messages/s across chats). Two parts: the schedule
// hands each row a send slot ahead of time, so its typing can be shown right before it, and the gate is the hard
// bound, checked the moment before each provider call: however the slots drift (a slow typing call, a slow
// commit), no window of a second sees more than perSecond sends start.

/** Telegram counts a burst on its own clock: each second gets this much slack, so request jitter cannot squeeze
 * perSecond + 1 sends into one of Telegram's seconds. */
export const PACE_GUARD_MS = 50;

/** Send slots, at least (1 s + guard) / perSecond apart, in the order they are asked for; a 429 pauses them. */
export class SendSchedule {
  readonly intervalMs: number;
  #next = -Infinity;
  #pausedUntil = -Infinity;

  constructor(perSecond: number) {
    if (!(perSecond > 0)) throw new Error(`perSecond must be positive, not ${perSecond}`);
    this.intervalMs = (1000 + PACE_GUARD_MS) / perSecond;
  }

  /** The first free slot at or after `earliest` (ms, on the run's clock), taken. */
  reserve(earliest: number): number {
    const slot = Math.max(earliest, this.#next, this.#pausedUntil);
    this.#next = slot + this.intervalMs;
    return slot;
  }

  /** The slot the next reservation would get at the earliest. */
  get next(): number {
    return Math.max(this.#next, this.#pausedUntil);
  }

  /** A rate limit: nothing is scheduled before `until`, and slots already handed out before it are void. */
  pause(until: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, until);
  }

  get pausedUntil(): number {
    return this.#pausedUntil;
  }
}

/** At most `perSecond` passes in any (1 s + guard), first come first served, on the monotonic clock. */
export class RateGate {
  readonly #perSecond: number;
  readonly #windowMs: number;
  readonly #starts: number[] = [];
  #queue: Promise<void> = Promise.resolve();

  constructor(perSecond: number, windowMs = 1000 + PACE_GUARD_MS) {
    if (!(perSecond > 0)) throw new Error(`perSecond must be positive, not ${perSecond}`);
    this.#perSecond = Math.max(1, Math.floor(perSecond));
    this.#windowMs = windowMs;
  }

  /** Resolves when one more send may start; the send counts from that moment. */
  pass(): Promise<void> {
    const turn = this.#queue.then(async () => {
      if (this.#starts.length >= this.#perSecond) {
        const oldest = this.#starts[this.#starts.length - this.#perSecond]!;
        const wait = oldest + this.#windowMs - performance.now();
        if (wait > 0) await sleep(wait);
      }
      this.#starts.push(performance.now());
      if (this.#starts.length > this.#perSecond) this.#starts.shift();
    });
    this.#queue = turn;
    return turn;
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** Waits for `work` or `ms`, whichever comes first, leaving no timer behind. */
export async function sleepOrUntil(ms: number, work: Promise<unknown>): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, ms)))), work]);
  } finally {
    clearTimeout(timer);
  }
}
