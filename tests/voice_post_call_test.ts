// The post-call webhook (PLATFORM.md §4.4, §12) and the voice routes (§1) through the voice handler against the test
// database, with bodies signed by the fake ElevenLabs: a valid call stored once with its transcript and pipeline job
// (run after the answer), a replay a 200 duplicate, every bad signature 401 with zero rows, bad bodies 400/422,
// unknown paths 404, wrong methods 405.
import assert from "node:assert/strict";
import type { Sql } from "../functions/_shared/platform/db.ts";
import { signSessionToken } from "../functions/_shared/voice/token.ts";
import { elevenLabsSignature, postCallEvent } from "./fakes/elevenlabs.ts";
import { callIn, callingPlayer, startVoiceHarness, VOICE_ENV } from "./support/voice.ts";

async function rows(sql: Sql, conversationId: string) {
  const [row] = await sql<{ events: number; conversations: number; messages: number; jobs: number }[]>`
    select (select count(*)::int from private.voice_events where conversation_id = ${conversationId}) as events,
           (select count(*)::int from public.conversations where elevenlabs_conversation_id = ${conversationId})
             as conversations,
           (select count(*)::int from public.messages m join public.conversations c on c.id = m.conversation_id
            where c.elevenlabs_conversation_id = ${conversationId}) as messages,
           (select count(*)::int from private.conversation_jobs j join public.conversations c on c.id = j.conversation_id
            where c.elevenlabs_conversation_id = ${conversationId}) as jobs`;
  return row!;
}

const conversationId = () => `conv_${crypto.randomUUID().replaceAll("-", "")}`;

Deno.test("post-call: a signed call is stored once with its transcript and job; a replay is a 200 duplicate", async () => {
  const h = startVoiceHarness();
  try {
    const a = await callingPlayer(h.sql);
    const callSid = `CA${crypto.randomUUID().replaceAll("-", "")}`;
    const { token } = await callIn(h, a.phone, callSid);
    const id = conversationId();
    const event = postCallEvent({
      conversationId: id,
      token,
      callSid,
      transcript: [
        { role: "agent", message: "Hm. You actually called.", time_in_call_secs: 0 },
        { role: "user", message: "I wanted to tell you about my trip to Lisbon.", time_in_call_secs: 3.5 },
        { role: "agent", message: "Go on.", time_in_call_secs: 9 },
      ],
    });
    (event.data as Record<string, unknown>).some_future_field = { kept: true };
    const res = await h.postCall(event);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: "stored" });
    assert.deepEqual(await rows(h.sql, id), { events: 1, conversations: 1, messages: 3, jobs: 1 });
    const [stored] = await h.sql<{ user_id: string; platform: string; status: string; payload: { data: unknown } }[]>`
      select c.user_id, c.platform, c.status, e.payload from public.conversations c
      join private.voice_events e on e.conversation_id = c.elevenlabs_conversation_id
      where c.elevenlabs_conversation_id = ${id}`;
    assert.equal(stored!.user_id, a.userId, "the player of the signed token");
    assert.deepEqual([stored!.platform, stored!.status], ["voice", "closed"]);
    assert.deepEqual((stored!.payload.data as Record<string, unknown>).some_future_field, { kept: true });
    const messages = await h.sql<{ role: string; content: string; t: string }[]>`
      select m.role, m.content, m.time_in_call_secs::text as t from public.messages m
      join public.conversations c on c.id = m.conversation_id where c.elevenlabs_conversation_id = ${id}
      order by m.time_in_call_secs`;
    assert.deepEqual(messages.map((m) => [m.role, m.t]), [["nikita", "0.000"], ["player", "3.500"], [
      "nikita",
      "9.000",
    ]]);

    // The pipeline ran after the answer: the job is done, the extraction saw the call.
    await h.app.runtime.settle();
    const [job] = await h.sql<{ status: string; stages: Record<string, { status: string }> }[]>`
      select j.status, j.stages from private.conversation_jobs j join public.conversations c on c.id = j.conversation_id
      where c.elevenlabs_conversation_id = ${id}`;
    assert.equal(job!.status, "done");
    assert.equal(job!.stages.extraction!.status, "done");
    assert.ok(
      h.anthropic.requests.some((r) => JSON.stringify(r.messages ?? "").includes("trip to Lisbon")),
      "the extraction read the call's transcript",
    );

    // ElevenLabs sending it again (signed anew, a minute later): 200 duplicate, nothing more.
    const replay = await h.postCall(event, { at: new Date(Date.now() + 60_000) });
    assert.equal(replay.status, 200);
    assert.deepEqual(await replay.json(), { status: "duplicate" });
    assert.deepEqual(await rows(h.sql, id), { events: 1, conversations: 1, messages: 3, jobs: 1 });
  } finally {
    await h.close();
  }
});

