/**
 * Remembers in-progress uploads across reloads: which upload a file belongs to and which parts
 * are done. Browsers cannot keep a File across reloads, so the user re-picks the file; a matching
 * fingerprint (name, size, lastModified) resumes instead of starting over.
 */
export interface PendingUpload {
  fingerprint: string;
  /** Resource the upload belongs to (e.g. video id) and the storage upload id. */
  resourceId: string;
  uploadId: string;
  fileName: string;
  size: number;
  partSize: number;
  parts: Record<string, string>; // part number → etag
  startedAt: number;
  meta?: Record<string, unknown>;
}

const KEY = "mamc.uploads";
const MAX_AGE_MS = 6 * 24 * 3600 * 1000; // multipart uploads are reaped after a few days

export function fingerprint(f: { name: string; size: number; lastModified: number }): string {
  return `${f.name}:${f.size}:${f.lastModified}`;
}

function readAll(storage: Storage): Record<string, PendingUpload> {
  try {
    const all = JSON.parse(storage.getItem(KEY) ?? "{}") as Record<string, PendingUpload>;
    const now = Date.now();
    for (const [k, v] of Object.entries(all)) if (now - v.startedAt > MAX_AGE_MS) delete all[k];
    return all;
  } catch {
    return {};
  }
}

function writeAll(all: Record<string, PendingUpload>, storage: Storage) {
  try {
    storage.setItem(KEY, JSON.stringify(all));
  } catch {
    /* quota: resumption is best effort */
  }
}

export function listPending(storage: Storage = localStorage): PendingUpload[] {
  return Object.values(readAll(storage)).sort((a, b) => b.startedAt - a.startedAt);
}

export function findPending(fp: string, storage: Storage = localStorage): PendingUpload | null {
  return readAll(storage)[fp] ?? null;
}

export function savePending(p: PendingUpload, storage: Storage = localStorage) {
  const all = readAll(storage);
  all[p.fingerprint] = p;
  writeAll(all, storage);
}

export function markPart(fp: string, partNumber: number, etag: string, storage: Storage = localStorage) {
  const all = readAll(storage);
  const p = all[fp];
  if (!p) return;
  p.parts[String(partNumber)] = etag;
  writeAll(all, storage);
}

export function dropPending(fp: string, storage: Storage = localStorage) {
  const all = readAll(storage);
  delete all[fp];
  writeAll(all, storage);
}

export function completedMap(p: PendingUpload): Map<number, string> {
  return new Map(Object.entries(p.parts).map(([n, e]) => [Number(n), e]));
}
