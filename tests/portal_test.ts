// The portal function (PLATFORM.md §8.1) driven through its handler, built by the wiring module as deployed, against
// the test database and the fake Auth (tokens it issues, its admin API with a failure mode): account deletion, link
// codes consumed through the Telegram webhook, the admin tools with their audit rows, and every refusal writing
// nothing.
import assert from "node:assert/strict";
import { portalHandler } from "../functions/_shared/app.ts";
import { LINK_CODE_ALPHABET } from "../functions/_shared/portal/link_code.ts";
import type { Sql } from "../functions/_shared/platform/db.ts";
import { accessToken } from "./fakes/auth.ts";
import { type Harness, startHarness, textUpdate } from "./support/telegram_harness.ts";
import { uniqueEmail } from "./support/test_db.ts";

const SERVICE_KEY = "test-service-role-key";

async function withPortal(
  fn: (h: Harness, portal: (req: Request) => Promise<Response>) => Promise<void>,
): Promise<void> {
  const h = startHarness({ env: { SUPABASE_SERVICE_ROLE_KEY: SERVICE_KEY } });
  try {
    await fn(h, portalHandler(h.app, { SUPABASE_SERVICE_ROLE_KEY: SERVICE_KEY }));
  } finally {
    await h.close();
  }
}

function request(path: string, options: { token?: string | null; body?: unknown; raw?: string; method?: string } = {}) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  return new Request(`http://local/functions/v1/portal${path}`, {
    method: options.method ?? "POST",
    headers,
    body: options.method === "GET" ? undefined : options.raw ?? JSON.stringify(options.body ?? {}),
  });
}

async function send(portal: (req: Request) => Promise<Response>, path: string, options: Parameters<typeof request>[1]) {
  const res = await portal(request(path, options));
  return { status: res.status, body: await res.json() as Record<string, unknown> };
}

async function player(sql: Sql, label: string, appMetadata: Record<string, unknown> = {}): Promise<string> {
  const [row] = await sql<{ id: string }[]>`
    insert into auth.users (email, raw_app_meta_data) values (${uniqueEmail(label)},
      ${sql.json({ provider: "email", providers: ["email"], ...appMetadata })}) returning id`;
  return row!.id;
}

/** Every row, table by table, that references the player (the tables a deletion must empty or leave unowned). */
async function rowsOf(sql: Sql, userId: string): Promise<Record<string, number>> {
  const refs = await sql<{ tab: string; col: string }[]>`
    select c.conrelid::regclass::text as tab, a.attname as col
    from pg_constraint c join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
    where c.contype = 'f' and c.confrelid in ('public.users'::regclass, 'auth.users'::regclass)`;
  const counts: Record<string, number> = {};
  for (const { tab, col } of refs) {
    const [row] = await sql.unsafe(`select count(*)::int as n from ${tab} where ${col} = $1`, [userId]);
    counts[`${tab}.${col}`] = row!.n as number;
  }
  const [user] = await sql<{ n: number }[]>`select count(*)::int as n from public.users where id = ${userId}`;
  counts["public.users.id"] = user!.n;
  return counts;
}

const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
let nextId = 880_000_000 + Math.floor(Math.random() * 1_000_000) * 10;

async function auditRows(sql: Sql): Promise<number> {
  const [row] = await sql<{ n: number }[]>`select count(*)::int as n from public.admin_audit_log`;
  return row!.n;
}

