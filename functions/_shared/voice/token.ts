// Voice session tokens (PLATFORM.md §4.1): `<user_id>:<session_id>:<issued_at>:<sig>`, sig = hex HMAC-SHA256 of
// "<user_id>:<session_id>:<issued_at>" under VOICE_TOKEN_SECRET, issued_at in unix seconds. Minted when a call starts,
// it reaches ElevenLabs only as the secret dynamic variable `secret__signed_token` and comes back on every tool call
// as X-Nikita-Session: the one source of a caller's identity on the phone. Synchronous node:crypto, so a check costs
// no turn of the event loop; the signature is compared in constant time.
import { createHmac, timingSafeEqual } from "node:crypto";

/** A token is good for 30 minutes after it was issued. */
export const TOKEN_TTL_SECONDS = 30 * 60;
/** A token issued up to 60 s "in the future" is still taken: clocks of two machines drift a little. */
export const TOKEN_FUTURE_SKEW_SECONDS = 60;

export interface SessionClaims {
  userId: string;
  sessionId: string;
  /** Unix seconds. */
  issuedAt: number;
}

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const TOKEN = new RegExp(`^(${UUID}):(${UUID}):(\\d{1,12}):([0-9a-f]{64})$`);

function signature(secret: string, payload: string): Buffer {
  return createHmac("sha256", secret).update(payload).digest();
}

/** The token for a session. */
export function signSessionToken(secret: string, claims: SessionClaims): string {
  const payload = `${claims.userId.toLowerCase()}:${claims.sessionId.toLowerCase()}:${Math.floor(claims.issuedAt)}`;
  return `${payload}:${signature(secret, payload).toString("hex")}`;
}

/** The claims of a well-formed token with a good signature, regardless of its age; null for anything else. */
function verifiedClaims(secret: string, token: string | null | undefined): SessionClaims | null {
  if (typeof token !== "string") return null;
  const m = TOKEN.exec(token.trim());
  if (!m) return null;
  const [, userId, sessionId, issued, sig] = m;
  const expected = signature(secret, `${userId}:${sessionId}:${issued}`);
  // Both are 32 bytes here (the pattern fixes 64 hex digits), as timingSafeEqual requires.
  if (!timingSafeEqual(Buffer.from(sig!, "hex"), expected)) return null;
  return { userId: userId!, sessionId: sessionId!, issuedAt: Number(issued) };
}

/** The claims of a token that is well formed, signed with `secret`, issued at most 60 s ahead of `now` and less than
 * 30 minutes before it; null otherwise (the tools answer 401 without saying which). */
export function verifySessionToken(secret: string, token: string | null | undefined, now: Date): SessionClaims | null {
  const claims = verifiedClaims(secret, token);
  if (!claims) return null;
  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (claims.issuedAt > nowSeconds + TOKEN_FUTURE_SKEW_SECONDS) return null;
  if (nowSeconds - claims.issuedAt >= TOKEN_TTL_SECONDS) return null;
  return claims;
}

/** For the post-call webhook, which arrives when the call is over and may come long after the token's 30 minutes:
 * the signature and the 60 s future bound still hold, the expiry does not. */
export function verifySessionTokenIgnoringExpiry(
  secret: string,
  token: string | null | undefined,
  now: Date,
): SessionClaims | null {
  const claims = verifiedClaims(secret, token);
  if (!claims) return null;
  if (claims.issuedAt > Math.floor(now.getTime() / 1000) + TOKEN_FUTURE_SKEW_SECONDS) return null;
  return claims;
}

/** Unix seconds of a session's issued_at as SQL returns it (an ISO timestamp, or already seconds). */
export function unixSeconds(value: string | number | Date): number {
  if (typeof value === "number") return Math.floor(value);
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  if (!Number.isFinite(ms)) throw new RangeError(`not a time: ${String(value)}`);
  return Math.floor(ms / 1000);
}
