// Game flows through the webhook: a boss encounter won and one lost, rate limits, and a slow model.
import assert from "node:assert/strict";
import type { Sql } from "../functions/_shared/platform/db.ts";
import { IN_CHARACTER } from "../functions/_shared/lines.ts";
import { analysis, onboardedPlayer } from "./support/players.ts";
import { startHarness, textUpdate } from "./support/telegram_harness.ts";

const tgId = () => 800_000_000 + Math.floor(Math.random() * 1e8);

async function status(sql: Sql, id: string) {
  const [row] = await sql<{ chapter: number; game_status: string; boss_attempts: number }[]>`
    select chapter, game_status, boss_attempts from public.users where id = ${id}`;
  return row;
}

Deno.test("the boss starts at the threshold, runs both phases, and a PASS opens chapter 2", async () => {
  const h = startHarness();
  const me = tgId();
  const id = await onboardedPlayer(h.sql, me, { metric: 54 });
  try {
    h.anthropic.texts.push("You're not boring. Yet.", "Tell me a belief of yours most rooms would laugh at.");
    h.anthropic.analyses.push(analysis(2));
    await h.post(textUpdate(me, "I read your favourite book twice. The second time for you."));
    await h.settle();
    assert.deepEqual(await status(h.sql, id), { chapter: 1, game_status: "boss_fight", boss_attempts: 0 });
    assert.deepEqual(h.telegram.sent(me), [
      "You're not boring. Yet.",
      "Tell me a belief of yours most rooms would laugh at.",
    ], "her reply first, then her opening");
    h.anthropic.texts.push("Hm. I don't buy it.", "Go on.", "You got through to me.");
    h.anthropic.verdicts.push({ outcome: "PASS", confidence: 0.9, reasoning: "held and refined the view" });
    for (
      const text of [
        "That kindness is a skill.",
        "It's practised, not innate; most people skip the practice.",
        "And I'd rather practise with you.",
      ]
    ) {
      await h.post(textUpdate(me, text));
      await h.settle();
    }
    assert.deepEqual(await status(h.sql, id), { chapter: 2, game_status: "active", boss_attempts: 0 });
    assert.deepEqual(h.telegram.sent(me).slice(2), ["Hm. I don't buy it.", "Go on.", "You got through to me."]);
    const [judge] = h.anthropic.requests.filter((r) =>
      (r.tool_choice as { name?: string } | undefined)?.name === "judge_boss"
    );
    assert.ok(judge, "the judge was called with a forced judge_boss tool call");
  } finally {
    await h.sql`delete from auth.users where id = ${id}`;
    await h.close();
  }
});

Deno.test("a third FAIL ends the game and /start begins a new one", async () => {
  const h = startHarness();
  const me = tgId();
  const id = await onboardedPlayer(h.sql, me, { metric: 55 });
  try {
    await h.sql`update public.users set boss_attempts = 2 where id = ${id}`;
    h.anthropic.analyses.push(analysis(0));
    await h.post(textUpdate(me, "hi"));
    await h.settle();
    assert.equal((await status(h.sql, id))?.game_status, "boss_fight");
    h.anthropic.verdicts.push({ outcome: "FAIL", confidence: 0.95, reasoning: "dismissive" });
    for (const text of ["whatever", "k", "fine"]) {
      await h.post(textUpdate(me, text));
      await h.settle();
    }
    assert.deepEqual(await status(h.sql, id), { chapter: 1, game_status: "game_over", boss_attempts: 3 });
    const before = h.telegram.sent(me).length;
    await h.post(textUpdate(me, "/start"));
    await h.settle();
    assert.deepEqual(await status(h.sql, id), { chapter: 1, game_status: "active", boss_attempts: 0 });
    assert.equal(h.telegram.sent(me).length, before + 2, "a fresh-start line and her first message again");
    const [reset] = await h
      .sql`select count(*)::int as n from public.score_history where user_id = ${id} and event_type = 'game_reset'`;
    assert.equal(reset?.n, 1);
  } finally {
    await h.sql`delete from auth.users where id = ${id}`;
    await h.close();
  }
});

Deno.test("the 21st message in a minute is stored, not scored, and gets one in-character refusal", async () => {
  const h = startHarness();
  const me = tgId();
  const id = await onboardedPlayer(h.sql, me);
  try {
    for (let i = 0; i < 20; i++) {
      await h.sql`select game.store_player_message(${id}, ${-(me * 100 + i)}, 'spam', now() - interval '20 seconds')`;
    }
    const update = textUpdate(me, "are you there??");
    await h.post(update);
    await h.settle();
    assert.equal(h.telegram.sent(me).length, 1);
    assert.ok(
      (IN_CHARACTER.slowDown as readonly string[]).includes(h.telegram.sent(me)[0]!),
      "one of her slow-down lines",
    );
    const [row] = await h.sql`select count(*)::int as n from public.messages where telegram_update_id = ${update
      .update_id as number}`;
    assert.equal(row?.n, 1, "the refused message is stored");
    const [scored] = await h.sql`select count(*)::int as n from public.score_history where user_id = ${id}`;
    assert.equal(scored?.n, 0, "and not scored");
    assert.equal(h.anthropic.requests.length, 0, "no model was asked");
  } finally {
    await h.sql`delete from auth.users where id = ${id}`;
    await h.close();
  }
});

Deno.test("a model that takes 30 s: the webhook still answers at once, and exactly one reply is sent", async () => {
  const h = startHarness();
  const me = tgId();
  const id = await onboardedPlayer(h.sql, me);
  try {
    h.anthropic.delays.push(30_000);
    h.anthropic.texts.push("Sorry. Long day.");
    const started = performance.now();
    const res = await h.post(textUpdate(me, "hello?"));
    const ackMs = performance.now() - started;
    assert.equal(res.status, 200);
    assert.ok(ackMs < 1000, `acknowledged in ${ackMs.toFixed(1)} ms`);
    await h.settle();
    assert.deepEqual(h.telegram.sent(me), ["Sorry. Long day."]);
  } finally {
    await h.sql`delete from auth.users where id = ${id}`;
    await h.close();
  }
});

Deno.test("/start link_<code> binds the account the portal signed in, once; a spent code gets the fresh-code line", async () => {
  const h = startHarness();
  const me = tgId();
  const [user] = await h.sql<
    { id: string }[]
  >`insert into auth.users (email) values (${`link-${me}@players.test`}) returning id`;
  try {
    await h.sql`insert into private.telegram_link_codes (code, user_id, expires_at) values ('LNKW2345', ${
      user!.id
    }, now() + interval '10 minutes')`;
    await h.post(textUpdate(me, "/start link_LNKW2345"));
    await h.settle();
    const [bound] = await h.sql`select telegram_id::bigint as t from public.users where id = ${user!.id}`;
    assert.equal(Number(bound?.t), me);
    assert.match(h.telegram.sent(me).at(-1)!, /call you/, "onboarding continues at the name step");
    await h.post(textUpdate(me, "/start link_LNKW2345"));
    await h.settle();
    assert.match(h.telegram.sent(me).at(-1)!, /expired/);
  } finally {
    await h.sql`delete from auth.users where id = ${user!.id}`;
    await h.close();
  }
});
