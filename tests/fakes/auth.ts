// A fake of the Supabase Auth endpoints the backend uses: signup's POST /auth/v1/otp and /auth/v1/verify, and the
// portal's GET /auth/v1/user (whose access token is this) and GET, DELETE /auth/v1/admin/users/{id} (the service
// key's account deletion: supabase-js reads the user first). Like GoTrue it creates the auth.users row on /otp (so the provisioning trigger runs) and deletes
// it on the admin call (so the cascade runs); like a local mail catcher it prints the code. Access tokens are
// unsigned JWT-shaped strings naming the user (accessToken below): only this fake reads them, and it answers for the
// user as auth.users holds them now, so a deleted user's token is refused and app_metadata is the row's.
import postgres from "npm:postgres@3.4.9";

export interface FakeAuth {
  url: string;
  codes: Map<string, string>;
  /** When set, the admin API answers deletions with this status (and deletes nothing). */
  failDeletes: number | null;
  /** The admin deletions asked for, in order (user ids). */
  deletions: string[];
  close(): Promise<void>;
}

function base64url(text: string): string {
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** An access token the fake accepts for the user (shaped as a JWT: header, claims, signature). */
export function accessToken(userId: string, expiresInSeconds = 3600): string {
  const claims = { sub: userId, role: "authenticated", exp: Math.floor(Date.now() / 1000) + expiresInSeconds };
  return `${base64url(JSON.stringify({ alg: "HS256", typ: "JWT" }))}.${
    base64url(JSON.stringify(claims))
  }.fake-signature`;
}

/** The user id a token names, if it is a well-formed, unexpired token of this fake. */
function subjectOf(token: string): string | null {
  const parts = token.split(".");
  if (parts.length !== 3 || parts[2] !== "fake-signature") return null;
  try {
    const claims = JSON.parse(atob(parts[1]!.replace(/-/g, "+").replace(/_/g, "/"))) as { sub?: string; exp?: number };
    if (typeof claims.sub !== "string" || (claims.exp ?? 0) * 1000 <= Date.now()) return null;
    return claims.sub;
  } catch {
    return null;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function startFakeAuth(
  dbUrl: string,
  options: { port?: number; print?: (email: string, code: string) => void } = {},
): FakeAuth {
  const sql = postgres(dbUrl, { max: 2, onnotice: () => {} });
  const codes = new Map<string, string>();
  const fake: FakeAuth = {
    url: "",
    codes,
    failDeletes: null,
    deletions: [],
    close: async () => {
      await server.shutdown();
      await sql.end();
    },
  };

  type Row = {
    id: string;
    email: string;
    created_at: Date;
    app: Record<string, unknown>;
    meta: Record<string, unknown>;
  };
  async function userRow(where: { id?: string; email?: string }): Promise<Row | undefined> {
    const [row] = where.id !== undefined
      ? await sql<Row[]>`select id, email, created_at, raw_app_meta_data as app, raw_user_meta_data as meta
                         from auth.users where id = ${where.id}`
      : await sql<Row[]>`select id, email, created_at, raw_app_meta_data as app, raw_user_meta_data as meta
                         from auth.users where email = ${where.email!}`;
    return row;
  }
  function authUser(row: Row) {
    return {
      id: row.id,
      aud: "authenticated",
      role: "authenticated",
      email: row.email,
      app_metadata: row.app ?? {},
      user_metadata: row.meta ?? {},
      created_at: row.created_at.toISOString(),
    };
  }
  const refused = (status: number, code: string, msg: string) =>
    Response.json({ code: status, error_code: code, msg }, { status });

  const server = Deno.serve({ port: options.port ?? 0, hostname: "127.0.0.1", onListen: () => {} }, async (req) => {
    const path = new URL(req.url).pathname;
    if (req.method === "GET" && path.endsWith("/user")) {
      const token = /^Bearer (\S+)$/.exec(req.headers.get("authorization") ?? "")?.[1] ?? "";
      const sub = subjectOf(token);
      if (!sub || !UUID.test(sub)) return refused(403, "bad_jwt", "invalid JWT: unable to parse or verify signature");
      const row = await userRow({ id: sub });
      if (!row) return refused(403, "user_not_found", "User from sub claim in JWT does not exist");
      return Response.json(authUser(row));
    }
    const adminUser = /\/admin\/users\/([^/]+)$/.exec(path);
    // supabase-js reads the user (GET) before it deletes it (DELETE), to answer with what was deleted.
    if (req.method === "GET" && adminUser) {
      if (!/^Bearer \S+$/.test(req.headers.get("authorization") ?? "")) {
        return refused(401, "no_authorization", "This endpoint requires a Bearer token");
      }
      const row = UUID.test(adminUser[1]!) ? await userRow({ id: adminUser[1]! }) : undefined;
      return row ? Response.json(authUser(row)) : refused(404, "user_not_found", "User not found");
    }
    const deletion = req.method === "DELETE" ? adminUser : null;
    if (deletion) {
      await req.body?.cancel();
      const id = deletion[1]!;
      fake.deletions.push(id);
      if (!/^Bearer \S+$/.test(req.headers.get("authorization") ?? "")) {
        return refused(401, "no_authorization", "This endpoint requires a Bearer token");
      }
      if (fake.failDeletes !== null) {
        return refused(fake.failDeletes, "unexpected_failure", "Database error deleting user");
      }
      if (!UUID.test(id)) return refused(404, "user_not_found", "User not found");
      const deleted = await sql`delete from auth.users where id = ${id} returning id`;
      if (deleted.length === 0) return refused(404, "user_not_found", "User not found");
      return Response.json({});
    }
    const body = await req.json().catch(() => ({})) as { email?: string; token?: string };
    const email = String(body.email ?? "").toLowerCase();
    if (path.endsWith("/otp")) {
      await sql`insert into auth.users (email, email_confirmed_at) select ${email}, now()
                where not exists (select 1 from auth.users where email = ${email})`;
      const code = String(Math.floor(100000 + Math.random() * 900000));
      codes.set(email, code);
      (options.print ?? ((e, c) => console.log(`[fake auth] sign-in code for ${e}: ${c}`)))(email, code);
      return Response.json({});
    }
    if (path.endsWith("/verify")) {
      if (!codes.has(email) || codes.get(email) !== body.token) {
        return refused(403, "otp_expired", "Token has expired or is invalid");
      }
      codes.delete(email);
      const row = (await userRow({ email }))!;
      return Response.json({
        access_token: accessToken(row.id),
        token_type: "bearer",
        expires_in: 3600,
        expires_at: Math.floor(Date.now() / 1000) + 3600,
        refresh_token: "local",
        user: authUser(row),
      });
    }
    return Response.json({ msg: "not found" }, { status: 404 });
  });
  fake.url = `http://127.0.0.1:${server.addr.port}`;
  return fake;
}
