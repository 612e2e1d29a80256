import { act, screen, waitFor } from "@testing-library/react-native";
import { renderScreen, signedInDevice, signIn } from "./setup";
import { BASE, FakePlatform, fakeDevice, type NotificationOut } from "./fakePlatform";
import { createMobileApi } from "../src/lib/api";
import { followUnread, notify } from "../src/lib/notifications";
import Home from "../src/app/index";

const note = (id: string, read = false): NotificationOut => ({ id, kind: "comment", title: `Note ${id}`, body: "", params: {}, link: null, read, created_at: "2026-01-03T10:00:00Z" });

/** A signed-in API client on the fake platform, and a sleep that records each wait and, after
 * `limit` of them, never wakes (so a polling loop stops where the test can look at it). */
async function setup(platform: FakePlatform, limit = 12) {
  const device = fakeDevice(platform);
  await signIn(platform, device);
  const api = createMobileApi({ baseUrl: BASE, secure: device.secure, fetch: platform.fetch });
  await api.refresh();
  const waits: number[] = [];
  const sleep = (ms: number) => (waits.push(ms), waits.length <= limit ? Promise.resolve() : new Promise<void>(() => undefined));
  const counts: number[] = [];
  return { api, device, waits, sleep, counts, onCount: (n: number) => counts.push(n) };
}

describe("live unread count (the platform's bell stream)", () => {
  it("home's badge follows the stream as notifications arrive and are read, without polling", async () => {
    const platform = new FakePlatform();
    platform.notifications = [note("n1")];
    const device = await signedInDevice(platform);
    await notify(device.storage, { key: "mobile.notifications.processed", vars: { title: "Kata" } });
    const r = renderScreen(<Home />, platform, { device });
    expect(await screen.findByRole("button", { name: "Notifications · 2 unread" })).toBeTruthy();
    act(() => platform.addNotification(note("n2")));
    expect(await screen.findByRole("button", { name: "Notifications · 3 unread" })).toBeTruthy();
    act(() => platform.readAllElsewhere()); // e.g. on the web
    expect(await screen.findByRole("button", { name: "Notifications · 1 unread" })).toBeTruthy(); // the device's own is still unread
    expect(platform.unreadPolls).toBe(0);
    expect(platform.bellStreamsOpened).toBe(1);
    r.unmount();
    await waitFor(() => expect(platform.bellsOpen).toBe(0)); // leaving the screen closes the connection
  });

  it("reconnects a failed stream with growing waits, polling the count while it is down", async () => {
    const platform = new FakePlatform();
    platform.notifications = [note("n1")];
    platform.bellRefusals = 3;
    const s = await setup(platform);
    const stop = followUnread(s.api, s.device.storage, s.api.authFetch, s.onCount, { sleep: s.sleep });
    await waitFor(() => expect(platform.bellsOpen).toBe(1));
    expect(s.waits).toEqual([1000, 2000, 4000]);
    expect(platform.unreadPolls).toBe(3);
    await waitFor(() => expect(s.counts).toEqual([1, 1, 1, 1]));
    // A network loss after events: reconnected after the shortest wait, no poll needed.
    act(() => platform.dropBells());
    await waitFor(() => expect(platform.bellStreamsOpened).toBe(2));
    expect(s.waits).toEqual([1000, 2000, 4000, 1000]);
    expect(platform.unreadPolls).toBe(3);
    act(() => platform.addNotification(note("n2")));
    await waitFor(() => expect(s.counts.at(-1)).toBe(2));
    stop();
    await waitFor(() => expect(platform.bellsOpen).toBe(0));
  });

  it("polls every minute once the stream keeps failing", async () => {
    const platform = new FakePlatform();
    platform.bellRefusals = 100;
    const s = await setup(platform, 7);
    const onPolling = jest.fn();
    followUnread(s.api, s.device.storage, s.api.authFetch, s.onCount, { sleep: s.sleep, onPolling });
    await waitFor(() => expect(s.waits).toHaveLength(8));
    expect(s.waits).toEqual([1000, 2000, 4000, 8000, 60_000, 60_000, 60_000, 60_000]);
    expect(onPolling).toHaveBeenCalledTimes(1);
    expect(platform.bellRefusals).toBe(95); // five connections tried, then none
  });

  it.each([
    ["all the account's streams are taken (429)", (p: FakePlatform) => (p.bellStream = "busy")],
    ["the fetch gives no streamed body (React Native's own)", (p: FakePlatform) => (p.noStreamingBody = true)],
  ])("falls back to polling at once when %s", async (_, arrange) => {
    const platform = new FakePlatform();
    platform.notifications = [note("n1"), note("n2", true)];
    arrange(platform);
    const s = await setup(platform, 2);
    followUnread(s.api, s.device.storage, s.api.authFetch, s.onCount, { sleep: s.sleep, pollMs: 5000 });
    await waitFor(() => expect(s.waits).toHaveLength(3));
    expect(s.waits).toEqual([5000, 5000, 5000]);
    expect(s.counts).toEqual([1, 1, 1]);
    expect(platform.bellStreamsOpened).toBe(0);
  });
});
