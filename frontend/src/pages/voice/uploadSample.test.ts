import { describe, expect, it, vi } from "vitest";
import { createApi } from "../../api/client";
import { createTokenStore } from "../../api/tokens";
import { PartError, type PutPart } from "../../upload/multipart";
import { uploadSample } from "./voice";

const json = (status: number, body?: unknown) => new Response(JSON.stringify(body ?? {}), { status, headers: { "Content-Type": "application/json" } });
const url = (n: number, r: number) => ({ part_number: n, url: `https://store/p${n}?r=${r}` });
const SAMPLE = { id: "s1", filename: "take.webm", content_type: "audio/webm", size_bytes: 8, uploaded_at: null };
const BASE = "/api/v1/voice/profiles/p1/samples";

function backend() {
  const calls: { method: string; path: string; body?: any }[] = [];
  const fetch = vi.fn(async (req: Request) => {
    const p = new URL(req.url).pathname;
    const body = req.method === "GET" ? undefined : JSON.parse((await req.text()) || "null");
    calls.push({ method: req.method, path: p, body });
    const upload = (parts: { part_number: number; url: string }[], stored: unknown[]) =>
      ({ part_size: 4, part_count: 2, parts, uploaded_parts: stored, expires_at: null });
    if (p === BASE && req.method === "POST") return json(201, { sample: SAMPLE, upload: upload([url(1, 0), url(2, 0)], []) });
    if (p === `${BASE}/s1/upload`) return json(200, { sample: SAMPLE, upload: upload([url(2, 1)], [{ part_number: 1, etag: '"p1"', size: 4 }]) });
    if (p === `${BASE}/s1/complete`) return json(200, { ...SAMPLE, uploaded_at: "2026-11-30T00:00:00Z" });
    return json(404);
  });
  const tokens = createTokenStore(null);
  tokens.set({ access_token: "a" });
  return { api: createApi({ baseUrl: "http://t", fetch, tokens }), calls };
}

describe("voice sample upload", () => {
  it("retries a part whose URL failed with a fresh one from the resume endpoint", async () => {
    const { api, calls } = backend();
    const urls: string[] = [];
    const put: PutPart = async (u) => {
      urls.push(u);
      if (u === "https://store/p2?r=0") throw new PartError("expired", 403, true);
      return `"${u.match(/p(\d)/)![0]}"`;
    };
    const done = await uploadSample(api, "p1", new Blob([new Uint8Array(8)], { type: "audio/webm" }), "take.webm", undefined, put);
    expect(done.uploaded_at).not.toBeNull();
    expect(urls).toContain("https://store/p2?r=1");
    expect(calls.filter((c) => c.path === `${BASE}/s1/upload`)).toHaveLength(1);
    expect(calls.find((c) => c.path.endsWith("/complete"))!.body.parts).toEqual([
      { part_number: 1, etag: '"p1"' }, { part_number: 2, etag: '"p2"' },
    ]);
  });
});
