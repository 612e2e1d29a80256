import { describe, expect, it, vi } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { json, makeUser, renderApp } from "../../test/render";

const TOKENS = { access_token: "a", refresh_token: "r" };
const instructor = makeUser({ id: "i1", role: "instructor", display_name: "Ito" });
const ref = (over: Record<string, unknown> = {}) => ({
  id: "ref1", instructor_id: "i1", video_id: "v1", name: "Mae geri", t_start: 12, t_end: 15.5, joints: [], technique: "kick",
  status: "running", progress: 10, stage: "extracting", failure_reason: null, created_at: "2024-06-01T00:00:00Z", finished_at: null, ...over,
});

function sse(events: string[]) {
  const enc = new TextEncoder();
  return new Response(new ReadableStream({ start(c) { for (const e of events) c.enqueue(enc.encode(e)); c.close(); } }), { status: 200, headers: { "Content-Type": "text/event-stream" } });
}

describe("references list", () => {
  it("a pending reference turns ready live, without a reload (Italian phase words)", async () => {
    renderApp(
      "/studio/references",
      (_r, url) => {
        if (url.pathname === "/api/v1/me") return json(200, instructor);
        if (url.pathname === "/api/v1/studio/references") return json(200, { items: [ref()], next_cursor: null });
        if (url.pathname === "/api/v1/studio/references/ref1/events")
          return sse([
            'event: progress\ndata: {"status": "running", "percent": 60, "stage": "extracting", "failure_reason": null}\n\n',
            'event: end\ndata: {"status": "ready", "percent": 100, "stage": "done", "failure_reason": null}\n\n',
          ]);
        if (url.pathname === "/api/v1/studio/references/ref1") return json(200, ref({ status: "ready", progress: 100, stage: "done" }));
      },
      { tokens: TOKENS, lang: "it" },
    );
    const row = (await screen.findByText("Mae geri")).closest("tr")!;
    await waitFor(() => expect(within(row).getByText("Pronto")).toBeInTheDocument());
    expect(row).not.toHaveTextContent("extracting");
  });

  it("previews, renames and deletes a reference", async () => {
    vi.spyOn(window, "confirm").mockReturnValue(true);
    const { calls } = renderApp(
      "/studio/references",
      (req, url) => {
        if (url.pathname === "/api/v1/me") return json(200, instructor);
        if (url.pathname === "/api/v1/studio/references") return json(200, { items: [ref({ status: "ready", progress: 100, stage: "done" })], next_cursor: null });
        if (url.pathname === "/api/v1/studio/references/ref1" && req.method === "PATCH") return json(200, ref({ status: "ready", name: "Yoko geri" }));
        if (url.pathname === "/api/v1/studio/references/ref1" && req.method === "DELETE") return new Response(null, { status: 204 });
      },
      { tokens: TOKENS },
    );
    expect(await screen.findByRole("link", { name: "Preview" })).toHaveAttribute("href", "/videos/v1?t=12");
    await userEvent.click(screen.getByRole("button", { name: "Rename" }));
    const input = screen.getByLabelText("New name");
    await userEvent.clear(input);
    await userEvent.type(input, "Yoko geri");
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByText("Yoko geri")).toBeInTheDocument();
    expect(calls.find((c) => c.method === "PATCH")!.body).toEqual({ name: "Yoko geri" });
    await userEvent.click(screen.getByRole("button", { name: "Delete" }));
    await waitFor(() => expect(screen.queryByText("Yoko geri")).not.toBeInTheDocument());
    expect(calls.some((c) => c.method === "DELETE" && c.path === "/api/v1/studio/references/ref1")).toBe(true);
  });
});
