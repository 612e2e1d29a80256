import { useState, type FormEvent } from "react";
import { useAuth } from "../../auth/AuthContext";
import { call } from "../../api/client";
import { useI18n } from "../../i18n/i18n";
import { useDocumentTitle, useLoad, usePaged } from "../../lib/hooks";
import { ErrorState, Field, SkeletonLines } from "../../components/ui";

export default function AuditPage() {
  const { t, lang } = useI18n();
  const { api } = useAuth();
  const [form, setForm] = useState({ action: "", subject_type: "", subject_id: "" });
  const [filter, setFilter] = useState(form);
  useDocumentTitle(t("admin.audit"));
  const page = usePaged(
    (cursor) =>
      call(api.client.GET("/api/v1/admin/audit", {
        params: { query: { limit: 50, cursor, action: filter.action || null, subject_type: filter.subject_type || null, subject_id: filter.subject_id || null } },
      })),
    [api, filter.action, filter.subject_type, filter.subject_id],
  );
  const actions = useLoad(() => call(api.client.GET("/api/v1/admin/audit/actions")), [api]);
  const { fmtDate } = useI18n();
  const when = (d: string) => `${fmtDate(d)} ${new Date(d).toLocaleTimeString(lang === "it" ? "it-IT" : "en-GB", { hour: "2-digit", minute: "2-digit" })}`;
  const actionLabel = (a: string) => {
    const k = `web.auditActions.${a.replace(/\./g, "_")}`;
    const s = t(k);
    return s === k ? a : s;
  };
  function apply(e: FormEvent) {
    e.preventDefault();
    setFilter({ action: form.action.trim(), subject_type: form.subject_type.trim(), subject_id: form.subject_id.trim() });
  }
  const set = (k: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement>) => setForm({ ...form, [k]: e.target.value });
  return (
    <div className="stack">
      <h1>{t("admin.audit")}</h1>
      <form className="panel grid" style={{ gridTemplateColumns: "repeat(auto-fit, minmax(160px, 1fr))", gap: 12, alignItems: "end" }} onSubmit={apply}>
        <Field label={t("admin.action")} value={form.action} onChange={set("action")} list="audit-actions" placeholder={actions.data?.[0] ?? ""} />
        <datalist id="audit-actions">{(actions.data ?? []).map((a) => <option key={a} value={a}>{actionLabel(a)}</option>)}</datalist>
        <Field label={t("admin.subjectType")} value={form.subject_type} onChange={set("subject_type")} list="audit-subjects" placeholder="video" />
        <datalist id="audit-subjects">{["user", "video", "purchase", "entitlement"].map((a) => <option key={a} value={a} />)}</datalist>
        <Field label={t("admin.subjectId")} value={form.subject_id} onChange={set("subject_id")} />
        <div className="field"><button className="btn">{t("admin.filter")}</button></div>
      </form>
      {page.loading && <SkeletonLines lines={6} />}
      {page.error && <ErrorState message={page.error} onRetry={page.reload} />}
      {!page.loading && !page.error && page.items.length === 0 && <p className="muted">{t("admin.noEntries")}</p>}
      {page.items.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <thead><tr><th scope="col">{t("admin.when")}</th><th scope="col">{t("admin.action")}</th><th scope="col">{t("admin.subject")}</th><th scope="col">{t("admin.actor")}</th><th scope="col">{t("admin.data")}</th></tr></thead>
            <tbody>
              {page.items.map((e) => (
                <tr key={e.id}>
                  <td data-label={t("admin.when")} className="small muted">{when(e.created_at)}</td>
                  <td data-label={t("admin.action")} className="small">{actionLabel(e.action)}<div className="mono muted">{e.action}</div></td>
                  <td data-label={t("admin.subject")} className="small">{e.subject_name ?? <span className="mono">{e.subject_id.slice(0, 12)}</span>} <span className="muted">({e.subject_type})</span></td>
                  <td data-label={t("admin.actor")} className="small">{e.actor_name ?? (e.actor_id ? <span className="mono">{e.actor_id.slice(0, 8)}</span> : t("web.auditSystem"))}</td>
                  <td className="small">
                    {e.reason && <div>{e.reason}</div>}
                    {Object.keys(e.data).length > 0 && (
                      <details><summary>{t("admin.data")}</summary><pre className="mono small" style={{ whiteSpace: "pre-wrap", margin: 0 }}>{JSON.stringify(e.data, null, 2)}</pre></details>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {page.hasMore && <button className="btn" onClick={page.loadMore}>{t("common.loadMore")}</button>}
    </div>
  );
}
