import { Link } from "react-router-dom";
import { call } from "../../api/client";
import { useAuth } from "../../auth/AuthContext";
import { useI18n } from "../../i18n/i18n";
import { useDocumentTitle, usePaged } from "../../lib/hooks";
import { ErrorState, SkeletonGrid } from "../../components/ui";
import { VideoCardView } from "../../components/VideoCardView";

/** New videos from the instructors the user follows, newest first. */
export default function FollowingPage() {
  const { t } = useI18n();
  const { api } = useAuth();
  useDocumentTitle(t("social.feedTitle"));
  const feed = usePaged(
    (cursor) => call(api.client.GET("/api/v1/me/feed", { params: { query: { limit: 24, cursor: cursor ?? undefined } } })),
    [api],
  );
  return (
    <section className="stack">
      <h1>{t("social.feedTitle")}</h1>
      {feed.error && <ErrorState message={feed.error} onRetry={feed.reload} />}
      {feed.loading ? (
        <SkeletonGrid count={4} />
      ) : feed.items.length === 0 && !feed.error ? (
        <p className="muted">
          {t("social.feedEmpty")} <Link to="/browse">{t("nav.browse")}</Link>
        </p>
      ) : (
        <div className="grid">{feed.items.map((v) => <VideoCardView key={v.id} v={v} />)}</div>
      )}
      {feed.hasMore && <button className="btn" disabled={feed.loadingMore} onClick={feed.loadMore}>{t("common.loadMore")}</button>}
    </section>
  );
}
