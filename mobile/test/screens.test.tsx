import { forwardRef, useImperativeHandle } from "react";
import { act, fireEvent, screen, waitFor } from "@testing-library/react-native";
import { mockParams, mockRouter, renderScreen, signIn, unlabelledControls } from "./setup";
import { FakePlatform, clipFile, fakeDevice, type CoachSourceOut } from "./fakePlatform";
import type { CameraPreviewProps, RecorderHandle } from "../src/device/types";
import { applyToken, type CoachClient } from "../src/lib/coach";
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
  const sources: CoachSourceOut[] = [
    { ref: "video:v1", kind: "video", title: "Front kick basics", url: "http://web.test/videos/v1", start_s: 12.4 },
    { ref: "pose_report:att-9", kind: "pose_report", title: "Your mae geri", url: "http://web.test/attempts/att-9", start_s: null },
    { ref: "knowledge:k1", kind: "knowledge", title: "Chambering", url: "http://web.test/knowledge/k1", start_s: null },
  ];

  async function signedIn(overrides = {}) {
    const platform = new FakePlatform();
    const voice = { requestPermissions: jest.fn(async () => true), start: jest.fn(async () => undefined), stop: jest.fn(async () => ({ ...clipFile(3), mimeType: "audio/m4a" })) };
    const browser = { open: jest.fn(async () => undefined), openAuth: jest.fn(async () => ({ type: "closed" as const })), dismiss: jest.fn() };
    const device = fakeDevice(platform, { useVoice: () => voice, browser, ...overrides });
    await signIn(platform, device);
    return { platform, voice, browser, device };
  }

  async function holdAndRelease() {
    const mic = await screen.findByRole("button", { name: "Hold to speak" });
    await act(async () => fireEvent(mic, "pressIn"));
    await act(async () => fireEvent(mic, "pressOut"));
  }

  async function ask(text: string) {
    fireEvent.changeText(await screen.findByLabelText("Your question"), text);
    fireEvent.press(screen.getByRole("button", { name: "Send" }));
  }

  it("press and hold sends the recording to /coach/transcribe, previews the text, then streams the reply with its sources", async () => {
    const { platform, voice, browser, device } = await signedIn();
    platform.coachScripts.push({ chunks: ["Keep your ", "knee up ", "🥋 [1][2][3]"], sources });
    renderScreen(<Coach />, platform, { device });
    const mic = await screen.findByRole("button", { name: "Hold to speak" });
    await act(async () => fireEvent(mic, "pressIn"));
    expect(voice.start).toHaveBeenCalled();
    await act(async () => fireEvent(mic, "pressOut"));
    expect(await screen.findByDisplayValue("How high should my knee be?")).toBeTruthy();
    expect(platform.audioReceived).toEqual([{ type: "audio/m4a", size: 3 }]);
    expect(screen.getByText(/Check the transcript/)).toBeTruthy();
    fireEvent.press(screen.getByRole("button", { name: "Send" }));
    expect(await screen.findByText("Coach: Keep your knee up 🥋 [1][2][3]")).toBeTruthy();
    expect(screen.getByText("You: How high should my knee be?")).toBeTruthy();
    fireEvent.press(screen.getByRole("link", { name: "Source [1] Front kick basics (0:12)" }));
    expect(mockRouter.push).toHaveBeenLastCalledWith("/videos/v1?t=12");
    fireEvent.press(screen.getByRole("link", { name: "Source [2] Your mae geri" }));
    expect(mockRouter.push).toHaveBeenLastCalledWith("/attempts/att-9");
    fireEvent.press(screen.getByRole("link", { name: "Source [3] Chambering" }));
    expect(browser.open).toHaveBeenCalledWith("http://web.test/knowledge/k1");
  });

  it("a stream dropped mid-reply reconnects; the text the server resends at offset 0 is not doubled", async () => {
    const { platform, device } = await signedIn();
    platform.coachScripts.push({ chunks: ["Keep your ", "knee up", " [1]"], sources: sources.slice(0, 1) });
    platform.dropStreamAfter.push(2);
    renderScreen(<Coach />, platform, { device });
    await ask("How high?");
    expect(await screen.findByText("Coach: Keep your knee up [1]")).toBeTruthy();
    expect(platform.streamsOpened).toBe(2);
    expect(screen.queryByText(/knee upKeep/)).toBeNull();
    expect(screen.getByRole("link", { name: "Source [1] Front kick basics (0:12)" })).toBeTruthy();
  });

  it("the event stream goes through the device's streaming fetch (expo/fetch on phones), with the bearer token", async () => {
    const { platform, device } = await signedIn();
    platform.coachScripts.push({ chunks: ["Hips ", "square."], sources: [] });
    const seen: string[] = [];
    const streamFetch = async (req: Request) => {
      seen.push(`${new URL(req.url).pathname} ${req.headers.get("Authorization")?.slice(0, 11)}`);
      return platform.fetch(req);
    };
    renderScreen(<Coach />, platform, { device, coachOptions: { sleep: async () => undefined, streamFetch } });
    await ask("Stance?");
    expect(await screen.findByText("Coach: Hips square.")).toBeTruthy();
    expect(seen).toEqual([expect.stringMatching(/^\/api\/v1\/coach\/conversations\/conv-\d+\/events Bearer acc-$/)]);
  });

  it("a transcript that is not ready at once (202) arrives as a transcript event", async () => {
    const { platform, device } = await signedIn();
    platform.transcribeLater = true;
    platform.heard = "Is my guard too low?";
    renderScreen(<Coach />, platform, { device });
    await holdAndRelease();
    expect(await screen.findByDisplayValue("Is my guard too low?")).toBeTruthy();
    expect(platform.streamsOpened).toBe(1);
  });

  it("where fetch has no streamed body, a transcript that is not ready at once is polled by id", async () => {
    const { platform, device } = await signedIn();
    platform.noStreamingBody = true;
    platform.transcribeLater = true;
    platform.heard = "Is my stance too wide?";
    renderScreen(<Coach />, platform, { device });
    await holdAndRelease();
    expect(await screen.findByDisplayValue("Is my stance too wide?")).toBeTruthy();
  });

  it("where fetch has no streamed body (React Native's own fetch) the reply is polled from the messages", async () => {
    const { platform, device } = await signedIn();
    platform.noStreamingBody = true;
    platform.coachScripts.push({ chunks: ["Chamber ", "first."], sources: sources.slice(1, 2) });
    renderScreen(<Coach />, platform, { device });
    await ask("How do I kick?");
    expect(await screen.findByText("Coach: Chamber first.")).toBeTruthy();
    expect(screen.getByRole("link", { name: "Source [1] Your mae geri" })).toBeTruthy();
  });

  it("a reply that failed for good shows the API's message", async () => {
    const { platform, device } = await signedIn();
    platform.coachScripts.push({ chunks: [], sources: [], status: "failed", error: { code: "provider_failed", message: "The coach could not answer. Try again later." } });
    renderScreen(<Coach />, platform, { device });
    await ask("Hello");
    expect(await screen.findByText("The coach could not answer. Try again later.")).toBeTruthy();
  });

  it("shows the API's message for an unverified account (403) and a spent budget (429)", async () => {
    const { platform, device } = await signedIn();
    platform.user = { ...platform.user, email_verified: false };
    renderScreen(<Coach />, platform, { device });
    await ask("Hello");
    expect(await screen.findByText("Verify your email address to use the coach.")).toBeTruthy();
    platform.user = { ...platform.user, email_verified: true };
    platform.coachBudgetSpent = true;
    await ask("Hello again");
    expect(await screen.findByText("Your coach budget for this month is spent; it renews on 1 February.")).toBeTruthy();
  });

  it("a cited video moment carries through the video page to the player (?t=)", async () => {
    const platform = new FakePlatform();
    platform.videos = { items: [kickVideo()], next_cursor: null };
    platform.entitled.add("v1");
    const device = fakeDevice(platform);
    await signIn(platform, device);
    mockParams.current = { id: "v1", t: "12" };
    renderScreen(<VideoPage />, platform, { device });
    fireEvent.press(await screen.findByRole("button", { name: "Watch now" }));
    expect(mockRouter.push).toHaveBeenLastCalledWith("/play/v1?t=12");
  });

  it("a scripted coach (another CoachClient) drives the same screen: the partial reply shows while it streams", async () => {
    const platform = new FakePlatform();
    let finish: () => void = () => undefined;
    const coach: CoachClient = {
      transcribe: jest.fn(async () => ""),
      reply: jest.fn(async (q, onUpdate) => {
        onUpdate({ messageId: "m", text: "About", status: "streaming", sources: [], error: null });
        await new Promise<void>((r) => (finish = r));
        return { messageId: "m", text: `About hip height (${q}).`, status: "done" as const, sources: [], error: null };
      }),
    };
    renderScreen(<Coach />, platform, { coach });
    await ask("knee");
    expect(await screen.findByText("Coach: About")).toBeTruthy();
    await act(async () => finish());
    expect(await screen.findByText("Coach: About hip height (knee).")).toBeTruthy();
  });
});

describe("coach reply text", () => {
  it("keeps text[:offset] + piece with offsets in code points, as the server counts them", () => {
    expect(applyToken("🥋 kick", 2, "punch")).toBe("🥋 punch");
    expect(applyToken("Keep your knee", 0, "Keep your knee up")).toBe("Keep your knee up");
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
        open: jest.fn(async () => undefined),
        openAuth: jest.fn((url: string) => {
          opened = url;
          return new Promise<{ type: "closed" }>((r) => (release = () => r({ type: "closed" })));
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
