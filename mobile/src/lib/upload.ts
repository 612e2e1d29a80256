/**
 * Resumable multipart upload over the API's protocol: start (the server creates the multipart
 * upload and presigns parts), PUT each part straight to object storage, ask for fresh URLs for
 * parts whose URL is missing or expired, then complete with every part's ETag. The server keeps
 * which parts it has, so after an interruption (network loss, the app killed in the background)
 * `resume` asks it and only the missing parts are sent. A journal in device storage remembers
 * which upload was in flight so the app can offer to resume after a restart.
 */
import { ApiError } from "@mamc/shared/api/errors";
import type { KeyValueStore, LocalFile, PartSender } from "../device/types";
import { call, type MobileApi } from "./api";

export interface UploadState {
  partSize: number;
  partCount: number;
  /** Presigned URLs the server handed out, by part number. */
  urls: Map<number, string>;
  /** Parts the server already holds: part number → ETag. */
  done: Map<number, string>;
}

/** The three steps of one kind of upload (a video's source, a student's attempt). */
export interface UploadProtocol {
  /** The server's view of the upload, creating it when `existing` is false. */
  state(existing: boolean): Promise<UploadState>;
  sign(partNumbers: number[]): Promise<Map<number, string>>;
  complete(parts: { part_number: number; etag: string }[]): Promise<void>;
}

export interface Progress {
  sentBytes: number;
  totalBytes: number;
  partsDone: number;
  partCount: number;
}

export interface RunOptions {
  protocol: UploadProtocol;
  file: LocalFile;
  sender: PartSender;
  /** Resume an upload the server already knows (else start a new one). */
  resume: boolean;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
  /** Parts signed per request. */
  batch?: number;
}

function toState(u: {
  part_size: number;
  part_count: number;
  parts: { part_number: number; url: string }[];
  uploaded_parts: { part_number: number; etag: string }[];
}): UploadState {
  return {
    partSize: u.part_size,
    partCount: u.part_count,
    urls: new Map(u.parts.map((p) => [p.part_number, p.url])),
    done: new Map(u.uploaded_parts.map((p) => [p.part_number, p.etag])),
  };
}

function partLength(s: UploadState, size: number, n: number): number {
  return Math.min(s.partSize, size - (n - 1) * s.partSize);
}

export async function runUpload(o: RunOptions): Promise<void> {
  const s = await o.protocol.state(o.resume);
  const batch = o.batch ?? 8;
  const size = o.file.size;
  let sent = 0;
  for (const n of s.done.keys()) sent += partLength(s, size, n);
  const report = () =>
    o.onProgress?.({ sentBytes: sent, totalBytes: size, partsDone: s.done.size, partCount: s.partCount });
  report();
  const missing = Array.from({ length: s.partCount }, (_, i) => i + 1).filter((n) => !s.done.has(n));
  for (const n of missing) {
    if (o.signal?.aborted) throw new ApiError(0, "aborted", "Upload paused.");
    if (!s.urls.has(n)) {
      const next = missing.filter((m) => m >= n).slice(0, batch);
      for (const [k, v] of await o.protocol.sign(next)) s.urls.set(k, v);
    }
    const len = partLength(s, size, n);
    let etag: string;
    try {
      etag = await o.sender.putRange(s.urls.get(n)!, o.file, (n - 1) * s.partSize, len, o.signal);
    } catch (e) {
      // An expired URL answers 403: sign this part again once, then give up (resume later).
      if (!(e instanceof ApiError && e.status === 403)) throw e;
      for (const [k, v] of await o.protocol.sign([n])) s.urls.set(k, v);
      etag = await o.sender.putRange(s.urls.get(n)!, o.file, (n - 1) * s.partSize, len, o.signal);
    }
    s.done.set(n, etag);
    sent += len;
    report();
  }
  const parts = [...s.done.entries()].sort((a, b) => a[0] - b[0]).map(([part_number, etag]) => ({ part_number, etag }));
  await o.protocol.complete(parts);
}

/** A student's attempt against a reference: created with its upload, completed into analysis. */
export function attemptProtocol(api: MobileApi, attemptId: string, created?: Parameters<typeof toState>[0]): UploadProtocol {
  const path = { path: { attempt_id: attemptId } };
  return {
    async state(existing) {
      if (!existing && created) return toState(created);
      return toState(await call(api.client.GET("/api/v1/studio/attempts/{attempt_id}/upload", { params: path })));
    },
    async sign(part_numbers) {
      const u = await call(
        api.client.POST("/api/v1/studio/attempts/{attempt_id}/upload/parts", { params: path, body: { part_numbers } }),
      );
      return new Map(u.parts.map((p) => [p.part_number, p.url]));
    },
    async complete(parts) {
      await call(api.client.POST("/api/v1/studio/attempts/{attempt_id}/complete", { params: path, body: { parts } }));
    },
  };
}

/** An instructor's video source. */
export function videoProtocol(api: MobileApi, videoId: string, file: LocalFile): UploadProtocol {
  const path = { path: { video_id: videoId } };
  return {
    async state(existing) {
      const u = existing
        ? await call(api.client.GET("/api/v1/videos/{video_id}/upload", { params: path }))
        : await call(
            api.client.POST("/api/v1/videos/{video_id}/upload", {
              params: path,
              body: { filename: file.name, content_type: file.mimeType, size_bytes: file.size },
            }),
          );
      return toState(u);
    },
    async sign(part_numbers) {
      const u = await call(api.client.POST("/api/v1/videos/{video_id}/upload/parts", { params: path, body: { part_numbers } }));
      return new Map(u.parts.map((p) => [p.part_number, p.url]));
    },
    async complete(parts) {
      await call(api.client.POST("/api/v1/videos/{video_id}/upload/complete", { params: path, body: { parts } }));
    },
  };
}

/** Which upload was in flight, kept across app restarts. */
export interface JournalEntry {
  kind: "attempt" | "video";
  id: string;
  file: LocalFile;
  /** For attempts: the reference, to come back to its screen. */
  referenceId?: string;
}

const JOURNAL_KEY = "mamc.upload.journal";

export const uploadJournal = {
  async load(store: KeyValueStore): Promise<JournalEntry | null> {
    const raw = await store.get(JOURNAL_KEY);
    return raw ? (JSON.parse(raw) as JournalEntry) : null;
  },
  save: (store: KeyValueStore, e: JournalEntry) => store.set(JOURNAL_KEY, JSON.stringify(e)),
  clear: (store: KeyValueStore) => store.delete(JOURNAL_KEY),
};
