// The shared HTTP plumbing's secret comparison (every secret-checked route: the webhook, jobs, voice initiation).
import assert from "node:assert/strict";
import { secretEquals } from "../functions/_shared/platform/http.ts";

Deno.test("secretEquals accepts exactly the expected secret", () => {
  const secret = "local-webhook-secret";
  assert.equal(secretEquals(secret, secret), true);
  assert.equal(secretEquals("ключ-секрет-✓", "ключ-секрет-✓"), true, "non-ASCII secrets compare by their bytes");
});

Deno.test("secretEquals refuses a missing, shorter, longer or different value", () => {
  const secret = "local-webhook-secret";
  assert.equal(secretEquals(null, secret), false);
  assert.equal(secretEquals("", secret), false);
  assert.equal(secretEquals("local-webhook-secre", secret), false, "a prefix");
  assert.equal(secretEquals(`${secret}x`, secret), false, "the secret and more");
  assert.equal(secretEquals(secret + secret, secret), false, "the secret twice (the comparison cycles the secret)");
  assert.equal(secretEquals("local-webhook-secreT", secret), false, "the last byte differs");
  assert.equal(secretEquals("Local-webhook-secret", secret), false, "the first byte differs");
  assert.equal(secretEquals("ключ-секрет-x", "ключ-секрет-✓"), false);
});

Deno.test("secretEquals refuses everything when no secret is configured", () => {
  assert.equal(secretEquals("", ""), false);
  assert.equal(secretEquals("anything", ""), false);
});
