/**
 * Multipart upload engine: PUT file parts to presigned URLs, with per-part retry and backoff,
 * bounded concurrency, byte-accurate progress, and resumption from already-completed parts.
 * Pure: transport (sign / put / complete) and time (sleep) are injected, so it is unit-tested.
 */

export interface SignedPart { part_number: number; url: string }
export interface CompletedPart { part_number: number; etag: string }

export interface MultipartTarget {
  /** Presign PUT URLs for these part numbers (1-based). Called again before a retry. */
  sign(partNumbers: number[]): Promise<SignedPart[]>;
}

/** PUT one part; resolves to the ETag. `onProgress(loadedBytes)` is called while sending. */
export type PutPart = (url: string, body: Blob, onProgress: (loaded: number) => void, signal?: AbortSignal) => Promise<string>;

export class PartError extends Error {
  constructor(message: string, readonly status: number, readonly retryable: boolean) {
    super(message);
    this.name = "PartError";
  }
}

export interface UploadOptions {
  file: Blob;
  partSize: number;
  /** Part number → ETag of parts already uploaded (from a previous session). */
  completed?: Map<number, string>;
  target: MultipartTarget;
  put: PutPart;
  concurrency?: number;
  /** Attempts per part including the first. */
  maxAttempts?: number;
  backoffMs?: (attempt: number) => number;
  sleep?: (ms: number) => Promise<void>;
  signBatch?: number;
  /** URLs the server already signed (e.g. returned when the upload was opened). */
  initialUrls?: SignedPart[];
  signal?: AbortSignal;
  onProgress?: (uploadedBytes: number, totalBytes: number) => void;
  /** Called as each part finishes (persist it to make the upload resumable). */
  onPartDone?: (part: CompletedPart) => void;
}

export function partCount(size: number, partSize: number): number {
  return Math.max(1, Math.ceil(size / partSize));
}

export function partRange(n: number, size: number, partSize: number): [number, number] {
  const start = (n - 1) * partSize;
  return [start, Math.min(size, start + partSize)];
}

export const defaultBackoff = (attempt: number) => Math.min(30_000, 500 * 2 ** (attempt - 1)) * (0.75 + Math.random() * 0.5);
const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function abortError(): Error {
  return new DOMException("Upload aborted", "AbortError");
}

/** Upload every missing part; resolves to all parts sorted by number (ready for "complete"). */
export async function uploadParts(o: UploadOptions): Promise<CompletedPart[]> {
  const size = o.file.size;
  const total = partCount(size, o.partSize);
  const done = new Map(o.completed ?? []);
  const maxAttempts = o.maxAttempts ?? 5;
  const backoff = o.backoffMs ?? defaultBackoff;
  const sleep = o.sleep ?? realSleep;
  const concurrency = Math.max(1, o.concurrency ?? 3);
  const signBatch = o.signBatch ?? 20;
  const inflight = new Map<number, number>();

  const doneBytes = () => {
    let b = 0;
    for (const n of done.keys()) {
      const [s, e] = partRange(n, size, o.partSize);
      b += e - s;
    }
    return b;
  };
  let baseBytes = doneBytes();
  const report = () => {
    let b = baseBytes;
    for (const v of inflight.values()) b += v;
    o.onProgress?.(Math.min(b, size), size);
  };
  report();

  const todo: number[] = [];
  for (let n = 1; n <= total; n++) if (!done.has(n)) todo.push(n);

  // URLs signed ahead in batches; a retry re-signs its part (URLs may have expired).
  const urls = new Map<number, string>((o.initialUrls ?? []).map((p) => [p.part_number, p.url]));
  async function urlFor(n: number, fresh: boolean): Promise<string> {
    if (!fresh && urls.has(n)) return urls.get(n)!;
    const batch = fresh ? [n] : todo.filter((m) => m >= n && !done.has(m) && !urls.has(m)).slice(0, signBatch);
    if (!batch.includes(n)) batch.unshift(n);
    const signed = await o.target.sign(batch);
    for (const s of signed) urls.set(s.part_number, s.url);
    const u = urls.get(n);
    if (!u) throw new PartError(`No URL signed for part ${n}`, 0, false);
    return u;
  }

  async function one(n: number): Promise<void> {
    const [start, end] = partRange(n, size, o.partSize);
    const body = o.file.slice(start, end);
    for (let attempt = 1; ; attempt++) {
      if (o.signal?.aborted) throw abortError();
      try {
        const url = await urlFor(n, attempt > 1);
        inflight.set(n, 0);
        const etag = await o.put(url, body, (loaded) => {
          inflight.set(n, Math.min(loaded, end - start));
          report();
        }, o.signal);
        inflight.delete(n);
        done.set(n, etag);
        baseBytes += end - start;
        report();
        o.onPartDone?.({ part_number: n, etag });
        return;
      } catch (e) {
        inflight.delete(n);
        report();
        if (o.signal?.aborted || (e instanceof DOMException && e.name === "AbortError")) throw abortError();
        const retryable = !(e instanceof PartError) || e.retryable;
        if (!retryable || attempt >= maxAttempts) throw e;
        await sleep(backoff(attempt));
      }
    }
  }

  let next = 0;
  let failure: unknown = null;
  async function worker() {
    while (failure == null && next < todo.length) {
      const n = todo[next++];
      try {
        await one(n);
      } catch (e) {
        failure ??= e;
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, todo.length) }, worker));
  if (failure != null) throw failure;

  return [...done.entries()].sort((a, b) => a[0] - b[0]).map(([part_number, etag]) => ({ part_number, etag }));
}

/** Browser PUT with upload progress (fetch cannot report upload progress). */
export const xhrPut: PutPart = (url, body, onProgress, signal) =>
  new Promise<string>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", url);
    xhr.upload.onprogress = (e) => onProgress(e.loaded);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        const etag = xhr.getResponseHeader("ETag");
        if (!etag) reject(new PartError("Missing ETag header (CORS must expose ETag)", xhr.status, false));
        else resolve(etag);
      } else {
        // 403 = signature expired: retry with a fresh URL; other 4xx are final.
        const retryable = xhr.status >= 500 || xhr.status === 403 || xhr.status === 408 || xhr.status === 429;
        reject(new PartError(`Part upload failed: HTTP ${xhr.status}`, xhr.status, retryable));
      }
    };
    xhr.onerror = () => reject(new PartError("Network error during part upload", 0, true));
    xhr.ontimeout = () => reject(new PartError("Part upload timed out", 0, true));
    if (signal) {
      if (signal.aborted) {
        reject(abortError());
        return;
      }
      signal.addEventListener("abort", () => {
        xhr.abort();
        reject(abortError());
      });
    }
    xhr.send(body);
  });
