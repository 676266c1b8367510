// HTTP plumbing every route shares (PLATFORM.md §1): JSON error bodies, body size limit, method checks and
// constant-time secret comparison.

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

const encoder = new TextEncoder();
let comparisonKey: Promise<CryptoKey> | undefined;

/** Compares two secrets in constant time by comparing their HMAC digests under a random per-process key. */
export async function secretEquals(given: string | null, expected: string): Promise<boolean> {
  if (given === null) return false;
  comparisonKey ??= crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, false, ["sign"]) as Promise<CryptoKey>;
  const key = await comparisonKey;
  const [a, b] = await Promise.all([
    crypto.subtle.sign("HMAC", key, encoder.encode(given)),
    crypto.subtle.sign("HMAC", key, encoder.encode(expected)),
  ]);
  const x = new Uint8Array(a);
  const y = new Uint8Array(b);
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i]! ^ y[i]!;
  return diff === 0;
}
