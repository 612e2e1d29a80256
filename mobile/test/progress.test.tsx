import { AppState, type AppStateStatus } from "react-native";
import { act, fireEvent, screen, waitFor } from "@testing-library/react-native";
import type { VideoCard } from "@mamc/shared/api/types";
import { mockParams, mockPlayers, mockRouter, renderScreen, signIn, signedInDevice } from "./setup";
import { FakePlatform, fakeDevice } from "./fakePlatform";
import Play from "../src/app/play/[id]";
import Home from "../src/app/index";

function video(id: string, title: string): VideoCard {
  return { id, owner_id: "i1", instructor_name: "Sensei", title, description: "", discipline: "karate", style: null, level: "beginner", tags: [], language: "en", price_cents: 0, rental_price_cents: null, rental_hours: null, currency: "EUR", subscription_included: false, is_free: true, status: "published", duration_s: 600, width: 1280, height: 720, renditions: [], has_trailer: false, poster_url: null, published_at: null, created_at: "2026-01-01T00:00:00Z", updated_at: "2026-01-01T00:00:00Z" };
}

async function openPlayer(platform: FakePlatform) {
  const device = await signedInDevice(platform);
  mockParams.current = { id: "v1" };
  platform.entitled.add("v1");
  const utils = renderScreen(<Play />, platform, { device });
  await waitFor(() => expect(mockPlayers).toHaveLength(1));
  return { ...utils, device, player: mockPlayers[0] };
}

describe("player resume synced with the server", () => {
  it("seeks to the position another device saved before it starts playing", async () => {
    const platform = new FakePlatform();
    platform.setProgress("v1", 125, 600);
    const { player } = await openPlayer(platform);
    expect(await screen.findByText("Resumed at 2:05")).toBeTruthy();
    expect(player.currentTime).toBe(125);
    expect(player.playing).toBe(true);
  });

  it("does not start playing until the server answered, and starts at 0 when the video was finished", async () => {
    const platform = new FakePlatform();
    platform.setProgress("v1", 590, 600);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = platform.fetch;
    platform.fetch = async (input, init) => {
      const req = typeof input === "string" ? new Request(input, init) : input;
      if (req.method === "GET" && req.url.includes("/me/progress/")) await gate;
      return slow(input, init);
    };
    const { player } = await openPlayer(platform);
    await act(async () => undefined);
    expect(player.playing).toBe(false);
    await act(async () => release());
    await waitFor(() => expect(player.playing).toBe(true));
    expect(player.currentTime).toBe(0);
    expect(screen.queryByText(/Resumed at/)).toBeNull();
  });

  it("saves while playing every 15 s of playback, on pause, when the app goes to the background and on leaving", async () => {
    const platform = new FakePlatform();
    // react-native's jest setup makes AppState.addEventListener a mock: its calls hold the listener.
    const spy = AppState.addEventListener as jest.Mock;
    const { player, unmount } = await openPlayer(platform);
    await waitFor(() => expect(player.playing).toBe(true));
    player.duration = 600;
    const at = (s: number) => act(async () => player.emit("timeUpdate", { currentTime: s }));
    await at(5);
    await at(10);
    await at(19);
    await at(21);
    expect(platform.progressPuts.map((p) => p.position_s)).toEqual([5, 21]);
    expect(platform.progressPuts[0].duration_s).toBe(600);

    player.currentTime = 24.6;
    await act(async () => player.pause());
    expect(platform.progressPuts.map((p) => p.position_s)).toEqual([5, 21, 24]);

    player.currentTime = 40;
    const onChange = spy.mock.calls.filter((c) => c[0] === "change").at(-1)![1] as (s: AppStateStatus) => void;
    await act(async () => onChange("background"));
    expect(platform.progressPuts.map((p) => p.position_s)).toEqual([5, 21, 24, 40]);

    player.currentTime = 52;
    unmount();
    await waitFor(() => expect(platform.progressPuts.map((p) => p.position_s)).toEqual([5, 21, 24, 40, 52]));
    expect(platform.progress.get("v1")?.position_s).toBe(52);
  });

  it("on leaving after expo-video released the player, the last position it reported is saved", async () => {
    const platform = new FakePlatform();
    const { player, unmount } = await openPlayer(platform);
    await waitFor(() => expect(player.playing).toBe(true));
    await act(async () => player.emit("timeUpdate", { currentTime: 30 }));
    await act(async () => player.emit("timeUpdate", { currentTime: 38 }));
    Object.defineProperty(player, "currentTime", {
      get: () => {
        throw new Error("NativeSharedObjectNotFoundException");
      },
    });
    unmount();
    await waitFor(() => expect(platform.progressPuts.map((p) => p.position_s)).toEqual([30, 38]));
  });

  it("offline, resumes from the device's copy of the last position", async () => {
    const platform = new FakePlatform();
    const device = fakeDevice(platform);
    await device.storage.set("mamc.resume.v1", "77");
    await signIn(platform, device);
    platform.entitled.add("v1");
    mockParams.current = { id: "v1" };
    const real = platform.fetch;
    platform.fetch = async (input, init) => {
      const req = typeof input === "string" ? new Request(input, init) : input;
      if (req.url.includes("/me/progress/")) throw new TypeError("Network request failed");
      return real(input, init);
    };
    renderScreen(<Play />, platform, { device });
    expect(await screen.findByText("Resumed at 1:17")).toBeTruthy();
    expect(mockPlayers[0].currentTime).toBe(77);
  });
});

describe("continue watching on home", () => {
  it("lists the videos started and not finished, with how far, and opens the player", async () => {
    const platform = new FakePlatform();
    platform.videos = { items: [video("v1", "Front kick basics"), video("v2", "Roundhouse"), video("v3", "Finished kata")], next_cursor: null };
    platform.setProgress("v1", 300, 600);
    platform.setProgress("v3", 599, 600);
    const device = await signedInDevice(platform);
    renderScreen(<Home />, platform, { device });
    expect(await screen.findByText("Continue watching")).toBeTruthy();
    expect(screen.getByLabelText("50% watched")).toBeTruthy();
    expect(screen.queryByRole("button", { name: /^Finished kata\. Resume/ })).toBeNull();
    fireEvent.press(screen.getByRole("button", { name: "Front kick basics. Resume at 5:00" }));
    expect(mockRouter.push).toHaveBeenCalledWith("/play/v1");
  });

  it("is not shown when nothing is in progress", async () => {
    const platform = new FakePlatform();
    const device = await signedInDevice(platform);
    renderScreen(<Home />, platform, { device });
    expect(await screen.findByText("Signed in as Kim")).toBeTruthy();
    expect(screen.queryByText("Continue watching")).toBeNull();
  });
});
