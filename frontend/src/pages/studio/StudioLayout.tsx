import { NavLink, Outlet } from "react-router-dom";
import { useI18n } from "../../i18n/i18n";

export default function StudioLayout() {
  const { t } = useI18n();
  return (
    <div className="layout-side">
      <nav aria-label={t("studio.nav")}>
        <ul className="side-nav">
          <li><NavLink to="/studio" end>{t("studio.myVideos")}</NavLink></li>
          <li><NavLink to="/studio/upload">{t("studio.upload")}</NavLink></li>
          <li><NavLink to="/studio/references">{t("studio.references")}</NavLink></li>
          <li><NavLink to="/studio/attempts">{t("studio.attempts")}</NavLink></li>
          <li><NavLink to="/studio/earnings">{t("studio.earnings")}</NavLink></li>
          <li><NavLink to="/studio/analytics">{t("analytics.nav")}</NavLink></li>
          <li><NavLink to="/studio/knowledge">{t("knowledge.review")}</NavLink></li>
          <li><NavLink to="/studio/rewards">{t("learning.offers")}</NavLink></li>
          <li><NavLink to="/studio/courses">{t("social.course.studioTitle")}</NavLink></li>
          <li><NavLink to="/studio/voice">{t("voice.profilesNav")}</NavLink></li>
          <li><NavLink to="/studio/dubs">{t("voice.dubsNav")}</NavLink></li>
        </ul>
      </nav>
      <div><Outlet /></div>
    </div>
  );
}
