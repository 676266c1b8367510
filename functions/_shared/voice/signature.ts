// The post-call webhook's signature (PLATFORM.md §4.4): header `ElevenLabs-Signature: t=<unix>,v0=<hex>` with
// v0 = hex HMAC-SHA256(ELEVENLABS_WEBHOOK_SECRET, "<t>.<raw body>"), computed over the body's bytes exactly as they
// arrived, before anything parses them. The SDK's webhooks.constructEvent does the same sum but has no bound on a
// timestamp from the future and compares the digests with `!==`; this check bounds t on both sides (30 min old,
// 5 min ahead) and compares in constant time.
import { createHmac, timingSafeEqual } from "node:crypto";

/** A signature older than this is refused (a replay of a captured request). */
export const SIGNATURE_TOLERANCE_SECONDS = 30 * 60;
/** A timestamp further ahead than this is refused. */
export const SIGNATURE_FUTURE_SECONDS = 5 * 60;

export type SignatureCheck =
  | { ok: true; timestamp: number }
  | { ok: false; reason: "missing" | "malformed" | "stale" | "future" | "mismatch" };

/** v0 for a body signed at `timestamp` (unix seconds): what ElevenLabs sends, and what the check recomputes. */
export function webhookDigest(secret: string, timestamp: number, rawBody: Uint8Array): Buffer {
  return createHmac("sha256", secret).update(`${timestamp}.`).update(rawBody).digest();
}

/** The header value ElevenLabs would send for this body at `timestamp` (tests and the fake sender sign with it). */
export function signatureHeader(secret: string, timestamp: number, rawBody: Uint8Array): string {
  return `t=${timestamp},v0=${webhookDigest(secret, timestamp, rawBody).toString("hex")}`;
}

/** Exactly the two parts t (digits) and v0 (64 hex digits), in any order; anything else is malformed. */
function parseHeader(header: string): { t: number; v0: Buffer } | null {
  const parts = new Map<string, string>();
  for (const part of header.split(",")) {
    const eq = part.indexOf("=");
    if (eq < 0) return null;
    const key = part.slice(0, eq).trim();
    if (parts.has(key)) return null;
    parts.set(key, part.slice(eq + 1).trim());
  }
  const t = parts.get("t");
  const v0 = parts.get("v0");
  if (parts.size !== 2 || t === undefined || v0 === undefined) return null;
  if (!/^\d{1,12}$/.test(t) || !/^[0-9a-fA-F]{64}$/.test(v0)) return null;
  return { t: Number(t), v0: Buffer.from(v0, "hex") };
}

/** Checks the header against the raw body at `now`. */
export function verifyWebhookSignature(
  secret: string,
  header: string | null,
  rawBody: Uint8Array,
  now: Date,
): SignatureCheck {
  if (header === null || header.trim() === "") return { ok: false, reason: "missing" };
  const parsed = parseHeader(header);
  if (!parsed) return { ok: false, reason: "malformed" };
  // The digest is computed and compared whatever the timestamp, so the answer's timing says nothing about which
  // check failed.
  const matches = timingSafeEqual(parsed.v0, webhookDigest(secret, parsed.t, rawBody));
  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (parsed.t < nowSeconds - SIGNATURE_TOLERANCE_SECONDS) return { ok: false, reason: "stale" };
  if (parsed.t > nowSeconds + SIGNATURE_FUTURE_SECONDS) return { ok: false, reason: "future" };
  if (!matches) return { ok: false, reason: "mismatch" };
  return { ok: true, timestamp: parsed.t };
}
