import { uploadParts, xhrPut, type CompletedPart, type PutPart, type SignedPart } from "./multipart";
import { completedMap, dropPending, findPending, fingerprint, markPart, savePending, type PendingUpload } from "./resumeStore";

/** What both the media and studio APIs return when an upload is opened or resumed. */
export interface UploadSession {
  part_size: number;
  parts: SignedPart[]; // presigned URLs for parts still missing
  uploaded_parts: { part_number: number; etag: string }[]; // parts the store already holds
  upload_id?: string;
}

export interface ResumableOptions<R> {
  file: File;
  /** Open a new upload; returns the resource id it belongs to and the session. */
  open: () => Promise<{ resourceId: string; session: UploadSession }>;
  /** Re-open a known upload after a reload (null/throw = start over). */
  resume: (p: PendingUpload) => Promise<UploadSession | null>;
  sign: (resourceId: string, partNumbers: number[]) => Promise<SignedPart[]>;
  complete: (resourceId: string, parts: CompletedPart[]) => Promise<R>;
  /** Only resume pending uploads that belong to this resource (when known). */
  resourceId?: string | null;
  put?: PutPart;
  signal?: AbortSignal;
  onProgress?: (uploaded: number, total: number) => void;
  onOpened?: (resourceId: string) => void;
  meta?: Record<string, unknown>;
}

/**
 * Upload a file with a multipart session that survives reloads: the file fingerprint maps to the
 * resource/upload; the server's list of stored parts decides what is left to send.
 */
export async function resumableUpload<R>(o: ResumableOptions<R>): Promise<R> {
  const fp = fingerprint(o.file);
  let pending = findPending(fp);
  if (pending && o.resourceId && pending.resourceId !== o.resourceId) pending = null;

  let resourceId: string | null = null;
  let session: UploadSession | null = null;
  if (pending) {
    session = await o.resume(pending).catch(() => null);
    if (session) resourceId = pending.resourceId;
    else dropPending(fp);
  }
  if (!session || !resourceId) {
    const opened = await o.open();
    resourceId = opened.resourceId;
    session = opened.session;
    pending = {
      fingerprint: fp, resourceId, uploadId: session.upload_id ?? resourceId, fileName: o.file.name,
      size: o.file.size, partSize: session.part_size, parts: {}, startedAt: Date.now(), meta: o.meta,
    };
    savePending(pending);
  }
  o.onOpened?.(resourceId);

  const completed = session.uploaded_parts.length
    ? new Map(session.uploaded_parts.map((p) => [p.part_number, p.etag]))
    : pending ? completedMap(pending) : new Map<number, string>();
  // Parts the server still wants are never "completed", whatever local memory says.
  for (const p of session.parts) completed.delete(p.part_number);

  const id = resourceId;
  const parts = await uploadParts({
    file: o.file,
    partSize: session.part_size,
    completed,
    initialUrls: session.parts,
    signal: o.signal,
    put: o.put ?? xhrPut,
    onProgress: o.onProgress,
    onPartDone: (p) => markPart(fp, p.part_number, p.etag),
    target: { sign: (ns) => o.sign(id, ns) },
  });
  const out = await o.complete(id, parts);
  dropPending(fp);
  return out;
}
