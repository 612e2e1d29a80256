import { Link } from "react-router-dom";
import { useI18n } from "../i18n/i18n";
import { useDocumentTitle } from "../lib/hooks";

export default function NotFoundPage() {
  const { t } = useI18n();
  useDocumentTitle(t("common.notFound"));
  return (
    <div className="card auth-card">
      <h1>{t("common.notFound")}</h1>
      <p className="muted">{t("common.notFoundBody")}</p>
      <Link className="btn btn-primary" to="/">{t("common.goHome")}</Link>
    </div>
  );
}
