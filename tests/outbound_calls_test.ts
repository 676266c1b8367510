// Her outbound calls (PLATFORM.md §4.5, §12 "a call is never dialled twice"): a voice outbox row is dialled by the
// deliver routine through the official SDK against the fake ElevenLabs, with a fresh session and token; only
// failures that surely placed no call are retried; a timeout or a 5xx after sending is unconfirmed and never
// redialled, whatever later runs do.
import assert from "node:assert/strict";
import { deliver } from "../functions/_shared/outbox/deliver.ts";
import { queueCall } from "../functions/_shared/outbox/queue.ts";
import { voiceSender } from "../functions/_shared/outbox/senders/voice.ts";
import type { Sql } from "../functions/_shared/platform/db.ts";
import { PHONE_PERSONA } from "../functions/_shared/voice/lines.ts";
import { verifySessionToken } from "../functions/_shared/voice/token.ts";
import { type FakeElevenLabs, postCallEvent, startFakeElevenLabs } from "./fakes/elevenlabs.ts";
import { callingPlayer, startVoiceHarness, VOICE_ENV, type VoiceHarness } from "./support/voice.ts";

const API_KEY = "xi-test-key";
const PHONE_NUMBER_ID = "phnum_test";
const AGENT_ID = "agent_test";

interface Started {
  h: VoiceHarness;
  fake: FakeElevenLabs;
  clock: { t: number };
  close(): Promise<void>;
}

/** The app with voice on and its outbound calls going to the fake, on a clock the test moves. */
function start(): Started {
  const fake = startFakeElevenLabs();
  fake.apiKey = API_KEY;
  const clock = { t: Date.now() };
  const h = startVoiceHarness({
    now: () => new Date(clock.t),
    env: {
      ...VOICE_ENV,
      ELEVENLABS_AGENT_ID: AGENT_ID,
      ELEVENLABS_API_KEY: API_KEY,
      ELEVENLABS_PHONE_NUMBER_ID: PHONE_NUMBER_ID,
      ELEVENLABS_API_BASE: fake.url,
    },
  });
  return {
    h,
    fake,
    clock,
    close: async () => {
      await h.close();
      await fake.close();
    },
  };
}

async function queued(sql: Sql, userId: string, at: Date, reason = "thinking_of_you"): Promise<number> {
  const key = `call:${crypto.randomUUID()}`;
  await sql.begin((tx) => queueCall(tx, { key, userId, reason, dueAt: at }));
  const [row] = await sql<{ id: number }[]>`select id::int from private.outbox where dedupe_key = ${key}`;
  return row!.id;
}

async function outboxRow(sql: Sql, id: number) {
  const [row] = await sql<{ status: string; provider_ref: string | null; last_error: string | null }[]>`
    select status, provider_ref, last_error from private.outbox where id = ${id}`;
  return { ...row! };
}

async function sessionsOf(sql: Sql, outboxId: number) {
  const rows = await sql<
    { session_id: string; status: string; call_sid: string | null; elevenlabs_conversation_id: string | null }[]
  >`select session_id::text, status, call_sid, elevenlabs_conversation_id from private.voice_sessions
    where outbox_id = ${outboxId} order by created_at, session_id`;
  return rows.map((r) => ({ ...r }));
}

/** Every row a test queued goes, so no later deliver run elsewhere meets it. */
async function forget(sql: Sql, userId: string) {
  await sql`delete from private.outbox where user_id = ${userId}`;
}

