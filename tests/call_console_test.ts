// The play console's phone calls (scripts/local/call_console.ts) against the voice function served over HTTP: the
// player calls, talks and hangs up, and the signed post-call it sends is stored and becomes a voice conversation;
// her own call, dialled through the fake ElevenLabs, rings in the console and is picked up the same way.
import assert from "node:assert/strict";
import { queueCall } from "../functions/_shared/outbox/queue.ts";
import { createCallConsole } from "../scripts/local/call_console.ts";
import { startFakeElevenLabs } from "./fakes/elevenlabs.ts";
import { callingPlayer, startVoiceHarness, VOICE_ENV, type VoiceHarness } from "./support/voice.ts";

function consoleFor(h: VoiceHarness, server: Deno.HttpServer<Deno.NetAddr>, printed: string[]) {
  return createCallConsole({
    voiceUrl: `http://127.0.0.1:${server.addr.port}/functions/v1/voice`,
    initiationSecret: VOICE_ENV.ELEVENLABS_INITIATION_SECRET,
    webhookSecret: VOICE_ENV.ELEVENLABS_WEBHOOK_SECRET,
    agentId: "agent_local",
    llm: h.app.llm,
    sql: h.sql,
    show: (lines) => printed.push(...lines),
  });
}

async function voiceConversation(h: VoiceHarness, userId: string) {
  const rows = await h.sql<{ roles: string[]; contents: string[] }[]>`
    select array_agg(m.role order by m.created_at, m.id) as roles, array_agg(m.content order by m.created_at, m.id)
      as contents
    from public.conversations c join public.messages m on m.conversation_id = c.id
    where c.user_id = ${userId} and c.platform = 'voice' group by c.id`;
  return rows.map((r) => ({ roles: [...r.roles], contents: [...r.contents] }));
}

Deno.test("the console calls her: her opener, a spoken exchange, and at hang-up a stored post-call", async () => {
  const h = startVoiceHarness({ env: { LLM_MODE: "offline" } });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, h.voice);
  const printed: string[] = [];
  try {
    const a = await callingPlayer(h.sql);
    const calls = consoleFor(h, server, printed);
    await calls.ring(a.phone);
    assert.equal(calls.active, true, printed.join("\n"));
    await calls.say("I wanted to hear your voice before bed.");
    assert.equal(printed.filter((l) => l.startsWith("  Nikita (phone): ")).length, 2);
    await calls.hangUp();
    assert.equal(calls.active, false);
    assert.ok(printed.some((l) => /post-call webhook: stored/.test(l)), printed.join("\n"));
    const [conversation] = await voiceConversation(h, a.userId);
    assert.ok(conversation);
    assert.equal(conversation.contents[1], "I wanted to hear your voice before bed.");
    assert.equal(conversation.contents.length, 3);
  } finally {
    await server.shutdown();
    await h.close();
  }
});

Deno.test("the console is told of her call, picks it up with her opener and token, and its post-call finds the player", async () => {
  const fake = startFakeElevenLabs();
  const h = startVoiceHarness({
    env: {
      ...VOICE_ENV,
      LLM_MODE: "offline",
      ELEVENLABS_AGENT_ID: "agent_local",
      ELEVENLABS_API_KEY: "local-key",
      ELEVENLABS_PHONE_NUMBER_ID: "phnum_local",
      ELEVENLABS_API_BASE: fake.url,
    },
  });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, h.voice);
  const printed: string[] = [];
  const a = await callingPlayer(h.sql);
  try {
    const calls = consoleFor(h, server, printed);
    assert.equal(await calls.answer(), false, "nothing rings yet");
    fake.onDial = (call) => calls.incoming(call);
    await h.sql.begin((tx) =>
      queueCall(tx, { key: `call:${crypto.randomUUID()}`, userId: a.userId, reason: "missed_you", dueAt: new Date() })
    );
    await h.app.deliver({ limit: 10 });
    assert.ok(printed.some((l) => /Nikita is calling you \(missed_you\)/.test(l)), printed.join("\n"));
    assert.equal(await calls.answer(), true);
    await calls.say("Hey, you called!");
    await calls.hangUp();
    const [event] = await h.sql<{ user_id: string; status: string }[]>`
      select user_id::text, status from private.voice_events where conversation_id = ${fake.calls[0]!.conversationId}`;
    assert.deepEqual({ ...event }, { user_id: a.userId, status: "stored" });
    assert.equal((await voiceConversation(h, a.userId)).length, 1);
  } finally {
    await h.sql`delete from private.outbox where user_id = ${a.userId}`;
    await server.shutdown();
    await h.close();
    await fake.close();
  }
});
