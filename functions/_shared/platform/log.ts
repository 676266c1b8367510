// Structured JSON logs, one line per event. Never log secrets or message bodies at info level.
// Every line written while a request is handled carries its `request_id`, including the lines of the background
// work the request started (waitUntil): AsyncLocalStorage follows the request through every await and callback,
// so no function between the handler and the line needs to pass the id along.
import { AsyncLocalStorage } from "node:async_hooks";

export type Level = "debug" | "info" | "warn" | "error";
const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
let threshold: Level = "info";

const request = new AsyncLocalStorage<{ requestId: string }>();

export function setLogLevel(level: Level): void {
  threshold = level;
}

export function log(level: Level, message: string, fields: Record<string, unknown> = {}): void {
  if (order[level] < order[threshold]) return;
  const requestId = request.getStore()?.requestId;
  const line = JSON.stringify({
    level,
    message,
    time: new Date().toISOString(),
    ...(requestId === undefined ? {} : { request_id: requestId }),
    ...fields,
  });
  if (level === "error" || level === "warn") console.error(line);
  else console.log(line);
}

/** The id of the request being handled here, if any. */
export function currentRequestId(): string | undefined {
  return request.getStore()?.requestId;
}

/** The platform's id of a request (Supabase sets sb-request-id; proxies x-request-id), else a new random one.
 * Capped, so a caller cannot make every log line of its request arbitrarily long. */
function requestIdOf(req: Request): string {
  const given = (req.headers.get("sb-request-id") ?? req.headers.get("x-request-id") ?? "").trim().slice(0, 128);
  return given === "" ? crypto.randomUUID() : given;
}

/** Wraps a handler so that every log line written while it handles a request, and in the background work it
 * starts, carries that request's `request_id`. */
export function withRequestId(handler: (req: Request) => Promise<Response>): (req: Request) => Promise<Response> {
  return (req) => request.run({ requestId: requestIdOf(req) }, () => handler(req));
}