Deno.test("she calls: one dial with a fresh session and token, the call's ids stored, the row sent; its post-call finds the player", async () => {
  const s = start();
  const a = await callingPlayer(s.h.sql);
  try {
    const id = await queued(s.h.sql, a.userId, new Date(s.clock.t), "missed_you");
    const result = await s.h.app.deliver({ limit: 10 });
    assert.equal(result.sent >= 1, true);
    assert.equal(s.fake.calls.length, 1);
    const call = s.fake.calls[0]!;
    assert.equal(call.apiKey, API_KEY);
    assert.deepEqual(
      [call.body.agent_id, call.body.agent_phone_number_id, call.body.to_number],
      [AGENT_ID, PHONE_NUMBER_ID, a.phone],
    );
    const variables = call.body.conversation_initiation_client_data!.dynamic_variables!;
    assert.deepEqual(Object.keys(variables).sort(), [
      "call_reason",
      "chapter_name",
      "last_summary",
      "local_time",
      "player_name",
      "secret__signed_token",
      "time_of_day",
    ]);
    for (const value of Object.values(variables)) assert.equal(typeof value, "string");
    assert.equal(variables.call_reason, "missed_you");
    assert.equal(variables.player_name, "Robin");
    const override = call.body.conversation_initiation_client_data!.conversation_config_override as {
      agent: { prompt: { prompt: string }; first_message: string };
    };
    assert.ok(override.agent.prompt.prompt.startsWith(PHONE_PERSONA));
    assert.ok(override.agent.first_message.length > 0);

    const [session] = await sessionsOf(s.h.sql, id);
    assert.deepEqual(session, {
      session_id: session!.session_id,
      status: "started",
      call_sid: call.callSid,
      elevenlabs_conversation_id: call.conversationId,
    });
    const claims = verifySessionToken(VOICE_ENV.VOICE_TOKEN_SECRET, String(variables.secret__signed_token), new Date());
    assert.deepEqual([claims?.userId, claims?.sessionId], [a.userId, session!.session_id]);
    assert.deepEqual(await outboxRow(s.h.sql, id), {
      status: "sent",
      provider_ref: call.conversationId,
      last_error: null,
    });

    // ElevenLabs' post-call for it names the conversation only: the stored id finds the player.
    const res = await s.h.postCall(postCallEvent({ conversationId: call.conversationId! }));
    assert.equal(res.status, 200);
    assert.equal((await res.json()).status, "stored");
    const [event] = await s.h.sql<{ user_id: string }[]>`
      select user_id::text from private.voice_events where conversation_id = ${call.conversationId}`;
    assert.equal(event?.user_id, a.userId);

    // A later run finds nothing to dial.
    await s.h.app.deliver({ limit: 10 });
    assert.equal(s.fake.calls.length, 1);
  } finally {
    await forget(s.h.sql, a.userId);
    await s.close();
  }
});

Deno.test("a 429 placed no call: the session fails, the row is retried with a new session and rings once", async () => {
  const s = start();
  const a = await callingPlayer(s.h.sql);
  try {
    const id = await queued(s.h.sql, a.userId, new Date(s.clock.t));
    // A text queued after the call, in the player's chat: a call waiting for its retry never holds it back.
    const [user] = await s.h.sql<{ chat: number }[]>`
      select telegram_chat_id::float8 as chat from public.users where id = ${a.userId}`;
    const chat = user!.chat;
    await s.h.sql`insert into private.outbox (dedupe_key, user_id, chat_id, kind, text, due_at)
      values (${`test:${crypto.randomUUID()}`}, ${a.userId}, ${chat}, 'command', 'after the call',
              ${new Date(s.clock.t + 1)})`;
    s.fake.failures.push(429);
    await s.h.app.deliver({ limit: 10 });
    assert.deepEqual(s.h.telegram.sent(chat), ["after the call"]);
    const after429 = await outboxRow(s.h.sql, id);
    assert.equal(after429.status, "retry");
    assert.match(after429.last_error!, /^429 /);
    assert.deepEqual((await sessionsOf(s.h.sql, id)).map((x) => x.status), ["failed"]);
    assert.equal(s.fake.dialled().length, 0);

    s.clock.t += 60_000; // past the row's backoff
    await s.h.app.deliver({ limit: 10 });
    assert.equal((await outboxRow(s.h.sql, id)).status, "sent");
    assert.equal(s.fake.calls.length, 2);
    assert.equal(s.fake.dialled().length, 1);
    const sessions = await sessionsOf(s.h.sql, id);
    assert.deepEqual(sessions.map((x) => x.status).sort(), ["failed", "started"]);
    assert.equal(sessions.find((x) => x.status === "started")!.call_sid, s.fake.dialled()[0]!.callSid);
  } finally {
    await forget(s.h.sql, a.userId);
    await s.close();
  }
});

Deno.test("a refused number (422) fails the row for good and leaves the player's Telegram chat reachable", async () => {
  const s = start();
  const a = await callingPlayer(s.h.sql);
  try {
    const id = await queued(s.h.sql, a.userId, new Date(s.clock.t));
    s.fake.failures.push({ status: 422 });
    await s.h.app.deliver({ limit: 10 });
    const row = await outboxRow(s.h.sql, id);
    assert.equal(row.status, "failed");
    assert.match(row.last_error!, /^422 .*cannot be dialled/);
    assert.deepEqual((await sessionsOf(s.h.sql, id)).map((x) => x.status), ["failed"]);
    const [user] = await s.h.sql<{ unreachable: Date | null }[]>`
      select telegram_unreachable_at as unreachable from public.users where id = ${a.userId}`;
    assert.equal(user!.unreachable, null);
    s.clock.t += 3_600_000;
    await s.h.app.deliver({ limit: 10 });
    assert.equal(s.fake.calls.length, 1);
  } finally {
    await forget(s.h.sql, a.userId);
    await s.close();
  }
});

