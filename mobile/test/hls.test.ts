import { parseMaster } from "../src/lib/hls";

const MASTER = [
  "#EXTM3U",
  "#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360",
  "360p/index.m3u8",
  "#EXT-X-STREAM-INF:BANDWIDTH=2800000,RESOLUTION=1280x720",
  "720p/index.m3u8",
].join("\n");

describe("HLS quality choice", () => {
  it("lists the variants of a master playlist, best first, resolved against its URL", () => {
    const v = parseMaster(MASTER, "https://cdn.test/media/t/tok/v1/hls/master.m3u8");
    expect(v.map((x) => x.height)).toEqual([720, 360]);
    expect(v[0].url).toBe("https://cdn.test/media/t/tok/v1/hls/720p/index.m3u8");
  });

  it("keeps a query-string signature for the variants", () => {
    const v = parseMaster(MASTER, "https://cdn.test/v1/master.m3u8?Signature=abc&Expires=9");
    expect(v[1].url).toBe("https://cdn.test/v1/360p/index.m3u8?Signature=abc&Expires=9");
  });

  it("a media playlist (no variants) offers no choice", () => {
    expect(parseMaster("#EXTM3U\n#EXTINF:4,\nseg0.ts\n", "https://cdn.test/a.m3u8")).toEqual([]);
  });
});
