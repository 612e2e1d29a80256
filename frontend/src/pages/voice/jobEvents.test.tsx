import { describe, expect, it, vi } from "vitest";
import { act, renderHook } from "@testing-library/react";
import type { Api } from "../../api/client";

type Handler = (e: { event: string; data: string }) => void;
const streams: Handler[] = [];
vi.mock("../../lib/sse", () => ({
  openEventStream: ({ onEvent }: { onEvent: Handler }) => {
    streams.push(onEvent);
    return () => {};
  },
}));

const { useJobEvents } = await import("./voice");

describe("useJobEvents", () => {
  it("forgets the last job's end state when the job is no longer followed, so a new run starts clean", () => {
    const api = { raw: vi.fn() } as unknown as Api;
    const onEnd = vi.fn();
    const path = "/api/v1/voice/dubs/d1/events";
    const { result, rerender } = renderHook(({ p }: { p: string | null }) => useJobEvents(api, p, onEnd), { initialProps: { p: path as string | null } });
    act(() => streams[0]({ event: "end", data: JSON.stringify({ status: "ready", percent: 100, stage: "done", failure_reason: null }) }));
    expect(result.current?.status).toBe("ready");
    expect(onEnd).toHaveBeenCalledTimes(1);
    // The reloaded row is ready: nothing to follow, and the old "ready" must not outlive it (a
    // second run of the same dub, e.g. a segment spoken again, would otherwise show "ready" and
    // offer Publish before its own events arrive).
    rerender({ p: null });
    expect(result.current).toBeNull();
  });
});
