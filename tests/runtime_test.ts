// afterResponse: work a handler schedules after its response is registered with waitUntil at once but starts only
// after the response has been handed back (the webhook's acknowledgement never waits for the chat's drain).
import assert from "node:assert/strict";
import { log } from "../functions/_shared/platform/log.ts";
import { afterResponse, createRuntime, type Runtime } from "../functions/_shared/platform/runtime.ts";
import { withRequestId } from "../functions/_shared/platform/log.ts";

Deno.test("afterResponse starts its work after the handler's response, not before or in a microtask", async () => {
  const runtime = createRuntime();
  const events: string[] = [];
  const handler = () => {
    afterResponse(runtime, () => {
      events.push("work started");
      return Promise.resolve();
    });
    events.push("handler returns");
    return Promise.resolve(new Response(null, { status: 200 }));
  };
  const res = await handler();
  events.push(`response ${res.status}`);
  // Every microtask queued so far has run by now: chained on a promise, the work would have started already.
  await Promise.resolve();
  await Promise.resolve();
  assert.deepEqual(events, ["handler returns", "response 200"]);
  await runtime.settle();
  assert.deepEqual(events, ["handler returns", "response 200", "work started"]);
});

Deno.test("afterResponse registers its work with waitUntil at once (the platform keeps the worker for it)", async () => {
  const registered: Promise<unknown>[] = [];
  let done = false;
  const runtime: Runtime = {
    now: () => new Date(),
    waitUntil: (work) => void registered.push(work),
    settle: async () => void (await Promise.all(registered)),
  };
  afterResponse(runtime, () => Promise.resolve().then(() => void (done = true)));
  assert.equal(registered.length, 1, "registered before the handler returns");
  assert.equal(done, false);
  await registered[0];
  assert.equal(done, true, "the registered promise settles when the work has");
});

Deno.test("work started by afterResponse logs its request's id; its failure is logged, not thrown", async () => {
  const runtime = createRuntime();
  const lines: Record<string, unknown>[] = [];
  const original = console.error;
  const originalLog = console.log;
  console.error = console.log = (line: string) => void lines.push(JSON.parse(line));
  try {
    const handler = withRequestId(() => {
      afterResponse(runtime, () => {
        log("info", "after the response");
        return Promise.reject(new Error("drain failed"));
      });
      return Promise.resolve(new Response(null, { status: 200 }));
    });
    await handler(new Request("http://local/", { headers: { "x-request-id": "req-after" } }));
    await runtime.settle();
  } finally {
    console.error = original;
    console.log = originalLog;
  }
  assert.equal(lines.find((l) => l.message === "after the response")?.request_id, "req-after");
  const failure = lines.find((l) => l.message === "background work failed");
  assert.equal(failure?.request_id, "req-after");
  assert.match(String(failure?.error), /drain failed/);
});