Deno.test("post-call: an expired token still names the player; without one the call_sid does; else unmatched", async () => {
  const h = startVoiceHarness({ deps: { afterPostCall: () => {} } });
  try {
    const a = await callingPlayer(h.sql);
    const callSid = `CA${crypto.randomUUID().replaceAll("-", "")}`;
    const { token } = await callIn(h, a.phone, callSid);
    const [userId, sessionId] = token.split(":");
    // The call ended an hour after it started: the token's 30 minutes are long over.
    const old = signSessionToken(VOICE_ENV.VOICE_TOKEN_SECRET, {
      userId: userId!,
      sessionId: sessionId!,
      issuedAt: Math.floor(Date.now() / 1000) - 3600,
    });
    const byToken = conversationId();
    assert.deepEqual(await (await h.postCall(postCallEvent({ conversationId: byToken, token: old }))).json(), {
      status: "stored",
    });
    const b = await callingPlayer(h.sql);
    const sidB = `CA${crypto.randomUUID().replaceAll("-", "")}`;
    await callIn(h, b.phone, sidB);
    const bySid = conversationId();
    // A forged token is ignored (not an error); the call_sid finds the session.
    const forged = token.slice(0, -4) + "beef";
    assert.deepEqual(
      await (await h.postCall(postCallEvent({ conversationId: bySid, token: forged, callSid: sidB }))).json(),
      { status: "stored" },
    );
    const nobody = conversationId();
    assert.deepEqual(await (await h.postCall(postCallEvent({ conversationId: nobody }))).json(), {
      status: "unmatched",
    });
    const owners = await h.sql<{ id: string; user_id: string }[]>`
      select elevenlabs_conversation_id as id, user_id from public.conversations
      where elevenlabs_conversation_id in (${byToken}, ${bySid}, ${nobody}) order by user_id = ${a.userId} desc`;
    assert.deepEqual(owners.map((o) => ({ ...o })), [
      { id: byToken, user_id: a.userId },
      { id: bySid, user_id: b.userId },
    ]);
    assert.deepEqual(await rows(h.sql, nobody), { events: 1, conversations: 0, messages: 0, jobs: 0 });
    // Another kind of event is kept and ignored.
    const audio = conversationId();
    assert.deepEqual(
      await (await h.postCall(postCallEvent({ conversationId: audio, type: "post_call_audio" }))).json(),
      {
        status: "ignored",
      },
    );
  } finally {
    await h.close();
  }
});

Deno.test("post-call: a tampered body, another secret, a stale, future or malformed signature is 401 with zero rows", async () => {
  const h = startVoiceHarness({ deps: { afterPostCall: () => {} } });
  try {
    const id = conversationId();
    const event = postCallEvent({ conversationId: id });
    const raw = JSON.stringify(event);
    const good = await elevenLabsSignature(VOICE_ENV.ELEVENLABS_WEBHOOK_SECRET, raw);
    const v0 = good.split("v0=")[1]!;
    const t = Math.floor(Date.now() / 1000);
    const cases: [string, unknown, Parameters<typeof h.postCall>[1]][] = [
      ["tampered", raw.replace('"status":"done"', '"status":"DONE"'), { signature: good }],
      ["another secret", raw, { secret: "wsec_somebody_elses_secret" }],
      ["31 minutes old", raw, { at: new Date(Date.now() - 31 * 60_000) }],
      ["6 minutes ahead", raw, { at: new Date(Date.now() + 6 * 60_000) }],
      ["no header", raw, { secret: null }],
      ["no timestamp", raw, { signature: `v0=${v0}` }],
      ["no v0", raw, { signature: `t=${t}` }],
      ["short v0", raw, { signature: `t=${t},v0=${v0.slice(1)}` }],
      ["not hex", raw, { signature: `t=${t},v0=${"x".repeat(64)}` }],
      ["another scheme", raw, { signature: `t=${t},v1=${v0}` }],
    ];
    for (const [label, body, options] of cases) {
      const res = await h.postCall(body, options);
      assert.equal(res.status, 401, label);
      assert.equal((await res.json()).error, "invalid_signature", label);
    }
    assert.deepEqual(await rows(h.sql, id), { events: 0, conversations: 0, messages: 0, jobs: 0 });
    // Within the window on either side, the same body is accepted.
    assert.equal((await h.postCall(raw, { at: new Date(Date.now() - 29 * 60_000) })).status, 200);
  } finally {
    await h.close();
  }
});

