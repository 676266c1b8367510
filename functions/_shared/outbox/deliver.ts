// The deliver routine (PLATFORM.md §2.6), the only path that sends, for every channel: claim head-of-chat rows
// (committed), mark each one sending (committed) just before the provider call, hand it to its channel's sender,
// then sent or failed. A crash after the claim resends after the lease; a crash while sending leaves the row
// unconfirmed, never sent twice.
//
// A run sends at Telegram's pace, not one row after another: each claimed row gets a send slot from the run's
// schedule (perSecond across chats) and waits for it on its own, showing typing for min(delay, typing window)
// right before it, so the typing pauses of different chats overlap. The run keeps passing over the queue (the
// 1 s per-chat gap lets a chat's next row through after each send) until nothing is left or it has used 60 % of
// its budget. Only one such run at a time holds the `deliver` lease; a single-chat run (the turn worker's) is
// exempt.
import { releaseJobLease, takeJobLease } from "../jobs/lease.ts";
import { asServiceRole, type Sql } from "../platform/db.ts";
import { log } from "../platform/log.ts";
import { renderEvent } from "./events.ts";
import { RateGate, SendSchedule, sleep, sleepOrUntil } from "./pacing.ts";
import { CLAIM_SHARE } from "../jobs/handler.ts";

export type Channel = "telegram" | "voice";

export interface OutboxRow {
  id: number;
  channel: Channel;
  chat_id: number;
  user_id: string | null;
  kind: string;
  text: string | null;
  payload: {
    reply_markup?: unknown;
    events?: { type: string; kind?: string }[];
    event?: string;
    chapter?: number;
    /** A call's reason (the touchpoint's), told to the agent as call_reason. */
    reason?: string;
  };
  due_at: Date;
  /** When it was queued: her reply is queued with the player's message, due after the reply delay. */
  created_at: Date;
}

/** How a send failed: permanent failures are not retried; retryAfter (seconds, a rate limit) pauses the run;
 * unconfirmed, the provider may have acted (a call dialled, its answer lost): never retried, left to operators. */
export interface SendFailure {
  message: string;
  permanent: boolean;
  retryAfter: number | null;
  unconfirmed?: boolean;
}

/** What a channel shows while a message is on its way (Telegram: the typing action). */
export interface Announcer {
  /** The longest it is shown before a message, in ms (0: shown, then the message at once). */
  maxMs: number;
  /** How often it is renewed while shown (one typing action lasts about 5 s). */
  refreshMs: number;
  /** Shows it; best effort, never throws. */
  show(row: OutboxRow): Promise<void>;
}

/** One channel's provider: sends a claimed row and says how a failure should be treated. */
export interface Sender {
  announce?: Announcer;
  send(row: OutboxRow, text: string): Promise<{ providerRef: string }>;
  classify(error: unknown): SendFailure;
}

export interface DeliverDeps {
  sql: Sql;
  senders: Partial<Record<Channel, Sender>>;
  now: () => Date;
  /** At most this many sends per second across chats (Telegram tolerates about 30). */
  perSecond?: number;
}

export interface DeliverOptions {
  /** The batch: at most this many rows claimed and not yet sent at any moment. */
  limit: number;
  /** Only this chat's rows (the turn worker's run, exempt from the deliver lease). */
  chatId?: number;
  /** The run's budget in ms (PLATFORM.md §5.1); it claims during the first 60 % of it. */
  budgetMs?: number;
}

export interface DeliverResult {
  claimed: number;
  sent: number;
  failed: number;
  /** Rows due and not sent when the run ended; null when the run did not start (another held the lease). */
  remaining: number | null;
}

/** The deliver job's budget (PLATFORM.md §5.1). */
export const DELIVER_BUDGET_MS = 50_000;
export const DEFAULT_PER_SECOND = 25;
/** The lease every run over all chats takes, so two never add up to more than Telegram's pace. */
export const DELIVER_LEASE = "deliver";
/** The lease outlives the run's budget by this much: a run ends its sends within the budget. */
const LEASE_MARGIN_S = 5;
/** claim_outbox's lease on a row, and how long before its end a row still waiting is given back instead. */
const ROW_LEASE_MS = 60_000;
const ROW_LEASE_SLACK_MS = 10_000;
/** While rows are in flight, the run looks for newly claimable ones this often. */
const POLL_MS = 250;

/** How long typing shows before a row: min(delay, typing window, the sender's maximum), where the delay is the
 * row's own (due_at - created_at: her reply delay; 0 for a command, due at once). GAME_RULES.md §14.2. */
export function typingLead(row: Pick<OutboxRow, "due_at" | "created_at">, windowMs: number, maxMs: number): number {
  const delay = new Date(row.due_at).getTime() - new Date(row.created_at).getTime();
  return Math.max(0, Math.min(delay, windowMs, maxMs));
}

