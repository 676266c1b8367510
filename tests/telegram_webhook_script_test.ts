// scripts/telegram-webhook.ts (npm run telegram:webhook) against the fake Telegram Bot API: which Bot API calls
// each command makes, with which parameters, and what it says when a variable is missing or Telegram refuses.
import assert from "node:assert/strict";
import { runWebhookCommand } from "../scripts/telegram-webhook.ts";
import { type FakeTelegram, startFakeTelegram } from "./fakes/telegram.ts";

function printer() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, print: { out: (l: string) => void out.push(l), err: (l: string) => void err.push(l) } };
}

async function withFake(work: (telegram: FakeTelegram, env: Record<string, string>) => Promise<void>) {
  const telegram = startFakeTelegram();
  try {
    await work(telegram, {
      TELEGRAM_BOT_TOKEN: "123456:TEST-token",
      TELEGRAM_WEBHOOK_SECRET: "webhook-secret_1",
      SUPABASE_URL: "https://project-ref.supabase.co/",
      TELEGRAM_API_ROOT: `${telegram.url}/`,
    });
  } finally {
    await telegram.close();
  }
}

Deno.test("set registers the deployed function's URL with the secret and message updates only", async () => {
  await withFake(async (telegram, env) => {
    const p = printer();
    assert.equal(await runWebhookCommand(["set"], env, p.print), 0);
    assert.deepEqual(telegram.calls.map((c) => [c.method, c.body]), [[
      "setWebhook",
      {
        url: "https://project-ref.supabase.co/functions/v1/telegram-webhook",
        secret_token: "webhook-secret_1",
        allowed_updates: ["message"],
      },
    ]]);
    assert.match(p.out.join("\n"), /webhook set: https:\/\/project-ref\.supabase\.co\/functions\/v1\/telegram-webhook/);
    assert.ok(!p.out.join("\n").includes("webhook-secret_1"), "the secret is never printed");
    assert.deepEqual(p.err, []);
  });
});

Deno.test("info calls getWebhookInfo and prints Telegram's answer; delete calls deleteWebhook", async () => {
  await withFake(async (telegram, env) => {
    const info = printer();
    assert.equal(await runWebhookCommand(["info"], env, info.print), 0);
    const del = printer();
    assert.equal(await runWebhookCommand(["delete"], env, del.print), 0);
    assert.deepEqual(telegram.calls.map((c) => [c.method, c.body]), [["getWebhookInfo", {}], ["deleteWebhook", {}]]);
    assert.deepEqual(info.out, ["true"], "the fake answers true");
    assert.match(del.out.join("\n"), /webhook deleted/);
  });
});

Deno.test("a missing variable is named, exits 2 and calls nothing", async () => {
  await withFake(async (telegram, env) => {
    const cases: [string, string, RegExp][] = [
      ["set", "SUPABASE_URL", /SUPABASE_URL is missing/],
      ["set", "TELEGRAM_WEBHOOK_SECRET", /TELEGRAM_WEBHOOK_SECRET is missing/],
      ["set", "TELEGRAM_BOT_TOKEN", /TELEGRAM_BOT_TOKEN is missing/],
      ["info", "TELEGRAM_BOT_TOKEN", /TELEGRAM_BOT_TOKEN is missing/],
      ["delete", "TELEGRAM_BOT_TOKEN", /TELEGRAM_BOT_TOKEN is missing/],
    ];
    for (const [command, variable, message] of cases) {
      const p = printer();
      const partial = { ...env, [variable]: "" };
      assert.equal(await runWebhookCommand([command], partial, p.print), 2, `${command} without ${variable}`);
      assert.match(p.err.join("\n"), message);
      assert.match(p.err.join("\n"), /environment or in \.env/);
    }
    // info and delete do not need the deploy variables.
    const p = printer();
    assert.equal(
      await runWebhookCommand(["info"], {
        TELEGRAM_BOT_TOKEN: env.TELEGRAM_BOT_TOKEN!,
        TELEGRAM_API_ROOT: telegram.url,
      }, p.print),
      0,
    );
    assert.deepEqual(telegram.calls.map((c) => c.method), ["getWebhookInfo"]);
  });
});

Deno.test("an unknown command prints the usage and exits 2", async () => {
  await withFake(async (telegram, env) => {
    for (const args of [[], ["register"], ["set", "extra"]]) {
      const p = printer();
      assert.equal(await runWebhookCommand(args, env, p.print), 2);
      assert.match(p.err.join("\n"), /usage: npm run telegram:webhook -- set\|info\|delete/);
    }
    assert.equal(telegram.calls.length, 0);
  });
});

Deno.test("Telegram's refusal is printed without the token and exits 1", async () => {
  await withFake(async (telegram, env) => {
    telegram.failNext("setWebhook", {
      error_code: 400,
      description: "Bad Request: bad webhook: HTTPS url must be provided",
    });
    const p = printer();
    assert.equal(await runWebhookCommand(["set"], env, p.print), 1);
    assert.match(p.err.join("\n"), /Telegram said Bad Request: bad webhook: HTTPS url must be provided/);
    assert.ok(!p.err.join("\n").includes("TEST-token"), "the token is never printed");
  });
});

Deno.test("an unreachable Bot API is reported without the token and exits 1", async () => {
  const p = printer();
  const env = {
    TELEGRAM_BOT_TOKEN: "123456:TEST-token",
    TELEGRAM_API_ROOT: "http://127.0.0.1:1",
  };
  assert.equal(await runWebhookCommand(["delete"], env, p.print), 1);
  assert.match(p.err.join("\n"), /Telegram unreachable at http:\/\/127\.0\.0\.1:1/);
  assert.ok(!p.err.join("\n").includes("TEST-token"));
});
