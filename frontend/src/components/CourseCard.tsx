import { Link } from "react-router-dom";
import type { CourseCard } from "@mamc/shared/api/types";
import { call } from "../api/client";
import { useAuth } from "../auth/AuthContext";
import { useI18n } from "../i18n/i18n";
import { useLoad } from "../lib/hooks";

/** A published course in the catalog, shaped like a video card (same classes, so the same grid
 * and the same behaviour on a phone): cover, title, instructor, how many videos and how long,
 * and the bundle price with what it saves (or "priced per video" when it is not sold as one). */
export function CourseCardView({ c }: { c: CourseCard }) {
  const { t, fmtDuration, fmtMoney } = useI18n();
  const bundle = c.price_cents != null && c.currency ? { price: c.price_cents, currency: c.currency } : null;
  return (
    <Link className="vcard" to={`/courses/${c.id}`}>
      {c.cover_url ? <img className="vcard-thumb" src={c.cover_url} alt="" loading="lazy" /> : <div className="vcard-thumb" aria-hidden="true" />}
      <div className="vcard-body">
        <h3 className="vcard-title">{c.title}</h3>
        <span className="small muted">{t("catalog.by", { name: c.instructor_name })}</span>
        <span className="row small">
          <span className="badge">{t("social.course.label")}</span>
          <span className="muted">{t("social.course.videos", { count: c.video_count })}</span>
          {c.duration_s != null && <span className="muted">{fmtDuration(c.duration_s)}</span>}
        </span>
        <span className="row small vcard-prices">
          {bundle ? (
            <>
              <strong className="price-chip">{t("social.course.bundlePrice", { price: fmtMoney(bundle.price, bundle.currency) })}</strong>
              {c.savings_cents != null && c.savings_cents > 0 && (
                <span>{t("social.course.saveShort", { savings: fmtMoney(c.savings_cents, bundle.currency) })}</span>
              )}
            </>
          ) : (
            <span className="muted">{t("social.course.perVideo")}</span>
          )}
        </span>
      </div>
    </Link>
  );
}

/** The catalog's "Courses" row: the newest published courses. It stays out of the way when there
 * are none or they cannot be loaded (the videos around it are the page's main content). */
export function CourseShelf({ limit, headingId = "shelf-courses" }: { limit: number; headingId?: string }) {
  const { t } = useI18n();
  const { api } = useAuth();
  const courses = useLoad(async () => (await call(api.client.GET("/api/v1/courses", { params: { query: { limit } } }))).items, [api, limit]);
  if (!courses.data?.length) return null;
  return (
    <section className="section" aria-labelledby={headingId}>
      <div className="section-head">
        <h2 id={headingId}>{t("social.course.catalogTitle")}</h2>
      </div>
      <div className="grid">{courses.data.map((c) => <CourseCardView key={c.id} c={c} />)}</div>
    </section>
  );
}