Deno.test("account deletion removes every row of the player and nothing of anyone else's; the ledger keeps its cost", async () => {
  await withPortal(async (h, portal) => {
    const [a, b] = [await player(h.sql, "delete-a"), await player(h.sql, "delete-b")];
    for (const id of [a, b]) {
      await h.sql`select tests.seed_player_rows(${id}, ${nextId++})`;
      await h.sql`update private.llm_calls set cost_usd = 0.0125 where user_id = ${id}`;
    }
    const before = { a: await rowsOf(h.sql, a), b: await rowsOf(h.sql, b) };
    assert.ok(total(before.a) > 15, `player A owns rows in many tables: ${JSON.stringify(before.a)}`);

    // Without the confirmation: 400 and Auth is never asked.
    for (const body of [{}, { confirm: "delete" }]) {
      const refused = await send(portal, "/account/delete", { token: accessToken(a), body });
      assert.equal(refused.status, 400);
      assert.equal(refused.body.error, "invalid_body");
    }
    assert.deepEqual(h.auth.deletions, []);

    const res = await send(portal, "/account/delete", { token: accessToken(a), body: { confirm: "DELETE" } });
    assert.deepEqual([res.status, res.body], [200, { deleted: true }]);
    assert.deepEqual(h.auth.deletions, [a]);
    const after = { a: await rowsOf(h.sql, a), b: await rowsOf(h.sql, b) };
    assert.equal(total(after.a), 0, `nothing of player A is left: ${JSON.stringify(after.a)}`);
    assert.deepEqual(after.b, before.b, "player B keeps every row");
    const ledger = await h.sql<{ user_id: string | null; cost_usd: string }[]>`
      select user_id, cost_usd from private.llm_calls where request_id is null and cost_usd = 0.0125 and user_id is null`;
    assert.equal(ledger.length, 1, "player A's ledger row stays, unowned, with its cost");

    // The user is gone, so the same token is refused: deleting is final.
    const again = await send(portal, "/account/delete", { token: accessToken(a), body: { confirm: "DELETE" } });
    assert.equal(again.status, 401);
  });
});

Deno.test("account deletion: when Auth fails, 502 and nothing is deleted", async () => {
  await withPortal(async (h, portal) => {
    const a = await player(h.sql, "delete-fail");
    await h.sql`select tests.seed_player_rows(${a}, ${nextId++})`;
    const before = await rowsOf(h.sql, a);
    h.auth.failDeletes = 500;
    const res = await send(portal, "/account/delete", { token: accessToken(a), body: { confirm: "DELETE" } });
    assert.equal(res.status, 502);
    assert.equal(res.body.error, "auth_unavailable");
    assert.deepEqual(h.auth.deletions, [a], "Auth was asked");
    assert.deepEqual(await rowsOf(h.sql, a), before);
  });
});

Deno.test("a link code is 8 unambiguous characters for 10 minutes, reused, and binds the account once through /start", async () => {
  await withPortal(async (h, portal) => {
    const a = await player(h.sql, "link");
    const first = await send(portal, "/telegram-link", { token: accessToken(a) });
    assert.equal(first.status, 200);
    const code = first.body.code as string;
    assert.match(code, new RegExp(`^[${LINK_CODE_ALPHABET}]{8}$`));
    assert.doesNotMatch(code, /[IO01]/);
    assert.equal(first.body.deep_link, `https://t.me/nikita_test_bot?start=link_${code}`);
    assert.equal(first.body.currently_linked, false);
    const expires = new Date(first.body.expires_at as string).getTime();
    assert.ok(Math.abs(expires - (Date.now() + 600_000)) < 5_000, "expires in 10 minutes");
    const second = await send(portal, "/telegram-link", { token: accessToken(a), raw: "" });
    assert.deepEqual(second.body, first.body, "the unexpired code is reused");

    const telegramId = nextId++;
    await h.post(textUpdate(telegramId, `/start link_${code}`));
    await h.settle();
    const [bound] = await h.sql<{ telegram_id: string | null }[]>`select telegram_id from public.users where id = ${a}`;
    assert.equal(Number(bound!.telegram_id), telegramId, "the code bound the Telegram account");

    // Single use: another account with the same code binds nothing.
    const other = nextId++;
    await h.post(textUpdate(other, `/start link_${code}`));
    await h.settle();
    const [taken] = await h.sql<
      { n: number }[]
    >`select count(*)::int as n from public.users where telegram_id = ${other}`;
    assert.equal(taken!.n, 0);

    const linked = await send(portal, "/telegram-link", { token: accessToken(a) });
    assert.equal(linked.body.currently_linked, true);
    assert.notEqual(linked.body.code, code, "a used code is never handed out again");
  });
});

