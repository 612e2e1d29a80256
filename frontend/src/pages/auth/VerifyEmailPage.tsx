import { useEffect, useRef, useState } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { useAuth } from "../../auth/AuthContext";
import { call } from "../../api/client";
import { useI18n } from "../../i18n/i18n";
import { errorMessage } from "../../lib/errors";
import { ApiError } from "@mamc/shared/api/errors";
import { SkeletonLines } from "../../components/ui";
import { useDocumentTitle } from "../../lib/hooks";

export default function VerifyEmailPage() {
  const { t } = useI18n();
  const { api, user, status, reload } = useAuth();
  const [params] = useSearchParams();
  const token = params.get("token");
  const [state, setState] = useState<"working" | "ok" | "already" | "error">(token ? "working" : "error");
  const [msg, setMsg] = useState<string>(token ? "" : t("auth.verifyMissing"));
  const started = useRef(false);
  useDocumentTitle(t("auth.verifyTitle"));

  useEffect(() => {
    if (!token || started.current) return; // verify tokens are single-use: never post twice
    started.current = true;
    call(api.client.POST("/api/v1/auth/verify-email", { body: { token } }))
      .then(() => setState("ok"))
      .catch((e) => {
        if (e instanceof ApiError && e.code === "already_verified") return setState("already");
        setState("error");
        setMsg(errorMessage(t, e));
      });
  }, [token, api, t]);
  // Once verified, refresh the signed-in user so the "confirm your email" banner goes away
  // (the session may still be loading when the answer arrives).
  const verified = state === "ok" || state === "already";
  const stale = verified && status === "authed" && user && !user.email_verified;
  useEffect(() => {
    if (stale) void reload();
  }, [stale, reload]);

  return (
    <div className="card auth-card">
      <h1>{t("auth.verifyTitle")}</h1>
      {state === "working" && (<><p>{t("auth.verifying")}</p><SkeletonLines lines={2} /></>)}
      {verified && (
        <>
          <div className="alert alert-ok" role="status">{t(state === "ok" ? "auth.verified" : "auth.alreadyVerified")}</div>
          {!user && <Link className="btn btn-primary" to="/login">{t("nav.login")}</Link>}
        </>
      )}
      {state === "error" && <div className="alert alert-error" role="alert">{msg}</div>}
    </div>
  );
}
