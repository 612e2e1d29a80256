import { Link, useLocation, useParams } from "react-router-dom";
import { ApiError } from "@mamc/shared/api/errors";
import { call } from "../../api/client";
import { useAuth } from "../../auth/AuthContext";
import { useI18n } from "../../i18n/i18n";
import { useAction, useDocumentTitle, useLoad } from "../../lib/hooks";
import { startCourseCheckout } from "../../lib/checkout";
import type { Resp } from "@mamc/shared/api/types";
import { ErrorState, SkeletonLines } from "../../components/ui";
import { VideoCardView } from "../../components/VideoCardView";
import NotFoundPage from "../NotFoundPage";
import { FollowButton } from "./LikeButton";

type Course = Resp<"/api/v1/courses/{course_id}", "get">;

/** The course's bundle offer: its price, what the videos cost one by one and what that saves, a
 * buy button (one checkout for every video, later ones too), or "yours" once bought. */
export function CourseOffer({ c }: { c: Course }) {
  const { t, fmtMoney } = useI18n();
  const { api, user } = useAuth();
  const loc = useLocation();
  const buy = useAction(() => startCourseCheckout(api, c.id, c.videos[0]?.id ?? null));
  if (c.price_cents == null || !c.currency) return <p className="small muted">{t("social.course.offerHint")}</p>;
  const owned = new Set(c.owned_video_ids ?? []);
  const ownedTitles = c.videos.filter((v) => owned.has(v.id)).map((v) => v.title);
  const mine = user?.id === c.owner_id;
  return (
    <section className="panel stack" aria-label={t("social.course.bundle")}>
      <p className="row" style={{ margin: 0 }}>
        <strong className="price-chip">{t("social.course.bundlePrice", { price: fmtMoney(c.price_cents, c.currency) })}</strong>
        <span className="small muted">{t("social.course.bundleContains", { count: c.videos.length })}</span>
      </p>
      {c.videos_total_cents != null && c.savings_cents != null && c.savings_cents > 0 && (
        <p className="small" style={{ margin: 0 }}>
          {t("social.course.savings", { total: fmtMoney(c.videos_total_cents, c.currency), savings: fmtMoney(c.savings_cents, c.currency) })}
        </p>
      )}
      {c.owned ? (
        <p className="badge" role="status">{t("social.course.owned")}</p>
      ) : mine ? null : !user ? (
        <Link className="btn btn-primary" to={`/login?next=${encodeURIComponent(loc.pathname)}`}>{t("social.course.loginToBuy")}</Link>
      ) : (
        <>
          {ownedTitles.length > 0 && (
            <p className="small muted" style={{ margin: 0 }}>{t("social.course.alreadyOwned", { titles: ownedTitles.join(", ") })}</p>
          )}
          <button className="btn btn-primary" disabled={buy.busy} onClick={() => buy.run()}>
            {t("social.course.buy", { price: fmtMoney(c.price_cents, c.currency) })}
          </button>
          {buy.error && <div className="alert alert-error" role="alert">{buy.error}</div>}
        </>
      )}
    </section>
  );
}

/** The public course page: its published videos in the instructor's order, each with its offer,
 * and the course's own bundle offer when the instructor sells it as one. */
export default function CoursePage() {
  const { id = "" } = useParams();
  const { t } = useI18n();
  const { api } = useAuth();
  const course = useLoad(() => call(api.client.GET("/api/v1/courses/{course_id}", { params: { path: { course_id: id } } })), [api, id]);
  useDocumentTitle(course.data?.title);
  if (course.err instanceof ApiError && [404, 422].includes(course.err.status)) return <NotFoundPage />;
  if (course.error) return <ErrorState message={course.error} onRetry={course.reload} />;
  const c = course.data;
  if (!c) return <SkeletonLines lines={5} />;
  return (
    <article className="stack">
      <p className="small muted" style={{ margin: 0 }}>{t("social.course.label")}</p>
      <h1>{c.title}</h1>
      <p className="row small muted">
        <span>{t("catalog.by", { name: c.instructor_name })}</span>
        <span>· {t("social.course.videos", { count: c.videos.length })}</span>
        {!c.published && <span className="badge">{t("social.course.draft")}</span>}
      </p>
      <FollowButton instructorId={c.owner_id} />
      {c.description && <p style={{ whiteSpace: "pre-line" }}>{c.description}</p>}
      <CourseOffer c={c} />
      <ol className="stack" style={{ paddingLeft: 24 }}>
        {c.videos.map((v) => (
          <li key={v.id}>
            <VideoCardView v={v} />
            {!c.owned && c.price_cents != null && (c.owned_video_ids ?? []).includes(v.id) && (
              <span className="badge">{t("social.course.youHaveThis")}</span>
            )}
          </li>
        ))}
      </ol>
      <Link to="/browse">{t("nav.browse")}</Link>
    </article>
  );
}
