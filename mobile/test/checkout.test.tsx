import { fireEvent, screen } from "@testing-library/react-native";
import { createMobileApi } from "../src/lib/api";
import { checkoutVideo } from "../src/lib/checkout";
import type { AuthSessionResult, BrowserDevice } from "../src/device/types";
import { BASE, FakePlatform, fakeDevice } from "./fakePlatform";
import { mockParams, renderScreen, signIn } from "./setup";
import VideoPage from "../src/app/videos/[id]";
import type { VideoCard } from "@mamc/shared/api/types";

const video: VideoCard = { id: "v1", owner_id: "i1", instructor_name: "Sensei", title: "Front kick basics", description: "", discipline: "karate", style: null, level: "beginner", tags: [], language: "en", price_cents: 999, rental_price_cents: null, rental_hours: null, currency: "EUR", subscription_included: false, is_free: false, status: "published", duration_s: 60, width: 1280, height: 720, renditions: [], has_trailer: false, poster_url: null, published_at: null, created_at: "2026-01-01T00:00:00Z", updated_at: "2026-01-01T00:00:00Z" };

/** An auth session the test ends: `back(url)` as the checkout page redirecting to the app, `close()`
 * as the user closing it; dismiss() (the app, once paid) closes it too. */
function authBrowser() {
  let end: (r: AuthSessionResult) => void = () => undefined;
  const state = { opened: "", returnUrl: "", dismissed: 0 };
  const browser: BrowserDevice = {
    open: async () => undefined,
    openAuth: (url, returnUrl) => {
      state.opened = url;
      state.returnUrl = returnUrl;
      return new Promise<AuthSessionResult>((r) => (end = r));
    },
    dismiss: () => {
      state.dismissed++;
      end({ type: "closed" });
    },
  };
  return { browser, state, back: (url: string) => end({ type: "returned", url }), close: () => end({ type: "closed" }) };
}

async function setup() {
  const platform = new FakePlatform();
  platform.videos = { items: [video], next_cursor: null };
  const device = fakeDevice(platform);
  await signIn(platform, device);
  const api = createMobileApi({ baseUrl: BASE, secure: device.secure, fetch: platform.fetch });
  return { platform, api };
}

const until = async (ok: () => boolean) => {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!ok()) throw new Error("condition never met");
};

describe("checkout through the in-app browser", () => {
  it("names the app's deep link as the return URL and ends paid once the purchase is, closing the browser", async () => {
    const { platform, api } = await setup();
    const b = authBrowser();
    const done = checkoutVideo({ api, browser: b.browser, videoId: "v1", kind: "ppv", pollMs: 5 });
    await until(() => b.state.opened !== "");
    expect(platform.checkoutReturnUrls).toEqual(["mamc://checkout-return?video=v1"]);
    expect(b.state.returnUrl).toBe("mamc://checkout-return?video=v1");
    platform.payCheckout(b.state.opened);
    await expect(done).resolves.toBe("paid");
    expect(b.state.dismissed).toBe(1);
  });

  it("keeps polling after the page returns with success until the webhook marks the purchase paid", async () => {
    const { platform, api } = await setup();
    const b = authBrowser();
    let confirming = false;
    const done = checkoutVideo({ api, browser: b.browser, videoId: "v1", kind: "ppv", pollMs: 5, onConfirming: () => (confirming = true) });
    await until(() => b.state.opened !== "");
    b.back("mamc://checkout-return?video=v1&checkout=success&session_id=cs-1");
    await until(() => confirming);
    await new Promise((r) => setTimeout(r, 30));
    platform.payCheckout(b.state.opened);
    await expect(done).resolves.toBe("paid");
  });

  it("stops at once when the page returns cancelled", async () => {
    const { api } = await setup();
    const b = authBrowser();
    const done = checkoutVideo({ api, browser: b.browser, videoId: "v1", kind: "ppv", pollMs: 5 });
    await until(() => b.state.opened !== "");
    b.back("mamc://checkout-return?video=v1&checkout=cancelled");
    await expect(done).resolves.toBe("cancelled");
  });

  it("reports a failed payment and a purchase still pending after the last poll", async () => {
    const { platform, api } = await setup();
    const b = authBrowser();
    const failed = checkoutVideo({ api, browser: b.browser, videoId: "v1", kind: "ppv", pollMs: 5 });
    await until(() => b.state.opened !== "");
    platform.purchases.get(b.state.opened.split("/cs-")[1])!.status = "failed";
    await expect(failed).resolves.toBe("failed");

    const c = authBrowser();
    const slow = checkoutVideo({ api, browser: c.browser, videoId: "v1", kind: "ppv", pollMs: 1, pollLimit: 3 });
    await until(() => c.state.opened !== "");
    c.close();
    await expect(slow).resolves.toBe("timeout");
    expect(platform.purchases.get(c.state.opened.split("/cs-")[1])!.status).toBe("pending");
  });
});

describe("video page checkout outcome", () => {
  it("says the payment was cancelled when the page returns cancelled", async () => {
    const { platform } = await setup();
    const b = authBrowser();
    const device = fakeDevice(platform, { browser: b.browser });
    await signIn(platform, device);
    mockParams.current = { id: "v1" };
    renderScreen(<VideoPage />, platform, { device });
    fireEvent.press(await screen.findByRole("button", { name: /^Buy for/ }));
    await until(() => b.state.opened !== "");
    b.back("mamc://checkout-return?video=v1&checkout=cancelled");
    expect(await screen.findByText("Payment cancelled: nothing was charged.")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Watch now" })).toBeNull();
  });
});