Deno.test("a player without a phone is never dialled: the row fails and says why", async () => {
  const s = start();
  const a = await callingPlayer(s.h.sql);
  try {
    await s.h.sql`update public.users set phone = null where id = ${a.userId}`;
    const id = await queued(s.h.sql, a.userId, new Date(s.clock.t));
    await s.h.app.deliver({ limit: 10 });
    assert.deepEqual(await outboxRow(s.h.sql, id), {
      status: "failed",
      provider_ref: null,
      last_error: "the player has no phone number",
    });
    assert.equal(s.fake.calls.length, 0);
    assert.deepEqual((await sessionsOf(s.h.sql, id)).map((x) => x.status), ["failed"]);
  } finally {
    await forget(s.h.sql, a.userId);
    await s.close();
  }
});

Deno.test("with voice off a call row fails at once and says why", async () => {
  const h = startVoiceHarness(); // the default harness: no agent, so no voice sender
  const a = await callingPlayer(h.sql);
  try {
    const id = await queued(h.sql, a.userId, new Date());
    await h.app.deliver({ limit: 10 });
    const row = await outboxRow(h.sql, id);
    assert.equal(row.status, "failed");
    assert.match(row.last_error!, /no sender for channel voice/);
  } finally {
    await forget(h.sql, a.userId);
    await h.close();
  }
});

/** The deliver routine with only the voice sender, its dial timeout short, against `fake`. */
function deliverCalls(s: Started, baseUrl = s.fake.url) {
  const voice = voiceSender({
    sql: s.h.sql,
    now: () => new Date(s.clock.t),
    apiKey: API_KEY,
    baseUrl,
    agentId: AGENT_ID,
    phoneNumberId: PHONE_NUMBER_ID,
    tokenSecret: VOICE_ENV.VOICE_TOKEN_SECRET,
    timeoutSeconds: 0.5,
  });
  return deliver({ sql: s.h.sql, now: () => new Date(s.clock.t), senders: { voice } }, { limit: 10 });
}

Deno.test("a dial that times out after the call was accepted is unconfirmed and never dialled again", async () => {
  const s = start();
  s.fake.holdMs = 2_000;
  const a = await callingPlayer(s.h.sql);
  try {
    const id = await queued(s.h.sql, a.userId, new Date(s.clock.t));
    s.fake.failures.push("timeout");
    await deliverCalls(s);
    const row = await outboxRow(s.h.sql, id);
    assert.equal(row.status, "unconfirmed");
    assert.match(row.last_error!, /^timeout: the call may ring/);
    // The session stays open: the call may be ringing, and its post-call must find the player.
    assert.deepEqual((await sessionsOf(s.h.sql, id)).map((x) => x.status), ["started"]);
    for (let i = 0; i < 3; i++) {
      s.clock.t += 3_600_000;
      await deliverCalls(s);
    }
    assert.equal(s.fake.calls.length, 1);
    assert.equal(s.fake.dialled().length, 1);
    assert.equal((await outboxRow(s.h.sql, id)).status, "unconfirmed");
  } finally {
    await forget(s.h.sql, a.userId);
    await s.close();
  }
});

Deno.test("a 5xx after sending is unconfirmed too; a refused connection placed no call and is retried", async () => {
  const s = start();
  const a = await callingPlayer(s.h.sql);
  try {
    const id = await queued(s.h.sql, a.userId, new Date(s.clock.t));
    s.fake.failures.push({ status: 503, dialled: true });
    await deliverCalls(s);
    const row = await outboxRow(s.h.sql, id);
    assert.equal(row.status, "unconfirmed");
    assert.match(row.last_error!, /^503 /);
    s.clock.t += 3_600_000;
    await deliverCalls(s);
    assert.equal(s.fake.calls.length, 1);

    // Nobody listens on the API's port: nothing can have rung.
    const closed = startFakeElevenLabs();
    const deadUrl = closed.url;
    await closed.close();
    const second = await queued(s.h.sql, a.userId, new Date(s.clock.t));
    await deliverCalls(s, deadUrl);
    const refused = await outboxRow(s.h.sql, second);
    assert.equal(refused.status, "retry");
    assert.match(refused.last_error!, /^network: /);
    assert.deepEqual((await sessionsOf(s.h.sql, second)).map((x) => x.status), ["failed"]);
    s.clock.t += 60_000;
    await deliverCalls(s);
    assert.equal((await outboxRow(s.h.sql, second)).status, "sent");
    assert.equal(s.fake.dialled().length, 2);
  } finally {
    await forget(s.h.sql, a.userId);
    await s.close();
  }
});
