// The Telegram webhook against the test database with fake Telegram, Anthropic and Auth servers.
import assert from "node:assert/strict";
import { asServiceRole } from "../functions/_shared/platform/db.ts";
import { IN_CHARACTER } from "../functions/_shared/lines.ts";
import { startHarness, textUpdate, updateId } from "./support/telegram_harness.ts";

const tgId = () => 700_000_000 + Math.floor(Math.random() * 1e8);

Deno.test("a missing or wrong secret is 401 and stores nothing", async () => {
  const h = startHarness();
  try {
    const update = textUpdate(tgId(), "hello");
    assert.equal((await h.post(update, null)).status, 401);
    assert.equal((await h.post(update, "wrong-secret")).status, 401);
    const [row] = await h.sql`select count(*)::int as n from private.telegram_updates where update_id = ${update
      .update_id as number}`;
    assert.equal(row?.n, 0);
  } finally {
    await h.close();
  }
});

Deno.test("malformed bodies are 4xx with a message and store nothing", async () => {
  const h = startHarness();
  try {
    const post = (body: string, method = "POST") =>
      h.webhook(
        new Request("http://local/", {
          method,
          headers: { "x-telegram-bot-api-secret-token": "test-webhook-secret" },
          body: method === "GET" ? undefined : body,
        }),
      );
    const notJson = await post("{not json");
    assert.equal(notJson.status, 400);
    assert.equal((await notJson.json()).error, "invalid_json");
    const noId = await post(JSON.stringify({ message: { text: "hi" } }));
    assert.equal(noId.status, 400);
    assert.match((await noId.json()).message, /update_id/);
    assert.equal((await post(JSON.stringify({ update_id: "12" }))).status, 400);
    assert.equal((await post("", "GET")).status, 405);
    const big = await post(JSON.stringify({ update_id: 1, pad: "x".repeat(2 * 1024 * 1024) }));
    assert.equal(big.status, 413);
    const [row] = await h.sql`select count(*)::int as n from private.telegram_updates where update_id = 1`;
    assert.equal(row?.n, 0);
  } finally {
    await h.close();
  }
});

