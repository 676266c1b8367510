// HTTP plumbing every route shares (PLATFORM.md §1): JSON error bodies, body size limit, method checks and
// constant-time secret comparison.
import { timingSafeEqual } from "node:crypto";

export const MAX_BODY_BYTES = 2 * 1024 * 1024;

/** The path of a request below its function: "/" for the root, "/tools/get_context" for a route. Requests reach a
 * function as /<name>/... on the platform and as /functions/v1/<name>/... through the local gateway; a path that
 * is neither (or a bare "/" when called directly) is taken as it is. */
export function functionPath(req: Request, name: string): string {
  const path = new URL(req.url).pathname;
  for (const prefix of [`/functions/v1/${name}`, `/${name}`]) {
    if (path === prefix || path.startsWith(`${prefix}/`)) return path.slice(prefix.length).replace(/\/+$/, "") || "/";
  }
  return path.replace(/\/+$/, "") || "/";
}

export function json(body: unknown, status = 200, headers: HeadersInit = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

/** `{"error": "<snake_code>", "message": "<what is wrong>"}` with the given status. */
export function errorResponse(status: number, error: string, message: string, headers: HeadersInit = {}): Response {
  return json({ error, message }, status, headers);
}

export function methodNotAllowed(allow: string[]): Response {
  return errorResponse(405, "method_not_allowed", `use ${allow.join(", ")}`, { allow: allow.join(", ") });
}

export class BodyError extends Error {
  constructor(readonly response: Response) {
    super("bad body");
  }
}

/** Reads the raw body, refusing more than MAX_BODY_BYTES (413). */
export async function readBody(req: Request): Promise<string> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) {
    throw new BodyError(errorResponse(413, "body_too_large", `the body exceeds ${MAX_BODY_BYTES} bytes`));
  }
  const bytes = new Uint8Array(await req.arrayBuffer());
  if (bytes.byteLength > MAX_BODY_BYTES) {
    throw new BodyError(errorResponse(413, "body_too_large", `the body exceeds ${MAX_BODY_BYTES} bytes`));
  }
  return new TextDecoder().decode(bytes);
}

/** Parses JSON, or throws a 400 that says so. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new BodyError(errorResponse(400, "invalid_json", "the body is not valid JSON"));
  }
}

const utf8 = new TextEncoder();

/** Compares a given secret with the expected one in constant time (node:crypto's timingSafeEqual over the bytes).
 * A value of another length is compared with itself, so the time depends on the given value's length alone and a
 * mismatch in length says nothing of what the secret holds. Synchronous and a microsecond or so: two HMAC digests,
 * the earlier way, cost some 30 µs, the acknowledgement's largest cost after its insert. */
export function secretEquals(given: string | null, expected: string): boolean {
  if (given === null || expected === "") return false;
  const a = utf8.encode(given);
  const b = utf8.encode(expected);
  if (a.length !== b.length) {
    timingSafeEqual(a, a);
    return false;
  }
  return timingSafeEqual(a, b);
}
