import { act, fireEvent, screen, waitFor } from "@testing-library/react-native";
import { mockRouter, renderScreen, signedInDevice, unlabelledControls } from "./setup";
import { FakePlatform } from "./fakePlatform";
import YourData, { EXPORT_POLL_MS } from "../src/app/your-data";
import Settings from "../src/app/settings";
import Notifications from "../src/app/notifications";
import Home from "../src/app/index";

async function open(platform: FakePlatform, overrides = {}) {
  const device = await signedInDevice(platform, overrides);
  renderScreen(<YourData />, platform, { device });
  return device;
}

describe("your data: export", () => {
  it("settings opens the your-data screen", async () => {
    const platform = new FakePlatform();
    const device = await signedInDevice(platform);
    renderScreen(<Settings />, platform, { device });
    fireEvent.press(await screen.findByRole("button", { name: "Your data" }));
    expect(mockRouter.push).toHaveBeenCalledWith("/your-data");
  });

  it("does not start an export by opening the screen; a request shows it being built, then its download link", async () => {
    jest.useFakeTimers();
    try {
      const platform = new FakePlatform();
      const opened: string[] = [];
      await open(platform, { browser: { open: async (u: string) => void opened.push(u), dismiss: () => undefined } });
      const request = await screen.findByRole("button", { name: "Export my data" });
      expect(platform.exports).toHaveLength(0);
      fireEvent.press(request);
      expect(await screen.findByText(/Queued…/)).toBeTruthy();
      expect(screen.getByText("We will email you the link as soon as the archive is ready.")).toBeTruthy();
      expect(platform.exports).toHaveLength(1);
      platform.finishExport();
      await act(async () => void jest.advanceTimersByTime(EXPORT_POLL_MS));
      fireEvent.press(await screen.findByRole("button", { name: "Download (2 kB)" }));
      expect(opened).toEqual([platform.exports[0].download_url]);
      expect(screen.getByText(/Ready/)).toBeTruthy();
    } finally {
      jest.useRealTimers();
    }
  });

  it("a new export after a ready one lists both, newest first", async () => {
    const platform = new FakePlatform();
    platform.exports = [{ id: "exp-old", status: "ready", created_at: "2026-01-01T00:00:00Z", finished_at: "2026-01-01T00:05:00Z", size_bytes: 3 * 1024 * 1024, download_url: "http://api.test/media/exports/old.zip" }];
    await open(platform);
    fireEvent.press(await screen.findByRole("button", { name: "Export my data" }));
    expect(await screen.findByRole("button", { name: "Download (3 MB)" })).toBeTruthy();
    expect(screen.getByText(/Queued…/)).toBeTruthy();
    expect(platform.exports.map((e) => e.status)).toEqual(["pending", "ready"]);
  });
});

describe("your data: account deletion", () => {
  it("a wrong password shows the API's message and schedules nothing", async () => {
    const platform = new FakePlatform();
    await open(platform);
    expect(await screen.findByText(/erased 30 days after you confirm/)).toBeTruthy();
    fireEvent.changeText(screen.getByLabelText("Your password, to confirm"), "not it");
    fireEvent.press(screen.getByRole("button", { name: "Delete my account" }));
    expect(await screen.findByText("The password is not right.")).toBeTruthy();
    expect(platform.erasure).toBeNull();
  });

  it("with the password, schedules the erasure after the grace period, and the deletion can be cancelled", async () => {
    const platform = new FakePlatform();
    await open(platform);
    fireEvent.changeText(await screen.findByLabelText("Your password, to confirm"), platform.password);
    fireEvent.press(screen.getByRole("button", { name: "Delete my account" }));
    expect(await screen.findByText(/Your account will be erased on/)).toBeTruthy();
    expect(platform.erasure?.erase_after).toBe("2026-01-31T00:00:00Z");
    fireEvent.press(screen.getByRole("button", { name: "Cancel the deletion" }));
    expect(await screen.findByText("Deletion cancelled.")).toBeTruthy();
    await waitFor(() => expect(screen.getByLabelText("Your password, to confirm")).toBeTruthy());
    expect(platform.erasure).toBeNull();
  });

  it("a deletion already scheduled (from the web) is shown with its date on opening", async () => {
    const platform = new FakePlatform();
    platform.erasure = { requested_at: "2026-01-01T00:00:00Z", erase_after: "2026-01-15T00:00:00Z" };
    await open(platform);
    expect(await screen.findByRole("button", { name: "Cancel the deletion" })).toBeTruthy();
    expect(screen.queryByLabelText("Your password, to confirm")).toBeNull();
  });
});

describe("accessibility of the new screens", () => {
  it.each([
    ["your data", () => <YourData />, "Delete my account"],
    ["notifications", () => <Notifications />, "Mark all as read"],
    ["home with continue watching", () => <Home />, /Resume at 1:00/],
  ])("every control on %s has an accessibility label", async (_name, make, ready) => {
    const platform = new FakePlatform();
    platform.notifications = [{ id: "n1", kind: "sale", title: "A sale", body: "", params: {}, link: null, read: false, created_at: "2026-01-01T00:00:00Z" }];
    platform.videos = { items: [], next_cursor: null };
    platform.setProgress("v1", 60, 600);
    const device = await signedInDevice(platform);
    const r = renderScreen(make(), platform, { device });
    await screen.findByRole("button", { name: ready });
    const { checked, missing } = unlabelledControls(r.UNSAFE_root);
    expect(checked).toBeGreaterThan(1);
    expect(missing).toEqual([]);
  });
});
