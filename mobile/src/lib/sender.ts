import { ApiError } from "@mamc/shared/api/errors";
import type { LocalFile, PartSender } from "../device/types";

/** A part's ETag from a storage answer; a 403 means the presigned URL expired. */
export function etagOf(status: number, headers: Record<string, string> | Headers): string {
  if (status === 403) throw new ApiError(403, "upload_url_expired", "Upload URL expired.");
  if (status < 200 || status >= 300) throw new ApiError(status, "upload_failed", `Part upload failed (HTTP ${status}).`);
  const h = headers instanceof Headers ? headers.get("etag") : (headers.ETag ?? headers.etag ?? headers.Etag);
  if (!h) throw new ApiError(status, "upload_failed", "The storage did not return an ETag.");
  return h;
}

/** PUT a Blob slice with fetch (the web export; tests). A failed connection is a network error. */
export function fetchSender(fetchFn: (url: string, init: RequestInit) => Promise<Response>, readBlob: (f: LocalFile) => Promise<Blob>): PartSender {
  return {
    async putRange(url, file, offset, length, signal) {
      const blob = await readBlob(file);
      let res: Response;
      try {
        res = await fetchFn(url, { method: "PUT", body: blob.slice(offset, offset + length), signal });
      } catch (e) {
        throw ApiError.network(e);
      }
      return etagOf(res.status, res.headers);
    },
  };
}
