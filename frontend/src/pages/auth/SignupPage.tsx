import { useState, type FormEvent } from "react";
import { Link } from "react-router-dom";
import { useAuth } from "../../auth/AuthContext";
import { call } from "../../api/client";
import { useI18n } from "../../i18n/i18n";
import { Field } from "../../components/ui";
import { useAction, useDocumentTitle } from "../../lib/hooks";
import { EMAIL_RE, MIN_PASSWORD } from "./validate";

export default function SignupPage() {
  const { t, lang } = useI18n();
  const { api } = useAuth();
  const [form, setForm] = useState({ email: "", password: "", display_name: "" });
  const [touched, setTouched] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  useDocumentTitle(t("auth.signupTitle"));
  // Our mails (verification, resets) follow the language the account was created in.
  const { run, busy, error } = useAction((body: typeof form) =>
    call(api.client.POST("/api/v1/auth/register", { body: { ...body, language: lang } })),
  );

  const errs = {
    display_name: !form.display_name.trim() ? t("auth.required") : null,
    email: !EMAIL_RE.test(form.email.trim()) ? t("auth.invalidEmail") : null,
    password: form.password.length < MIN_PASSWORD ? t("auth.passwordTooShort") : null,
  };
  const valid = !errs.display_name && !errs.email && !errs.password;

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setTouched(true);
    if (!valid) return;
    const body = { ...form, email: form.email.trim(), display_name: form.display_name.trim() };
    const u = await run(body);
    if (u) setDone(body.email);
  }

  if (done) {
    return (
      <div className="card auth-card">
        <h1>{t("auth.signupTitle")}</h1>
        <div className="alert alert-ok" role="status">{t("auth.signupDone", { email: done })}</div>
        <Link className="btn btn-primary" to="/login">{t("nav.login")}</Link>
      </div>
    );
  }

  const set = (k: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement>) => setForm({ ...form, [k]: e.target.value });
  return (
    <div className="card auth-card">
      <h1>{t("auth.signupTitle")}</h1>
      {error && <div className="alert alert-error" role="alert">{error}</div>}
      <form onSubmit={onSubmit} noValidate>
        <Field label={t("auth.displayName")} autoComplete="nickname" required value={form.display_name} onChange={set("display_name")} error={touched ? errs.display_name : null} />
        <Field label={t("auth.email")} type="email" autoComplete="email" required value={form.email} onChange={set("email")} error={touched ? errs.email : null} />
        <Field label={t("auth.password")} type="password" autoComplete="new-password" required minLength={MIN_PASSWORD} hint={t("auth.passwordHint")} value={form.password} onChange={set("password")} error={touched ? errs.password : null} />
        <button className="btn btn-primary btn-block" disabled={busy}>{busy ? t("common.loading") : t("auth.signupSubmit")}</button>
      </form>
      <p style={{ marginTop: 16 }}>{t("auth.haveAccount")} <Link to="/login">{t("nav.login")}</Link></p>
    </div>
  );
}
