import { forwardRef, useImperativeHandle } from "react";
import { act, fireEvent, screen, waitFor } from "@testing-library/react-native";
import { mockParams, mockRouter, renderScreen, signIn, unlabelledControls } from "./setup";
import { FakePlatform, clipFile, fakeDevice } from "./fakePlatform";
import type { CameraPreviewProps, RecorderHandle } from "../src/device/types";
import type { CoachClient } from "../src/lib/coach";
import Login from "../src/app/login";
import Practice from "../src/app/practice/[referenceId]";
import Coach from "../src/app/coach";
import Catalog from "../src/app/catalog";
import Settings from "../src/app/settings";
import VideoPage from "../src/app/videos/[id]";
import type { VideoCard } from "@mamc/shared/api/types";

function kickVideo(): VideoCard {
  return { id: "v1", owner_id: "i1", instructor_name: "Sensei", title: "Front kick basics", description: "", discipline: "karate", style: null, level: "beginner", tags: [], language: "en", price_cents: 999, rental_price_cents: null, rental_hours: null, currency: "EUR", subscription_included: false, is_free: false, status: "published", duration_s: 60, width: 1280, height: 720, renditions: [], has_trailer: false, poster_url: null, published_at: null, created_at: "2026-01-01T00:00:00Z", updated_at: "2026-01-01T00:00:00Z" };
}

/** A camera that "records" a 12-byte clip when asked (3 parts of 5, 5, 2 bytes). */
function fakeCamera() {
  const Preview = forwardRef<RecorderHandle, CameraPreviewProps>(function Preview(_props, ref) {
    useImperativeHandle(ref, () => ({ record: async () => clipFile(12), stop: () => undefined }));
    return null;
  });
  return { requestPermissions: async () => true, Preview };
}

describe("log in", () => {
  it("shows the API's error message, then signs in", async () => {
    const platform = new FakePlatform();
    renderScreen(<Login />, platform);
    fireEvent.changeText(screen.getByLabelText("Email"), platform.user.email);
    fireEvent.changeText(screen.getByLabelText("Password"), "wrong password 1");
    fireEvent.press(screen.getByRole("button", { name: "Log in" }));
    expect(await screen.findByText("Wrong email or password.")).toBeTruthy();
    fireEvent.changeText(screen.getByLabelText("Password"), platform.password);
    fireEvent.press(screen.getByRole("button", { name: "Log in" }));
    await waitFor(() => expect(mockRouter.replace).toHaveBeenCalledWith("/"));
  });
});

describe("record an attempt with the camera", () => {
  it("shows the framing guide and front-view hint, records, uploads in parts and opens the report", async () => {
    const platform = new FakePlatform();
    const device = fakeDevice(platform, { camera: fakeCamera() });
    await signIn(platform, device);
    mockParams.current = { referenceId: "ref1" };
    renderScreen(<Practice />, platform, { device });
    expect(await screen.findByLabelText("Framing guide")).toBeTruthy();
    expect(screen.getByText(/face it \(front view\)/)).toBeTruthy();
    fireEvent.press(screen.getByRole("button", { name: "Start recording" }));
    expect(await screen.findByText("Attempt recorded.")).toBeTruthy();
    fireEvent.press(screen.getByRole("button", { name: "Upload and analyse" }));
    await waitFor(() => expect(mockRouter.replace).toHaveBeenCalledWith(expect.stringMatching(/^\/attempts\/att-/)));
    expect(platform.puts).toEqual([1, 2, 3]);
    const [row] = [...platform.attempts.values()];
    expect(row.completed).toHaveLength(3);
    expect(row.attempt.size_bytes).toBe(12);
  });

  it("when the network drops mid-upload, says so and resumes from the parts the server has", async () => {
    const platform = new FakePlatform();
    const device = fakeDevice(platform, { camera: fakeCamera() });
    await signIn(platform, device);
    platform.dropParts.add(2);
    mockParams.current = { referenceId: "ref1" };
    renderScreen(<Practice />, platform, { device });
    fireEvent.press(await screen.findByRole("button", { name: "Start recording" }));
    fireEvent.press(await screen.findByRole("button", { name: "Upload and analyse" }));
    expect(await screen.findByText("Network error: cannot reach the server.")).toBeTruthy();
    expect(screen.getByLabelText("Upload progress")).toBeTruthy();
    expect(platform.puts).toEqual([1]);
    fireEvent.press(screen.getByRole("button", { name: "Resume upload" }));
    await waitFor(() => expect(mockRouter.replace).toHaveBeenCalled());
    expect(platform.puts).toEqual([1, 2, 3]);
  });

  it("explains when the camera is not allowed", async () => {
    const platform = new FakePlatform();
    const device = fakeDevice(platform, { camera: { ...fakeCamera(), requestPermissions: async () => false } });
    mockParams.current = { referenceId: "ref1" };
    renderScreen(<Practice />, platform, { device });
    expect(await screen.findByText(/Camera and microphone access are needed/)).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Start recording" })).toBeNull();
  });
});