Deno.test("a non-admin gets 403 on every admin route and writes no audit row", async () => {
  await withPortal(async (h, portal) => {
    const a = await player(h.sql, "not-admin");
    // user_metadata is the user's own to write: it makes nobody an admin.
    await h.sql`update auth.users set raw_user_meta_data = '{"role": "admin"}' where id = ${a}`;
    const [conversation] = await h.sql<{ id: string }[]>`
      insert into public.conversations (user_id, platform, started_at, last_message_at, chapter_at_start)
      values (${a}, 'voice', now(), now(), 1) returning id`;
    const audit = await auditRows(h.sql);
    for (
      const [path, body] of [
        [`/admin/players/${a}/reset`, { reason: "x" }],
        [`/admin/players/${a}/adjust`, { deltas: { trust: 5 }, reason: "x" }],
        [`/admin/conversations/${conversation!.id}/reprocess`, {}],
      ] as const
    ) {
      const res = await send(portal, path, { token: accessToken(a), body });
      assert.equal(res.status, 403, path);
      assert.equal(res.body.error, "forbidden");
      const anonymous = await send(portal, path, { token: null, body });
      assert.equal(anonymous.status, 401, `${path} without a token`);
      const forged = await send(portal, path, { token: "not-a-token", body });
      assert.equal(forged.status, 401, `${path} with a token Auth refuses`);
    }
    assert.equal(await auditRows(h.sql), audit);
    const [history] = await h.sql<
      { n: number }[]
    >`select count(*)::int as n from public.score_history where user_id = ${a}`;
    assert.equal(history!.n, 0);
  });
});

Deno.test("an admin adjustment writes exactly one history row and one audit row; reset and reprocess are audited too", async () => {
  await withPortal(async (h, portal) => {
    const admin = await player(h.sql, "admin", { role: "admin" });
    const a = await player(h.sql, "adjusted");
    const audit = await auditRows(h.sql);
    const res = await send(portal, `/admin/players/${a}/adjust`, {
      token: accessToken(admin),
      body: { deltas: { intimacy: 10, secureness: -4 }, reason: "goodwill after an outage" },
    });
    assert.equal(res.status, 200);
    // 0.30 x 60 + 0.25 x 50 + 0.25 x 50 + 0.20 x 46.
    assert.equal(res.body.score, 52.2);
    assert.equal(res.body.game_status, "active");
    const history = await h.sql<{ event_type: string; reason: string; admin_id: string }[]>`
      select event_type, event_details ->> 'reason' as reason, event_details ->> 'admin_id' as admin_id
      from public.score_history where user_id = ${a}`;
    assert.deepEqual([...history], [{
      event_type: "manual_adjustment",
      reason: "goodwill after an outage",
      admin_id: admin,
    }]);
    const rows = await h.sql<{ action: string; admin_id: string; target_user_id: string }[]>`
      select action, admin_id, target_user_id from public.admin_audit_log where target_user_id = ${a}`;
    assert.deepEqual([...rows], [{ action: "adjust_metrics", admin_id: admin, target_user_id: a }]);
    assert.equal(await auditRows(h.sql), audit + 1);

    // Reset: the engine's answer (an active game is left as it is), audited.
    const reset = await send(portal, `/admin/players/${a}/reset`, {
      token: accessToken(admin),
      body: { reason: "check" },
    });
    assert.equal(reset.status, 200);
    assert.equal(reset.body.reset, false);
    await h.sql`update public.users set game_status = 'won' where id = ${a}`;
    const fresh = await send(portal, `/admin/players/${a}/reset`, {
      token: accessToken(admin),
      body: { reason: "again" },
    });
    assert.equal(fresh.body.reset, true);
    assert.equal(await auditRows(h.sql), audit + 3);

    // Reprocess: the existing job row is re-armed; an unknown conversation is 404 CVNFD.
    const [conversation] = await h.sql<{ id: string }[]>`
      insert into public.conversations (user_id, platform, status, started_at, last_message_at, ended_at, chapter_at_start)
      values (${a}, 'telegram', 'closed', now(), now(), now(), 1) returning id`;
    await h.sql`insert into private.conversation_jobs (conversation_id, user_id, status, attempts, created_at)
                values (${conversation!.id}, ${a}, 'failed', 3, now())`;
    const queued = await send(portal, `/admin/conversations/${conversation!.id}/reprocess`, {
      token: accessToken(admin),
    });
    assert.equal(queued.status, 200);
    assert.equal(queued.body.queued, true);
    const [job] = await h.sql<{ status: string; attempts: number }[]>`
      select status, attempts from private.conversation_jobs where conversation_id = ${conversation!.id}`;
    assert.deepEqual({ ...job }, { status: "pending", attempts: 0 });
    const unknown = await send(portal, `/admin/conversations/${crypto.randomUUID()}/reprocess`, {
      token: accessToken(admin),
    });
    assert.equal(unknown.status, 404);
    assert.match(String(unknown.body.message), /^CVNFD/);
    const nobody = await send(portal, `/admin/players/${crypto.randomUUID()}/reset`, {
      token: accessToken(admin),
      body: { reason: "x" },
    });
    assert.equal(nobody.status, 404);
    assert.match(String(nobody.body.message), /^PNFND/);
    assert.equal(await auditRows(h.sql), audit + 4);
  });
});

