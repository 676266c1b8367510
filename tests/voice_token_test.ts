// Session tokens and the post-call signature (PLATFORM.md §4.1, §4.4): the exact format, the 30 min life and 60 s
// skew of a token, the 30 min / 5 min window of a signature, every malformed header refused, and the fake
// ElevenLabs signing exactly as ElevenLabs does (the official SDK's own check accepts what it signs).
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { ElevenLabsClient } from "npm:@elevenlabs/elevenlabs-js@2.73.0";
import {
  SIGNATURE_FUTURE_SECONDS,
  SIGNATURE_TOLERANCE_SECONDS,
  signatureHeader,
  verifyWebhookSignature,
} from "../functions/_shared/voice/signature.ts";
import {
  signSessionToken,
  TOKEN_FUTURE_SKEW_SECONDS,
  TOKEN_TTL_SECONDS,
  unixSeconds,
  verifySessionToken,
  verifySessionTokenIgnoringExpiry,
} from "../functions/_shared/voice/token.ts";
import { elevenLabsSignature } from "./fakes/elevenlabs.ts";

const SECRET = "a-voice-token-secret-of-32-chars!!";
const claims = {
  userId: "0a7d3a52-5a0f-4bb5-9b3c-2f0f6f2b1e11",
  sessionId: "6c1f0f5e-0d6e-4a36-8a1c-9f3a3c1d2e22",
  issuedAt: 1_796_000_000,
};
const at = (seconds: number) => new Date(seconds * 1000);

Deno.test("a token is <user_id>:<session_id>:<issued_at>:<hex HMAC-SHA256 of the first three>", () => {
  const token = signSessionToken(SECRET, claims);
  const payload = `${claims.userId}:${claims.sessionId}:${claims.issuedAt}`;
  assert.equal(token, `${payload}:${createHmac("sha256", SECRET).update(payload).digest("hex")}`);
  assert.deepEqual(verifySessionToken(SECRET, token, at(claims.issuedAt + 1)), claims);
});

Deno.test("a token lives 30 minutes and may be issued up to 60 s ahead", () => {
  const token = signSessionToken(SECRET, claims);
  assert.equal(TOKEN_TTL_SECONDS, 1800);
  assert.equal(TOKEN_FUTURE_SKEW_SECONDS, 60);
  assert.ok(verifySessionToken(SECRET, token, at(claims.issuedAt + 1799)), "one second before the end");
  assert.equal(verifySessionToken(SECRET, token, at(claims.issuedAt + 1800)), null, "30 minutes old");
  assert.ok(verifySessionToken(SECRET, token, at(claims.issuedAt - 60)), "issued 60 s ahead of this clock");
  assert.equal(verifySessionToken(SECRET, token, at(claims.issuedAt - 61)), null, "61 s ahead");
  // The post-call variant ignores the expiry, not the signature or the future bound.
  assert.deepEqual(verifySessionTokenIgnoringExpiry(SECRET, token, at(claims.issuedAt + 86_400)), claims);
  assert.equal(verifySessionTokenIgnoringExpiry(SECRET, token, at(claims.issuedAt - 61)), null);
  assert.equal(
    verifySessionTokenIgnoringExpiry("another-secret-of-thirty-two-chars", token, at(claims.issuedAt)),
    null,
  );
});

Deno.test("a forged, altered or malformed token is refused", () => {
  const token = signSessionToken(SECRET, claims);
  const now = at(claims.issuedAt + 10);
  const other = "0b7d3a52-5a0f-4bb5-9b3c-2f0f6f2b1e11";
  const flipped = token.slice(0, -1) + (token.endsWith("0") ? "1" : "0");
  const cases = [
    signSessionToken("another-secret-of-thirty-two-chars", claims),
    flipped,
    token.replace(claims.userId, other),
    token.replace(`:${claims.issuedAt}:`, `:${claims.issuedAt + 1}:`),
    token.slice(0, -2),
    `${token}00`,
    token.split(":").slice(0, 3).join(":"),
    token.toUpperCase(),
    "",
    "not-a-token",
    `${claims.userId}:${claims.sessionId}:${claims.issuedAt}:${"z".repeat(64)}`,
    null,
  ];
  for (const bad of cases) assert.equal(verifySessionToken(SECRET, bad, now), null, String(bad));
});

