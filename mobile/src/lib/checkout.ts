/** Buying a video through the web checkout in an in-app browser: the checkout names the app's deep
 * link as its return address (allow-listed by the API), and the purchase is polled until paid —
 * the webhook may land before or after the page sends the buyer back, or the buyer may close the
 * browser first. */
import { call, type MobileApi } from "./api";
import type { BrowserDevice } from "../device/types";

export const CHECKOUT_RETURN = "mamc://checkout-return";
export const POLL_MS = 2000;
/** 90 polls of 2 s: three minutes before the app says the payment is still being processed. */
export const POLL_LIMIT = 90;

export type CheckoutOutcome = "paid" | "cancelled" | "failed" | "timeout";

export interface CheckoutOptions {
  api: MobileApi;
  browser: BrowserDevice;
  videoId: string;
  kind: "ppv" | "rental";
  /** Called once the browser is closed and the payment is being confirmed. */
  onConfirming?: () => void;
  pollMs?: number;
  pollLimit?: number;
}

export const checkoutReturnUrl = (videoId: string) => `${CHECKOUT_RETURN}?video=${encodeURIComponent(videoId)}`;

export async function checkoutVideo(o: CheckoutOptions): Promise<CheckoutOutcome> {
  const returnUrl = checkoutReturnUrl(o.videoId);
  const co = await call(o.api.client.POST("/api/v1/checkout", { body: { kind: o.kind, video_id: o.videoId, return_url: returnUrl } }));
  const purchaseId = co.purchase_id;
  let outcome: CheckoutOutcome | null = null;
  let stopped = false;
  const poll = (async (): Promise<void> => {
    for (let i = 0; i < (o.pollLimit ?? POLL_LIMIT) && !stopped && purchaseId; i++) {
      await new Promise((r) => setTimeout(r, o.pollMs ?? POLL_MS));
      if (stopped) return;
      const p = await call(o.api.client.GET("/api/v1/me/purchases/{purchase_id}", { params: { path: { purchase_id: purchaseId } } })).catch(() => null);
      if (p && p.status !== "pending") {
        outcome = p.status === "paid" ? "paid" : "failed";
        o.browser.dismiss();
        return;
      }
    }
  })();
  const back = await o.browser.openAuth(co.url, returnUrl);
  if (outcome === null && back.type === "returned" && /[?&]checkout=cancelled(&|$)/.test(back.url)) {
    stopped = true;
    return "cancelled";
  }
  o.onConfirming?.();
  await poll;
  return outcome ?? "timeout";
}
