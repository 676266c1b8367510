// The runtime's own fetch for grammY. grammY's npm build would go through node-fetch and Node's http emulation,
// several times the CPU of a native call, on the event loop the webhook's acknowledgements share. Its abort signal is
// a polyfill's, which the native Request refuses, so it is relayed to a native one.
type AbortLike = { aborted: boolean; addEventListener(type: "abort", listener: () => void): void };

export function nativeFetch(input: unknown, init?: Record<string, unknown>): Promise<Response> {
  const { signal, ...rest } = init ?? {};
  const relay = new AbortController();
  const given = signal as AbortLike | undefined;
  if (given?.aborted) relay.abort();
  else given?.addEventListener("abort", () => relay.abort());
  return fetch(String(input), { ...rest, signal: relay.signal } as RequestInit);
}
