// A fake of the two Supabase Auth endpoints signup uses (POST /auth/v1/otp, /auth/v1/verify). Like GoTrue it creates
// the auth.users row (so the provisioning trigger runs) and, like a local mail catcher, prints the code.
import postgres from "npm:postgres@3.4.9";

export interface FakeAuth {
  url: string;
  codes: Map<string, string>;
  close(): Promise<void>;
}

export function startFakeAuth(
  dbUrl: string,
  options: { port?: number; print?: (email: string, code: string) => void } = {},
): FakeAuth {
  const sql = postgres(dbUrl, { max: 2, onnotice: () => {} });
  const codes = new Map<string, string>();
  const fake: FakeAuth = {
    url: "",
    codes,
    close: async () => {
      await server.shutdown();
      await sql.end();
    },
  };
  const server = Deno.serve({ port: options.port ?? 0, hostname: "127.0.0.1", onListen: () => {} }, async (req) => {
    const path = new URL(req.url).pathname;
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
        return Response.json({ code: 403, error_code: "otp_expired", msg: "Token has expired or is invalid" }, {
          status: 403,
        });
      }
      codes.delete(email);
      const [user] = await sql<
        { id: string; created_at: Date }[]
      >`select id, created_at from auth.users where email = ${email}`;
      const authUser = {
        id: user!.id,
        aud: "authenticated",
        role: "authenticated",
        email,
        app_metadata: {},
        user_metadata: {},
        created_at: user!.created_at.toISOString(),
      };
      return Response.json({
        access_token: "local",
        token_type: "bearer",
        expires_in: 3600,
        expires_at: Math.floor(Date.now() / 1000) + 3600,
        refresh_token: "local",
        user: authUser,
      });
    }
    return Response.json({ msg: "not found" }, { status: 404 });
  });
  fake.url = `http://127.0.0.1:${server.addr.port}`;
  return fake;
}
