// Integration: the backend's database access against the test database built from the migrations.
import assert from "node:assert/strict";
import { asServiceRole, createDb } from "../functions/_shared/platform/db.ts";
import { gameErrorCode } from "../functions/_shared/platform/errors.ts";
import { createAuthUser, fixtureDb, testDbUrl, uniqueEmail } from "./support/test_db.ts";

Deno.test("asServiceRole runs the transaction as service_role", async () => {
  const sql = createDb(testDbUrl());
  try {
    const role = await asServiceRole(sql, async (tx) => (await tx`select current_user as role`)[0]?.role);
    assert.equal(role, "service_role");
  } finally {
    await sql.end();
  }
});

Deno.test("a signup through auth.users provisions the player, readable by the backend", async () => {
  const fixtures = fixtureDb();
  const sql = createDb(testDbUrl());
  try {
    const id = await createAuthUser(fixtures, uniqueEmail("provision"));
    const [player] = await asServiceRole(
      sql,
      (tx) =>
        tx`select u.chapter, u.relationship_score::float8 as score, u.game_status, m.intimacy::float8 as intimacy, e.state
         from public.users u join public.user_metrics m on m.user_id = u.id join public.engagement_state e on e.user_id = u.id
         where u.id = ${id}`,
    );
    assert.deepEqual(player, { chapter: 1, score: 50, game_status: "active", intimacy: 50, state: "calibrating" });
    await fixtures`delete from auth.users where id = ${id}`;
  } finally {
    await Promise.all([fixtures.end(), sql.end()]);
  }
});

Deno.test("the backend can write the private machinery; a throw rolls the transaction back", async () => {
  const sql = createDb(testDbUrl());
  const updateId = Math.floor(Math.random() * 1e12);
  try {
    await assert.rejects(
      asServiceRole(sql, async (tx) => {
        await tx`insert into private.telegram_updates (update_id, chat_id, kind, payload) values (${updateId}, 1, 'message', '{}')`;
        throw new Error("crash after insert");
      }),
      /crash after insert/,
    );
    const [row] = await asServiceRole(
      sql,
      (tx) => tx`select count(*)::int as n from private.telegram_updates where update_id = ${updateId}`,
    );
    assert.equal(row?.n, 0);
  } finally {
    await sql.end();
  }
});

Deno.test("a player's JWT cannot write game state, even through a direct connection", async () => {
  const fixtures = fixtureDb();
  try {
    const id = await createAuthUser(fixtures, uniqueEmail("jwt"));
    const claims = JSON.stringify({ sub: id, role: "authenticated" });
    const error = await fixtures.begin(async (tx) => {
      await tx`select set_config('request.jwt.claims', ${claims}, true), set_config('role', 'authenticated', true)`;
      await tx`update public.users set relationship_score = 100 where id = ${id}`;
    }).then(() => null, (e: unknown) => e);
    assert.equal((error as { code?: string } | null)?.code, "42501");
    const [row] = await fixtures`select relationship_score::float8 as score from public.users where id = ${id}`;
    assert.equal(row?.score, 50);
    await fixtures`delete from auth.users where id = ${id}`;
  } finally {
    await fixtures.end();
  }
});

Deno.test("update_settings maps an unknown timezone to the registered TZINV code", async () => {
  const fixtures = fixtureDb();
  try {
    const id = await createAuthUser(fixtures, uniqueEmail("tz"));
    const claims = JSON.stringify({ sub: id, role: "authenticated" });
    const error = await fixtures.begin(async (tx) => {
      await tx`select set_config('request.jwt.claims', ${claims}, true), set_config('role', 'authenticated', true)`;
      await tx`select public.update_settings(${"Atlantis/Capital"})`;
    }).then(() => null, (e: unknown) => e);
    assert.equal(gameErrorCode(error), "TZINV");
    await fixtures`delete from auth.users where id = ${id}`;
  } finally {
    await fixtures.end();
  }
});
