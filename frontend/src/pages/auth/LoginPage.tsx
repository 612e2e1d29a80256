import { useState, type FormEvent } from "react";
import { Link, useNavigate, useSearchParams } from "react-router-dom";
import { useAuth } from "../../auth/AuthContext";
import { useI18n } from "../../i18n/i18n";
import { Field } from "../../components/ui";
import { useAction, useDocumentTitle } from "../../lib/hooks";
import { useToast } from "../../components/Toasts";

/** Only allow same-app relative redirects. */
export function safeNext(next: string | null): string {
  return next && next.startsWith("/") && !next.startsWith("//") ? next : "/";
}

export default function LoginPage() {
  const { t } = useI18n();
  const { login } = useAuth();
  const toast = useToast();
  const nav = useNavigate();
  const [params] = useSearchParams();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  useDocumentTitle(t("auth.loginTitle"));
  const { run, busy, error } = useAction(login);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const me = await run(email.trim(), password);
    if (me) {
      toast.push(t("auth.welcome", { name: me.display_name }), "success");
      nav(safeNext(params.get("next")), { replace: true });
    }
  }

  return (
    <div className="card auth-card">
      <h1>{t("auth.loginTitle")}</h1>
      {error && <div className="alert alert-error" role="alert">{error}</div>}
      <form onSubmit={onSubmit} noValidate>
        <Field label={t("auth.email")} type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        <Field label={t("auth.password")} type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        <button className="btn btn-primary btn-block" disabled={busy || !email || !password}>
          {busy ? t("common.loading") : t("auth.loginSubmit")}
        </button>
      </form>
      <p style={{ marginTop: 16 }}><Link to="/forgot-password">{t("auth.forgot")}</Link></p>
      <p>{t("auth.noAccount")} <Link to="/signup">{t("nav.signup")}</Link></p>
    </div>
  );
}
