import { Link } from "react-router-dom";
import { useAuth } from "../../auth/AuthContext";
import { call } from "../../api/client";
import { useI18n } from "../../i18n/i18n";
import { useDocumentTitle, useLoad } from "../../lib/hooks";
import { ErrorState, Progress, SkeletonGrid } from "../../components/ui";
import { VideoCardView } from "../../components/VideoCardView";
import { CourseShelf } from "../../components/CourseCard";
import type { Resp, VideoCard } from "@mamc/shared/api/types";

function Shelf({ id, title, items, more }: { id: string; title: string; items: VideoCard[]; more: string }) {
  const { t } = useI18n();
  return (
    <section className="section" aria-labelledby={id}>
      <div className="section-head">
        <h2 id={id}>{title}</h2>
        <Link to={more} className="small">{t("catalog.seeAll")}</Link>
      </div>
      {items.length ? <div className="grid">{items.map((v) => <VideoCardView key={v.id} v={v} />)}</div> : <p className="muted">{t("common.none")}</p>}
    </section>
  );
}

type ContinueItem = Resp<"/api/v1/me/continue-watching", "get">["items"][number];

/** "Continue watching": videos started on any device, newest first, with how far along. */
function ContinueRow({ items }: { items: ContinueItem[] }) {
  const { t, fmtDuration } = useI18n();
  if (!items.length) return null;
  return (
    <section className="section" aria-labelledby="shelf-continue">
      <div className="section-head">
        <h2 id="shelf-continue">{t("analytics.continueWatching")}</h2>
      </div>
      <div className="grid">
        {items.map((c) => (
          <Link key={c.video_id} className="vcard" to={`/videos/${c.video_id}`}>
            {c.poster_url ? <img className="vcard-thumb" src={c.poster_url} alt="" loading="lazy" /> : <div className="vcard-thumb" aria-hidden="true" />}
            <div className="vcard-body">
              <h3 className="vcard-title">{c.title}</h3>
              <Progress value={c.percent} label={t("analytics.watched", { percent: c.percent })} />
              <span className="small muted">{t("analytics.resumeAt", { time: fmtDuration(c.position_s) })}</span>
            </div>
          </Link>
        ))}
      </div>
    </section>
  );
}

export default function HomePage() {
  const { t } = useI18n();
  const { api, user } = useAuth();
  useDocumentTitle(undefined);
  const resume = useLoad(
    async () => (user ? (await call(api.client.GET("/api/v1/me/continue-watching"))).items : []),
    [api, user?.id],
  );
  // No dedicated "home" endpoint: the newest published videos and the free ones (to try).
  const home = useLoad(async () => {
    const [latest, free] = await Promise.all([
      call(api.client.GET("/api/v1/videos", { params: { query: { limit: 8 } } })),
      call(api.client.GET("/api/v1/videos", { params: { query: { limit: 4, price_type: "free" } } })),
    ]);
    return { latest: latest.items, free: free.items };
  }, [api]);
  return (
    <>
      <section className="section">
        <h1>{t("catalog.heroTitle")}</h1>
        <p className="muted">{t("catalog.heroBody")}</p>
        <Link className="btn btn-primary" to="/browse">{t("nav.browse")}</Link>
      </section>
      {resume.data && <ContinueRow items={resume.data} />}
      {home.loading && <SkeletonGrid count={4} />}
      {home.error && <ErrorState message={home.error} onRetry={home.reload} />}
      {home.data && (
        <>
          <Shelf id="shelf-new" title={t("catalog.new")} items={home.data.latest} more="/browse" />
          <CourseShelf limit={4} />
          {home.data.free.length > 0 && <Shelf id="shelf-free" title={t("catalog.featured")} items={home.data.free} more="/browse?price_type=free" />}
        </>
      )}
    </>
  );
}
