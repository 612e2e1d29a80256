/**
 * A live `text/event-stream` followed over fetch: React Native has no EventSource, and the
 * browser's cannot send the bearer token. The fetch must stream response bodies (`expo/fetch` on
 * phones, the browser's on the web export; React Native's built-in fetch gives no `res.body`).
 *
 * A stream that ends or drops is reconnected with exponential backoff; while it is down the state
 * is polled once per failed attempt so the screen stays right. The client polls for good (every
 * `pollMs`) when the stream is not for it: 429 (the account's streams are all taken), a response
 * without a streamed body, or `maxFailures` connections in a row that brought no event.
 */
import { createSseParser, type SseEvent } from "@mamc/shared/api/sse";

export type StreamFetch = (req: Request) => Promise<Response>;

export interface LiveStreamOptions {
  /** Adds the bearer (one refresh on 401) and streams bodies. */
  fetch: StreamFetch;
  url: string;
  onEvent(e: SseEvent): void;
  /** Reads the state the plain way (e.g. GET the count). */
  poll(): Promise<void>;
  /** Polling interval once the stream is given up. */
  pollMs?: number;
  /** Reconnect delays: backoffMs · 2^(failures−1), at most maxBackoffMs (backoffMs after a stream
   * that brought events and then ended, as the server does after an hour). */
  backoffMs?: number;
  maxBackoffMs?: number;
  maxFailures?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Told when the client switches to polling for good. */
  onPolling?: () => void;
}

export const LIVE_DEFAULTS = { pollMs: 60_000, backoffMs: 1_000, maxBackoffMs: 30_000, maxFailures: 5 };

/** Reconnect delay after `failures` failed connections in a row. */
export function backoffDelay(failures: number, baseMs = LIVE_DEFAULTS.backoffMs, maxMs = LIVE_DEFAULTS.maxBackoffMs): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, failures - 1));
}

/** Starts following; answers the function that stops it (closing the connection). */
export function followLiveStream(o: LiveStreamOptions): () => void {
  const { pollMs, backoffMs, maxBackoffMs, maxFailures } = { ...LIVE_DEFAULTS, ...o };
  const ctl = new AbortController();
  /** A wait that stopping cuts short (no timer outlives the screen). */
  const sleep =
    o.sleep ??
    ((ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        ctl.signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
      }));
  let stopped = false;
  let reader: ReadableStreamDefaultReader<Uint8Array> | null = null;

  /** One connection: "events" when it brought any before ending, "failed", or "unsuited". */
  async function connect(): Promise<"events" | "failed" | "unsuited"> {
    let res: Response;
    try {
      res = await o.fetch(new Request(o.url, { headers: { Accept: "text/event-stream" }, signal: ctl.signal }));
    } catch {
      return "failed";
    }
    if (res.status === 429 || (res.ok && !res.body)) return "unsuited";
    if (!res.ok || !res.body) return "failed";
    let got = false;
    const parse = createSseParser((e) => {
      got = true;
      if (!stopped) o.onEvent(e);
    });
    const decoder = new TextDecoder();
    try {
      reader = res.body.getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done || stopped) break;
        parse(decoder.decode(value, { stream: true }));
      }
    } catch {
      /* dropped: reconnect */
    } finally {
      reader = null;
    }
    return got ? "events" : "failed";
  }

  void (async () => {
    let failures = 0;
    while (!stopped) {
      const r = await connect();
      if (stopped) return;
      if (r === "unsuited") break;
      failures = r === "events" ? 0 : failures + 1;
      if (failures >= maxFailures) break;
      if (failures > 0) await o.poll().catch(() => undefined);
      await sleep(backoffDelay(failures, backoffMs, maxBackoffMs));
    }
    if (stopped) return;
    o.onPolling?.();
    while (!stopped) {
      await o.poll().catch(() => undefined);
      if (!stopped) await sleep(pollMs);
    }
  })();

  return () => {
    stopped = true;
    ctl.abort();
    reader?.cancel().catch(() => undefined);
  };
}
