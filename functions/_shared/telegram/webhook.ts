// POST / of telegram-webhook (PLATFORM.md §2.1): check the secret, store the update once under its update_id,
// answer 200 at once; processing happens after the acknowledgement (and the sweeper re-drives what is left).
import { runsAsServiceRole, serviceRole, type Sql, type Tx } from "../platform/db.ts";
import {
  BodyError,
  errorResponse,
  functionPath,
  methodNotAllowed,
  parseJson,
  readBody,
  secretEquals,
} from "../platform/http.ts";
import { log } from "../platform/log.ts";
import { classifyUpdate, updateSchema } from "./updates.ts";

export interface WebhookDeps {
  sql: Sql;
  secret: string;
  /** Schedules drain(chat) after the response (waitUntil on the platform). It is called before the response is
   * returned, so it must only schedule: work it starts at once, or on a promise, delays the 200 (afterResponse). */
  afterAck: (chatId: number) => void;
  /** Seconds reserved for the waitUntil path before the sweeper may take the update. */
  leaseSeconds?: number;
}

export function createWebhookHandler(deps: WebhookDeps): (req: Request) => Promise<Response> {
  return async (req) => {
    // The function has one route, its root: anything else is not a Telegram webhook.
    if (functionPath(req, "telegram-webhook") !== "/") {
      return errorResponse(404, "not_found", "telegram-webhook has one route: POST /");
    }
    if (req.method !== "POST") return methodNotAllowed(["POST"]);
    if (!secretEquals(req.headers.get("x-telegram-bot-api-secret-token"), deps.secret)) {
      return errorResponse(401, "unauthorized", "missing or wrong X-Telegram-Bot-Api-Secret-Token");
    }
    let update;
    let body: string;
    try {
      body = await readBody(req);
      const parsed = updateSchema.safeParse(parseJson(body));
      if (!parsed.success) return errorResponse(400, "invalid_update", "the body needs an integer update_id");
      update = parsed.data;
    } catch (error) {
      if (error instanceof BodyError) return error.response;
      throw error;
    }
    const info = classifyUpdate(update);
    const status = info.kind === "ignored" ? "ignored" : "pending";
    try {
      const inserted = await storeUpdate(deps.sql, info, body, status, deps.leaseSeconds ?? 30);
      if (inserted.length > 0 && status === "pending" && info.chatId !== null) deps.afterAck(info.chatId);
      return new Response(null, { status: 200 });
    } catch (error) {
      // Telegram retries a non-2xx, so nothing is lost.
      log("error", "inbox insert failed", { update_id: info.updateId, error: String(error) });
      return errorResponse(500, "inbox_unavailable", "the update could not be stored; retry");
    }
  };
}

/** The acknowledgement's one write: the update under its update_id, as service_role. On a pool whose sessions run as
 * service_role (createDb's serviceRoleSessions) it is one statement, one round trip; elsewhere a transaction sets the
 * role first, pipelined with the insert. */
export async function storeUpdate(
  sql: Sql,
  info: { updateId: number; chatId: number | null; kind: string },
  /** The update as Telegram sent it (valid JSON): stored as it came, not parsed and serialised again. */
  body: string,
  status: "pending" | "ignored",
  leaseSeconds: number,
): Promise<{ update_id: number }[]> {
  const insert = (q: Sql | Tx) =>
    q<{ update_id: number }[]>`
      insert into private.telegram_updates (update_id, chat_id, kind, payload, status, lease_until)
      values (${info.updateId}, ${info.chatId}, ${info.kind}, (${body}::text)::jsonb, ${status},
              now() + make_interval(secs => ${leaseSeconds}))
      on conflict (update_id) do nothing
      returning update_id`;
  if (runsAsServiceRole(sql)) return await insert(sql);
  return await sql.begin(async (tx) => {
    const t = tx as unknown as Tx;
    const [, rows] = await Promise.all([serviceRole(t), insert(t)]);
    return rows;
  }) as { update_id: number }[];
}
