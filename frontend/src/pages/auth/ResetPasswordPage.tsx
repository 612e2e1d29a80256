import { useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { useAuth } from "../../auth/AuthContext";
import { call } from "../../api/client";
import { useI18n } from "../../i18n/i18n";
import { Field } from "../../components/ui";
import { useAction, useDocumentTitle } from "../../lib/hooks";
import { MIN_PASSWORD } from "./validate";

export default function ResetPasswordPage() {
  const { t } = useI18n();
  const { api } = useAuth();
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";
  const [pw, setPw] = useState("");
  const [touched, setTouched] = useState(false);
  const [done, setDone] = useState(false);
  useDocumentTitle(t("auth.resetTitle"));
  const { run, busy, error } = useAction(async (new_password: string) => {
    await call(api.client.POST("/api/v1/auth/password-reset/confirm", { body: { token, new_password } }));
    return true;
  });
  const short = pw.length < MIN_PASSWORD;

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setTouched(true);
    if (short) return;
    if (await run(pw)) setDone(true);
  }

  return (
    <div className="card auth-card">
      <h1>{t("auth.resetTitle")}</h1>
      {!token && <div className="alert alert-error" role="alert">{t("errors.invalid_token")}</div>}
      {done ? (
        <>
          <div className="alert alert-ok" role="status">{t("auth.resetDone")}</div>
          <Link className="btn btn-primary" to="/login">{t("nav.login")}</Link>
        </>
      ) : (
        token && (
          <>
            {error && <div className="alert alert-error" role="alert">{error}</div>}
            <form onSubmit={onSubmit} noValidate>
              <Field label={t("auth.newPassword")} type="password" autoComplete="new-password" required hint={t("auth.passwordHint")} value={pw} onChange={(e) => setPw(e.target.value)} error={touched && short ? t("auth.passwordTooShort") : null} />
              <button className="btn btn-primary btn-block" disabled={busy}>{busy ? t("common.loading") : t("auth.resetSubmit")}</button>
            </form>
          </>
        )
      )}
    </div>
  );
}
