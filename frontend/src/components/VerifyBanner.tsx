import { useAuth } from "../auth/AuthContext";
import { call } from "../api/client";
import { useI18n } from "../i18n/i18n";
import { useAction } from "../lib/hooks";
import { useToast } from "./Toasts";

export function VerifyBanner() {
  const { user, api } = useAuth();
  const { t } = useI18n();
  const toast = useToast();
  const { run, busy } = useAction(async () => {
    await call(api.client.POST("/api/v1/auth/resend-verification"));
    return true;
  });
  if (!user || user.email_verified) return null;
  return (
    <div className="alert alert-warn row" role="status">
      <span>{t("auth.unverifiedBanner")}</span>
      <button className="btn btn-sm" disabled={busy} onClick={async () => { if (await run()) toast.push(t("auth.resent"), "success"); }}>
        {t("auth.resend")}
      </button>
    </div>
  );
}
