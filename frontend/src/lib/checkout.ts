import { call, type Api } from "../api/client";

export type PurchaseKind = "ppv" | "rental" | "subscription";

/** What the success page needs to know about the checkout it is waiting for. */
export interface PendingCheckout {
  kind: PurchaseKind;
  video_id: string | null;
  purchase_id: string | null;
  subscription_id: string | null;
  started_at: number;
}

const KEY = "mamc.checkout";

export function loadPendingCheckout(): PendingCheckout | null {
  try {
    return JSON.parse(sessionStorage.getItem(KEY) ?? "null");
  } catch {
    return null;
  }
}

export function clearPendingCheckout() {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    /* ignore */
  }
}

/**
 * Open a checkout session and send the browser to the payment page. The server decides the
 * success/cancel URLs (/library?checkout=success|cancelled); we remember what we were buying.
 */
export async function startCheckout(api: Api, kind: PurchaseKind, videoId: string | null, assign: (url: string) => void = (u) => window.location.assign(u)) {
  const out = await call(api.client.POST("/api/v1/checkout", { body: { kind, video_id: videoId } }));
  const pending: PendingCheckout = {
    kind, video_id: videoId, purchase_id: out.purchase_id ?? null, subscription_id: out.subscription_id ?? null, started_at: Date.now(),
  };
  try {
    sessionStorage.setItem(KEY, JSON.stringify(pending));
  } catch {
    /* ignore */
  }
  assign(out.url);
  return out;
}
