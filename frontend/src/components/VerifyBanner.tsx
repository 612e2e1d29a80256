import { useEffect, useRef, useState } from "react";
import { useAuth } from "../auth/AuthContext";
import { call } from "../api/client";
import { useI18n } from "../i18n/i18n";
import { useAction } from "../lib/hooks";
import { useToast } from "./Toasts";

/** Shown to signed-in users whose email is not verified. When the API refuses an action with
 * 403 `email_not_verified` (buy, upload, report, comment), it says so and offers the resend. */
export function VerifyBanner() {
  const { user, api } = useAuth();
  const { t } = useI18n();
  const toast = useToast();
  const [blocked, setBlocked] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const { run, busy } = useAction(async () => {
    await call(api.client.POST("/api/v1/auth/resend-verification"));
    return true;
  });
  useEffect(() => {
    const onBlocked = () => {
      setBlocked(true);
      button.current?.focus();
    };
    window.addEventListener("mamc:email-not-verified", onBlocked);
    return () => window.removeEventListener("mamc:email-not-verified", onBlocked);
  }, []);
  if (!user || user.email_verified) return null;
  return (
    <div className={`alert ${blocked ? "alert-error" : "alert-warn"} row`} role="status">
      <span>{t(blocked ? "auth.unverifiedBlocked" : "auth.unverifiedBanner")}</span>
      <button ref={button} className="btn btn-sm" disabled={busy} onClick={async () => { if (await run()) toast.push(t("auth.resent"), "success"); }}>
        {t("auth.resend")}
      </button>
    </div>
  );
}
