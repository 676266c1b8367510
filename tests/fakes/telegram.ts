// A fake Telegram Bot API for local play and tests: records every call, answers like Telegram, and can be told to
// fail the next calls (429 with retry_after, 403, 5xx). The real grammY client talks to it through apiRoot.
export interface BotCall {
  method: string;
  body: Record<string, unknown>;
  at: number;
}

export interface FakeTelegram {
  url: string;
  calls: BotCall[];
  sent(chatId?: number): string[];
  failNext(
    method: string,
    error: { error_code: number; description: string; parameters?: Record<string, unknown> },
    times?: number,
  ): void;
  onSend?: (chatId: number, text: string) => void;
  /** Every recorded call with its whole body (markup, chat actions), after it is recorded. */
  onCall?: (method: string, body: Record<string, unknown>) => void;
  close(): Promise<void>;
}

export function startFakeTelegram(port = 0): FakeTelegram {
  const calls: BotCall[] = [];
  const failures: { method: string; error: Record<string, unknown>; times: number }[] = [];
  let messageId = 1;
  const fake: FakeTelegram = {
    url: "",
    calls,
    sent: (chatId) =>
      calls.filter((c) => c.method === "sendMessage" && (chatId === undefined || Number(c.body.chat_id) === chatId))
        .map((c) => String(c.body.text)),
    failNext: (method, error, times = 1) => void failures.push({ method, error, times }),
    close: () => server.shutdown(),
  };
  const server = Deno.serve({ port, hostname: "127.0.0.1", onListen: () => {} }, async (req) => {
    const method = new URL(req.url).pathname.split("/").at(-1) ?? "";
    const text = await req.text();
    let body: Record<string, unknown> = {};
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      body = Object.fromEntries(new URLSearchParams(text));
    }
    const failure = failures.find((f) => f.method === method && f.times > 0);
    if (failure) {
      failure.times--;
      return Response.json({ ok: false, ...failure.error }, { status: Number(failure.error.error_code) });
    }
    calls.push({ method, body, at: Date.now() });
    fake.onCall?.(method, body);
    if (method === "sendMessage") {
      fake.onSend?.(Number(body.chat_id), String(body.text));
      return Response.json({
        ok: true,
        result: {
          message_id: messageId++,
          date: Math.floor(Date.now() / 1000),
          chat: { id: body.chat_id, type: "private" },
          text: body.text,
        },
      });
    }
    return Response.json({ ok: true, result: true });
  });
  fake.url = `http://127.0.0.1:${server.addr.port}`;
  return fake;
}
