import { useState, type FormEvent } from "react";
import { Link } from "react-router-dom";
import { useAuth } from "../../auth/AuthContext";
import { call } from "../../api/client";
import { useI18n } from "../../i18n/i18n";
import { Field } from "../../components/ui";
import { useAction, useDocumentTitle } from "../../lib/hooks";
import { EMAIL_RE } from "./validate";

export default function ForgotPasswordPage() {
  const { t } = useI18n();
  const { api } = useAuth();
  const [email, setEmail] = useState("");
  const [sent, setSent] = useState(false);
  const [touched, setTouched] = useState(false);
  useDocumentTitle(t("auth.forgotTitle"));
  const { run, busy, error } = useAction(async (e: string) => {
    await call(api.client.POST("/api/v1/auth/password-reset/request", { body: { email: e } }));
    return true;
  });
  const invalid = !EMAIL_RE.test(email.trim());

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setTouched(true);
    if (invalid) return;
    if (await run(email.trim())) setSent(true);
  }

  return (
    <div className="card auth-card">
      <h1>{t("auth.forgotTitle")}</h1>
      {sent ? (
        <div className="alert alert-ok" role="status">{t("auth.forgotDone", { email: email.trim() })}</div>
      ) : (
        <>
          <p className="muted">{t("auth.forgotBody")}</p>
          {error && <div className="alert alert-error" role="alert">{error}</div>}
          <form onSubmit={onSubmit} noValidate>
            <Field label={t("auth.email")} type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} error={touched && invalid ? t("auth.invalidEmail") : null} />
            <button className="btn btn-primary btn-block" disabled={busy}>{busy ? t("common.loading") : t("auth.forgotSubmit")}</button>
          </form>
        </>
      )}
      <p style={{ marginTop: 16 }}><Link to="/login">{t("nav.login")}</Link></p>
    </div>
  );
}
