// What the play console shows and sends, without a terminal: a Bot API call the fake Telegram received becomes the
// lines to print (her message, its reply keyboard as buttons one can type, URL buttons with their address, one
// typing line per message), and a typed line becomes the Telegram update a phone would send (a contact when it is
// a share-contact button's text or /contact). Only the console's own chat is shown.

interface Button {
  text: string;
  request_contact?: boolean;
  url?: string;
}

interface Markup {
  keyboard?: Button[][];
  one_time_keyboard?: boolean;
  remove_keyboard?: boolean;
  inline_keyboard?: Button[][];
}

export interface ConsoleView {
  /** The lines to print for one Bot API call; none for other chats and for calls a player would not see. */
  render(method: string, body: Record<string, unknown>): string[];
  /** The update a typed line becomes. */
  update(text: string, updateId: number, now: Date): Record<string, unknown>;
}

/** Typed instead of pressing a share-contact button. */
export const CONTACT_SHORTCUT = "/contact";

/** The number the console shares for its player: made up, and the same for the same chat. */
export function madeUpPhoneNumber(chatId: number): string {
  return `+4915${String(Math.abs(chatId)).padStart(9, "0").slice(-9)}`;
}

const INDENT = "          ";

/** She is sent HTML-escaped text (the Telegram sender escapes it); a phone shows it unescaped. */
function unescapeHtml(text: string): string {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
}

/** grammY sends JSON, so markup arrives as an object; a form-encoded call would carry it as a JSON string. */
function markupOf(body: Record<string, unknown>): Markup | null {
  const raw = body.reply_markup;
  if (typeof raw === "string") {
    try {
      return JSON.parse(raw) as Markup;
    } catch {
      return null;
    }
  }
  return raw && typeof raw === "object" ? raw as Markup : null;
}

function buttonLabel(button: Button): string {
  return button.request_contact ? `[${button.text} ☎]` : `[${button.text}]`;
}

export function createConsoleView(chatId: number): ConsoleView {
  let keyboard: { rows: Button[][]; oneTime: boolean } | null = null;
  let typing = false;

  const renderMessage = (body: Record<string, unknown>): string[] => {
    typing = false;
    const raw = String(body.text ?? "");
    const text = body.parse_mode === "HTML" ? unescapeHtml(raw) : raw;
    const lines = ["", `  Nikita: ${text.replace(/\n/g, `\n${INDENT}`)}`];
    const markup = markupOf(body);
    if (markup?.remove_keyboard) keyboard = null;
    if (markup?.keyboard) {
      keyboard = { rows: markup.keyboard, oneTime: Boolean(markup.one_time_keyboard) };
      for (const row of markup.keyboard) lines.push(`${INDENT}${row.map(buttonLabel).join(" ")}`);
      const contact = markup.keyboard.flat().find((b) => b.request_contact);
      lines.push(
        contact
          ? `${INDENT}(type a button's text; "${contact.text}" or ${CONTACT_SHORTCUT} shares your number)`
          : `${INDENT}(type a button's text)`,
      );
    }
    for (const button of markup?.inline_keyboard?.flat() ?? []) {
      lines.push(button.url ? `${INDENT}[${button.text}] → ${button.url}` : `${INDENT}[${button.text}]`);
    }
    lines.push("");
    return lines;
  };

  return {
    render(method, body) {
      if (Number(body.chat_id) !== chatId) return [];
      if (method === "sendMessage") return renderMessage(body);
      if (method === "sendChatAction" && body.action === "typing" && !typing) {
        typing = true;
        return ["  Nikita is typing…"];
      }
      return [];
    },
    update(text, updateId, now) {
      const pressed = keyboard?.rows.flat().find((b) => b.text.trim().toLowerCase() === text.trim().toLowerCase());
      if (pressed && keyboard?.oneTime) keyboard = null;
      const base = {
        message_id: updateId,
        date: Math.floor(now.getTime() / 1000),
        chat: { id: chatId, type: "private" },
        from: { id: chatId, is_bot: false, first_name: "You" },
      };
      if (pressed?.request_contact || text.trim().toLowerCase() === CONTACT_SHORTCUT) {
        const contact = { phone_number: madeUpPhoneNumber(chatId), first_name: "You", user_id: chatId };
        return { update_id: updateId, message: { ...base, contact } };
      }
      const entities = text.startsWith("/")
        ? { entities: [{ type: "bot_command", offset: 0, length: text.split(" ")[0]!.length }] }
        : {};
      return { update_id: updateId, message: { ...base, text, ...entities } };
    },
  };
}