describe("coach chat", () => {
  it("press and hold records a question, previews the transcript, sends it and shows the answer", async () => {
    const platform = new FakePlatform();
    const voice = { requestPermissions: jest.fn(async () => true), start: jest.fn(async () => undefined), stop: jest.fn(async () => ({ ...clipFile(3), mimeType: "audio/m4a" })) };
    const device = fakeDevice(platform, { useVoice: () => voice });
    const coach: CoachClient = {
      transcribe: jest.fn(async () => "How high should my knee be?"),
      reply: jest.fn(async (h) => `About hip height (${h.length} message).`),
    };
    renderScreen(<Coach />, platform, { device, coach });
    const mic = screen.getByRole("button", { name: "Hold to speak" });
    await act(async () => fireEvent(mic, "pressIn"));
    expect(voice.start).toHaveBeenCalled();
    await act(async () => fireEvent(mic, "pressOut"));
    expect(await screen.findByDisplayValue("How high should my knee be?")).toBeTruthy();
    expect(screen.getByText(/Check the transcript/)).toBeTruthy();
    fireEvent.press(screen.getByRole("button", { name: "Send" }));
    expect(await screen.findByText("Coach: About hip height (1 message).")).toBeTruthy();
    expect(screen.getByText("You: How high should my knee be?")).toBeTruthy();
  });

  it("without a coach service it says the coach is not available, in the user's language", async () => {
    const platform = new FakePlatform();
    renderScreen(<Coach />, platform);
    fireEvent.changeText(screen.getByLabelText("Your question"), "Hello");
    fireEvent.press(screen.getByRole("button", { name: "Send" }));
    expect(await screen.findByText("The coach is not available yet.")).toBeTruthy();
  });
});

describe("offline catalog", () => {
  it("shows the cached catalog with an offline notice when the network is gone", async () => {
    const platform = new FakePlatform();
    platform.videos = { items: [kickVideo()], next_cursor: null };
    const device = fakeDevice(platform);
    const first = renderScreen(<Catalog />, platform, { device });
    expect(await screen.findByText("Front kick basics")).toBeTruthy();
    expect(screen.queryByText(/You are offline/)).toBeNull();
    first.unmount();
    platform.offline = true;
    renderScreen(<Catalog />, platform, { device });
    expect(await screen.findByText(/You are offline/)).toBeTruthy();
    expect(screen.getByText("Front kick basics")).toBeTruthy();
  });

  it("with nothing cached, shows the network error", async () => {
    const platform = new FakePlatform();
    platform.offline = true;
    renderScreen(<Catalog />, platform);
    expect(await screen.findByText("Network error: cannot reach the server.")).toBeTruthy();
  });
});

describe("settings", () => {
  it("switches the language live and keeps the choice", async () => {
    const platform = new FakePlatform();
    const { device } = renderScreen(<Settings />, platform);
    fireEvent.press(await screen.findByRole("button", { name: "Italiano" }));
    expect(await screen.findByText("Tema")).toBeTruthy();
    expect(await device.storage.get("mamc.lang")).toBe("it");
    fireEvent.press(screen.getByRole("button", { name: "Scuro" }));
    expect(await device.storage.get("mamc.theme")).toBe("dark");
  });
});

describe("accessibility", () => {
  it.each([
    ["login", () => <Login />],
    ["coach", () => <Coach />],
    ["settings", () => <Settings />],
  ])("every control on %s has an accessibility label", async (_name, make) => {
    const platform = new FakePlatform();
    const r = renderScreen(make(), platform);
    await screen.findAllByRole("button");
    const { checked, missing } = unlabelledControls(r.UNSAFE_root);
    expect(checked).toBeGreaterThan(1);
    expect(missing).toEqual([]);
  });
});

describe("purchase through the web checkout", () => {
  it("opens the checkout in the in-app browser, polls the purchase, closes the browser once paid and unlocks the video", async () => {
    jest.useFakeTimers({ doNotFake: ["nextTick", "setImmediate", "queueMicrotask"] });
    try {
      const platform = new FakePlatform();
      platform.videos = { items: [kickVideo()], next_cursor: null };
      let opened = "";
      let closed = false;
      let release: () => void = () => undefined;
      const browser = {
        open: jest.fn((url: string) => {
          opened = url;
          return new Promise<void>((r) => (release = r));
        }),
        dismiss: jest.fn(() => {
          closed = true;
          release();
        }),
      };
      const device = fakeDevice(platform, { browser });
      await signIn(platform, device);
      mockParams.current = { id: "v1" };
      renderScreen(<VideoPage />, platform, { device });
      fireEvent.press(await screen.findByRole("button", { name: /^Buy for/ }));
      await waitFor(() => expect(opened).toMatch(/\/sandbox\/checkout\/cs-/));
      await act(async () => void jest.advanceTimersByTime(2500));
      expect(closed).toBe(false); // still pending: keep polling
      platform.payCheckout(opened);
      await act(async () => void jest.advanceTimersByTime(2500));
      await waitFor(() => expect(closed).toBe(true));
      expect(await screen.findByText("Payment confirmed. Enjoy your training!")).toBeTruthy();
      expect(await screen.findByRole("button", { name: "Watch now" })).toBeTruthy();
      expect(await device.storage.get("mamc.notifications")).toContain("library.confirmed");
    } finally {
      jest.useRealTimers();
    }
  });
});
