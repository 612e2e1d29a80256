import { fireEvent, screen, waitFor } from "@testing-library/react-native";
import { mockRouter, renderScreen, signedInDevice } from "./setup";
import { BASE, FakePlatform } from "./fakePlatform";
import Notifications from "../src/app/notifications";
import type { PushData } from "../src/device/types";
import { pushRoute } from "../src/lib/notifications";
import { PushOpener } from "../src/components/PushOpener";

describe("opening a push notification", () => {
  it("routes a tapped push to its link and marks the notification read", async () => {
    const platform = new FakePlatform();
    platform.notifications = [{ id: "n9", kind: "comment", title: "New comment", body: "", params: {}, link: "/videos/v1", read: false, created_at: "2026-01-03T10:00:00Z" }];
    let tap: ((d: PushData) => void) | null = null;
    const unsubscribed = jest.fn();
    const device = await signedInDevice(platform, {
      push: {
        register: async () => null,
        platform: "android",
        onOpen: (l) => {
          tap = l;
          return unsubscribed;
        },
      },
    });
    mockRouter.push.mockClear();
    const r = renderScreen(<PushOpener />, platform, { device });
    await waitFor(() => expect(tap).not.toBeNull());
    tap!({ link: "/videos/v1", kind: "comment", id: "n9" });
    await waitFor(() => expect(mockRouter.push).toHaveBeenCalledWith("/videos/v1"));
    expect(platform.notifications[0].read).toBe(true);
    r.unmount();
    expect(unsubscribed).toHaveBeenCalled();
  });

  it("opens only the app's own screens: other links go to the notifications list", () => {
    expect(pushRoute("/videos/abc-1")).toBe("/videos/abc-1");
    expect(pushRoute("/videos/abc-1?t=42")).toBe("/videos/abc-1?t=42");
    expect(pushRoute("/studio/videos/v2")).toBe("/studio/videos/v2");
    expect(pushRoute("/attempts/att-1")).toBe("/attempts/att-1");
    expect(pushRoute("/library")).toBe("/library");
    expect(pushRoute("/studio/voice")).toBe("/notifications"); // no such screen in the app
    expect(pushRoute("https://evil.example/videos/v1")).toBe("/notifications");
    expect(pushRoute("//evil.example/videos/v1")).toBe("/notifications");
    expect(pushRoute("/videos/v1?t=javascript:x")).toBe("/videos/v1");
    expect(pushRoute(null)).toBe("/notifications");
    expect(pushRoute(undefined)).toBe("/notifications");
  });

  it("opens the screens the platform's links name: earnings, the reminder's practice, links on the platform's own address", () => {
    expect(pushRoute("/studio/earnings", "sale")).toBe("/studio/earnings");
    expect(pushRoute("/studio", "practice_reminder")).toBe("/library"); // the web's practice area
    expect(pushRoute("/learning", "badge_earned")).toBe("/notifications");
    expect(pushRoute(`${BASE}/videos/v1?t=12`, "comment", BASE)).toBe("/videos/v1?t=12");
    expect(pushRoute(`${BASE}.evil.example/videos/v1`, "comment", BASE)).toBe("/notifications");
    expect(pushRoute("https://evil.example/videos/v1", "comment", BASE)).toBe("/notifications");
  });

  it("a tapped push whose link the app lacks opens the notifications list", async () => {
    const platform = new FakePlatform();
    let tap: ((d: PushData) => void) | null = null;
    const device = await signedInDevice(platform, { push: { register: async () => null, platform: "ios", onOpen: (l) => ((tap = l), () => undefined) } });
    mockRouter.push.mockClear();
    renderScreen(<PushOpener />, platform, { device });
    await waitFor(() => expect(tap).not.toBeNull());
    tap!({ link: "https://evil.example/x", kind: "comment" });
    await waitFor(() => expect(mockRouter.push).toHaveBeenCalledWith("/notifications"));
  });

  it("in the list, a notification whose link the app lacks is marked read and opens nothing", async () => {
    const platform = new FakePlatform();
    platform.notifications = [{ id: "n3", kind: "badge_earned", title: "New badge", body: "", params: {}, link: "/learning", read: false, created_at: "2026-01-03T10:00:00Z" }];
    const device = await signedInDevice(platform);
    mockRouter.push.mockClear();
    renderScreen(<Notifications />, platform, { device });
    fireEvent.press(await screen.findByRole("button", { name: "Unread: New badge" }));
    await waitFor(() => expect(platform.notifications[0].read).toBe(true));
    expect(await screen.findByText("0 unread")).toBeTruthy();
    expect(mockRouter.push).not.toHaveBeenCalled();
  });
});
