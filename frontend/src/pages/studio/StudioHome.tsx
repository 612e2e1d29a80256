import { Link } from "react-router-dom";
import { useAuth } from "../../auth/AuthContext";
import { call } from "../../api/client";
import { useI18n } from "../../i18n/i18n";
import { useDocumentTitle, usePaged } from "../../lib/hooks";
import { ErrorState, Progress, SkeletonLines, StatusBadge } from "../../components/ui";
import { listPending } from "../../upload/resumeStore";

export default function StudioHome() {
  const { t, fmtDate } = useI18n();
  const { api } = useAuth();
  useDocumentTitle(t("studio.title"));
  const page = usePaged((cursor) => call(api.client.GET("/api/v1/videos/mine", { params: { query: { limit: 20, cursor } } })), [api]);
  const pending = listPending();
  return (
    <>
      <div className="row" style={{ marginBottom: 16 }}>
        <h1 style={{ margin: 0 }}>{t("studio.myVideos")}</h1>
        <span className="spacer" />
        <Link className="btn btn-primary" to="/studio/upload">{t("studio.upload")}</Link>
      </div>
      {pending.length > 0 && (
        <div className="alert alert-warn">
          <strong>{t("studio.pending")}</strong>
          <ul>
            {pending.map((p) => (
              <li key={p.fingerprint}>
                <Link to={`/studio/upload?video=${p.resourceId}`}>{p.fileName}</Link> —{" "}
                {Math.round(((Object.keys(p.parts).length * p.partSize) / Math.max(1, p.size)) * 100)}%
              </li>
            ))}
          </ul>
        </div>
      )}
      {page.loading && <SkeletonLines lines={5} />}
      {page.error && <ErrorState message={page.error} onRetry={page.reload} />}
      {!page.loading && !page.error && page.items.length === 0 && <p className="muted">{t("studio.noVideos")}</p>}
      {page.items.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr><th scope="col">{t("studio.videoTitle")}</th><th scope="col">{t("studio.status")}</th><th scope="col">{t("studio.created")}</th></tr>
            </thead>
            <tbody>
              {page.items.map((v) => (
                <tr key={v.id}>
                  <td><Link to={`/studio/videos/${v.id}`}>{v.title}</Link></td>
                  <td>
                    <StatusBadge status={v.status} />
                    {v.status === "processing" && <div style={{ marginTop: 6 }}><Progress value={v.progress.percent} label={t("studio.processingLabel")} /></div>}
                  </td>
                  <td className="small muted">{fmtDate(v.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {page.hasMore && <button className="btn" onClick={page.loadMore} disabled={page.loadingMore}>{t("common.loadMore")}</button>}
    </>
  );
}
