import { describe, expect, it, vi } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { json, makeUser, renderApp } from "../../test/render";
import { rangeError } from "./pose";

const TOKENS = { access_token: "a", refresh_token: "r" };
const attempt = (over: Record<string, unknown> = {}) => ({
  id: "att1", reference_id: "ref1", student_id: "u1", filename: "me.mp4", size_bytes: 10, score: null, status: "running", progress: 40, stage: "extracting",
  failure_reason: null, created_at: "2024-06-01T00:00:00Z", uploaded_at: "2024-06-01T00:00:00Z", finished_at: null, ...over,
});
const cue = (over: Record<string, unknown>) => ({
  joint: "right_knee", phase: "chamber", phase_label: "Chamber", t_start: 1.2, t_end: 1.8, measured_deg: 120, reference_deg: 90,
  deviation_deg: 30, direction: "decrease", reps: [1], rank: 1, message: "Chamber: bend your right knee more (30° too straight)", ...over,
});
const feedback = [
  cue({}),
  cue({ joint: "trunk", phase: "extension", phase_label: "Extension", t_start: 3.4, t_end: 4.0, rank: 2, message: "Extension: keep your trunk more upright (15° too much lean)" }),
  cue({ joint: "right_hip", rank: 3, message: "Chamber: raise your right knee higher (12° short)" }),
  cue({ joint: "left_elbow", phase: "retraction", phase_label: "Retraction", rank: 4, message: "Retraction: bend your left elbow more (10° too straight)" }),
];
const report = {
  attempt_id: "att1", student_id: "u1", reference: { id: "ref1", name: "Mae geri", instructor_id: "i1", joints: [] },
  lang: "en", technique: "kick", technique_label: "Kick",
  score: 72.4, mean_abs_error_deg: 11.2, mirrored: false, rotation_deg: 0, angle_basis: { right_knee: "3d" },
  match: { same_movement: true, confidence: 0.93, reason: "ok", message: "This is the reference movement.", cost: 0.4, coverage: 0.97, duration_ratio: 1.5, motion_ratio: 0.9, visibility: 0.9, person_share: 1 },
  tempo: { ratio: 1.5, code: "slower", message: "You were 1.5× slower than the reference (tempo is not a fault)." },
  warnings: [{ code: "several_people", params: {}, message: "Several people were in view; we followed the person most visible at the start." }],
  top_cues: feedback.slice(0, 3), feedback,
  reps: { reference: 2, attempt: 2, missing: 0, extra: 0, items: [
    { index: 1, t_start: 0.5, t_end: 2.5, score: 61.3, tempo: 1.4, faults: 3 },
    { index: 2, t_start: 3.0, t_end: 5.0, score: 83.6, tempo: 1.6, faults: 1 },
  ] },
  notes: [], joints: ["right_knee"], attempt_window: { t_start: 0.5, t_end: 5.0 },
  phases: [{ name: "chamber", label: "Chamber", t_start: 0, t_end: 1, attempt_t_start: 0.5, attempt_t_end: 1.5 }],
  overlay_url: "/storage/objects/overlay.mp4?token=x", overlay_lang: "en", plots: [{ joint: "right_knee", url: "/storage/objects/knee.png?token=y" }],
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
    const item = screen.getByRole("button", { name: /keep your trunk more upright/ });
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
    // The technique type picker: phase names and cue wording follow it.
    await userEvent.selectOptions(screen.getByLabelText("Technique type"), "kick");
    await userEvent.click(screen.getByRole("button", { name: "Create reference" }));
    await waitFor(() => expect(router.state.location.pathname).toBe("/studio/references"));
    expect(calls.find((c) => c.method === "POST")?.body).toEqual({
      video_id: "v1", name: "Mae geri", t_start: 5, t_end: 7.3, joints: ["right_knee"], technique: "kick",
    });
  });

  it("puts the score and the top three cues first, folds the rest, and shows warnings, match, tempo and reps", async () => {
    const { container } = renderApp(
      "/attempts/att1",
      (_r, url) => {
        if (url.pathname === "/api/v1/me") return json(200, makeUser());
        if (url.pathname === "/api/v1/studio/attempts/att1") return json(200, attempt({ status: "ready", score: 72.4 }));
        if (url.pathname === "/api/v1/studio/attempts/att1/report") return json(200, report);
      },
      { tokens: TOKENS },
    );
    const score = await screen.findByText("72 / 100");
    const cues = screen.getByRole("heading", { name: "What to work on" }).closest("section")!;
    expect(within(cues).getAllByRole("button")).toHaveLength(3);
    // On a phone (one column) the score and the cues come before the video and the charts.
    const video = container.querySelector("video")!;
    expect(score.compareDocumentPosition(video) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(cues.compareDocumentPosition(video) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    const more = screen.getByText("More corrections (1)").closest("details")!;
    expect(more).not.toHaveAttribute("open");
    expect(within(more).getByText(/bend your left elbow more/)).toBeInTheDocument();
    expect(screen.getByText(/Several people were in view/)).toBeInTheDocument();
    expect(screen.getByText("This is the reference movement.")).toBeInTheDocument();
    expect(screen.getByText("Confidence: 93%")).toBeInTheDocument();
    expect(screen.getByText(/1.5× slower than the reference/)).toBeInTheDocument();
    const reps = screen.getByRole("heading", { name: "Repetitions" }).closest("section")!;
    expect(within(reps).getAllByRole("row").map((r) => r.textContent)).toEqual(["RepScoreWhen", "1610:01", "2840:03"]);
  });

  it("side-by-side player: slow motion, loop and mirror", async () => {
    renderApp(
      "/attempts/att1",
      (_r, url) => {
        if (url.pathname === "/api/v1/me") return json(200, makeUser());
        if (url.pathname === "/api/v1/studio/attempts/att1") return json(200, attempt({ status: "ready", score: 72.4 }));
        if (url.pathname === "/api/v1/studio/attempts/att1/report") return json(200, report);
      },
      { tokens: TOKENS },
    );
    const video = (await screen.findByLabelText("Your attempt with the skeleton overlay")) as HTMLVideoElement;
    expect(screen.getByRole("heading", { name: "Reference | you" })).toBeInTheDocument();
    await userEvent.selectOptions(screen.getByLabelText("Speed"), "0.25");
    expect(video.playbackRate).toBe(0.25);
    await userEvent.click(screen.getByLabelText("Loop"));
    expect(video.loop).toBe(true);
    await userEvent.click(screen.getByLabelText("Mirror"));
    expect(video.style.transform).toBe("scaleX(-1)");
  });

  it("says clearly when the video is not the movement: no score, no corrections", async () => {
    const notIt = {
      ...report, score: null, tempo: null, top_cues: [], feedback: [],
      match: { ...report.match, same_movement: false, confidence: 0.1, reason: "no_person", message: "We could not see a person in your video: film yourself with your whole body in frame." },
      reps: { ...report.reps, attempt: 0, items: [] },
    };
    renderApp(
      "/attempts/att1",
      (_r, url) => {
        if (url.pathname === "/api/v1/me") return json(200, makeUser());
        if (url.pathname === "/api/v1/studio/attempts/att1") return json(200, attempt({ status: "ready", score: null }));
        if (url.pathname === "/api/v1/studio/attempts/att1/report") return json(200, notIt);
      },
      { tokens: TOKENS },
    );
    expect(await screen.findByText("Not scored")).toBeInTheDocument();
    expect(screen.getByRole("alert")).toHaveTextContent("We could not see a person in your video");
    expect(screen.queryByRole("heading", { name: "What to work on" })).not.toBeInTheDocument();
    expect(screen.queryByText("Great: nothing to correct!")).not.toBeInTheDocument();
  });

  it("asks for the report in the interface's language and shows it in Italian", async () => {
    const italian = {
      ...report, lang: "it", technique_label: "Calcio",
      top_cues: [cue({ phase_label: "Caricamento", message: "Caricamento: piega di più il ginocchio destro (30° troppo disteso)" })],
      feedback: [cue({ phase_label: "Caricamento", message: "Caricamento: piega di più il ginocchio destro (30° troppo disteso)" })],
      tempo: { ...report.tempo, message: "Sei stato 1,5× più lento del riferimento (il ritmo non è un errore)." },
      warnings: [], match: { ...report.match, message: "È il movimento del riferimento." },
      phases: [{ ...report.phases[0], label: "Caricamento" }],
    };
    const { calls } = renderApp(
      "/attempts/att1",
      (_r, url) => {
        if (url.pathname === "/api/v1/me") return json(200, makeUser());
        if (url.pathname === "/api/v1/studio/attempts/att1") return json(200, attempt({ status: "ready", score: 72.4 }));
        if (url.pathname === "/api/v1/studio/attempts/att1/report") return json(200, url.searchParams.get("lang") === "it" ? italian : report);
      },
      { tokens: TOKENS },
    );
    await screen.findByText("72 / 100");
    await userEvent.selectOptions(screen.getByLabelText(/Language/), "it");
    expect(await screen.findByText("Su cosa lavorare")).toBeInTheDocument();
    expect(await screen.findByText(/piega di più il ginocchio destro/)).toBeInTheDocument();
    expect(screen.getByRole("heading", { name: "Punteggio" })).toBeInTheDocument();
    expect(screen.getByText(/più lento del riferimento/)).toBeInTheDocument();
    const phases = screen.getByRole("heading", { name: "Fasi" }).closest("section")!;
    expect(within(phases).getByRole("button", { name: /Caricamento · / })).toBeInTheDocument();
    expect(screen.getByLabelText("Velocità")).toBeInTheDocument();
    expect(calls.filter((c) => c.path.startsWith("/api/v1/studio/attempts/att1/report")).map((c) => c.path)).toEqual([
      "/api/v1/studio/attempts/att1/report?lang=en",
      "/api/v1/studio/attempts/att1/report?lang=it",
    ]);
  });

  it("Italian UI: a server-made failure reason is a code shown from the catalogue; a compute's text is kept", async () => {
    let reason = "processing_failed";
    const { unmount } = renderApp(
      "/attempts/att1",
      (_r, url) => {
        if (url.pathname === "/api/v1/me") return json(200, makeUser());
        if (url.pathname === "/api/v1/studio/attempts/att1") return json(200, attempt({ status: "failed", stage: "failed", failure_reason: reason }));
      },
      { tokens: TOKENS, lang: "it" },
    );
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "Analisi non riuscita: Qualcosa è andato storto da parte nostra durante l'elaborazione di questo video.",
    );
    expect(screen.queryByText(/processing_failed/)).not.toBeInTheDocument();
    unmount();
    reason = "upload abandoned";
    renderApp(
      "/attempts/att1",
      (_r, url) => {
        if (url.pathname === "/api/v1/me") return json(200, makeUser());
        if (url.pathname === "/api/v1/studio/attempts/att1") return json(200, attempt({ status: "failed", stage: "failed", failure_reason: reason }));
      },
      { tokens: TOKENS, lang: "it" },
    );
    expect(await screen.findByRole("alert")).toHaveTextContent("Il caricamento non è stato completato in tempo");
  });
});
