import { Link, useParams } from "react-router-dom";
import { ApiError } from "@mamc/shared/api/errors";
import { call } from "../../api/client";
import { useAuth } from "../../auth/AuthContext";
import { useI18n } from "../../i18n/i18n";
import { useDocumentTitle, useLoad } from "../../lib/hooks";
import { ErrorState, SkeletonLines } from "../../components/ui";
import { VideoCardView } from "../../components/VideoCardView";
import NotFoundPage from "../NotFoundPage";
import { FollowButton } from "./LikeButton";

/** The public course page: its published videos in the instructor's order, each with its offer. */
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
      <p className="small muted">{t("social.course.offerHint")}</p>
      <ol className="stack" style={{ paddingLeft: 24 }}>
        {c.videos.map((v) => (
          <li key={v.id}><VideoCardView v={v} /></li>
        ))}
      </ol>
      <Link to="/browse">{t("nav.browse")}</Link>
    </article>
  );
}
