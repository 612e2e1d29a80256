import { describe, expect, it, vi } from "vitest";
import { createApi } from "../api/client";
import { createTokenStore } from "../api/tokens";
import { uploadAttemptFile, uploadVideoFile } from "./videoUpload";
import { PartError, type PutPart } from "./multipart";
import { findPending, fingerprint } from "./resumeStore";

const json = (status: number, body?: unknown) => new Response(JSON.stringify(body ?? {}), { status, headers: { "Content-Type": "application/json" } });
const VIDEO = { id: "vid1", status: "processing" };
const url = (n: number, r = 0) => ({ part_number: n, url: `https://store/p${n}?r=${r}` });

function backend(stored: { part_number: number; etag: string; size: number }[] = []) {
  const calls: { method: string; path: string; body?: any }[] = [];
  let opens = 0;
  const fetch = vi.fn(async (req: Request) => {
    const u = new URL(req.url);
    const body = req.method === "GET" ? undefined : JSON.parse((await req.text()) || "null");
    calls.push({ method: req.method, path: u.pathname, body });
    const p = u.pathname;
    const missing = [1, 2, 3].filter((n) => !stored.some((s) => s.part_number === n));
    const session = () => ({ video_id: "vid1", upload_id: "up1", part_size: 4, part_count: 3, size_bytes: 10, parts: missing.map((n) => url(n, ++opens)), uploaded_parts: stored, expires_in: 3600, expires_at: null });
    if (p === "/api/v1/videos/vid1/upload") return json(201, session());
    if (p === "/api/v1/videos/vid1/upload/parts") return json(200, { parts: body.part_numbers.map((n: number) => url(n, 99)), expires_in: 3600 });
    if (p === "/api/v1/videos/vid1/upload/complete") return json(200, VIDEO);
    if (p === "/api/v1/studio/references/ref1/attempts") return json(201, { attempt: { id: "att1" }, upload: session() });
    if (p === "/api/v1/studio/attempts/att1/upload") return json(200, session());
    if (p === "/api/v1/studio/attempts/att1/complete") return json(202, { id: "att1", status: "pending" });
    return json(404);
  });
  const tokens = createTokenStore(null);
  tokens.set({ access_token: "a" });
  return { api: createApi({ baseUrl: "http://t", fetch, tokens }), calls };
}

const file = () => new File([new Uint8Array(10)], "kata.mp4", { type: "video/mp4", lastModified: 42 });
const etagOf: PutPart = async (u) => `"${u.match(/p(\d)/)![0]}"`;

describe("video upload", () => {
  it("uses the URLs returned on open, then completes with the ETags", async () => {
    const { api, calls } = backend();
    const put = vi.fn(etagOf);
    expect(await uploadVideoFile({ api, videoId: "vid1", file: file(), put })).toEqual(VIDEO);
    expect(calls.some((c) => c.path.endsWith("/upload/parts"))).toBe(false);
    expect(calls.find((c) => c.path.endsWith("/upload/complete"))!.body.parts).toEqual([
      { part_number: 1, etag: '"p1"' }, { part_number: 2, etag: '"p2"' }, { part_number: 3, etag: '"p3"' },
    ]);
    expect(calls[0].body).toEqual({ filename: "kata.mp4", content_type: "video/mp4", size_bytes: 10 });
    expect(findPending(fingerprint(file()))).toBeNull();
  });

  it("re-signs a part whose PUT failed", async () => {
    const { api, calls } = backend();
    let failed = false;
    const put: PutPart = async (u, b, p) => {
      if (u.includes("p2") && !failed) {
        failed = true;
        throw new PartError("expired", 403, true);
      }
      return etagOf(u, b, p);
    };
    await uploadVideoFile({ api, videoId: "vid1", file: file(), put });
    expect(calls.find((c) => c.path.endsWith("/upload/parts"))!.body).toEqual({ part_numbers: [2] });
  });

  it("resumes after a reload: only the parts the server lacks are sent", async () => {
    const first = backend();
    let n = 0;
    const dies: PutPart = async (u, b, p) => {
      if (++n >= 2) throw new PartError("offline", 0, false);
      return etagOf(u, b, p);
    };
    await expect(uploadVideoFile({ api: first.api, videoId: "vid1", file: file(), put: dies, })).rejects.toThrow("offline");
    expect(Object.keys(findPending(fingerprint(file()))!.parts)).toEqual(["1"]);

    const second = backend([{ part_number: 1, etag: '"p1"', size: 4 }]);
    const put = vi.fn(etagOf);
    await uploadVideoFile({ api: second.api, videoId: "vid1", file: file(), put });
    expect(put.mock.calls.map((c) => c[0].split("?")[0])).toEqual(["https://store/p2", "https://store/p3"]);
    expect(second.calls.find((c) => c.path.endsWith("/complete"))!.body.parts).toHaveLength(3);
  });
});

describe("attempt upload", () => {
  it("creates the attempt, uploads and completes", async () => {
    const { api, calls } = backend();
    const opened = vi.fn();
    const out = await uploadAttemptFile({ api, referenceId: "ref1", file: file(), put: etagOf, onOpened: opened });
    expect(out).toMatchObject({ id: "att1" });
    expect(opened).toHaveBeenCalledWith("att1");
    expect(calls.find((c) => c.path.endsWith("/att1/complete"))!.body.parts).toHaveLength(3);
  });

  it("resumes the same attempt after a reload instead of creating another", async () => {
    const first = backend();
    let n = 0;
    await expect(
      uploadAttemptFile({ api: first.api, referenceId: "ref1", file: file(), put: async (u, b, p) => { if (++n >= 3) throw new PartError("x", 0, false); return etagOf(u, b, p); } }),
    ).rejects.toThrow();
    const second = backend([{ part_number: 1, etag: '"p1"', size: 4 }, { part_number: 2, etag: '"p2"', size: 4 }]);
    const put = vi.fn(etagOf);
    await uploadAttemptFile({ api: second.api, referenceId: "ref1", file: file(), put });
    expect(second.calls.some((c) => c.path.endsWith("/ref1/attempts"))).toBe(false);
    expect(put).toHaveBeenCalledOnce();
  });
});
