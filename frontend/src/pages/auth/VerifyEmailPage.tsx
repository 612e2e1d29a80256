import { useEffect, useRef, useState } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { useAuth } from "../../auth/AuthContext";
import { call } from "../../api/client";
import { useI18n } from "../../i18n/i18n";
import { errorMessage } from "../../lib/errors";
import { SkeletonLines } from "../../components/ui";
import { useDocumentTitle } from "../../lib/hooks";

export default function VerifyEmailPage() {
  const { t } = useI18n();
  const { api, user, reload } = useAuth();
  const [params] = useSearchParams();
  const token = params.get("token");
  const [state, setState] = useState<"working" | "ok" | "error">(token ? "working" : "error");
  const [msg, setMsg] = useState<string>(token ? "" : t("auth.verifyMissing"));
  const started = useRef(false);
  useDocumentTitle(t("auth.verifyTitle"));

  useEffect(() => {
    if (!token || started.current) return; // verify tokens are single-use: never post twice
    started.current = true;
    call(api.client.POST("/api/v1/auth/verify-email", { body: { token } }))
      .then(() => {
        setState("ok");
        if (user) void reload();
      })
      .catch((e) => {
        setState("error");
        setMsg(errorMessage(t, e));
      });
  }, [token, api, t, user, reload]);

  return (
    <div className="card auth-card">
      <h1>{t("auth.verifyTitle")}</h1>
      {state === "working" && (<><p>{t("auth.verifying")}</p><SkeletonLines lines={2} /></>)}
      {state === "ok" && (
        <>
          <div className="alert alert-ok" role="status">{t("auth.verified")}</div>
          {!user && <Link className="btn btn-primary" to="/login">{t("nav.login")}</Link>}
        </>
      )}
      {state === "error" && <div className="alert alert-error" role="alert">{msg}</div>}
    </div>
  );
}
