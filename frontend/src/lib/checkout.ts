import { call, type Api } from "../api/client";

export type PurchaseKind = "ppv" | "rental" | "subscription" | "course";

/** What the success page needs to know about the checkout it is waiting for. */
export interface PendingCheckout {
  kind: PurchaseKind;
  /** the video whose right shows the checkout went through (a course: its first video) */
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
  return open(api, { kind, video_id: videoId }, videoId, assign);
}

/** Buy a course as a bundle: one payment for every video of the course (the same checkout). */
export async function startCourseCheckout(api: Api, courseId: string, firstVideoId: string | null, assign: (url: string) => void = (u) => window.location.assign(u)) {
  return open(api, { kind: "course", course_id: courseId }, firstVideoId, assign);
}

async function open(
  api: Api,
  body: { kind: PurchaseKind; video_id?: string | null; course_id?: string },
  watchVideoId: string | null,
  assign: (url: string) => void,
) {
  const out = await call(api.client.POST("/api/v1/checkout", { body }));
  const pending: PendingCheckout = {
    kind: body.kind, video_id: watchVideoId, purchase_id: out.purchase_id ?? null, subscription_id: out.subscription_id ?? null, started_at: Date.now(),
  };
  try {
    sessionStorage.setItem(KEY, JSON.stringify(pending));
  } catch {
    /* ignore */
  }
  assign(out.url);
  return out;
}
