// The portal function's routes (PLATFORM.md §8.1, §1). Every check that can refuse a request runs before anything is
// written, in this order: unknown path 404, wrong method 405 with Allow, body over 2 MiB 413, a missing or refused
// access token 401, an admin route for someone who is no admin 403, malformed JSON 400, a body the schema refuses 422
// (400 for a deletion without its confirmation), each as {"error", "message"}. Browsers call it from the portal, so
// it answers CORS preflights for the portal's origin.
import type { z } from "npm:zod@4.6.7";
import { asServiceRole, type Sql } from "../platform/db.ts";
import { gameErrorCode, ProviderError, sqlErrorCodes } from "../platform/errors.ts";
import {
  BodyError,
  errorResponse,
  functionPath,
  json,
  methodNotAllowed,
  parseJson,
  readBody,
} from "../platform/http.ts";
import { log } from "../platform/log.ts";
import { type AdminAction, runAdminAction } from "./admin.ts";
import type { PortalAuth, PortalUser } from "./identity.ts";
import { deepLink, drawLinkCode, issueLinkCode } from "./link_code.ts";
import { adjustBody, deleteAccountBody, describeIssues, emptyBody, resetBody } from "./requests.ts";

export interface PortalDeps {
  sql: Sql;
  auth: PortalAuth;
  now: () => Date;
  /** TELEGRAM_BOT_USERNAME, for the deep link. */
  botUsername: string;
  /** PORTAL_URL: its origin may call from a browser. */
  portalUrl: string;
  /** Link codes' source (tests: a fixed sequence). */
  drawCode?: () => string;
}

const UUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";

type Route =
  | { kind: "delete-account" }
  | { kind: "telegram-link" }
  | { kind: "reset"; userId: string }
  | { kind: "adjust"; userId: string }
  | { kind: "reprocess"; conversationId: string };

function routeOf(path: string): Route | null {
  if (path === "/account/delete") return { kind: "delete-account" };
  if (path === "/telegram-link") return { kind: "telegram-link" };
  const player = new RegExp(`^/admin/players/(${UUID})/(reset|adjust)$`).exec(path);
  if (player) return { kind: player[2] as "reset" | "adjust", userId: player[1]!.toLowerCase() };
  const conversation = new RegExp(`^/admin/conversations/(${UUID})/reprocess$`).exec(path);
  if (conversation) return { kind: "reprocess", conversationId: conversation[1]!.toLowerCase() };
  return null;
}

const isAdminRoute = (route: Route) => route.kind === "reset" || route.kind === "adjust" || route.kind === "reprocess";

/** The bearer token of the Authorization header, or null. */
function bearerToken(req: Request): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.get("authorization") ?? "");
  return match ? match[1]! : null;
}

/** The body as JSON checked by `schema`: 400 when it is no JSON, `status` (422 unless said) naming what is refused.
 * An empty body counts as {}. */
function parseBody<S extends z.ZodType>(text: string, schema: S, status = 422): z.infer<S> {
  const parsed = schema.safeParse(text.trim() === "" ? {} : parseJson(text));
  if (!parsed.success) throw new BodyError(errorResponse(status, "invalid_body", describeIssues(parsed.error)));
  return parsed.data;
}

/** A refusal raised by the engine: its registered code's status, or 422 for a value out of bounds (22023). */
function engineRefusal(error: unknown): Response | null {
  const code = gameErrorCode(error);
  const message = String((error as { message?: string }).message ?? "");
  if (code) {
    const { status, meaning } = sqlErrorCodes[code];
    return errorResponse(status, meaning.replace(/\W+/g, "_"), `${code}: ${message || meaning}`);
  }
  if ((error as { code?: string }).code === "22023") return errorResponse(422, "invalid_body", message);
  return null;
}

