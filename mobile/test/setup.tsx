/** Shared test helpers: expo-router and expo-video replaced by inert stand-ins, and a renderer
 * that wraps a screen in the app's provider with a fake device and the fake platform. */
import type { ReactElement } from "react";
import { configure, render } from "@testing-library/react-native";
import { AppProvider } from "../src/lib/app";
import type { ApiCoachOptions, CoachClient } from "../src/lib/coach";
import type { Device } from "../src/device/types";
import { BASE, FakePlatform, fakeDevice } from "./fakePlatform";

// findBy*/waitFor: a suite's first render on a cold run can take over the default second.
configure({ asyncUtilTimeout: 5000 });

export const mockRouter = { push: jest.fn(), replace: jest.fn(), back: jest.fn() };
export const mockParams: { current: Record<string, string> } = { current: {} };

jest.mock("expo-router", () => ({
  router: mockRouter,
  useLocalSearchParams: () => mockParams.current,
  Stack: { Screen: () => null },
  Redirect: () => null,
}));

/** A stand-in for expo-video's player: one per mounted player (as the real hook keeps it), whose
 * events a test fires with `emit`. `mockPlayers` lists them in creation order. */
export interface FakeVideoPlayer {
  currentTime: number;
  duration: number;
  playing: boolean;
  timeUpdateEventInterval: number;
  /** expo-video's audio renditions (the master playlist's EXT-X-MEDIA TYPE=AUDIO) and the one playing. */
  availableAudioTracks: { id?: string; language: string; label: string; name?: string }[];
  audioTrack: { id?: string; language: string; label: string; name?: string } | null;
  play(): void;
  pause(): void;
  replaceAsync: jest.Mock;
  addListener(event: string, fn: (payload: never) => void): { remove(): void };
  emit(event: string, payload: unknown): void;
}
export const mockPlayers: FakeVideoPlayer[] = [];

function mockMakePlayer(): FakeVideoPlayer {
  const listeners = new Map<string, Set<(payload: never) => void>>();
  const player: FakeVideoPlayer = {
    currentTime: 0,
    duration: 0,
    playing: false,
    timeUpdateEventInterval: 0,
    availableAudioTracks: [],
    audioTrack: null,
    play() {
      player.playing = true;
      player.emit("playingChange", { isPlaying: true });
    },
    pause() {
      player.playing = false;
      player.emit("playingChange", { isPlaying: false });
    },
    replaceAsync: jest.fn(),
    addListener(event, fn) {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event)!.add(fn);
      return { remove: () => void listeners.get(event)!.delete(fn) };
    },
    emit(event, payload) {
      listeners.get(event)?.forEach((fn) => fn(payload as never));
    },
  };
  mockPlayers.push(player);
  return player;
}

jest.mock("expo-video", () => {
  const { useRef } = jest.requireActual<typeof import("react")>("react");
  return {
    useVideoPlayer: (_source: unknown, setup?: (p: FakeVideoPlayer) => void) => {
      const ref = useRef<FakeVideoPlayer | null>(null);
      if (!ref.current) {
        ref.current = mockMakePlayer();
        setup?.(ref.current);
      }
      return ref.current;
    },
    VideoView: () => null,
  };
});

/** Log the device in the way the app does: a refresh token in the secure store. */
export async function signIn(platform: FakePlatform, device: Device): Promise<void> {
  const res = await platform.fetch(
    new Request(`${BASE}/api/v1/auth/login`, {
      method: "POST",
      body: JSON.stringify({ email: platform.user.email, password: platform.password, refresh_token_in: "body" }),
    }),
  );
  await device.secure.set("mamc.refresh_token", ((await res.json()) as { refresh_token: string }).refresh_token);
}

/** A fake device already signed in (most screens need an account). */
export async function signedInDevice(platform: FakePlatform, overrides: Partial<Device> = {}): Promise<Device> {
  const device = fakeDevice(platform, overrides);
  await signIn(platform, device);
  return device;
}

/** The platform's coach with no waiting between reconnects/polls and the recording as a Blob. */
const coachOptions: ApiCoachOptions = {
  sleep: async () => undefined,
  audioPart: async (f) => new Blob([new Uint8Array(f.size).fill(1)], { type: f.mimeType }),
};

export function renderScreen(ui: ReactElement, platform: FakePlatform, opts: { device?: Device; coach?: CoachClient; coachOptions?: ApiCoachOptions } = {}) {
  const device = opts.device ?? fakeDevice(platform);
  const utils = render(
    <AppProvider device={device} baseUrl={BASE} fetch={platform.fetch} coach={opts.coach} coachOptions={opts.coachOptions ?? coachOptions} initialLang="en">
      {ui}
    </AppProvider>,
  );
  return { ...utils, device };
}

type Node = { type: unknown; props: Record<string, unknown> };

/** Host controls (anything pressable or editable) rendered without an accessibility label, as
 * short descriptions (never the nodes themselves: printing a React tree in a diff is huge). */
export function unlabelledControls(root: { findAll: (p: (n: Node) => boolean) => Node[] }): { checked: number; missing: string[] } {
  const controls = root.findAll(
    (n) => typeof n.type === "string" && (typeof n.props.onResponderRelease === "function" || typeof n.props.onChangeText === "function"),
  );
  const missing = controls.filter((n) => !n.props.accessibilityLabel).map((n) => `${String(n.type)} ${String(n.props.testID ?? "")}`);
  return { checked: controls.length, missing };
}

beforeEach(() => {
  mockRouter.push.mockReset();
  mockRouter.replace.mockReset();
  mockParams.current = {};
  mockPlayers.length = 0;
});