Deno.test("signup, onboarding and a scored chat, end to end", async () => {
  const h = startHarness();
  const me = tgId();
  const email = `player-${me}@players.test`;
  try {
    await h.post(textUpdate(me, "/start"));
    await h.settle();
    assert.match(h.telegram.sent(me).at(-1)!, /email/i);
    await h.post(textUpdate(me, email));
    await h.settle();
    assert.match(h.telegram.sent(me).at(-1)!, /code/i);
    await h.post(textUpdate(me, "000000"));
    await h.settle();
    assert.match(h.telegram.sent(me).at(-1)!, /didn't work/);
    await h.post(textUpdate(me, h.auth.codes.get(email)!));
    await h.post(textUpdate(me, "Alex"));
    await h.post(textUpdate(me, "Berlin, Germany"));
    await h.post(textUpdate(me, "3"));
    await h.settle();
    const [player] = await h.sql<
      { id: string; display_name: string; timezone: string; onboarding_status: string; vices: number }[]
    >`
      select id, display_name, timezone, onboarding_status,
             (select count(*)::int from public.user_vice_preferences v where v.user_id = u.id) as vices
      from public.users u where telegram_id = ${me}`;
    assert.deepEqual({ ...player, id: undefined }, {
      id: undefined,
      display_name: "Alex",
      timezone: "Europe/Berlin",
      onboarding_status: "completed",
      vices: 5,
    });
    assert.ok(h.telegram.sent(me).length >= 7, "every step was answered, ending with her first message");

    // A chat turn: her scripted reply is sent; the score moves exactly as the scripted analysis says
    // (+2 on each metric x 0.9 while calibrating = +1.8).
    h.anthropic.texts.push("Interesting. Go on.");
    h.anthropic.analyses.push({
      deltas: { intimacy: 2, passion: 2, trust: 2, secureness: 2 },
      behaviors: [],
      repair: { attempted: false, quality: null },
      vice_signals: [],
      language: { needy: 0, distracted: 0 },
      confidence: 0.8,
    });
    await h.post(textUpdate(me, "I think most people are wrong about boredom. It's a signal, not a failure."));
    await h.settle();
    assert.equal(h.telegram.sent(me).at(-1), "Interesting. Go on.");
    const count = (method: string) =>
      h.telegram.calls.filter((c) => c.method === method && Number(c.body.chat_id) === me).length;
    assert.ok(
      count("sendChatAction") > count("sendMessage"),
      "typing was also shown while the models worked, not only before each send",
    );
    const [score] = await h.sql<{ s: string; n: number }[]>`
      select relationship_score::text as s, (select count(*)::int from public.messages where user_id = ${
      player!.id
    }) as n
      from public.users where id = ${player!.id}`;
    assert.equal(score?.s, "51.8000");
    assert.equal(score?.n, 3, "her first message, the player's message and her reply: one row each");
    const [ledger] = await h.sql`select count(*)::int as n from private.llm_calls where user_id = ${player!.id}`;
    assert.equal(
      ledger?.n,
      4,
      "the embedding of her context, her psyche (the first message of the day), the reply and the analysis are in the ledger",
    );
  } finally {
    await h.sql`delete from auth.users where email = ${email}`;
    await h.close();
  }
});

Deno.test("the same update posted 10 times at once is stored once and answered once", async () => {
  const h = startHarness();
  const me = tgId();
  try {
    const update = textUpdate(me, "/help");
    const statuses = await Promise.all(Array.from({ length: 10 }, () => h.post(update).then((r) => r.status)));
    assert.deepEqual(new Set(statuses), new Set([200]));
    await h.settle();
    const [row] = await h
      .sql`select count(*)::int as n, min(status) as status from private.telegram_updates where update_id = ${update
      .update_id as number}`;
    assert.deepEqual({ ...row }, { n: 1, status: "done" });
    assert.equal(h.telegram.sent(me).length, 1);
  } finally {
    await h.close();
  }
});

Deno.test("non-text gets a request for text; other update kinds are stored and ignored", async () => {
  const h = startHarness();
  const me = tgId();
  try {
    const photo = {
      update_id: updateId(),
      message: {
        message_id: 1,
        date: 1,
        chat: { id: me, type: "private" },
        from: { id: me, is_bot: false, first_name: "P" },
        photo: [{ file_id: "x", file_unique_id: "y", width: 1, height: 1 }],
      },
    };
    const edited = {
      update_id: updateId(),
      edited_message: { message_id: 1, date: 1, chat: { id: me, type: "private" }, text: "edit" },
    };
    assert.equal((await h.post(photo)).status, 200);
    assert.equal((await h.post(edited)).status, 200);
    await h.settle();
    assert.equal(h.telegram.sent(me).length, 1);
    assert.ok(
      (IN_CHARACTER.textPlease as readonly string[]).includes(h.telegram.sent(me)[0]!),
      "one of her requests for text",
    );
    const rows = await h
      .sql`select status from private.telegram_updates where update_id in (${photo.update_id}, ${edited.update_id}) order by update_id`;
    assert.deepEqual(rows.map((r) => r.status), ["done", "ignored"]);
  } finally {
    await h.close();
  }
});

Deno.test("a provider outage queues a retry and one holding line; the reply comes later, once", async () => {
  const h = startHarness();
  const me = tgId();
  const [user] = await h.sql<
    { id: string }[]
  >`insert into auth.users (email) values (${`outage-${me}@players.test`}) returning id`;
  try {
    await h.sql`update public.users set telegram_id = ${me}, telegram_chat_id = ${me}, onboarding_status = 'completed',
                onboarded_at = now(), game_started_at = now() where id = ${user!.id}`;
    h.anthropic.failures.push(529);
    const update = textUpdate(me, "hey you");
    await h.post(update);
    await h.settle();
    const [row] = await h.sql`select status, attempts from private.telegram_updates where update_id = ${update
      .update_id as number}`;
    assert.deepEqual({ ...row }, { status: "retry", attempts: 1 });
    assert.equal(h.telegram.sent(me).length, 1, "only the holding line");
    h.anthropic.texts.push("Sorry, I was away. Hi.");
    await asServiceRole(
      h.sql,
      (tx) =>
        // A second back: the database clock has microseconds, the worker's milliseconds.
        tx`update private.telegram_updates set next_attempt_at = now() - interval '1 second' where update_id = ${update
          .update_id as number}`,
    );
    // The retry is due: the chat is drained again (the sweeper's choice of chats is pgTAP's 086-inbox; other tests'
    // leftovers in the shared database could take its batch here).
    const { drainChat } = await import("../functions/_shared/telegram/drain.ts");
    await drainChat(h.app.drain, me);
    await h.settle();
    assert.deepEqual(h.telegram.sent(me).slice(1), ["Sorry, I was away. Hi."]);
    const [done] = await h.sql`select status from private.telegram_updates where update_id = ${update
      .update_id as number}`;
    assert.equal(done?.status, "done");
  } finally {
    await h.sql`delete from auth.users where id = ${user!.id}`;
    await h.close();
  }
});