Deno.test("post-call: a signed body that is not JSON is 400, one without the envelope 422; nothing is written", async () => {
  const h = startVoiceHarness({ deps: { afterPostCall: () => {} } });
  try {
    const notJson = await h.postCall('{"type": "post_call_transcription", ');
    assert.equal(notJson.status, 400);
    assert.equal((await notJson.json()).error, "invalid_json");
    const id = conversationId();
    const event = postCallEvent({ conversationId: id });
    for (
      const body of [
        { ...event, type: undefined },
        { ...event, event_timestamp: "yesterday" },
        { ...event, data: undefined },
        { ...event, data: { ...(event.data as object), conversation_id: "" } },
        [event],
        "null",
      ]
    ) {
      const res = await h.postCall(typeof body === "string" ? body : JSON.stringify(body));
      assert.equal(res.status, 422, JSON.stringify(body).slice(0, 80));
      const answer = await res.json();
      assert.equal(answer.error, "invalid_body");
      assert.equal(typeof answer.message, "string");
    }
    assert.deepEqual(await rows(h.sql, id), { events: 0, conversations: 0, messages: 0, jobs: 0 });
  } finally {
    await h.close();
  }
});

Deno.test("voice routes: unknown paths 404, other methods 405 with Allow, bodies over 2 MiB 413", async () => {
  const h = startVoiceHarness({ deps: { afterPostCall: () => {} } });
  try {
    const at = (path: string, init: RequestInit = {}) =>
      h.voice(new Request(`http://local/functions/v1/voice${path}`, init));
    for (const path of ["", "/", "/tools", "/tools/", "/tools/get_context/extra", "/initiations", "/post-call/x"]) {
      const res = await at(path, { method: "POST", body: "{}" });
      assert.equal(res.status, 404, path);
      assert.equal((await res.json()).error, "not_found", path);
    }
    const unknownTool = await at("/tools/delete_everything", { method: "POST", body: "{}" });
    assert.equal(unknownTool.status, 404);
    assert.equal((await unknownTool.json()).error, "unknown_tool");
    for (const path of ["/tools/get_context", "/initiation", "/post-call"]) {
      for (const method of ["GET", "PUT", "DELETE"]) {
        const res = await at(path, { method });
        assert.equal(res.status, 405, `${method} ${path}`);
        assert.equal(res.headers.get("allow"), "POST");
        assert.equal((await res.json()).error, "method_not_allowed");
      }
    }
    const big = "x".repeat(2 * 1024 * 1024 + 1);
    for (const path of ["/tools/get_memory", "/initiation", "/post-call"]) {
      const res = await at(path, { method: "POST", body: big });
      assert.equal(res.status, 413, path);
      assert.equal((await res.json()).error, "body_too_large");
    }
    // A bad tool body is 400 (not JSON) or 422 (schema), once the token holds.
    const a = await callingPlayer(h.sql);
    const { token } = await callIn(h, a.phone);
    const notJson = await h.voice(
      new Request("http://local/functions/v1/voice/tools/get_memory", {
        method: "POST",
        headers: { "x-nikita-session": token },
        body: "{query",
      }),
    );
    assert.equal(notJson.status, 400);
    assert.equal((await h.tool("get_context", token, [1, 2])).status, 422);
  } finally {
    await h.close();
  }
});
