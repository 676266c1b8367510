// Stage 0 of a voice conversation (PLATFORM.md §4.4, §6; GAME_RULES.md §16): the call is scored exactly once, as one
// exchange: one analysis of the whole transcript, then game.apply_exchange with p_source 'voice' (guarded by the
// conversation's scored_at). A call during a boss fight in which the player spoke is not scored: its transcript joins
// the encounter, both phases count as complete (game.boss_call) and the judge runs. What the engine decided that she
// must say (her opening after a call that started a fight, the outcome of one judged on the phone) is queued to the
// player's Telegram chat as an event row, in the same transaction, rendered in character at delivery.
import type { Verdict } from "../llm/analysis.ts";
import type { ChatLine, Llm, TurnContext } from "../llm/types.ts";
import { dedupeKey } from "../outbox/keys.ts";
import { queueEvent } from "../outbox/queue.ts";
import { asServiceRole, type Sql } from "../platform/db.ts";

interface CallState {
  scored: boolean;
  game_status: string;
  chapter: number;
  score: number;
  chat_id: number | null;
  fight: { id: string; chapter: number } | null;
  /** Every message of both sides since the encounter started (the call's included). */
  encounter: ChatLine[];
  vices: { category: string; intensity: number }[];
  engagement_state: string | null;
}

interface EngineEvent {
  type: string;
  boss_fight_id?: string;
}

export interface ScoreDeps {
  sql: Sql;
  llm: Llm;
}

async function readState(sql: Sql, userId: string, conversationId: string): Promise<CallState> {
  const [row] = await asServiceRole(sql, (tx) =>
    tx<{ s: CallState }[]>`
      select jsonb_build_object(
        'scored', (select c.scored_at is not null from public.conversations c where c.id = ${conversationId}),
        'game_status', u.game_status, 'chapter', u.chapter, 'score', u.relationship_score, 'chat_id', u.telegram_chat_id,
        'fight', (select jsonb_build_object('id', f.id, 'chapter', f.chapter) from game.boss_fights f
                  where f.user_id = u.id and f.phase <> 'resolved'),
        'encounter', coalesce((select jsonb_agg(jsonb_build_object('role', m.role, 'content', m.content)
                                 order by m.created_at, m.id)
                               from public.messages m, game.boss_fights f
                               where f.user_id = u.id and f.phase <> 'resolved' and m.user_id = u.id
                                 and m.created_at >= f.started_at), '[]'::jsonb),
        'vices', game.top_vices(u.id, u.chapter),
        'engagement_state', (select e.state from public.engagement_state e where e.user_id = u.id)) as s
      from public.users u where u.id = ${userId}`);
  return row!.s;
}

export async function scoreCall(
  deps: ScoreDeps,
  userId: string,
  conversationId: string,
  transcript: ChatLine[],
  context: TurnContext,
  now: Date,
): Promise<{ status: "done" | "skipped"; output: unknown }> {
  const state = await readState(deps.sql, userId, conversationId);
  if (state.scored) return { status: "skipped", output: { reason: "already scored" } };
  const spoke = transcript.some((l) => l.role === "player" && l.content.trim().length > 0);

  if (state.game_status === "boss_fight" && state.fight) {
    if (!spoke) return { status: "skipped", output: { reason: "a silent call during an encounter" } };
    const verdict: Verdict | "ERROR" = await deps.llm.judge(context, state.encounter, {
      vices: state.vices,
      engagementState: state.engagement_state,
    });
    const fight = state.fight;
    const events = await asServiceRole(deps.sql, async (tx) => {
      // The conversation's scored_at is the guard: a rerun finds it set and changes nothing.
      const [claimed] = await tx`update public.conversations set scored_at = ${now}
        where id = ${conversationId} and scored_at is null returning id`;
      if (!claimed) return null;
      const [step] = await tx<{ r: { judge_now: boolean; events: EngineEvent[] } }[]>`
        select game.boss_call(${userId}, ${now}) as r`;
      let decided = step!.r.events;
      if (step!.r.judge_now) {
        const judged = verdict === "ERROR" ? { outcome: "ERROR" } : verdict;
        const [resolved] = await tx<{ r: { events: EngineEvent[] } }[]>`
          select game.resolve_boss(${userId}, ${tx.json(judged as never)}, ${now}) as r`;
        decided = resolved!.r.events;
      }
      if (state.chat_id !== null) {
        await queueEvent(tx, {
          key: dedupeKey.boss(fight.id, "verdict"),
          userId,
          chatId: Number(state.chat_id),
          payload: { event: "boss_outcome", chapter: fight.chapter, events: decided },
          dueAt: now,
        });
      }
      return decided;
    });
    return events === null
      ? { status: "skipped", output: { reason: "already scored" } }
      : { status: "done", output: { judged: verdict === "ERROR" ? "ERROR" : verdict.outcome, events } };
  }

  const analysis = await deps.llm.analyzeCall({ ...context, score: Number(state.score) }, transcript);
  const result = await asServiceRole(deps.sql, async (tx) => {
    const [row] = await tx<{ r: { scored: boolean; events: EngineEvent[]; duplicate?: boolean } }[]>`
      select game.apply_exchange(${userId}, ${tx.json(analysis as never)}, ${now}, 'voice', ${conversationId}) as r`;
    const scored = row!.r;
    const started = scored.events.find((e) => e.type === "boss_started");
    if (started && state.chat_id !== null) {
      // Her opening follows the call (GAME_RULES.md §5.1: 2 s after it ends); the phases count from its delivery.
      await queueEvent(tx, {
        key: dedupeKey.boss(started.boss_fight_id!, "opening"),
        userId,
        chatId: Number(state.chat_id),
        payload: {
          event: "boss_opening",
          chapter: state.chapter,
          boss_fight_id: started.boss_fight_id,
          boss_line: "opening",
        },
        dueAt: new Date(now.getTime() + 2000),
      });
    }
    return scored;
  });
  return { status: "done", output: result };
}
