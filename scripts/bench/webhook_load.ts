// The webhook bench's load, in a process of its own (as Telegram is to the function): Telegram text updates posted at
// a fixed rate (open loop: a slow answer never delays the next post), each timed from its send to its response. The
// stream is cut into short slices that take the given URLs in turn (A B A B ... A) without a pause, so the load stays
// even and a stall of this shared machine (a neighbour's burst of disk writes delays every commit for a moment) meets
// each server alike instead of deciding which one looks slow. An untimed warm-up (a second at the rate) goes to each
// URL first.
// Args: <rate> <slice seconds> <slices> <first update_id> <secret> <url>...
// Prints {slices: [{url, latencies (ms, in send order), errors}]} as JSON.
const [rateArg, sliceArg, slicesArg, idBaseArg, secret, ...urls] = Deno.args;
const rate = Number(rateArg);
const perSlice = Math.round(rate * Number(sliceArg));
const slices = Number(slicesArg);
let nextId = Number(idBaseArg);

/** One update as Telegram sends it: the same shape and size whichever server answers. */
function post(url: string): Promise<Response> {
  const id = nextId++;
  const chat = 5000 + (id % 1000);
  return fetch(url, {
    method: "POST",
    body: JSON.stringify({
      update_id: id,
      message: {
        message_id: id,
        date: 0,
        text: "what are you up to tonight?",
        chat: { id: chat, type: "private" },
        from: { id: chat, is_bot: false, first_name: "B" },
      },
    }),
    headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": secret! },
  });
}

/** `n` posts at the rate, the i-th to `urlOf(i)`; the latency of each (NaN for an error), in send order. */
async function run(n: number, urlOf: (i: number) => string): Promise<number[]> {
  const latencies: number[] = new Array(n).fill(NaN);
  const inflight: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const wait = start + (i * 1000) / rate - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const t0 = performance.now();
    inflight.push(
      post(urlOf(i)).then(async (res) => {
        await res.body?.cancel();
        if (res.status === 200) latencies[i] = performance.now() - t0;
      }, () => {}),
    );
  }
  await Promise.all(inflight);
  return latencies;
}

for (const url of urls) await run(rate, () => url);
const slice = (i: number) => Math.floor(i / perSlice);
const latencies = await run(perSlice * slices, (i) => urls[slice(i) % urls.length]!);
const out = Array.from({ length: slices }, (_, s) => {
  const mine = latencies.slice(s * perSlice, (s + 1) * perSlice);
  return {
    url: urls[s % urls.length]!,
    latencies: mine.filter((ms) => !Number.isNaN(ms)),
    errors: mine.filter((ms) => Number.isNaN(ms)).length,
  };
});
console.log(JSON.stringify({ slices: out }));
