/**
 * Server-sent events with the bearer token. EventSource cannot send an Authorization header, so
 * this reads the text/event-stream over fetch (through the auth wrapper, so a 401 refreshes once),
 * reconnects with Last-Event-ID and backoff, and falls back to polling when streaming fails.
 */
import { createSseParser, type SseEvent } from "@mamc/shared/api/sse";

export { createSseParser, type SseEvent };

export interface StreamOptions {
  /** fetch through the auth wrapper (adds the token, refreshes on 401). */
  fetch: (path: string, init?: RequestInit) => Promise<Response>;
  path: string;
  onEvent: (e: SseEvent) => void;
  /** Called every `pollMs` while the stream is down (e.g. GET the resource). */
  poll?: () => Promise<void>;
  pollMs?: number;
  /** Return true to stop (e.g. terminal state reached). */
  done?: () => boolean;
}

export function openEventStream(o: StreamOptions): () => void {
  let closed = false;
  const ctl = new AbortController();
  let lastId: string | undefined;
  let failures = 0;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  (async () => {
    while (!closed && !o.done?.()) {
      try {
        const res = await o.fetch(o.path, {
          headers: { Accept: "text/event-stream", ...(lastId ? { "Last-Event-ID": lastId } : {}) },
          signal: ctl.signal,
        });
        if (!res.ok || !res.body) throw new Error(`SSE HTTP ${res.status}`);
        failures = 0;
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        const parse = createSseParser((e) => {
          if (e.id) lastId = e.id;
          o.onEvent(e);
        });
        for (;;) {
          const { value, done } = await reader.read();
          if (done || closed) break;
          parse(value);
          if (o.done?.()) {
            closed = true;
            ctl.abort();
            break;
          }
        }
      } catch {
        if (closed) return;
        failures++;
        if (o.poll) await o.poll().catch(() => undefined);
      }
      if (!closed) await sleep(Math.min(15_000, (o.pollMs ?? 3000) * Math.min(failures || 1, 5)));
    }
  })();

  return () => {
    closed = true;
    ctl.abort();
  };
}
