import { useEffect, useRef, useState } from "react";
import { Link, useLocation, useParams, useSearchParams } from "react-router-dom";
import { useAuth } from "../../auth/AuthContext";
import { call } from "../../api/client";
import { ApiError } from "@mamc/shared/api/errors";
import { useI18n } from "../../i18n/i18n";
import { useAction, useDocumentTitle, useLoad } from "../../lib/hooks";
import { ErrorState, Skeleton, SkeletonLines } from "../../components/ui";
import { Player, type PlayerHandle } from "../../player/Player";
import { trailerStarted, useServerResume } from "../../player/serverResume";
import { LearnerTools } from "../../player/LearnerTools";
import { KnowledgePanel } from "../knowledge/KnowledgePanel";
import { startCheckout, type PurchaseKind } from "../../lib/checkout";
import { levelLabel } from "../../components/VideoCardView";
import { usePlans, waysToBuy } from "../../lib/prices";
import type { Item, Resp } from "@mamc/shared/api/types";
import NotFoundPage from "../NotFoundPage";
import { ReasonDialog } from "../../components/ReasonDialog";
import { useToast } from "../../components/Toasts";
import { Comments } from "../social/Comments";
import { FollowButton, LikeButton, ShareButton } from "../social/LikeButton";

type Ent = Item<Resp<"/api/v1/me/library", "get">>;

/** The rental that would start if we asked for playback now, unless something else grants it. */
export function unstartedRental(ents: Ent[], videoId: string): Ent | null {
  const active = ents.filter((e) => e.status === "active");
  const mine = active.filter((e) => e.video_id === videoId);
  if (mine.some((e) => e.kind !== "rental" || e.first_played_at)) return null;
  if (active.some((e) => e.kind === "subscription")) return null; // may cover it: let the server decide
  return mine.find((e) => e.kind === "rental" && !e.first_played_at) ?? null;
}

const REPORT_REASONS = ["inappropriate", "violence", "spam", "copyright", "misleading", "other"] as const;
type ReportReason = (typeof REPORT_REASONS)[number];

