// The fake ElevenLabs (tests/fakes/elevenlabs.ts) as the official SDK sees it: the outbound-call API answering
// {success, message, conversation_id, callSid}, recording each request, and failing as told (429 with no call
// placed, a 5xx, a timeout after accepting: the call rang and the answer never came); and a post-call webhook it signs
// and posts to a running voice function, accepted there.
import assert from "node:assert/strict";
import { ElevenLabsClient, ElevenLabsError, ElevenLabsTimeoutError } from "npm:@elevenlabs/elevenlabs-js@2.73.0";
import { postCallEvent, sendWebhook, startFakeElevenLabs } from "./fakes/elevenlabs.ts";
import { startVoiceHarness, VOICE_ENV } from "./support/voice.ts";

const request = {
  agentId: "agent_test",
  agentPhoneNumberId: "phnum_test",
  toNumber: "+4915112345678",
  conversationInitiationClientData: { dynamicVariables: { player_name: "Robin", secret__signed_token: "t" } },
};

Deno.test("the fake outbound-call API answers the SDK and records what it was sent", async () => {
  const fake = startFakeElevenLabs();
  try {
    fake.apiKey = "xi-test-key";
    const client = new ElevenLabsClient({ apiKey: "xi-test-key", baseUrl: fake.url, maxRetries: 0 });
    const answer = await client.conversationalAi.twilio.outboundCall(request);
    assert.equal(answer.success, true);
    assert.match(answer.conversationId!, /^conv_[0-9a-f]{24}$/);
    assert.match(answer.callSid!, /^CA[0-9a-f]{32}$/);
    assert.equal(fake.calls.length, 1);
    const call = fake.calls[0]!;
    assert.equal(call.apiKey, "xi-test-key");
    assert.deepEqual(call.body, {
      agent_id: "agent_test",
      agent_phone_number_id: "phnum_test",
      to_number: "+4915112345678",
      conversation_initiation_client_data: { dynamic_variables: { player_name: "Robin", secret__signed_token: "t" } },
    });
    assert.deepEqual([call.outcome, call.dialled, call.conversationId], [200, true, answer.conversationId]);
    const wrongKey = new ElevenLabsClient({ apiKey: "another-key", baseUrl: fake.url, maxRetries: 0 });
    await assert.rejects(wrongKey.conversationalAi.twilio.outboundCall(request), (e: unknown) => {
      assert.ok(e instanceof ElevenLabsError);
      assert.equal(e.statusCode, 401);
      return true;
    });
  } finally {
    await fake.close();
  }
});

Deno.test("the fake fails as told: 429 places no call, a 5xx, and a timeout after accepting rings once", async () => {
  const fake = startFakeElevenLabs();
  try {
    const client = new ElevenLabsClient({ apiKey: "k", baseUrl: fake.url, maxRetries: 0 });
    fake.failures.push(429, { status: 503 }, { status: 500, dialled: true }, "timeout");
    for (const status of [429, 503, 500]) {
      await assert.rejects(client.conversationalAi.twilio.outboundCall(request), (e: unknown) => {
        assert.ok(e instanceof ElevenLabsError);
        assert.equal(e.statusCode, status);
        return true;
      });
    }
    await assert.rejects(client.conversationalAi.twilio.outboundCall(request, { timeoutInSeconds: 0.3 }), (e) => {
      assert.ok(e instanceof ElevenLabsError || e instanceof ElevenLabsTimeoutError);
      assert.match(String((e as Error).message), /timeout/i);
      return true;
    });
    assert.deepEqual(fake.calls.map((c) => [c.outcome, c.dialled]), [
      [429, false],
      [503, false],
      [500, true],
      ["timeout", true],
    ]);
    assert.equal(fake.dialled().length, 2);
    // The failures are used up: the next call succeeds.
    assert.equal((await client.conversationalAi.twilio.outboundCall(request)).success, true);
  } finally {
    await fake.close();
  }
});

Deno.test("a webhook the fake signs and posts is accepted by the voice function served over HTTP", async () => {
  const h = startVoiceHarness({ deps: { afterPostCall: () => {} } });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, h.voice);
  try {
    const url = `http://127.0.0.1:${server.addr.port}/functions/v1/voice/post-call`;
    const event = postCallEvent({});
    const ok = await sendWebhook(url, event, { secret: VOICE_ENV.ELEVENLABS_WEBHOOK_SECRET });
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { status: "unmatched" });
    const bad = await sendWebhook(url, event, { secret: "wsec_wrong" });
    assert.equal(bad.status, 401);
    await bad.body?.cancel();
  } finally {
    await server.shutdown();
    await h.close();
  }
});
