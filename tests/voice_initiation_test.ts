// The conversation-initiation webhook (PLATFORM.md §4.3, GAME_RULES.md §16) through the voice handler against the
// test database: the initiation secret, the request schema, the four cases of a ringing call with every dynamic
// variable a string, and the same call_sid answered with the same session.
import assert from "node:assert/strict";
import type { InitiationResponse } from "../functions/_shared/voice/initiation.ts";
import { verifySessionToken } from "../functions/_shared/voice/token.ts";
import { initiationRequest } from "./fakes/elevenlabs.ts";
import { callingPlayer, phoneNumber, startVoiceHarness, VOICE_ENV } from "./support/voice.ts";

const VARIABLES = [
  "call_reason",
  "chapter_name",
  "last_summary",
  "local_time",
  "player_name",
  "secret__signed_token",
  "time_of_day",
];

function assertShape(answer: InitiationResponse) {
  assert.equal(answer.type, "conversation_initiation_client_data");
  assert.deepEqual(Object.keys(answer.dynamic_variables).sort(), VARIABLES);
  for (const [name, value] of Object.entries(answer.dynamic_variables)) {
    assert.equal(typeof value, "string", `${name} is a string`);
  }
  assert.equal(answer.dynamic_variables.call_reason, "inbound");
  const agent = answer.conversation_config_override.agent;
  assert.equal(typeof agent.prompt.prompt, "string");
  assert.ok(agent.prompt.prompt.length > 0);
  assert.equal(typeof agent.first_message, "string");
  assert.ok(agent.first_message.length > 0);
}

/** The sessions a token can be issued for: a refused call is recorded (by call_sid, for repeats) but never started. */
async function sessions(sql: import("../functions/_shared/platform/db.ts").Sql, userId: string) {
  const rows = await sql<{ session_id: string; call_sid: string }[]>`
    select session_id::text, call_sid from private.voice_sessions
    where user_id = ${userId} and status = 'started' order by issued_at`;
  return rows.map((r) => ({ ...r }));
}

async function refusals(sql: import("../functions/_shared/platform/db.ts").Sql, userId: string) {
  const rows = await sql<{ status: string }[]>`
    select status from private.voice_sessions where user_id = ${userId} and status <> 'started'`;
  return rows.map((r) => r.status);
}

Deno.test("initiation: a missing or wrong secret is 401, a bad body 422, and neither opens a session", async () => {
  const h = startVoiceHarness();
  try {
    const a = await callingPlayer(h.sql);
    assert.equal((await h.initiate(a.phone, "CA-no-secret", null)).status, 401);
    const wrong = await h.initiate(a.phone, "CA-wrong-secret", "not-the-initiation-secret");
    assert.equal(wrong.status, 401);
    assert.equal((await wrong.json()).error, "unauthorized");
    const url = "http://local/functions/v1/voice/initiation";
    const secret = { "x-voice-webhook-secret": VOICE_ENV.ELEVENLABS_INITIATION_SECRET };
    for (
      const body of [
        { caller_id: a.phone, agent_id: "agent", called_number: "+4930" },
        { caller_id: 4915100000, agent_id: "agent", called_number: "+4930", call_sid: "CA1" },
        { caller_id: "", agent_id: "agent", called_number: "+4930", call_sid: "CA1" },
        [],
      ]
    ) {
      const res = await h.voice(new Request(url, { method: "POST", headers: secret, body: JSON.stringify(body) }));
      assert.equal(res.status, 422, JSON.stringify(body));
      assert.equal((await res.json()).error, "invalid_body");
    }
    const notJson = await h.voice(new Request(url, { method: "POST", headers: secret, body: "{caller" }));
    assert.equal(notJson.status, 400);
    assert.equal((await notJson.json()).error, "invalid_json");
    assert.deepEqual(await sessions(h.sql, a.userId), []);
  } finally {
    await h.close();
  }
});

