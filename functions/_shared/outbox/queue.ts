// Queuing outgoing messages: her words post-processed once (GAME_RULES.md §14.4), split into parts, one outbox row
// per part under its dedupe key (keys.ts), so a retried turn never queues a message twice. Channel-neutral: the
// deliver routine hands each row to its channel's sender.
import type { Tx } from "../platform/db.ts";
import { partKey } from "./keys.ts";
import { postProcess, splitMessage, type TextRules } from "./postprocess.ts";

export type OutboxKind = "reply" | "command" | "hold" | "boss" | "touchpoint" | "welcome";

export interface QueuedText {
  /** A key from dedupeKey; each part gets `<key>:<part>`. */
  key: string;
  userId: string | null;
  chatId: number;
  kind: OutboxKind;
  text: string;
  dueAt: Date;
  /** Her words go through the §14.4 post-processing; out-of-character lines are only split. */
  inCharacter: boolean;
  replyMarkup?: unknown;
  /** Facts about the message the database acts on (e.g. which boss line it is); every part carries them, and the
   * last part also `last_part: true` (and the reply markup). */
  payload?: Record<string, unknown>;
}

export async function loadTextRules(tx: Tx): Promise<TextRules> {
  const [row] = await tx<{ approved: string[]; max_emoji: number; max_chars: number }[]>`
    select array(select jsonb_array_elements_text(t -> 'emoji_approved')) as approved,
           (t ->> 'reply_max_emoji')::int as max_emoji, (t ->> 'message_max_chars')::int as max_chars
    from (select game.tunables_json() as t) s`;
  if (!row) throw new Error("tunables missing");
  return { approvedEmoji: row.approved, maxEmoji: row.max_emoji, maxChars: row.max_chars };
}

/** Inserts the parts (due 1 s apart) as Telegram text rows; returns the due time of the last part. */
export async function queueText(tx: Tx, rules: TextRules, item: QueuedText): Promise<Date> {
  const parts = item.inCharacter ? postProcess(item.text, rules) : splitMessage(item.text.trim(), rules.maxChars);
  let due = item.dueAt;
  for (const [i, part] of parts.entries()) {
    due = new Date(item.dueAt.getTime() + i * 1000);
    const last = i === parts.length - 1;
    const payload = {
      ...item.payload,
      ...(last && item.payload ? { last_part: true } : {}),
      ...(last && item.replyMarkup ? { reply_markup: item.replyMarkup } : {}),
    };
    await tx`insert into private.outbox (dedupe_key, user_id, chat_id, channel, kind, text, payload, due_at)
             values (${partKey(item.key, i + 1)}, ${item.userId}, ${item.chatId}, 'telegram', ${item.kind}, ${part},
                     ${tx.json(payload as never)}, ${due})
             on conflict (dedupe_key) do nothing`;
  }
  return due;
}

/** Queues an event row: no text, a payload the deliver routine renders in character at its first send (events.ts);
 * once per key. For what a job decided without a model at hand (a phone call's outcome, her opening after it). */
export async function queueEvent(
  tx: Tx,
  item: { key: string; userId: string; chatId: number; payload: Record<string, unknown>; dueAt: Date },
): Promise<void> {
  await tx`insert into private.outbox (dedupe_key, user_id, chat_id, channel, kind, payload, due_at)
           values (${partKey(item.key, 1)}, ${item.userId}, ${item.chatId}, 'telegram', 'event',
                   ${tx.json({ ...item.payload, last_part: true } as never)}, ${item.dueAt})
           on conflict (dedupe_key) do nothing`;
}

/** Queues a call she places (PLATFORM.md §4.5): a voice row with no text and no chat, so a call waiting for a retry
 * never holds back the player's Telegram messages; once per key (a touchpoint's `call:<id>`). */
export async function queueCall(
  tx: Tx,
  item: { key: string; userId: string; reason: string; dueAt: Date },
): Promise<void> {
  await tx`insert into private.outbox (dedupe_key, user_id, chat_id, channel, kind, payload, due_at)
           values (${item.key}, ${item.userId}, null, 'voice', 'call', ${tx.json({ reason: item.reason })},
                   ${item.dueAt})
           on conflict (dedupe_key) do nothing`;
}
