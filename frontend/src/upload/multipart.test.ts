import { describe, expect, it, vi } from "vitest";
import { PartError, partCount, partRange, uploadParts, type PutPart } from "./multipart";
import { completedMap, dropPending, findPending, fingerprint, listPending, markPart, savePending } from "./resumeStore";

const file = (bytes: number) => new Blob([new Uint8Array(bytes)]);
const signer = () => {
  let round = 0;
  const sign = vi.fn(async (ns: number[]) => {
    round++;
    return ns.map((n) => ({ part_number: n, url: `https://s3/part${n}?r=${round}` }));
  });
  return { sign };
};
const noSleep = vi.fn(async () => {});

describe("multipart math", () => {
  it("splits a file into parts", () => {
    expect(partCount(10, 4)).toBe(3);
    expect(partCount(0, 4)).toBe(1);
    expect(partRange(3, 10, 4)).toEqual([8, 10]);
  });
});

describe("uploadParts", () => {
  it("uploads every part and reports byte progress up to 100%", async () => {
    const target = signer();
    const put: PutPart = async (url, body, onProgress) => {
      onProgress(body.size / 2);
      onProgress(body.size);
      return `"etag-${url.match(/part(\d+)/)![1]}"`;
    };
    const progress: number[] = [];
    const parts = await uploadParts({ file: file(10), partSize: 4, target, put, sleep: noSleep, onProgress: (b) => progress.push(b) });
    expect(parts).toEqual([
      { part_number: 1, etag: '"etag-1"' },
      { part_number: 2, etag: '"etag-2"' },
      { part_number: 3, etag: '"etag-3"' },
    ]);
    expect(progress[0]).toBe(0);
    expect(progress.at(-1)).toBe(10);
    expect([...progress].every((p) => p <= 10)).toBe(true);
  });

  it("retries a failed part with a freshly signed URL, with backoff", async () => {
    const target = signer();
    const seen: string[] = [];
    let failures = 2;
    const put: PutPart = async (url) => {
      seen.push(url);
      if (url.includes("part2") && failures-- > 0) throw new PartError("boom", 503, true);
      return "e";
    };
    const sleep = vi.fn(async (_ms: number) => {});
    const done = vi.fn();
    await uploadParts({ file: file(12), partSize: 4, target, put, sleep, backoffMs: (a) => a * 100, concurrency: 1, onPartDone: done });
    const p2 = seen.filter((u) => u.includes("part2"));
    expect(p2).toHaveLength(3);
    expect(new Set(p2).size).toBe(3); // each retry uses a new signature
    expect(sleep.mock.calls.map((c) => c[0])).toEqual([100, 200]);
    expect(done).toHaveBeenCalledTimes(3);
  });

  it("gives up after maxAttempts and does not retry non-retryable errors", async () => {
    const put1: PutPart = async () => {
      throw new PartError("down", 500, true);
    };
    await expect(uploadParts({ file: file(4), partSize: 4, target: signer(), put: put1, sleep: noSleep, maxAttempts: 3 })).rejects.toThrow("down");
    const put2 = vi.fn<PutPart>(async () => {
      throw new PartError("bad request", 400, false);
    });
    await expect(uploadParts({ file: file(4), partSize: 4, target: signer(), put: put2, sleep: noSleep })).rejects.toThrow("bad request");
    expect(put2).toHaveBeenCalledOnce();
  });

  it("resumes: skips completed parts and counts their bytes", async () => {
    const target = signer();
    const put = vi.fn<PutPart>(async () => "new");
    const progress: number[] = [];
    const parts = await uploadParts({
      file: file(10), partSize: 4, target, put, sleep: noSleep,
      completed: new Map([[1, "old1"], [3, "old3"]]),
      onProgress: (b) => progress.push(b),
    });
    expect(put).toHaveBeenCalledOnce();
    expect(target.sign).toHaveBeenCalledWith([2]);
    expect(progress[0]).toBe(6);
    expect(parts.map((p) => p.etag)).toEqual(["old1", "new", "old3"]);
  });

  it("signs URLs in batches", async () => {
    const target = signer();
    await uploadParts({ file: file(40), partSize: 4, target, put: async () => "e", sleep: noSleep, signBatch: 5, concurrency: 1 });
    expect(target.sign).toHaveBeenCalledTimes(2);
    expect(target.sign.mock.calls[0][0]).toEqual([1, 2, 3, 4, 5]);
  });

  it("stops on abort", async () => {
    const ctl = new AbortController();
    const put: PutPart = async () => {
      ctl.abort();
      throw new DOMException("aborted", "AbortError");
    };
    await expect(uploadParts({ file: file(8), partSize: 4, target: signer(), put, sleep: noSleep, signal: ctl.signal })).rejects.toMatchObject({ name: "AbortError" });
  });
});

describe("resume store", () => {
  it("remembers the upload id and completed parts per file", () => {
    const fp = fingerprint({ name: "kata.mp4", size: 100, lastModified: 1 });
    savePending({ fingerprint: fp, resourceId: "vid1", uploadId: "up1", fileName: "kata.mp4", size: 100, partSize: 50, parts: {}, startedAt: Date.now() });
    markPart(fp, 1, '"e1"');
    const p = findPending(fp)!;
    expect(p.uploadId).toBe("up1");
    expect(completedMap(p)).toEqual(new Map([[1, '"e1"']]));
    expect(listPending()).toHaveLength(1);
    dropPending(fp);
    expect(findPending(fp)).toBeNull();
  });
});