interface Outlook {
  due: number;
  soon: number;
  next_due: Date | null;
  gap_ends_at: Date | null;
  typing_window_ms: number;
}

/** The queue as a run sees it (private.outbox_outlook). */
export async function outboxOutlook(sql: Sql, now: Date, chatId?: number): Promise<Outlook> {
  const [row] = await asServiceRole(
    sql,
    (tx) => tx<Outlook[]>`select * from private.outbox_outlook(${now}, ${chatId ?? null})`,
  );
  if (!row) throw new Error("outbox_outlook returned no row");
  return row;
}

export async function deliver(deps: DeliverDeps, options: DeliverOptions): Promise<DeliverResult> {
  const budgetMs = Math.max(0, options.budgetMs ?? DELIVER_BUDGET_MS);
  const holder = options.chatId === undefined ? crypto.randomUUID() : null;
  const leaseSeconds = Math.ceil(budgetMs / 1000) + LEASE_MARGIN_S;
  if (holder !== null) {
    if (!await takeJobLease(deps.sql, DELIVER_LEASE, holder, leaseSeconds, deps.now())) {
      return { claimed: 0, sent: 0, failed: 0, remaining: null };
    }
  }
  try {
    // A leased run sends nothing in the last second of its lease, so the next run never overlaps it; a single-chat
    // run sends nothing after its budget, its caller's deadline.
    const sendForMs = holder !== null ? (leaseSeconds - 1) * 1000 : budgetMs;
    return await new Run(deps, options, budgetMs, sendForMs).run();
  } finally {
    if (holder !== null) await releaseJobLease(deps.sql, DELIVER_LEASE, holder);
  }
}

/** One run: its schedule, gate, rows in flight and counts. Times are ms on deps.now()'s clock, except the budget,
 * which is measured on the monotonic clock. */
class Run {
  readonly #schedule: SendSchedule;
  readonly #gate: RateGate;
  readonly #inflight = new Set<Promise<void>>();
  readonly #result: DeliverResult = { claimed: 0, sent: 0, failed: 0, remaining: null };
  readonly #started = performance.now();
  /** When the run stops sending: a row whose slot comes later goes back to the queue. */
  readonly #end: number;
  #windowMs = 0;

  constructor(
    readonly deps: DeliverDeps,
    readonly options: DeliverOptions,
    readonly budgetMs: number,
    /** The run ends its sends this long after it started. */
    sendForMs: number,
  ) {
    const perSecond = deps.perSecond ?? DEFAULT_PER_SECOND;
    this.#schedule = new SendSchedule(perSecond);
    this.#gate = new RateGate(perSecond);
    this.#end = this.#at() + sendForMs;
  }

