import { useEffect, useState } from "react";
import { call, type Api } from "../../api/client";
import { openEventStream } from "../../lib/sse";
import { uploadParts, xhrPut, type PutPart } from "../../upload/multipart";
import type { components } from "@mamc/shared/api/schema";

export type Profile = components["schemas"]["ProfileOut"];
export type Dub = components["schemas"]["DubOut"];
export const ACTIVE = new Set(["uploading", "pending", "running"]);

export interface Live { status: string; percent: number; stage: string | null; failure_reason: string | null }

/** One recording: open the upload, PUT its parts to the signed URLs, complete it. A part whose PUT
 * fails is retried with a fresh URL from GET …/samples/{id}/upload (the parts stored and URLs for
 * the missing ones), so an expired URL does not lose the take. */
export async function uploadSample(
  api: Api, profileId: string, take: Blob, filename: string, onProgress?: (f: number) => void, put: PutPart = xhrPut,
) {
  const opened = await call(
    api.client.POST("/api/v1/voice/profiles/{profile_id}/samples", {
      params: { path: { profile_id: profileId } },
      body: { filename, content_type: take.type || "audio/webm", size_bytes: take.size },
    }),
  );
  const path = { profile_id: profileId, sample_id: opened.sample.id };
  const resume = () => call(api.client.GET("/api/v1/voice/profiles/{profile_id}/samples/{sample_id}/upload", { params: { path } }));
  const parts = await uploadParts({
    file: take,
    partSize: opened.upload.part_size,
    initialUrls: opened.upload.parts,
    target: { sign: async (numbers) => (await resume()).upload.parts.filter((p) => numbers.includes(p.part_number)) },
    put,
    onProgress: (done, total) => onProgress?.(total ? done / total : 1),
  });
  return call(
    api.client.POST("/api/v1/voice/profiles/{profile_id}/samples/{sample_id}/complete", { params: { path }, body: { parts } }),
  );
}

/** Live progress of a voice job over SSE (GET `path`); `onEnd` once it leaves the active states. */
export function useJobEvents(api: Api, path: string | null, onEnd: () => void) {
  const [live, setLive] = useState<Live | null>(null);
  useEffect(() => {
    // A new run (or none) starts clean: the last run's end state must not stand for the next one.
    setLive(null);
    if (!path) return;
    let ended = false;
    return openEventStream({
      fetch: (p, init) => api.raw(p, init),
      path,
      onEvent: (e) => {
        try {
          const state = JSON.parse(e.data) as Live;
          setLive(state);
          if (e.event === "end" || !ACTIVE.has(state.status)) {
            ended = true;
            onEnd();
          }
        } catch {
          /* keep-alives */
        }
      },
      poll: async () => onEnd(),
      pollMs: 3000,
      done: () => ended,
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, path]);
  return live;
}
