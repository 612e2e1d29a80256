import { describe, expect, it } from "vitest";
import { createSseParser, type SseEvent } from "./sse";

describe("SSE parser", () => {
  it("parses events split across chunks", () => {
    const out: SseEvent[] = [];
    const p = createSseParser((e) => out.push(e));
    p(": keep-alive\n\nid: 1\nevent: prog");
    p('ress\ndata: {"percent": 40}\n\n');
    p("data: a\ndata: b\r\n\r\n");
    expect(out).toEqual([
      { event: "progress", data: '{"percent": 40}', id: "1" },
      { event: "message", data: "a\nb", id: "1" },
    ]);
  });
});
