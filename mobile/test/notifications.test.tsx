import { act, fireEvent, screen, waitFor } from "@testing-library/react-native";
import { mockRouter, renderScreen, signedInDevice } from "./setup";
import { FakePlatform, type NotificationOut } from "./fakePlatform";
import { notify } from "../src/lib/notifications";
import Notifications from "../src/app/notifications";
import Home from "../src/app/index";
import Settings from "../src/app/settings";

function note(id: string, title: string, read: boolean, created_at: string, link: string | null = null): NotificationOut {
  return { id, kind: "report_ready", title, body: "", params: {}, link, read, created_at };
}

function platformWithFeed() {
  const platform = new FakePlatform();
  platform.notifications = [
    note("n2", "Your pose report is ready", false, "2026-01-03T10:00:00Z", "/attempts/att-1"),
    note("n1", "Your video was approved", true, "2026-01-02T10:00:00Z"),
  ];
  return platform;
}

describe("notifications screen", () => {
  it("lists the platform's notifications with the device's own, newest first, and marks one read on opening it", async () => {
    const platform = platformWithFeed();
    const device = await signedInDevice(platform);
    await notify(device.storage, { key: "mobile.notifications.processed", vars: { title: "Kata" }, href: "/studio/videos/v9" });
    renderScreen(<Notifications />, platform, { device });
    expect(await screen.findByText("2 unread")).toBeTruthy();
    const titles = screen.getAllByRole("button").map((b) => b.props.accessibilityLabel as string).filter((l) => l.includes("“") || l.includes("Your"));
    expect(titles).toEqual(["Unread: “Kata” has finished processing.", "Unread: Your pose report is ready", "Your video was approved"]);
    fireEvent.press(screen.getByRole("button", { name: "Unread: Your pose report is ready" }));
    await waitFor(() => expect(mockRouter.push).toHaveBeenCalledWith("/attempts/att-1"));
    expect(platform.notifications[0].read).toBe(true);
    expect(await screen.findByText("1 unread")).toBeTruthy();
  });

  it("marks everything read, on the platform and on the device", async () => {
    const platform = platformWithFeed();
    const device = await signedInDevice(platform);
    await notify(device.storage, { key: "library.confirmed" });
    renderScreen(<Notifications />, platform, { device });
    fireEvent.press(await screen.findByRole("button", { name: "Mark all as read" }));
    expect(await screen.findByText("0 unread")).toBeTruthy();
    expect(platform.notifications.every((n) => n.read)).toBe(true);
    expect(screen.queryByRole("button", { name: /^Unread:/ })).toBeNull();
  });

  it("registers the push token only once the user allows it, and removes it when turned off", async () => {
    const platform = new FakePlatform();
    const register = jest.fn(async () => "ExponentPushToken[abc123]");
    const device = await signedInDevice(platform, { push: { register, platform: "ios", onOpen: () => () => undefined } });
    renderScreen(<Notifications />, platform, { device });
    expect(await screen.findByText("Nothing new yet.")).toBeTruthy();
    expect(register).not.toHaveBeenCalled();
    expect(platform.pushTokens.size).toBe(0);
    fireEvent.press(screen.getByRole("button", { name: "Turn on push notifications" }));
    expect(await screen.findByText("Push notifications are on.")).toBeTruthy();
    expect([...platform.pushTokens]).toEqual([["ExponentPushToken[abc123]", "ios"]]);
    fireEvent.press(screen.getByRole("button", { name: "Turn off push notifications" }));
    expect(await screen.findByRole("button", { name: "Turn on push notifications" })).toBeTruthy();
    expect(platform.pushTokens.size).toBe(0);
  });

  it("when the user does not allow push, nothing is registered and the screen says so", async () => {
    const platform = new FakePlatform();
    const device = await signedInDevice(platform, { push: { register: async () => null, platform: "android", onOpen: () => () => undefined } });
    renderScreen(<Notifications />, platform, { device });
    fireEvent.press(await screen.findByRole("button", { name: "Turn on push notifications" }));
    expect(await screen.findByText(/Push notifications are not allowed for this app/)).toBeTruthy();
    expect(platform.pushTokens.size).toBe(0);
  });

  it("signing out removes this phone's push token from the account", async () => {
    const platform = new FakePlatform();
    const device = await signedInDevice(platform);
    platform.pushTokens.set("ExponentPushToken[old]", "android");
    await device.storage.set("mamc.push_token", "ExponentPushToken[old]");
    renderScreen(<Settings />, platform, { device });
    fireEvent.press(await screen.findByRole("button", { name: "Log out" }));
    await waitFor(() => expect(mockRouter.replace).toHaveBeenCalledWith("/"));
    expect(platform.pushTokens.size).toBe(0);
  });
});

