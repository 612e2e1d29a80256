import { useState } from "react";
import { Link, useParams } from "react-router-dom";
import { useAuth } from "../../auth/AuthContext";
import { call } from "../../api/client";
import { useI18n } from "../../i18n/i18n";
import { useAction, useDocumentTitle, useLoad, usePaged } from "../../lib/hooks";
import { ErrorState, SkeletonLines, StatusBadge } from "../../components/ui";
import { useToast } from "../../components/Toasts";
import { ReasonDialog } from "../../components/ReasonDialog";
import { Player } from "../../player/Player";
import type { Resp } from "@mamc/shared/api/types";
import { usePlans, waysToBuy } from "../../lib/prices";
import { levelLabel } from "../../components/VideoCardView";

/** Review queue (and, with `reportedOnly`, the reported published videos). */
export function ReviewQueuePage({ reportedOnly = false }: { reportedOnly?: boolean }) {
  const { t, fmtDate } = useI18n();
  const { api } = useAuth();
  useDocumentTitle(t(reportedOnly ? "admin.reports" : "admin.queue"));
  const page = usePaged(
    (cursor) => call(api.client.GET("/api/v1/admin/moderation/queue", { params: { query: { include_reported: true, limit: 50, cursor } } })),
    [api],
  );
  const items = reportedOnly ? page.items.filter((i) => i.open_reports > 0) : page.items;
  return (
    <div className="stack">
      <h1>{t(reportedOnly ? "admin.reports" : "admin.queue")}</h1>
      {page.loading && <SkeletonLines lines={5} />}
      {page.error && <ErrorState message={page.error} onRetry={page.reload} />}
      {!page.loading && !page.error && items.length === 0 && <p className="muted">{t(reportedOnly ? "admin.noReports" : "admin.queueEmpty")}</p>}
      {items.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <thead><tr><th scope="col">{t("studio.videoTitle")}</th><th scope="col">{t("admin.instructor")}</th><th scope="col">{t("admin.status")}</th><th scope="col">{t("admin.reviewNote")}</th><th scope="col">{t("admin.created")}</th></tr></thead>
            <tbody>
              {items.map(({ video: v, open_reports, trusted_reports, review_note, has_pending_edit }) => (
                <tr key={v.id}>
                  <td><Link to={`/admin/videos/${v.id}`}>{v.title}</Link></td>
                  <td>{v.instructor_name ?? "—"}</td>
                  <td>
                    <StatusBadge status={v.status} />
                    {has_pending_edit && <div><span className="badge">{t("admin.editWaiting")}</span></div>}
                    {open_reports > 0 && <div><span className="badge badge-danger">{t("web.openReports", { n: open_reports, trusted: trusted_reports })}</span></div>}
                  </td>
                  <td className="small">{review_note ?? "—"}</td>
                  <td className="small muted">{fmtDate(v.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {page.hasMore && <button className="btn" onClick={page.loadMore}>{t("common.loadMore")}</button>}
    </div>
  );
}

type Decision = "approve" | "reject" | "unpublish" | "approveEdit" | "rejectEdit";
type Pending = NonNullable<Resp<"/api/v1/admin/videos/{video_id}", "get">["video"]["pending_edit"]>;
type Shown = Resp<"/api/v1/admin/videos/{video_id}", "get">["video"];

/** What the instructor asks to change on a published video, next to what is live now. */
function PendingEdit({ live, edit }: { live: Shown; edit: Pending }) {
  const { t, fmtMoney, fmtDate } = useI18n();
  const currency = edit.changed.includes("currency") && edit.currency ? edit.currency : live.currency;
  const show = (field: string, value: unknown, cur: string): string => {
    if (field === "price_cents" || field === "rental_price_cents") return value == null ? t("admin.notSold") : fmtMoney(Number(value), cur);
    if (field === "subscription_included") return t(value ? "common.yes" : "common.no");
    return value == null || value === "" ? "—" : String(value);
  };
  const rows = edit.changed.filter((f) => f !== "poster");
  return (
    <section className="panel stack" aria-labelledby="edit-h">
      <h2 id="edit-h" className="label" style={{ margin: 0 }}>{t("admin.pendingEdit", { date: fmtDate(edit.submitted_at) })}</h2>
      <div className="table-wrap">
        <table className="table">
          <thead><tr><th scope="col">{t("admin.field")}</th><th scope="col">{t("admin.liveValue")}</th><th scope="col">{t("admin.proposedValue")}</th></tr></thead>
          <tbody>
            {rows.map((f) => (
              <tr key={f}>
                <th scope="row">{t(`studio.fields.${f}`)}</th>
                <td style={{ whiteSpace: "pre-line" }}>{show(f, live[f as keyof Shown], live.currency)}</td>
                <td style={{ whiteSpace: "pre-line" }}><strong>{show(f, edit[f as keyof Pending], currency)}</strong></td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {edit.poster_url && (
        <div className="row">
          {live.poster_url && <figure style={{ margin: 0 }}><img src={live.poster_url} alt={t("admin.livePoster")} style={{ width: 160, borderRadius: 6 }} /><figcaption className="small muted">{t("admin.liveValue")}</figcaption></figure>}
          <figure style={{ margin: 0 }}><img src={edit.poster_url} alt={t("admin.proposedPoster")} style={{ width: 160, borderRadius: 6 }} /><figcaption className="small muted">{t("admin.proposedValue")}</figcaption></figure>
        </div>
      )}
    </section>
  );
}

/** One video under review: player, details, reports, history, decision buttons. */
export function AdminVideoPage() {
  const { id = "" } = useParams();
  const { t, fmtDate, fmtMoney } = useI18n();
  const plans = usePlans();
  const { api } = useAuth();
  const toast = useToast();
  const path = { video_id: id };
  const data = useLoad(() => call(api.client.GET("/api/v1/admin/videos/{video_id}", { params: { path } })), [api, id]);
  const playback = useLoad(() => call(api.client.GET("/api/v1/videos/{video_id}/playback", { params: { path } })).catch(() => null), [api, id]);
  const [dialog, setDialog] = useState<Decision | null>(null);
  const [closing, setClosing] = useState<{ id: string; outcome: "dismissed" | "resolved" } | null>(null);
  const closeReport = useAction(async (reason: string) => {
    if (!closing) return null;
    const out = await call(api.client.POST("/api/v1/admin/reports/{report_id}/close", { params: { path: { report_id: closing.id } }, body: { outcome: closing.outcome, reason } }));
    toast.push(t(closing.outcome === "dismissed" ? "web.reports.dismissed" : "web.reports.resolved"), "success");
    setClosing(null);
    data.reload();
    return out;
  });
  const decide = useAction(async (kind: Decision, reason: string) => {
    const note = reason ? { reason } : null;
    const out =
      kind === "approve"
        ? await call(api.client.POST("/api/v1/admin/videos/{video_id}/approve", { params: { path }, body: note }))
        : kind === "reject"
          ? await call(api.client.POST("/api/v1/admin/videos/{video_id}/reject", { params: { path }, body: { reason } }))
          : kind === "approveEdit"
            ? await call(api.client.POST("/api/v1/admin/videos/{video_id}/edit/approve", { params: { path }, body: note }))
            : kind === "rejectEdit"
              ? await call(api.client.POST("/api/v1/admin/videos/{video_id}/edit/reject", { params: { path }, body: { reason } }))
              : await call(api.client.POST("/api/v1/admin/videos/{video_id}/unpublish", { params: { path }, body: { reason } }));
    const done = { approve: "admin.approved", reject: "admin.rejected", unpublish: "admin.unpublished", approveEdit: "admin.editApproved", rejectEdit: "admin.editRejected" } as const;
    toast.push(t(done[kind]), "success");
    setDialog(null);
    data.reload();
    return out;
  });
  useDocumentTitle(data.data?.video.title);

  if (data.error) return <ErrorState message={data.error} onRetry={data.reload} />;
  if (!data.data) return <SkeletonLines lines={8} />;
  const { video: v, reports, history } = data.data;
  const canApprove = ["in_review", "rejected", "unpublished"].includes(v.status);
  const canReject = v.status === "in_review";
  const canUnpublish = v.status === "published";
  const pending = v.status === "published" ? v.pending_edit : null;
  const optional = dialog === "approve" || dialog === "approveEdit";

  return (
    <div className="stack">
      <div className="row">
        <h1 style={{ margin: 0 }}>{v.title}</h1>
        <StatusBadge status={v.status} />
      </div>
      <div className="two-col">
        <div className="stack">
          {playback.data ? <Player src={playback.data.url} poster={playback.data.poster_url} title={v.title} /> : playback.loading ? null : <div className="poster" />}
          <section className="panel">
            <p className="small muted">{v.instructor_name} · {v.discipline}{v.style ? ` · ${v.style}` : ""} · {levelLabel(t, v.level)}</p>
            <p className="row small" aria-label={t("web.prices.ways")}>
              {v.is_free ? <strong>{t("video.free")}</strong> : waysToBuy(v, plans, t, fmtMoney).map((w) => <strong key={w.kind} className="badge">{w.label}</strong>)}
              {v.rental_price_cents != null && v.rental_hours ? <span className="muted">{t("video.rentFor", { hours: v.rental_hours })}</span> : null}
            </p>
            <p style={{ whiteSpace: "pre-line" }}>{v.description}</p>
            {v.review_note && <p className="small"><strong>{t("admin.reviewNote")}:</strong> {v.review_note}</p>}
          </section>
          {pending && <PendingEdit live={v} edit={pending} />}
        </div>
        <aside className="stack">
          <div className="panel stack">
            {canApprove && <button className="btn btn-primary btn-block" onClick={() => setDialog("approve")}>{t("admin.approve")}</button>}
            {canReject && <button className="btn btn-danger btn-block" onClick={() => setDialog("reject")}>{t("admin.reject")}</button>}
            {pending && <button className="btn btn-primary btn-block" onClick={() => setDialog("approveEdit")}>{t("admin.approveEdit")}</button>}
            {pending && <button className="btn btn-block" onClick={() => setDialog("rejectEdit")}>{t("admin.rejectEdit")}</button>}
            {canUnpublish && <button className="btn btn-danger btn-block" onClick={() => setDialog("unpublish")}>{t("admin.unpublish")}</button>}
          </div>
          <section aria-labelledby="rep-h">
            <h2 id="rep-h">{t("admin.reports")}</h2>
            {reports.length === 0 ? <p className="muted small">{t("admin.noReports")}</p> : (
              <ul className="feedback-list">
                {reports.map((r) => (
                  <li key={r.id} className="panel">
                    <strong>{t(`admin.reportReason.${r.reason}`)}</strong> <span className="small muted">· {fmtDate(r.created_at)}</span>
                    {" "}<span className={r.trusted ? "badge badge-ok" : "badge badge-warn"} title={t(r.trusted ? "admin.trustedHint" : "admin.untrustedHint")}>{t(r.trusted ? "admin.trusted" : "admin.untrusted")}</span>
                    {r.details && <p className="small" style={{ margin: 0 }}>{r.details}</p>}
                    {r.resolution ? (
                      <p className="small" style={{ margin: 0 }}>
                        <span className="badge">{t(`web.reports.outcome.${r.resolution}`)}</span>{r.resolution_note ? ` ${r.resolution_note}` : ""}
                      </p>
                    ) : (
                      <span className="row">
                        <button className="btn btn-sm" onClick={() => setClosing({ id: r.id, outcome: "dismissed" })}>{t("web.reports.dismiss")}</button>
                        <button className="btn btn-sm" onClick={() => setClosing({ id: r.id, outcome: "resolved" })}>{t("web.reports.resolve")}</button>
                      </span>
                    )}
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section aria-labelledby="his-h">
            <h2 id="his-h">{t("admin.history")}</h2>
            <ol className="small" style={{ paddingLeft: 18 }}>
              {history.map((h, i) => (
                <li key={i}>{h.from_status ? t(`status.${h.from_status}`) : "∅"} → <strong>{t(`status.${h.to_status}`)}</strong> · {fmtDate(h.created_at)}{h.reason ? ` — ${h.reason}` : ""}</li>
              ))}
            </ol>
          </section>
        </aside>
      </div>
      {closing && (
        <ReasonDialog
          title={t(closing.outcome === "dismissed" ? "web.reports.dismissTitle" : "web.reports.resolveTitle")}
          label={t("admin.reason")}
          hint={t("web.reports.reasonHint")}
          busy={closeReport.busy}
          error={closeReport.error}
          confirmLabel={t(closing.outcome === "dismissed" ? "web.reports.dismiss" : "web.reports.resolve")}
          onConfirm={(reason) => closeReport.run(reason)}
          onClose={() => setClosing(null)}
        />
      )}
      {dialog && (
        <ReasonDialog
          title={t(`admin.${dialog}`)}
          label={t(optional ? "admin.approveNote" : "admin.reason")}
          hint={optional ? undefined : t("admin.reasonHint")}
          optional={optional}
          danger={!optional}
          busy={decide.busy}
          error={decide.error}
          confirmLabel={t(`admin.${dialog}`)}
          onConfirm={(reason) => decide.run(dialog, reason)}
          onClose={() => setDialog(null)}
        />
      )}
    </div>
  );
}
