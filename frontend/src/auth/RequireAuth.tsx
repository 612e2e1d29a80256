import type { ReactNode } from "react";
import { Navigate, useLocation } from "react-router-dom";
import { useAuth, type Role } from "./AuthContext";
import { useI18n } from "../i18n/i18n";
import { SkeletonLines } from "../components/ui";

/** Gate a route: anonymous users go to /login?next=..., wrong role sees a 403 message. */
export function RequireAuth({ roles, children }: { roles?: Role[]; children: ReactNode }) {
  const { status, user } = useAuth();
  const { t } = useI18n();
  const loc = useLocation();
  if (status === "loading") return <SkeletonLines lines={4} />;
  if (!user) return <Navigate to={`/login?next=${encodeURIComponent(loc.pathname + loc.search)}`} replace />;
  if (roles && !roles.includes(user.role)) {
    return (
      <div className="alert alert-error" role="alert">
        <h1>403</h1>
        <p>{t("common.forbidden")}</p>
      </div>
    );
  }
  return <>{children}</>;
}