describe("older notifications", () => {
  it("the first page shows the newest; the button reads the older ones after it", async () => {
    const platform = new FakePlatform();
    const day = (i: number) => `2026-01-${String(31 - Math.floor(i / 2)).padStart(2, "0")}T${i % 2 ? "08" : "20"}:00:00Z`;
    platform.notifications = Array.from({ length: 35 }, (_, i) => note(`n${i}`, `Sale number ${i}`, true, day(i)));
    const device = await signedInDevice(platform);
    renderScreen(<Notifications />, platform, { device });
    expect(await screen.findByText("Sale number 29")).toBeTruthy();
    expect(screen.queryByText("Sale number 30")).toBeNull();
    fireEvent.press(screen.getByRole("button", { name: "Older notifications" }));
    expect(await screen.findByText("Sale number 34")).toBeTruthy();
    const shown = screen.getAllByText(/^Sale number \d+$/).map((n) => Number(String(n.props.children).split(" ").pop()));
    expect(shown).toEqual(Array.from({ length: 35 }, (_, i) => i));
    expect(screen.queryByRole("button", { name: "Older notifications" })).toBeNull();
  });
});

describe("notification preferences", () => {
  it("a switch turns one channel of one kind off, saved at once", async () => {
    const platform = new FakePlatform();
    const device = await signedInDevice(platform);
    renderScreen(<Notifications />, platform, { device });
    const sw = await screen.findByLabelText("A sale of your video: Phone");
    expect(sw.props.value).toBe(true);
    fireEvent(sw, "valueChange", false);
    expect(await screen.findByText("Preferences saved.")).toBeTruthy();
    expect(platform.notificationPrefs.find((p) => p.kind === "sale")).toEqual({ kind: "sale", in_app: true, email: true, push: false });
    expect(platform.notificationPrefs.find((p) => p.kind === "report_ready")?.push).toBe(true);
    expect(screen.getByLabelText("A sale of your video: Phone").props.value).toBe(false);
  });

  it("a save that fails (offline) puts the switch back and says why", async () => {
    const platform = new FakePlatform();
    const device = await signedInDevice(platform);
    renderScreen(<Notifications />, platform, { device });
    const sw = await screen.findByLabelText("A sale of your video: Email");
    platform.offline = true;
    fireEvent(sw, "valueChange", false);
    expect(await screen.findByText("Network error: cannot reach the server.")).toBeTruthy();
    await waitFor(() => expect(screen.getByLabelText("A sale of your video: Email").props.value).toBe(true));
    expect(screen.queryByText("Preferences saved.")).toBeNull();
    expect(platform.notificationPrefs.find((p) => p.kind === "sale")?.email).toBe(true);
  });
});

describe("push after sign-in", () => {
  async function restoreWith(token: string | null) {
    const platform = new FakePlatform();
    const register = jest.fn(async () => token);
    const device = await signedInDevice(platform, { push: { register, platform: "android", onOpen: () => () => undefined } });
    platform.pushTokens.set("ExponentPushToken[old]", "android");
    await device.storage.set("mamc.push_token", "ExponentPushToken[old]");
    renderScreen(<Home />, platform, { device });
    expect(await screen.findByText("Signed in as Kim")).toBeTruthy();
    return { platform, device, register };
  }

  it("a rotated token replaces the old one on the account", async () => {
    const { platform, device } = await restoreWith("ExponentPushToken[new]");
    await waitFor(() => expect([...platform.pushTokens.keys()]).toEqual(["ExponentPushToken[new]"]));
    expect(await device.storage.get("mamc.push_token")).toBe("ExponentPushToken[new]");
  });

  it("a permission withdrawn in the system settings removes the token from the account", async () => {
    const { platform, device } = await restoreWith(null);
    await waitFor(() => expect(platform.pushTokens.size).toBe(0));
    expect(await device.storage.get("mamc.push_token")).toBeNull();
  });

  it("push never turned on here: the system is not asked", async () => {
    const platform = new FakePlatform();
    const register = jest.fn(async () => "ExponentPushToken[x]");
    const device = await signedInDevice(platform, { push: { register, platform: "android", onOpen: () => () => undefined } });
    renderScreen(<Home />, platform, { device });
    expect(await screen.findByText("Signed in as Kim")).toBeTruthy();
    await act(async () => undefined);
    expect(register).not.toHaveBeenCalled();
    expect(platform.pushTokens.size).toBe(0);
  });
});

describe("unread badge on home", () => {
  it("shows the unread count on the notifications button", async () => {
    const platform = platformWithFeed();
    const device = await signedInDevice(platform);
    renderScreen(<Home />, platform, { device });
    fireEvent.press(await screen.findByRole("button", { name: "Notifications · 1 unread" }));
    expect(mockRouter.push).toHaveBeenCalledWith("/notifications");
  });

  it("shows no count when everything is read", async () => {
    const platform = new FakePlatform();
    const device = await signedInDevice(platform);
    renderScreen(<Home />, platform, { device });
    expect(await screen.findByRole("button", { name: "Notifications" })).toBeTruthy();
  });
});
