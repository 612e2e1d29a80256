import { describe, expect, it, vi } from "vitest";
import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { json, makeUser, renderApp } from "../../test/render";
import { rangeError } from "./pose";

const TOKENS = { access_token: "a", refresh_token: "r" };
const attempt = (over: Record<string, unknown> = {}) => ({
  id: "att1", reference_id: "ref1", student_id: "u1", filename: "me.mp4", size_bytes: 10, score: null, status: "running", progress: 40, stage: "extracting",
  failure_reason: null, created_at: "2024-06-01T00:00:00Z", uploaded_at: "2024-06-01T00:00:00Z", finished_at: null, ...over,
});
const report = {
  attempt_id: "att1", student_id: "u1", reference: { id: "ref1", name: "Mae geri", instructor_id: "i1", joints: [] },
  score: 72.4, mean_abs_error_deg: 11.2, mirrored: false, notes: [], joints: ["right_knee"],
  phases: [{ name: "chamber", t_start: 0, t_end: 1, attempt_t_start: 0.5, attempt_t_end: 1.5 }],
  feedback: [
    { joint: "right_knee", phase: "chamber", t_start: 1.2, t_end: 1.8, measured_deg: 120, reference_deg: 90, direction: "decrease", message: "Bend the knee more when chambering." },
    { joint: "trunk", phase: "extension", t_start: 3.4, t_end: 4.0, measured_deg: 20, reference_deg: 5, direction: "decrease", message: "Keep your back straight." },
  ],
  overlay_url: "/storage/objects/overlay.mp4?token=x", plots: [{ joint: "right_knee", url: "/storage/objects/knee.png?token=y" }],
  urls_expire_at: "2030-01-01T00:00:00Z", comments: [], finished_at: "2024-06-01T00:00:00Z",
};

describe("pose feedback", () => {
  it("validates reference ranges", () => {
    expect(rangeError(1, 2)).toBeNull();
    expect(rangeError(2, 2)).toBe("pose.badRange");
    expect(rangeError(1, 12, 10)).toBe("pose.badRange");
  });

  it("polls the analysis, then shows score, feedback and plots; clicking feedback seeks the video", async () => {
    let polls = 0;
    renderApp(
      "/attempts/att1",
      (_r, url) => {
        if (url.pathname === "/api/v1/me") return json(200, makeUser());
        if (url.pathname === "/api/v1/studio/attempts/att1") return json(200, ++polls >= 2 ? attempt({ status: "ready", progress: 100, score: 72.4 }) : attempt());
        if (url.pathname === "/api/v1/studio/attempts/att1/report") return json(200, report);
      },
      { tokens: TOKENS },
    );
    expect(await screen.findByText("Analysing your technique…")).toBeInTheDocument();
    expect(await screen.findByText("72 / 100", {}, { timeout: 3000 })).toBeInTheDocument();
    expect(screen.getByRole("img", { name: /Right knee over time/ })).toHaveAttribute("src", report.plots[0].url);
    const video = screen.getByLabelText("Your attempt with the skeleton overlay") as HTMLVideoElement;
    vi.spyOn(video, "play").mockResolvedValue(undefined);
    const item = screen.getByRole("button", { name: /Keep your back straight/ });
    await userEvent.click(item);
    expect(video.currentTime).toBeCloseTo(3.4);
    expect(item).toHaveAttribute("aria-current", "true");
    // Students cannot comment; only the reference's instructor.
    expect(screen.queryByLabelText("Add a comment")).not.toBeInTheDocument();
  });

  it("lets the instructor comment on a report", async () => {
    const { calls } = renderApp(
      "/attempts/att1",
      (req, url) => {
        if (url.pathname === "/api/v1/me") return json(200, makeUser({ id: "i1", role: "instructor" }));
        if (url.pathname === "/api/v1/studio/attempts/att1") return json(200, attempt({ status: "ready", score: 72.4 }));
        if (url.pathname === "/api/v1/studio/attempts/att1/report") return json(200, report);
        if (url.pathname === "/api/v1/studio/attempts/att1/comments" && req.method === "POST")
          return json(201, { id: "c1", author_id: "i1", author_name: "Ito", body: "Good hip.", created_at: "2024-06-02T00:00:00Z" });
      },
      { tokens: TOKENS },
    );
    await userEvent.type(await screen.findByLabelText("Add a comment"), "Good hip.");
    await userEvent.click(screen.getByRole("button", { name: "Send" }));
    expect(await screen.findByText("Good hip.")).toBeInTheDocument();
    expect(calls.find((c) => c.path.endsWith("/comments"))?.body).toEqual({ body: "Good hip." });
  });

  it("instructor marks a reference range on a published video", async () => {
    const { calls, router } = renderApp(
      "/studio/references/new?video=v1",
      (req, url) => {
        if (url.pathname === "/api/v1/me") return json(200, makeUser({ id: "i1", role: "instructor" }));
        if (url.pathname === "/api/v1/videos/mine") return json(200, { items: [{ id: "v1", title: "Kata 1" }], next_cursor: null });
        if (url.pathname === "/api/v1/videos/v1/playback") return json(200, { url: "/media/t/x/master.m3u8", poster_url: null, duration_s: 60 });
        if (url.pathname === "/api/v1/studio/references" && req.method === "POST") return json(201, { id: "ref1" });
        if (url.pathname === "/api/v1/studio/references") return json(200, { items: [], next_cursor: null });
      },
      { tokens: TOKENS },
    );
    await userEvent.type(await screen.findByLabelText("Technique name"), "Mae geri");
    await userEvent.type(screen.getByLabelText("Start (s)"), "5");
    await userEvent.type(screen.getByLabelText("End (s)"), "3");
    expect(screen.getByText("The end must be after the start.")).toBeInTheDocument();
    await userEvent.clear(screen.getByLabelText("End (s)"));
    await userEvent.type(screen.getByLabelText("End (s)"), "7.25");
    await userEvent.click(screen.getByLabelText("Right knee"));
    await userEvent.click(screen.getByRole("button", { name: "Create reference" }));
    await waitFor(() => expect(router.state.location.pathname).toBe("/studio/references"));
    expect(calls.find((c) => c.method === "POST")?.body).toEqual({ video_id: "v1", name: "Mae geri", t_start: 5, t_end: 7.3, joints: ["right_knee"] });
  });
});