  #at(): number {
    return this.deps.now().getTime();
  }

  #elapsed(): number {
    return performance.now() - this.#started;
  }

  #sleepUntil(t: number): Promise<void> {
    return sleep(t - this.#at());
  }

  async run(): Promise<DeliverResult> {
    const { sql } = this.deps;
    const chatId = this.options.chatId;
    // The first pass claims whatever the queue holds (the claim also recovers rows whose lease ran out).
    this.#windowMs = (await outboxOutlook(sql, this.deps.now(), chatId)).typing_window_ms;

    const claimForMs = this.budgetMs * CLAIM_SHARE;
    let lastGapEnd: number | null = null;
    for (let pass = 0;; pass++) {
      if (pass > 0 && this.#elapsed() >= claimForMs) break;
      // Claim only while this run can still send: its schedule is booked up to #schedule.next (a 429 pause
      // included). A claimed row whose turn would still come too late is given back.
      const bookable = pass === 0 || this.#schedule.next < this.#end;
      const room = this.options.limit - this.#inflight.size;
      let claimed = 0;
      if (room > 0 && bookable) {
        claimed = await this.#claim(room);
        if (claimed > 0) lastGapEnd = null;
      }
      if (this.#inflight.size > 0) {
        await sleepOrUntil(POLL_MS, Promise.all(this.#inflight));
        continue;
      }
      if (claimed > 0) continue;
      if (!bookable) break;
      // Nothing claimed and nothing in flight: wait for a chat's 1 s gap to end if that is what holds rows back.
      const o = await outboxOutlook(sql, this.deps.now(), chatId);
      if (o.soon === 0) break;
      const gapEnd = o.gap_ends_at?.getTime() ?? null;
      // No gap to wait for (the rows are another worker's), or the same one again (the clock does not move).
      if (gapEnd === null || gapEnd === lastGapEnd) break;
      lastGapEnd = gapEnd;
      const wait = gapEnd - this.#at();
      if (wait > claimForMs - this.#elapsed()) break;
      await sleep(wait);
    }
    await Promise.all(this.#inflight);
    const end = await outboxOutlook(sql, this.deps.now(), chatId);
    return { ...this.#result, remaining: end.due };
  }

  /** One pass: claims up to `room` rows and books each a slot, in the order they can go out. */
  async #claim(room: number): Promise<number> {
    const claimedAt = this.#at();
    const rows = await asServiceRole(
      this.deps.sql,
      (tx) =>
        tx<OutboxRow[]>`select * from private.claim_outbox(${new Date(claimedAt)}, ${room}, ${
          this.options.chatId ?? null
        })`,
    );
    this.#result.claimed += rows.length;
    const planned = rows.map((row) => {
      const announce = this.deps.senders[row.channel]?.announce;
      const lead = announce ? typingLead(row, this.#windowMs, announce.maxMs) : 0;
      // The message goes at its due time, and never before its typing has shown for `lead`.
      return { row, lead, earliest: Math.max(row.due_at.getTime(), claimedAt + lead) };
    }).sort((a, b) => a.earliest - b.earliest);
    for (const p of planned) {
      const work = this.#deliverRow(p.row, p.lead, this.#schedule.reserve(p.earliest), claimedAt).catch((error) =>
        log("error", "deliver: a row was left to its lease", { outbox_id: p.row.id, error: String(error) })
      );
      this.#inflight.add(work);
      void work.finally(() => this.#inflight.delete(work));
    }
    return rows.length;
  }

  async #deliverRow(row: OutboxRow, lead: number, slot: number, claimedAt: number): Promise<void> {
    const sender = this.deps.senders[row.channel];
    for (;;) {
      // A slot past the run's end or the row's lease is not kept: the row goes back to the queue, moved past a
      // 429 pause if that is what pushed it there (uncounted, as the 429 itself), else as it was.
      if (slot > this.#end || slot > claimedAt + ROW_LEASE_MS - ROW_LEASE_SLACK_MS) {
        const pausedFor = this.#schedule.pausedUntil - this.#at();
        if (pausedFor > 0) {
          await this.#markFailed(row.id, "rate limited: held past the run", false, Math.ceil(pausedFor / 1000));
        } else {
          await asServiceRole(this.deps.sql, (tx) => tx`select private.release_outbox(${row.id})`);
        }
        return;
      }
      if (sender?.announce) {
        let t = slot - lead;
        do {
          await this.#sleepUntil(t);
          await sender.announce.show(row);
          t += sender.announce.refreshMs;
        } while (t < slot);
      }
      await this.#sleepUntil(slot);
      // A 429 since this slot was booked: every send waits until the pause is over.
      if (this.#schedule.pausedUntil <= slot) break;
      slot = this.#schedule.reserve(Math.max(this.#schedule.pausedUntil, this.#at() + lead));
    }

    // A call has no text; an event row's words are rendered once, here, and stored with the row.
    const text = row.text ?? (row.channel === "voice" ? null : renderEvent(row.payload, row.id));
    const sending = await asServiceRole(this.deps.sql, async (tx) => {
      const [r] = await tx<
        { ok: boolean | null }[]
      >`select private.mark_sending(${row.id}, ${text}, ${this.deps.now()}) as ok`;
      return r?.ok === true;
    });
    if (!sending) return;
    let providerRef: string;
    try {
      if (!sender) throw new Error(`no sender for channel ${row.channel}`);
      await this.#gate.pass();
      providerRef = (await sender.send(row, text ?? "")).providerRef;
    } catch (error) {
      // No sender: the channel is not configured here (voice off), which a retry would not change.
      const failure = sender?.classify(error) ?? { message: String(error), permanent: true, retryAfter: null };
      log("warn", "send failed", { outbox_id: row.id, channel: row.channel, error: failure.message });
      this.#result.failed++;
      if (failure.unconfirmed) {
        await asServiceRole(
          this.deps.sql,
          (tx) => tx`select private.mark_unconfirmed(${row.id}, ${failure.message}, ${this.deps.now()})`,
        );
        return;
      }
      // A rate limit pauses the whole run for retry_after: the next sends would only be refused too.
      if (failure.retryAfter !== null) this.#schedule.pause(this.#at() + failure.retryAfter * 1000);
      await this.#markFailed(row.id, failure.message, failure.permanent, failure.retryAfter);
      return;
    }
    // Outside the try: once the provider took it, a failure here leaves the row sending (unconfirmed after its
    // lease), never retried into a second message.
    await asServiceRole(
      this.deps.sql,
      (tx) => tx`select private.mark_sent(${row.id}, ${providerRef}, ${this.deps.now()})`,
    );
    this.#result.sent++;
  }

  #markFailed(id: number, message: string, permanent: boolean, retryAfter: number | null): Promise<unknown> {
    return asServiceRole(
      this.deps.sql,
      (tx) => tx`select private.mark_send_failed(${id}, ${message}, ${permanent}, ${retryAfter}, ${this.deps.now()})`,
    );
  }
}
