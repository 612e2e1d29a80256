import { NavLink, Outlet } from "react-router-dom";
import { useI18n } from "../../i18n/i18n";

export default function AdminLayout() {
  const { t } = useI18n();
  const links: [string, string][] = [
    ["/admin", "admin.queue"], ["/admin/reports", "admin.reports"], ["/admin/users", "admin.users"],
    ["/admin/payments", "admin.payments"], ["/admin/disputes", "admin.disputes"], ["/admin/payouts", "admin.payouts"], ["/admin/audit", "admin.audit"],
    ["/admin/knowledge", "knowledge.review"], ["/admin/analytics", "analytics.nav"],
    ["/admin/comments", "social.queueTitle"],
  ];
  return (
    <div className="layout-side">
      <nav aria-label={t("admin.nav")}>
        <ul className="side-nav">
          {links.map(([to, k]) => <li key={to}><NavLink to={to} end={to === "/admin"}>{t(k)}</NavLink></li>)}
        </ul>
      </nav>
      <div><Outlet /></div>
    </div>
  );
}
