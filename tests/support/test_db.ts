// The test database for integration tests: `npm test` builds it from the migrations and passes its URL.
import { createDb, type Sql } from "../../functions/_shared/platform/db.ts";

export function testDbUrl(): string {
  const url = Deno.env.get("SUPABASE_DB_URL");
  if (!url) throw new Error("SUPABASE_DB_URL is not set: run the tests with `npm test`");
  return url;
}

/** A connection as the superuser, for fixtures; the code under test connects on its own. */
export function fixtureDb(): Sql {
  return createDb(testDbUrl(), { max: 2 });
}

/** Creates an Auth user, as Supabase Auth does on signup; the provisioning trigger does the rest. */
export async function createAuthUser(sql: Sql, email: string): Promise<string> {
  const [row] = await sql<{ id: string }[]>`insert into auth.users (email) values (${email}) returning id`;
  if (!row) throw new Error("auth user not created");
  return row.id;
}

export function uniqueEmail(label: string): string {
  return `${label}-${crypto.randomUUID()}@players.test`;
}
