// The play console's view: reply keyboards as buttons one can type, share-contact buttons that send a contact,
// URL buttons with their address, one typing line per message, and only the console's own chat; and the fake
// Telegram handing the console every call with its whole body, through the real Telegram sender.
import assert from "node:assert/strict";
import { Api } from "npm:grammy@1.46.0";
import { telegramSender } from "../functions/_shared/outbox/senders/telegram.ts";
import type { OutboxRow } from "../functions/_shared/outbox/deliver.ts";
import { createConsoleView, madeUpPhoneNumber } from "../scripts/local/console_view.ts";
import { startFakeTelegram } from "./fakes/telegram.ts";

const me = 424242;
const now = new Date("2026-12-01T20:00:00Z");
const darkness = {
  keyboard: [[{ text: "1" }, { text: "2" }, { text: "3" }, { text: "4" }, { text: "5" }]],
  one_time_keyboard: true,
  resize_keyboard: true,
};
const shareNumber = {
  keyboard: [[{ text: "share my number", request_contact: true }]],
  one_time_keyboard: true,
  resize_keyboard: true,
};
const message = (text: string, extra: Record<string, unknown> = {}, chatId = me) => ({
  chat_id: chatId,
  text,
  parse_mode: "HTML",
  ...extra,
});

Deno.test("the console prints her message and its reply keyboard as buttons one can type", () => {
  const view = createConsoleView(me);
  const lines = view.render("sendMessage", message("How dark do you like it?\nPick one.", { reply_markup: darkness }));
  const printed = lines.join("\n");
  assert.match(printed, /Nikita: How dark do you like it\?\n\s+Pick one\./);
  assert.ok(lines.some((l) => l.trim() === "[1] [2] [3] [4] [5]"), printed);
  assert.match(printed, /type a button's text/);
  // Pressing a button is typing its text: a plain text message.
  const update = view.update("3", 7, now) as { update_id: number; message: Record<string, unknown> };
  assert.equal(update.update_id, 7);
  assert.equal(update.message.text, "3");
  assert.deepEqual(update.message.chat, { id: me, type: "private" });
  assert.equal((update.message.from as { id: number }).id, me);
  assert.equal(update.message.date, Math.floor(now.getTime() / 1000));
});

Deno.test("her text arrives HTML-escaped and prints as the phone shows it", () => {
  const view = createConsoleView(me);
  const printed = view.render("sendMessage", message("&lt;b&gt;you&lt;/b&gt; &amp; me")).join("\n");
  assert.match(printed, /Nikita: <b>you<\/b> & me/);
});

Deno.test("a share-contact button: its text or /contact sends the player's own contact", () => {
  const view = createConsoleView(me);
  const printed = view.render("sendMessage", message("I need a number.", { reply_markup: shareNumber })).join("\n");
  assert.match(printed, /\[share my number ☎\]/);
  assert.match(printed, /\/contact shares your number/);
  const pressed = view.update("share my number", 8, now) as { message: Record<string, unknown> };
  assert.equal(pressed.message.text, undefined, "a contact, not a text");
  assert.deepEqual(pressed.message.contact, { phone_number: madeUpPhoneNumber(me), first_name: "You", user_id: me });
  assert.match(madeUpPhoneNumber(me), /^\+\d{10,15}$/);
  // The one-time keyboard is gone after the press; /contact still shares the number.
  assert.equal(
    (view.update("share my number", 9, now) as { message: { text?: string } }).message.text,
    "share my number",
  );
  const shortcut = view.update("/contact", 10, now) as { message: { contact?: { user_id: number } } };
  assert.equal(shortcut.message.contact?.user_id, me);
  // Commands carry their entity, as Telegram sends them.
  const command = view.update("/start", 11, now) as { message: { entities?: unknown[] } };
  assert.deepEqual(command.message.entities, [{ type: "bot_command", offset: 0, length: 6 }]);
});

Deno.test("a removed keyboard no longer turns its text into a contact", () => {
  const view = createConsoleView(me);
  view.render("sendMessage", message("Number?", { reply_markup: { ...shareNumber, one_time_keyboard: false } }));
  view.render("sendMessage", message("Got it.", { reply_markup: { remove_keyboard: true } }));
  assert.equal(
    (view.update("share my number", 1, now) as { message: { text?: string } }).message.text,
    "share my number",
  );
});

Deno.test("URL buttons print their label and address", () => {
  const view = createConsoleView(me);
  const markup = { inline_keyboard: [[{ text: "Open your portal", url: "http://127.0.0.1:3000/portal" }]] };
  const lines = view.render("sendMessage", message("Your portal:", { reply_markup: JSON.stringify(markup) }));
  assert.ok(lines.some((l) => l.trim() === "[Open your portal] → http://127.0.0.1:3000/portal"), lines.join("\n"));
});

Deno.test("typing shows once per message", () => {
  const view = createConsoleView(me);
  const typing = { chat_id: me, action: "typing" };
  assert.deepEqual(view.render("sendChatAction", typing), ["  Nikita is typing…"]);
  assert.deepEqual(view.render("sendChatAction", typing), [], "once until her message arrives");
  view.render("sendMessage", message("Hi."));
  assert.deepEqual(view.render("sendChatAction", typing), ["  Nikita is typing…"], "again for the next message");
  assert.deepEqual(view.render("sendChatAction", { chat_id: me, action: "upload_photo" }), []);
  assert.deepEqual(view.render("setMyCommands", { commands: [] }), []);
});

Deno.test("other chats are not shown", () => {
  const view = createConsoleView(me);
  assert.deepEqual(view.render("sendMessage", message("not for you", { reply_markup: darkness }, 999)), []);
  assert.deepEqual(view.render("sendChatAction", { chat_id: 999, action: "typing" }), []);
  // Another chat's keyboard does not become the console's.
  assert.equal((view.update("1", 1, now) as { message: { text?: string } }).message.text, "1");
  assert.equal(view.render("sendMessage", message("for you")).filter((l) => l.includes("for you")).length, 1);
});

Deno.test("the fake Telegram hands every call with its body to the console, and onSend still works", async () => {
  const telegram = startFakeTelegram();
  const view = createConsoleView(me);
  const printed: string[] = [];
  const sent: [number, string][] = [];
  telegram.onCall = (method, body) => printed.push(...view.render(method, body));
  telegram.onSend = (chatId, text) => sent.push([chatId, text]);
  try {
    const sender = telegramSender(new Api("123456:TEST", { apiRoot: telegram.url }));
    const row = (chatId: number, text: string, reply_markup?: unknown): OutboxRow => ({
      id: 1,
      channel: "telegram",
      chat_id: chatId,
      user_id: null,
      kind: "command",
      text,
      payload: reply_markup ? { reply_markup } : {},
      due_at: now,
      created_at: now,
    });
    // As the deliver routine does: her typing first, then the message.
    await sender.announce?.show(row(me, "How dark? <pick>", darkness));
    await sender.send(row(me, "How dark? <pick>", darkness), "How dark? <pick>");
    await sender.send(row(999, "someone else"), "someone else");
    assert.deepEqual(telegram.sent(me), ["How dark? &lt;pick&gt;"]);
    assert.deepEqual(sent, [[me, "How dark? &lt;pick&gt;"], [999, "someone else"]]);
    const text = printed.join("\n");
    assert.match(text, /Nikita is typing…\n\n {2}Nikita: How dark\? <pick>/);
    assert.match(text, /\[1\] \[2\] \[3\] \[4\] \[5\]/);
    assert.doesNotMatch(text, /someone else/);
    assert.equal(printed.filter((l) => l.includes("typing")).length, 1);
  } finally {
    await telegram.close();
  }
});
