import { useState, type FormEvent } from "react";
import { Link } from "react-router-dom";
import { useAuth } from "../../auth/AuthContext";
import { call } from "../../api/client";
import { LANGS, useI18n, type Lang } from "../../i18n/i18n";
import { Field } from "../../components/ui";
import { useAction, useDocumentTitle } from "../../lib/hooks";
import { useToast } from "../../components/Toasts";
import { WebhooksSection } from "../account/WebhooksSection";
import { YourDataSection } from "../account/YourDataSection";

export default function AccountPage() {
  const { t, fmtDate } = useI18n();
  const { api, user, reload } = useAuth();
  const toast = useToast();
  const [name, setName] = useState(user?.display_name ?? "");
  const [mailLang, setMailLang] = useState<Lang>((user?.language as Lang | undefined) ?? "en");
  useDocumentTitle(t("account.title"));
  const save = useAction(async (display_name: string) => {
    const out = await call(api.client.PATCH("/api/v1/me", { body: { display_name, language: mailLang } }));
    await reload();
    toast.push(t("account.saved"), "success");
    return out;
  });
  if (!user) return null;
  function submit(e: FormEvent) {
    e.preventDefault();
    if (name.trim()) void save.run(name.trim());
  }
  return (
    <div className="card auth-card">
      <h1>{t("account.title")}</h1>
      <p className="small muted">{user.email} · {t(`roles.${user.role}`)} · {fmtDate(user.created_at)}</p>
      {save.error && <div className="alert alert-error" role="alert">{save.error}</div>}
      <form onSubmit={submit} noValidate>
        <Field label={t("auth.displayName")} value={name} onChange={(e) => setName(e.target.value)} maxLength={120} error={!name.trim() ? t("auth.required") : null} />
        <div className="field">
          <label htmlFor="mail-language">{t("account.mailLanguage")}</label>
          <select id="mail-language" className="select" value={mailLang} onChange={(e) => setMailLang(e.target.value as Lang)}>
            {LANGS.map((l) => <option key={l} value={l}>{t(`account.langNames.${l}`)}</option>)}
          </select>
        </div>
        <button className="btn btn-primary" disabled={save.busy || !name.trim()}>{t("common.save")}</button>
      </form>
      <p style={{ marginTop: 16 }}><Link to="/forgot-password">{t("auth.forgot")}</Link></p>
      <p><Link to="/notifications">{t("notifications.preferences")}</Link></p>
      <YourDataSection />
      {(user.role === "instructor" || user.role === "admin") && <WebhooksSection />}
    </div>
  );
}
