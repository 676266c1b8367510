// The load of a bench in a process of its own: `chats` Telegram text updates, one per chat, posted evenly within one
// second to a webhook URL, each timed from send to response. Prints {latencies (sorted ms), errors} as JSON.
const [url, chatsArg, firstChatArg, idBaseArg, secret] = Deno.args;
const chats = Number(chatsArg);
const firstChat = Number(firstChatArg);
const idBase = Number(idBaseArg);
// Warm-up (this process's connections and code): updates of a kind that is stored and ignored, not timed.
for (let i = 0; i < 20; i++) {
  const res = await fetch(url!, {
    method: "POST",
    body: JSON.stringify({ update_id: idBase + 500_000 + i, edited_message: {} }),
    headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": secret! },
  });
  await res.body?.cancel();
}
const latencies: number[] = [];
let errors = 0;
const start = performance.now();
const inflight: Promise<void>[] = [];
for (let i = 0; i < chats; i++) {
  const wait = start + (i * 1000) / chats - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const chat = firstChat + i;
  const id = idBase + i;
  const body = JSON.stringify({
    update_id: id,
    message: {
      message_id: id,
      date: 0,
      text: "what are you up to tonight?",
      chat: { id: chat, type: "private" },
      from: { id: chat, is_bot: false, first_name: "B" },
    },
  });
  const t0 = performance.now();
  inflight.push(
    fetch(url!, {
      method: "POST",
      body,
      headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": secret! },
    }).then(async (res) => {
      await res.body?.cancel();
      if (res.status !== 200) errors++;
      else latencies.push(performance.now() - t0);
    }, () => void errors++),
  );
}
await Promise.all(inflight);
console.log(JSON.stringify({ latencies: latencies.sort((a, b) => a - b), errors }));
