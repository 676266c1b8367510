// The process-inbox sweeper (PLATFORM.md §2.2, §5.1): chats whose updates were stored but never drained (a lost
// waitUntil) are drained by the job; a run starts no new chat past 60 % of its budget and says how many are left.
import assert from "node:assert/strict";
import { storeUpdate } from "../functions/_shared/telegram/webhook.ts";
import { sweepInbox } from "../functions/_shared/telegram/drain.ts";
import { startHarness, textUpdate, updateId } from "./support/telegram_harness.ts";

Deno.test("stranded updates are drained by the sweeper; a run out of budget starts no chat and counts what is left", async () => {
  const h = startHarness();
  const chats = [810_000_000 + Math.floor(Math.random() * 1e6), 820_000_000 + Math.floor(Math.random() * 1e6)];
  try {
    for (const chat of chats) {
      const id = updateId();
      // Stored with a lease already over: as if the drain that should have followed the acknowledgement was lost.
      await storeUpdate(
        h.sql,
        { updateId: id, chatId: chat, kind: "message" },
        JSON.stringify(textUpdate(chat, "/help", id)),
        "pending",
        -1,
      );
    }
    const open = () =>
      h.sql<{ n: number }[]>`select count(*)::int as n from private.telegram_updates
                             where chat_id in ${h.sql(chats)} and status = 'pending'`.then((r) => r[0]!.n);

    const out = await sweepInbox(h.app.drain, 20, 0);
    assert.equal(out.chats, 0, "no budget: no chat started");
    assert.ok(out.remaining >= 2, `both chats left for the next run (${out.remaining})`);
    assert.equal(await open(), 2);

    const run = await sweepInbox(h.app.drain, 20);
    assert.ok(run.chats >= 2 && run.done >= 2, JSON.stringify(run));
    assert.equal(await open(), 0);
    await h.settle();
    for (const chat of chats) assert.equal(h.telegram.sent(chat).length, 1, `one answer in chat ${chat}`);
  } finally {
    await h.close();
  }
});