Deno.test("unixSeconds reads a session's issued_at as SQL returns it", () => {
  assert.equal(unixSeconds("2026-12-01T12:00:00.900+00:00"), 1796126400);
  assert.equal(unixSeconds(1796126400.7), 1796126400);
  assert.throws(() => unixSeconds("yesterday"), RangeError);
});

const body = new TextEncoder().encode(
  JSON.stringify({ type: "post_call_transcription", data: { conversation_id: "c" } }),
);
const WEBHOOK_SECRET = "wsec_test_webhook_secret";

Deno.test("a signature is good from 30 minutes old to 5 minutes ahead, over the exact bytes", () => {
  const t = 1_796_000_000;
  const header = signatureHeader(WEBHOOK_SECRET, t, body);
  assert.equal(SIGNATURE_TOLERANCE_SECONDS, 1800);
  assert.equal(SIGNATURE_FUTURE_SECONDS, 300);
  assert.deepEqual(verifyWebhookSignature(WEBHOOK_SECRET, header, body, at(t)), { ok: true, timestamp: t });
  assert.equal(verifyWebhookSignature(WEBHOOK_SECRET, header, body, at(t + 1800)).ok, true);
  assert.deepEqual(verifyWebhookSignature(WEBHOOK_SECRET, header, body, at(t + 1801)), { ok: false, reason: "stale" });
  assert.equal(verifyWebhookSignature(WEBHOOK_SECRET, header, body, at(t - 300)).ok, true);
  assert.deepEqual(verifyWebhookSignature(WEBHOOK_SECRET, header, body, at(t - 301)), { ok: false, reason: "future" });
  const tampered = new Uint8Array(body);
  tampered[10] = tampered[10]! ^ 1;
  assert.deepEqual(verifyWebhookSignature(WEBHOOK_SECRET, header, tampered, at(t)), { ok: false, reason: "mismatch" });
  assert.deepEqual(verifyWebhookSignature("wsec_other", header, body, at(t)), { ok: false, reason: "mismatch" });
});

Deno.test("a missing or malformed signature header is refused", () => {
  const t = 1_796_000_000;
  const v0 = signatureHeader(WEBHOOK_SECRET, t, body).split("v0=")[1]!;
  const cases: [string | null, string][] = [
    [null, "missing"],
    ["", "missing"],
    [`v0=${v0}`, "malformed"],
    [`t=${t}`, "malformed"],
    [`t=${t},v0=${v0.slice(2)}`, "malformed"],
    [`t=${t},v0=${v0},v1=${v0}`, "malformed"],
    [`t=${t},t=${t},v0=${v0}`, "malformed"],
    [`t=abc,v0=${v0}`, "malformed"],
    [`t=${t};v0=${v0}`, "malformed"],
    [`t=${t},v0=${"g".repeat(64)}`, "malformed"],
    [`${t},${v0}`, "malformed"],
  ];
  for (const [header, reason] of cases) {
    assert.deepEqual(
      verifyWebhookSignature(WEBHOOK_SECRET, header, body, at(t)),
      { ok: false, reason },
      String(header),
    );
  }
  // The parts may come in either order, with spaces.
  assert.equal(verifyWebhookSignature(WEBHOOK_SECRET, `v0=${v0}, t=${t}`, body, at(t)).ok, true);
});

Deno.test("the fake ElevenLabs signs as ElevenLabs: the SDK's check and ours both accept it, and agree on bytes", async () => {
  const raw = JSON.stringify({ type: "post_call_transcription", data: { conversation_id: "conv_1", note: "ünïcödé" } });
  const header = await elevenLabsSignature(WEBHOOK_SECRET, raw);
  const client = new ElevenLabsClient({ apiKey: "unused" });
  assert.deepEqual(await client.webhooks.constructEvent(raw, header, WEBHOOK_SECRET), JSON.parse(raw));
  assert.equal(verifyWebhookSignature(WEBHOOK_SECRET, header, new TextEncoder().encode(raw), new Date()).ok, true);
  const t = Number(/t=(\d+)/.exec(header)![1]);
  assert.equal(header, signatureHeader(WEBHOOK_SECRET, t, new TextEncoder().encode(raw)));
});