Deno.test("initiation: an unknown caller gets neutral variables, no token and the stranger's lines", async () => {
  const h = startVoiceHarness();
  try {
    const res = await h.initiate(phoneNumber());
    assert.equal(res.status, 200);
    const answer = await res.json() as InitiationResponse;
    assertShape(answer);
    assert.deepEqual(answer.dynamic_variables, {
      player_name: "",
      chapter_name: "",
      local_time: "",
      time_of_day: "",
      last_summary: "",
      call_reason: "inbound",
      secret__signed_token: "",
    });
    assert.match(answer.conversation_config_override.agent.first_message, /Telegram/);
    assert.match(answer.conversation_config_override.agent.prompt.prompt, /do not know is calling/);
    assert.match(answer.conversation_config_override.agent.prompt.prompt, /end the call/);
  } finally {
    await h.close();
  }
});

Deno.test("initiation: a player who has not finished onboarding is told to finish on Telegram", async () => {
  const h = startVoiceHarness();
  try {
    const [user] = await h.sql<{ id: string }[]>`
      insert into auth.users (email) values (${`voice-${crypto.randomUUID()}@players.test`}) returning id`;
    const phone = phoneNumber();
    await h.sql`select game.save_phone(${user!.id}, ${phone}, now())`;
    const answer = await (await h.initiate(phone)).json() as InitiationResponse;
    assertShape(answer);
    assert.equal(answer.dynamic_variables.secret__signed_token, "");
    assert.match(answer.conversation_config_override.agent.first_message, /Telegram/);
    assert.match(answer.conversation_config_override.agent.first_message, /[Ff]inish/);
    assert.deepEqual(await sessions(h.sql, user!.id), []);
    assert.deepEqual(await refusals(h.sql, user!.id), ["not_onboarded"]);
  } finally {
    await h.close();
  }
});

