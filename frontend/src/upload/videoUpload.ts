import { call, type Api } from "../api/client";
import type { PutPart } from "./multipart";
import { resumableUpload } from "./resumable";

interface Common {
  api: Api;
  file: File;
  onProgress?: (uploaded: number, total: number) => void;
  signal?: AbortSignal;
  put?: PutPart;
}

const startBody = (file: File) => ({ filename: file.name, content_type: file.type || "application/octet-stream", size_bytes: file.size });

/** An instructor's video original: POST …/upload opens (or re-opens) the session. */
export function uploadVideoFile(o: Common & { videoId: string }) {
  const path = { video_id: o.videoId };
  const open = () => call(o.api.client.POST("/api/v1/videos/{video_id}/upload", { params: { path }, body: startBody(o.file) }));
  return resumableUpload({
    ...o,
    resourceId: o.videoId,
    open: async () => ({ resourceId: o.videoId, session: await open() }),
    resume: async () => open(),
    sign: async (_id, part_numbers) =>
      (await call(o.api.client.POST("/api/v1/videos/{video_id}/upload/parts", { params: { path }, body: { part_numbers } }))).parts,
    complete: (_id, parts) => call(o.api.client.POST("/api/v1/videos/{video_id}/upload/complete", { params: { path }, body: { parts } })),
  });
}

/** A student's attempt at a reference: the attempt is created with the upload. */
export function uploadAttemptFile(o: Common & { referenceId: string; onOpened?: (attemptId: string) => void }) {
  const resumeUpload = (attempt_id: string) =>
    call(o.api.client.GET("/api/v1/studio/attempts/{attempt_id}/upload", { params: { path: { attempt_id } } }));
  return resumableUpload({
    ...o,
    meta: { referenceId: o.referenceId },
    open: async () => {
      const out = await call(
        o.api.client.POST("/api/v1/studio/references/{reference_id}/attempts", { params: { path: { reference_id: o.referenceId } }, body: startBody(o.file) }),
      );
      return { resourceId: out.attempt.id, session: out.upload };
    },
    resume: (p) => (p.meta?.referenceId === o.referenceId ? resumeUpload(p.resourceId) : Promise.resolve(null)),
    // The studio API has no per-part signing: GET …/upload returns fresh URLs for missing parts.
    sign: async (id, ns) => (await resumeUpload(id)).parts.filter((p) => ns.includes(p.part_number)),
    complete: (id, parts) =>
      call(o.api.client.POST("/api/v1/studio/attempts/{attempt_id}/complete", { params: { path: { attempt_id: id } }, body: { parts } })),
  });
}