export default function VideoPage() {
  const { id = "" } = useParams();
  const { t, fmtMoney, fmtDuration, fmtDate } = useI18n();
  const { api, user } = useAuth();
  const loc = useLocation();
  const [search] = useSearchParams();
  const startAt = search.get("t") != null ? Number(search.get("t")) || 0 : null; // a link to a moment
  const player = useRef<PlayerHandle>(null);
  const path = { video_id: id };
  const detail = useLoad(() => call(api.client.GET("/api/v1/videos/{video_id}", { params: { path } })), [api, id]);
  // A playback grant starts a rental's clock, so an unstarted rental waits for "Start watching".
  // The playback grant is the only source of a playable URL; without it the page shows the poster.
  const [rentalStarted, setRentalStarted] = useState(false);
  const access = useLoad(async () => {
    if (!user) return { grant: null, rental: null };
    if (!rentalStarted) {
      const lib = await call(api.client.GET("/api/v1/me/library", { params: { query: { limit: 100 } } })).catch(() => null);
      const rental = lib ? unstartedRental(lib.items, id) : null;
      if (rental) return { grant: null, rental };
    }
    const grant = await call(api.client.GET("/api/v1/videos/{video_id}/playback", { params: { path } })).catch((e) => {
      if (e instanceof ApiError && [401, 402, 403, 404, 409].includes(e.status)) return null;
      throw e;
    });
    return { grant, rental: null };
  }, [api, id, user?.id, rentalStarted]);
  const playback = { data: access.data?.grant ?? null, loading: access.loading, reload: access.reload };
  const rental = { data: access.data?.rental ?? null };
  const waitForPlay = !!rental.data;
  // Signed URLs expire: ask again shortly before (the player keeps its position across the swap).
  const expiresAt = access.data?.grant?.expires_at;
  useEffect(() => {
    if (!expiresAt) return;
    const ms = new Date(expiresAt).getTime() - Date.now() - 60_000;
    const timer = setTimeout(() => playback.reload(), Math.max(10_000, ms));
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [expiresAt]);
  const trailer = useAction(() => call(api.client.GET("/api/v1/videos/{video_id}/trailer", { params: { path } })));
  const [trailerUrl, setTrailerUrl] = useState<string | null>(null);
  // Reference techniques cut from this video: students can practise them (pose feedback).
  const refs = useLoad(async () => {
    const owner = detail.data?.owner_id;
    if (!owner) return [];
    const page = await call(api.client.GET("/api/v1/studio/references", { params: { query: { instructor_id: owner, limit: 100 } } })).catch(() => null);
    return (page?.items ?? []).filter((r) => r.video_id === id && r.status === "ready");
  }, [api, id, detail.data?.owner_id]);
  const toast = useToast();
  const [reporting, setReporting] = useState(false);
  const [reportReason, setReportReason] = useState<ReportReason>("inappropriate");
  const report = useAction(async (details: string) => {
    const out = await call(api.client.POST("/api/v1/videos/{video_id}/reports", { params: { path }, body: { reason: reportReason, details } }));
    setReporting(false);
    toast.push(t("video.reportSent"), "success");
    return out;
  });
  const checkout = useAction((kind: PurchaseKind) => startCheckout(api, kind, kind === "subscription" ? null : id));
  const resumeReady = useServerResume(api, id, access.data?.grant?.token, !!user && !!access.data?.grant);
  const v = detail.data;
  const plans = usePlans();
  useDocumentTitle(v?.title);

  if (detail.err instanceof ApiError && [404, 422].includes(detail.err.status)) return <NotFoundPage />;
  if (detail.error) return <ErrorState message={detail.error} onRetry={detail.reload} />;
  if (!v) {
    return (
      <div className="two-col">
        <Skeleton className="skeleton-thumb" />
        <SkeletonLines lines={5} />
      </div>
    );
  }

  const granted = playback.data;
  const loginHref = `/login?next=${encodeURIComponent(loc.pathname)}`;
  async function playTrailer() {
    const out = await trailer.run();
    if (out) {
      setTrailerUrl(out.url);
      trailerStarted(api, id);
    }
  }

  return (
    <article className="two-col video-page">
      <div className="stack video-main">
        {granted && resumeReady ? (
          <Player ref={player} src={granted.url} poster={granted.poster_url ?? v.poster_url} resumeId={v.id} title={v.title} autoPlay={rentalStarted} startAt={startAt}>
            <LearnerTools player={player} />
          </Player>
        ) : trailerUrl ? (
          <Player src={trailerUrl} poster={v.poster_url} title={`${v.title} — ${t("video.trailer")}`} autoPlay />
        ) : (
          <div className="poster">
            {v.poster_url ? <img src={v.poster_url} alt="" /> : null}
            {!playback.loading && !waitForPlay && (
              <div className="poster-lock">
                <p className="row" style={{ margin: 0 }}>
                  <svg aria-hidden="true" width="18" height="18" viewBox="0 0 24 24" fill="currentColor"><path d="M6 10V8a6 6 0 1 1 12 0v2h1v12H5V10zm2 0h8V8a4 4 0 1 0-8 0z" /></svg>
                  {t("video.locked")}
                </p>
              </div>
            )}
          </div>
        )}
        <h1>{v.title}</h1>
        {v.status === "published" && <p className="row" style={{ margin: 0 }}><LikeButton videoId={v.id} /><ShareButton videoId={v.id} /></p>}
        <p className="row small muted">
          {v.instructor_name && <span>{t("catalog.by", { name: v.instructor_name })}</span>}
          {v.duration_s != null && <span>· {fmtDuration(v.duration_s)}</span>}
          {v.published_at && <span>· {t("video.published", { date: fmtDate(v.published_at) })}</span>}
          <span className="badge">{levelLabel(t, v.level)}</span>
          <span className="badge">{v.discipline}</span>
          {v.style && <span className="badge">{v.style}</span>}
        </p>
        <section aria-labelledby="desc-h">
          <h2 id="desc-h">{t("video.description")}</h2>
          <p style={{ whiteSpace: "pre-line" }}>{v.description}</p>
          {v.tags.length > 0 && <p className="row small">{v.tags.map((tag) => <span key={tag} className="badge">#{tag}</span>)}</p>}
        </section>
        {v.status === "published" && <Comments videoId={v.id} onSeek={(s) => player.current?.seek(s)} />}
      </div>
      <aside className="stack video-buy">
        <div className="panel stack">
          {granted ? (
            <p className="alert alert-ok" style={{ margin: 0 }}>
              {t("video.owned")}
              {granted.access_expires_at && <><br />{t("video.expires", { date: fmtDate(granted.access_expires_at) })}</>}
            </p>
          ) : (
            <>
              {waitForPlay && rental.data && (
                <>
                  <button className="btn btn-primary btn-block" onClick={() => setRentalStarted(true)}>▶ {t("video.startRental")}</button>
                  <p className="small muted" style={{ margin: 0 }}>{t("video.startRentalHint", { hours: rental.data.rental_hours ?? 48 })}</p>
                </>
              )}
              {v.has_trailer && !trailerUrl && (
                <button className="btn btn-block" disabled={trailer.busy} onClick={playTrailer}>▶ {t("video.watchTrailer")}</button>
              )}
              {(checkout.error || trailer.error) && <div className="alert alert-error" role="alert">{checkout.error ?? trailer.error}</div>}
              {!user ? (
                <>
                  {v.is_free ? <p className="small" style={{ margin: 0 }}><strong>{t("video.free")}</strong></p> : (
                    <ul className="prices" aria-label={t("web.prices.ways")}>
                      {waysToBuy(v, plans, t, fmtMoney).map((w) => <li key={w.kind}><strong>{w.label}</strong>{w.kind === "rental" && v.rental_hours ? <span className="small muted"> · {t("video.rentFor", { hours: v.rental_hours })}</span> : null}</li>)}
                    </ul>
                  )}
                  <Link className="btn btn-primary btn-block" to={loginHref}>{t("video.loginToWatch")}</Link>
                </>
              ) : v.is_free || waitForPlay ? null : (
                <>
                  {v.price_cents != null && (
                    <button className="btn btn-primary btn-block" disabled={checkout.busy} onClick={() => checkout.run("ppv")}>
                      {t("video.buy", { price: fmtMoney(v.price_cents, v.currency) })}
                    </button>
                  )}
                  {v.rental_price_cents != null && (
                    <button className="btn btn-block" disabled={checkout.busy} onClick={() => checkout.run("rental")}>
                      {t("video.rent", { price: fmtMoney(v.rental_price_cents, v.currency) })}
                      {v.rental_hours ? ` · ${t("video.rentFor", { hours: v.rental_hours })}` : ""}
                    </button>
                  )}
                  {v.subscription_included && (
                    <>
                      <button className="btn btn-block" disabled={checkout.busy} onClick={() => checkout.run("subscription")}>
                        {plans ? t("web.prices.subscribeFor", { price: fmtMoney(plans.monthly_cents, plans.currency) }) : t("video.subscribe")}
                      </button>
                      <p className="small muted" style={{ margin: 0 }}>{t("video.subscribeHint")}</p>
                    </>
                  )}
                  {checkout.busy && <p className="small muted" role="status">{t("video.redirecting")}</p>}
                </>
              )}
            </>
          )}
        </div>
        <KnowledgePanel videoId={id} onSeek={(t) => player.current?.seek(t)} />
        {refs.data && refs.data.length > 0 && (
          <section className="panel stack" aria-labelledby="practice-h">
            <h2 id="practice-h" className="label">{t("pose.practice")}</h2>
            <ul style={{ margin: 0, paddingLeft: 18 }}>
              {refs.data.map((r) => (
                <li key={r.id}>
                  <Link to={user ? `/practice/${r.id}` : loginHref}>{r.name}</Link>{" "}
                  <span className="small muted">({fmtDuration(r.t_start)}–{fmtDuration(r.t_end)})</span>
                </li>
              ))}
            </ul>
          </section>
        )}
        {v.instructor_name && (
          <div className="panel">
            <h2 className="label">{t("video.instructor")}</h2>
            <p style={{ margin: 0 }}>{v.instructor_name}</p>
            <FollowButton instructorId={v.owner_id} />
          </div>
        )}
        {user && user.id !== v.owner_id && (
          <button className="btn btn-ghost btn-sm" onClick={() => setReporting(true)}>⚑ {t("video.report")}</button>
        )}
      </aside>
      {reporting && (
        <ReasonDialog
          title={t("video.reportTitle")}
          label={t("video.reportDetails")}
          optional
          busy={report.busy}
          error={report.error}
          confirmLabel={t("video.send")}
          onConfirm={(d) => report.run(d)}
          onClose={() => setReporting(false)}
        >
          <div className="field">
            <label htmlFor="report-reason">{t("video.reportReason")}</label>
            <select id="report-reason" className="select" value={reportReason} onChange={(e) => setReportReason(e.target.value as ReportReason)}>
              {REPORT_REASONS.map((r) => <option key={r} value={r}>{t(`admin.reportReason.${r}`)}</option>)}
            </select>
          </div>
        </ReasonDialog>
      )}
    </article>
  );
}