Deno.test("initiation: when she is unavailable, an excuse, a brief prompt, variables filled and no session", async () => {
  // Chapter 1 picks up when the roll is below 0.10: 0.5 is a busy evening.
  const h = startVoiceHarness({ deps: { random: () => 0.5 } });
  try {
    const a = await callingPlayer(h.sql);
    const answer = await (await h.initiate(a.phone)).json() as InitiationResponse;
    assertShape(answer);
    assert.equal(answer.dynamic_variables.player_name, "Robin");
    assert.equal(answer.dynamic_variables.chapter_name, "Curiosity");
    assert.match(answer.dynamic_variables.local_time, /^\d{2}:\d{2}$/);
    assert.match(answer.dynamic_variables.time_of_day, /^(morning|afternoon|evening|night)$/);
    assert.equal(answer.dynamic_variables.secret__signed_token, "");
    assert.match(answer.conversation_config_override.agent.prompt.prompt, /brief/);
    assert.match(answer.conversation_config_override.agent.prompt.prompt, /end the call/);
    assert.match(answer.conversation_config_override.agent.first_message, /can't|later/i);
    assert.deepEqual(await sessions(h.sql, a.userId), []);
    assert.deepEqual(await refusals(h.sql, a.userId), ["unavailable"]);
  } finally {
    await h.close();
  }
  // 0.09 is below chapter 1's 0.10: she picks up (the roll, not the code, decides).
  const h2 = startVoiceHarness({ deps: { random: () => 0.09 } });
  try {
    const a = await callingPlayer(h2.sql);
    const answer = await (await h2.initiate(a.phone)).json() as InitiationResponse;
    assert.notEqual(answer.dynamic_variables.secret__signed_token, "");
  } finally {
    await h2.close();
  }
});

Deno.test("initiation: when she picks up, a signed token for a new session, her voice prompt and an opener", async () => {
  const h = startVoiceHarness();
  try {
    const a = await callingPlayer(h.sql);
    await h.sql`select game.save_ready_prompt(${a.userId}, 'voice', 'You are talking to Robin, who loves jazz.', 10,
      '{}', null, now())`;
    await h.sql`insert into public.conversations (user_id, platform, status, started_at, last_message_at, ended_at,
        chapter_at_start, summary)
      values (${a.userId}, 'telegram', 'closed', now() - interval '2 days', now() - interval '2 days',
        now() - interval '2 days', 1, 'They told her about their jazz records.')`;
    const callSid = `CA${crypto.randomUUID().replaceAll("-", "")}`;
    const res = await h.initiate(a.phone, callSid);
    assert.equal(res.status, 200);
    const answer = await res.json() as InitiationResponse;
    assertShape(answer);
    const v = answer.dynamic_variables;
    assert.equal(v.player_name, "Robin");
    assert.equal(v.chapter_name, "Curiosity");
    assert.equal(v.last_summary, "They told her about their jazz records.");
    const claims = verifySessionToken(VOICE_ENV.VOICE_TOKEN_SECRET, v.secret__signed_token, new Date());
    assert.ok(claims, "a token the tools accept");
    assert.equal(claims.userId, a.userId);
    assert.deepEqual(await sessions(h.sql, a.userId), [{ session_id: claims.sessionId, call_sid: callSid }]);
    const agent = answer.conversation_config_override.agent;
    assert.match(agent.prompt.prompt, /You are talking to Robin, who loves jazz\./);
    assert.match(agent.prompt.prompt, /Never say or imply you are an AI/);
    assert.match(agent.prompt.prompt, /security researcher living in Berlin/, "her persona, for the phone");
    assert.doesNotMatch(agent.prompt.prompt, /texting|Telegram|[Ee]moji/, "not her chat rules");
    assert.doesNotMatch(agent.prompt.prompt, /secret__|[0-9a-f]{64}/, "the token never reaches the prompt");
    // Chapter 1's openers are guarded ones.
    assert.match(agent.first_message, /You actually called|you have my attention/);

    // The same call_sid again (ElevenLabs retrying): the same session, the same answer.
    const again = await (await h.initiate(a.phone, callSid)).json() as InitiationResponse;
    assert.deepEqual(again, answer);
    assert.equal((await sessions(h.sql, a.userId)).length, 1);

    // Without a voice ready prompt the prompt is built from the player block.
    await h.sql`update game.ready_prompts set is_current = false where user_id = ${a.userId}`;
    const fallback = await (await h.initiate(a.phone)).json() as InitiationResponse;
    assert.match(fallback.conversation_config_override.agent.prompt.prompt, /on the phone with Robin/);
    assert.match(fallback.conversation_config_override.agent.prompt.prompt, /Last time you talked: They told her/);
    assert.notEqual(
      fallback.dynamic_variables.secret__signed_token,
      v.secret__signed_token,
      "a new call, a new session",
    );
  } finally {
    await h.close();
  }
});

Deno.test("initiation: the opener follows the chapter", async () => {
  const h = startVoiceHarness();
  try {
    const a = await callingPlayer(h.sql);
    await h.sql`update public.users set chapter = 5 where id = ${a.userId}`;
    const answer = await (await h.initiate(a.phone)).json() as InitiationResponse;
    assert.equal(answer.dynamic_variables.chapter_name, "Established");
    assert.match(
      answer.conversation_config_override.agent.first_message,
      /^(Hi, Robin\. Tell me everything|Hey, Robin\. Perfect timing)/,
    );
  } finally {
    await h.close();
  }
});

Deno.test("initiation answers on the platform's path (/voice/initiation) as on the gateway's", async () => {
  const h = startVoiceHarness();
  try {
    const req = initiationRequest(
      "http://local/voice/initiation",
      { caller_id: phoneNumber(), call_sid: "CA-direct" },
      VOICE_ENV.ELEVENLABS_INITIATION_SECRET,
    );
    const res = await h.voice(req);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/json");
  } finally {
    await h.close();
  }
});
