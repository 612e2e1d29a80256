import { useEffect, useState } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { useAuth } from "../../auth/AuthContext";
import { call, type Api } from "../../api/client";
import { useI18n } from "../../i18n/i18n";
import { useAction, useDocumentTitle, useLoad, usePaged } from "../../lib/hooks";
import { ErrorState, SkeletonGrid, StatusBadge } from "../../components/ui";
import { clearPendingCheckout, loadPendingCheckout, startCheckout, type PendingCheckout } from "../../lib/checkout";
import type { Entitlement, VideoCard } from "@mamc/shared/api/types";

export const POLL_MS = import.meta.env.MODE === "test" ? 50 : 2000;
export const POLL_LIMIT_MS = 90_000;

function matches(e: Entitlement, p: PendingCheckout | null) {
  if (e.status !== "active") return false;
  if (!p) return true;
  return p.kind === "subscription" ? e.kind === "subscription" : e.video_id === p.video_id;
}

/** After Stripe redirects back: poll the library until the entitlement shows up. */
function CheckoutBanner({ api, onGranted }: { api: Api; onGranted: () => void }) {
  const { t } = useI18n();
  const [params, setParams] = useSearchParams();
  const state = params.get("checkout");
  const [phase, setPhase] = useState<"waiting" | "done" | "slow">("waiting");
  const [pending] = useState(loadPendingCheckout);

  useEffect(() => {
    if (state !== "success") return;
    let alive = true;
    const started = Date.now();
    const tick = async () => {
      if (!alive) return;
      try {
        const lib = await call(api.client.GET("/api/v1/me/library", { params: { query: { limit: 50 } } }));
        if (lib.items.some((e) => matches(e, pending) && new Date(e.granted_at).getTime() >= (pending?.started_at ?? 0) - 60_000)) {
          setPhase("done");
          clearPendingCheckout();
          onGranted();
          return;
        }
      } catch {
        /* keep polling */
      }
      if (Date.now() - started > POLL_LIMIT_MS) setPhase("slow");
      else setTimeout(tick, POLL_MS);
    };
    void tick();
    return () => {
      alive = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [state, api]);

  if (state === "cancelled") {
    return (
      <div className="alert alert-warn row" role="status">
        {t("library.cancelled")}
        <button className="btn btn-sm" onClick={() => setParams({}, { replace: true })}>{t("common.close")}</button>
      </div>
    );
  }
  if (state !== "success") return null;
  return (
    <div className={`alert ${phase === "done" ? "alert-ok" : "alert-warn"}`} role="status" aria-live="polite">
      {phase === "waiting" && t("library.confirming")}
      {phase === "slow" && t("library.slow")}
      {phase === "done" && (
        <span className="row">
          {t("library.confirmed")}
          {pending?.video_id && <Link className="btn btn-sm btn-primary" to={`/videos/${pending.video_id}`}>{t("library.watchNow")}</Link>}
        </span>
      )}
    </div>
  );
}

function SubscriptionPanel({ api }: { api: Api }) {
  const { t, fmtDate } = useI18n();
  const sub = useLoad(() => call(api.client.GET("/api/v1/me/subscription")), [api]);
  const portal = useAction(async () => {
    const out = await call(api.client.POST("/api/v1/billing/portal"));
    window.location.assign(out.url);
    return out;
  });
  const subscribe = useAction(() => startCheckout(api, "subscription", null));
  const s = sub.data;
  return (
    <section className="panel stack" aria-labelledby="sub-h">
      <h2 id="sub-h" className="label">{t("library.subscription")}</h2>
      {(portal.error || subscribe.error) && <div className="alert alert-error" role="alert">{portal.error ?? subscribe.error}</div>}
      {sub.loading ? null : s && ["active", "trialing", "past_due"].includes(s.status) ? (
        <div className="row">
          <StatusBadge status={s.status} />
          {s.current_period_end && <span className="small muted">{t(s.cancel_at_period_end ? "library.endsOn" : "library.renews", { date: fmtDate(s.current_period_end) })}</span>}
          <span className="spacer" />
          <button className="btn btn-sm" onClick={() => portal.run()} disabled={portal.busy}>{t("library.manage")}</button>
        </div>
      ) : (
        <div className="row">
          <span className="small muted">{t("library.noSubscription")}</span>
          <span className="spacer" />
          <button className="btn btn-sm btn-primary" onClick={() => subscribe.run()} disabled={subscribe.busy}>{t("library.subscribe")}</button>
        </div>
      )}
    </section>
  );
}

function EntitlementCard({ e, video }: { e: Entitlement; video: VideoCard | null | undefined }) {
  const { t, fmtDate } = useI18n();
  const body = (
    <>
      {video?.poster_url ? <img className="vcard-thumb" src={video.poster_url} alt="" loading="lazy" /> : <div className="vcard-thumb" aria-hidden="true" />}
      <div className="vcard-body">
        <h3 className="vcard-title">{video ? video.title : video === null ? t("library.unavailable") : "…"}</h3>
        <span className="row small">
          <span className="badge">{t(`library.kind.${e.kind}`)}</span>
          {e.status !== "active" && <span className="badge badge-danger">{t(`library.entStatus.${e.status}`)}</span>}
        </span>
        {e.expires_at ? (
          <span className="small muted">{t("library.expires", { date: fmtDate(e.expires_at) })}</span>
        ) : e.kind === "rental" && e.rental_hours ? (
          <span className="small muted">{t("library.rentalNotStarted", { hours: e.rental_hours })}</span>
        ) : null}
      </div>
    </>
  );
  return video && e.video_id ? <Link className="vcard" to={`/videos/${e.video_id}`}>{body}</Link> : <div className="vcard">{body}</div>;
}

export default function LibraryPage() {
  const { t, fmtDate, fmtMoney } = useI18n();
  const { api } = useAuth();
  useDocumentTitle(t("library.title"));
  const lib = usePaged((cursor) => call(api.client.GET("/api/v1/me/library", { params: { query: { limit: 24, cursor } } })), [api]);
  const purchases = usePaged((cursor) => call(api.client.GET("/api/v1/me/purchases", { params: { query: { limit: 20, cursor } } })), [api]);
  const [videos, setVideos] = useState<Record<string, VideoCard | null>>({});

  // Entitlements carry ids only: fetch the cards we have not seen yet.
  useEffect(() => {
    const missing = [...new Set(lib.items.map((e) => e.video_id).filter((id): id is string => !!id && !(id in videos)))];
    if (!missing.length) return;
    void Promise.all(
      missing.map((id) =>
        call(api.client.GET("/api/v1/videos/{video_id}", { params: { path: { video_id: id } } })).then((v) => [id, v as VideoCard] as const, () => [id, null] as const),
      ),
    ).then((pairs) => setVideos((old) => ({ ...old, ...Object.fromEntries(pairs) })));
  }, [lib.items, api, videos]);

  const videoEnts = lib.items.filter((e) => e.video_id);
  return (
    <div className="stack">
      <h1>{t("library.title")}</h1>
      <CheckoutBanner api={api} onGranted={() => { lib.reload(); purchases.reload(); }} />
      <SubscriptionPanel api={api} />
      <section aria-labelledby="lib-h">
        <h2 id="lib-h">{t("library.videos")}</h2>
        {lib.loading && <SkeletonGrid count={4} />}
        {lib.error && <ErrorState message={lib.error} onRetry={lib.reload} />}
        {!lib.loading && !lib.error && videoEnts.length === 0 && (
          <p className="muted">{t("library.empty")} <Link to="/browse">{t("library.browse")}</Link></p>
        )}
        <div className="grid">{videoEnts.map((e) => <EntitlementCard key={e.id} e={e} video={videos[e.video_id!]} />)}</div>
        {lib.hasMore && <button className="btn" onClick={lib.loadMore} disabled={lib.loadingMore}>{t("common.loadMore")}</button>}
      </section>
      {purchases.items.length > 0 && (
        <section aria-labelledby="pur-h">
          <h2 id="pur-h">{t("library.purchases")}</h2>
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr><th scope="col">{t("library.video")}</th><th scope="col">{t("studio.status")}</th><th scope="col">{t("library.amount")}</th><th scope="col">{t("library.date")}</th></tr>
              </thead>
              <tbody>
                {purchases.items.map((p) => (
                  <tr key={p.id}>
                    <td data-label={t("library.video")}><Link to={p.course_id ? `/courses/${p.course_id}` : `/videos/${p.video_id}`}>{p.video_title}</Link> <span className="small muted">· {t(`web.purchaseKind.${p.kind}`)}</span></td>
                    <td data-label={t("studio.status")}><StatusBadge status={p.status} label={t(`web.purchaseStatus.${p.status}`)} /></td>
                    <td data-label={t("library.amount")}>
                      {fmtMoney(p.amount_cents, p.currency)}
                      {p.amount_refunded_cents > 0 && p.amount_refunded_cents < p.amount_cents && <div className="small muted">{t("web.refundedAmount", { amount: fmtMoney(p.amount_refunded_cents, p.currency) })}</div>}
                    </td>
                    <td data-label={t("library.date")} className="small muted">{fmtDate(p.paid_at ?? p.created_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {purchases.hasMore && <button className="btn" onClick={purchases.loadMore} disabled={purchases.loadingMore}>{t("common.loadMore")}</button>}
        </section>
      )}
    </div>
  );
}