Deno.test("bad bodies get 400 or 422 with a message and write nothing", async () => {
  await withPortal(async (h, portal) => {
    const admin = await player(h.sql, "admin-bodies", { role: "admin" });
    const a = await player(h.sql, "bodies");
    const audit = await auditRows(h.sql);
    const cases: [string, { body?: unknown; raw?: string }, number][] = [
      [`/admin/players/${a}/adjust`, { raw: "{not json" }, 400],
      [`/admin/players/${a}/adjust`, { body: { deltas: { trust: 11 }, reason: "too far" } }, 422],
      [`/admin/players/${a}/adjust`, { body: { deltas: { trust: -10.5 }, reason: "too far" } }, 422],
      [`/admin/players/${a}/adjust`, { body: { deltas: { charm: 1 }, reason: "no such metric" } }, 422],
      [`/admin/players/${a}/adjust`, { body: { deltas: { trust: "5" }, reason: "a string" } }, 422],
      [`/admin/players/${a}/adjust`, { body: { deltas: {}, reason: "nothing" } }, 422],
      [`/admin/players/${a}/adjust`, { body: { deltas: { trust: 1 } } }, 422],
      [`/admin/players/${a}/adjust`, { body: { deltas: { trust: 1 }, reason: "   " } }, 422],
      [`/admin/players/${a}/reset`, { body: {} }, 422],
      [`/admin/players/${a}/reset`, { body: { reason: "x", extra: true } }, 422],
      [`/admin/players/${a}/reset`, { raw: "[" }, 400],
      [`/telegram-link`, { body: { code: "AAAAAAAA" } }, 422],
      [`/telegram-link`, { raw: "nope" }, 400],
      [`/account/delete`, { raw: "{" }, 400],
    ];
    for (const [path, options, status] of cases) {
      const res = await send(portal, path, { token: accessToken(path === "/telegram-link" ? a : admin), ...options });
      assert.equal(res.status, status, `${path} ${options.raw ?? JSON.stringify(options.body)}`);
      assert.ok(typeof res.body.error === "string" && String(res.body.message).length > 0, JSON.stringify(res.body));
    }
    const [rows] = await h.sql<{ history: number; codes: number; metrics: string }[]>`
      select (select count(*)::int from public.score_history where user_id = ${a}) as history,
             (select count(*)::int from private.telegram_link_codes where user_id = ${a}) as codes,
             (select intimacy + passion + trust + secureness from public.user_metrics where user_id = ${a})::text as metrics`;
    assert.deepEqual({ ...rows }, { history: 0, codes: 0, metrics: "200.0000" });
    assert.equal(await auditRows(h.sql), audit);
    assert.deepEqual(h.auth.deletions, []);
  });
});

Deno.test("routes: unknown path 404, wrong method 405 with Allow, a CORS preflight for the portal", async () => {
  await withPortal(async (_h, portal) => {
    assert.equal((await portal(request("/nothing"))).status, 404);
    assert.equal((await portal(request("/admin/players/not-a-uuid/reset"))).status, 404);
    const get = await portal(request("/telegram-link", { method: "GET" }));
    assert.equal(get.status, 405);
    assert.equal(get.headers.get("allow"), "POST");
    await get.body?.cancel();
    const preflight = await portal(
      new Request("http://local/functions/v1/portal/telegram-link", { method: "OPTIONS" }),
    );
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get("access-control-allow-origin"), "http://127.0.0.1:3000");
    assert.match(preflight.headers.get("access-control-allow-headers") ?? "", /authorization/);
  });
});