export function createPortalHandler(deps: PortalDeps): (req: Request) => Promise<Response> {
  const origin = new URL(deps.portalUrl).origin;
  const cors = {
    "access-control-allow-origin": origin,
    "access-control-allow-headers": "authorization, content-type, apikey, x-client-info",
    "access-control-allow-methods": "POST, OPTIONS",
    "vary": "origin",
  };
  const draw = deps.drawCode ?? drawLinkCode;

  async function deleteAccount(user: PortalUser, text: string): Promise<Response> {
    parseBody(text, deleteAccountBody, 400);
    // Auth deletes the user in one step; its cascade takes every player row (the ledger keeps its costs, unowned).
    // When Auth fails nothing was deleted: 502, and the player may try again.
    try {
      await deps.auth.deleteUser(user.id);
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      log("warn", "portal: account deletion failed at Auth", { user_id: user.id, error: error.message });
      return errorResponse(502, "auth_unavailable", "the account could not be deleted; nothing was deleted");
    }
    log("info", "portal: account deleted", { user_id: user.id });
    return json({ deleted: true });
  }

  async function telegramLink(user: PortalUser, text: string): Promise<Response> {
    parseBody(text, emptyBody);
    const link = await asServiceRole(deps.sql, (tx) => issueLinkCode(tx, user.id, deps.now(), draw));
    return json({
      code: link.code,
      deep_link: deepLink(deps.botUsername, link.code),
      expires_at: new Date(link.expires_at).toISOString(),
      currently_linked: link.currently_linked,
    });
  }

  async function admin(route: Route, actor: PortalUser, text: string): Promise<Response> {
    let action: AdminAction;
    if (route.kind === "reset") action = { kind: "reset", userId: route.userId, ...parseBody(text, resetBody) };
    else if (route.kind === "adjust") {
      action = { kind: "adjust", userId: route.userId, body: parseBody(text, adjustBody) };
    } else if (route.kind === "reprocess") {
      parseBody(text, emptyBody);
      action = { kind: "reprocess", conversationId: route.conversationId };
    } else throw new Error(`not an admin route: ${route.kind}`);
    const result = await runAdminAction(deps.sql, action, actor.id, deps.now());
    log("info", "portal: admin action", { action: action.kind, admin_id: actor.id });
    return json(route.kind === "reprocess" ? { queued: true, ...result } : result);
  }

  async function handle(req: Request, route: Route): Promise<Response> {
    const text = await readBody(req);
    const token = bearerToken(req);
    if (!token) return errorResponse(401, "unauthorized", "missing Authorization: Bearer <access token>");
    const user = await deps.auth.userFor(token);
    if (!user) return errorResponse(401, "unauthorized", "the access token is invalid or expired");
    if (isAdminRoute(route) && !user.isAdmin) {
      return errorResponse(403, "forbidden", "admin routes need app_metadata.role = admin");
    }
    if (route.kind === "delete-account") return await deleteAccount(user, text);
    if (route.kind === "telegram-link") return await telegramLink(user, text);
    return await admin(route, user, text);
  }

  return async (req) => {
    const route = routeOf(functionPath(req, "portal"));
    if (req.method === "OPTIONS") return new Response(null, { status: 204, headers: cors });
    const withCors = (res: Response) => {
      for (const [k, v] of Object.entries(cors)) res.headers.set(k, v);
      return res;
    };
    if (route === null) {
      return withCors(errorResponse(
        404,
        "not_found",
        "portal has POST /account/delete, /telegram-link, /admin/players/{id}/reset, /admin/players/{id}/adjust and /admin/conversations/{id}/reprocess",
      ));
    }
    if (req.method !== "POST") return withCors(methodNotAllowed(["POST"]));
    try {
      return withCors(await handle(req, route));
    } catch (error) {
      if (error instanceof BodyError) return withCors(error.response);
      const refusal = engineRefusal(error);
      if (refusal) return withCors(refusal);
      if (error instanceof ProviderError) {
        log("warn", "portal: Auth did not answer", { route: route.kind, error: error.message });
        return withCors(errorResponse(502, "auth_unavailable", "the sign-in service did not answer; try again"));
      }
      log("error", "portal request failed", { route: route.kind, error: String(error) });
      return withCors(errorResponse(500, "internal_error", "the request could not be handled"));
    }
  };
}
