import { useState, type FormEvent } from "react";
import { useAuth, type Role, type User } from "../../auth/AuthContext";
import { call } from "../../api/client";
import { useI18n } from "../../i18n/i18n";
import { useAction, useDocumentTitle, usePaged } from "../../lib/hooks";
import { ErrorState, SkeletonLines } from "../../components/ui";
import { useToast } from "../../components/Toasts";
import { ReasonDialog } from "../../components/ReasonDialog";

const ROLES: Role[] = ["student", "instructor", "admin"];
type Change = { user: User; role?: Role; is_active?: boolean };

export default function UsersPage() {
  const { t, fmtDate } = useI18n();
  const { api, user: me } = useAuth();
  const toast = useToast();
  const [q, setQ] = useState("");
  const [filter, setFilter] = useState<{ q: string; role: Role | "" }>({ q: "", role: "" });
  const [change, setChange] = useState<Change | null>(null);
  useDocumentTitle(t("admin.users"));
  const page = usePaged(
    (cursor) => call(api.client.GET("/api/v1/admin/users", { params: { query: { limit: 50, cursor, q: filter.q || null, role: filter.role || null } } })),
    [api, filter.q, filter.role],
  );
  const save = useAction(async (c: Change, reason: string) => {
    const out = await call(
      api.client.PATCH("/api/v1/admin/users/{user_id}", {
        params: { path: { user_id: c.user.id } },
        body: { ...(c.role ? { role: c.role } : {}), ...(c.is_active !== undefined ? { is_active: c.is_active } : {}), reason: reason || null },
      }),
    );
    page.setItems((xs) => xs.map((u) => (u.id === out.id ? out : u)));
    toast.push(t("admin.userUpdated"), "success");
    setChange(null);
    return out;
  });

  function search(e: FormEvent) {
    e.preventDefault();
    setFilter({ ...filter, q: q.trim() });
  }

  return (
    <div className="stack">
      <h1>{t("admin.users")}</h1>
      <form role="search" className="row" onSubmit={search}>
        <label htmlFor="uq" className="visually-hidden">{t("admin.searchUsers")}</label>
        <input id="uq" type="search" className="input" style={{ flex: "1 1 220px", width: "auto" }} placeholder={t("admin.searchUsers")} value={q} onChange={(e) => setQ(e.target.value)} />
        <label htmlFor="urole" className="visually-hidden">{t("admin.role")}</label>
        <select id="urole" className="select" style={{ width: "auto" }} value={filter.role} onChange={(e) => setFilter({ ...filter, role: e.target.value as Role | "" })}>
          <option value="">{t("common.all")}</option>
          {ROLES.map((r) => <option key={r} value={r}>{t(`roles.${r}`)}</option>)}
        </select>
        <button className="btn">{t("common.search")}</button>
      </form>
      {page.loading && <SkeletonLines lines={6} />}
      {page.error && <ErrorState message={page.error} onRetry={page.reload} />}
      {page.items.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <thead><tr><th scope="col">{t("admin.name")}</th><th scope="col">{t("admin.email")}</th><th scope="col">{t("admin.role")}</th><th scope="col">{t("admin.active")}</th><th scope="col">{t("admin.joined")}</th></tr></thead>
            <tbody>
              {page.items.map((u) => (
                <tr key={u.id}>
                  <td>{u.display_name}</td>
                  <td className="small">{u.email} {u.email_verified ? "" : <span className="badge badge-warn" title={t("admin.unverified")}><span aria-hidden="true">!</span><span className="visually-hidden">{t("admin.unverified")}</span></span>}</td>
                  <td>
                    <label className="visually-hidden" htmlFor={`role-${u.id}`}>{t("admin.changeRole", { name: u.display_name })}</label>
                    <select id={`role-${u.id}`} className="select" style={{ width: "auto", minHeight: 34 }} value={u.role} disabled={u.id === me?.id}
                      onChange={(e) => setChange({ user: u, role: e.target.value as Role })}>
                      {ROLES.map((r) => <option key={r} value={r}>{t(`roles.${r}`)}</option>)}
                    </select>
                  </td>
                  <td>
                    <button className={`btn btn-sm ${u.is_active ? "" : "btn-primary"}`} disabled={u.id === me?.id}
                      aria-label={`${t(u.is_active ? "admin.deactivate" : "admin.activate")} ${u.display_name}`}
                      onClick={() => setChange({ user: u, is_active: !u.is_active })}>
                      {t(u.is_active ? "admin.deactivate" : "admin.activate")}
                    </button>
                  </td>
                  <td className="small muted">{fmtDate(u.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {page.hasMore && <button className="btn" onClick={page.loadMore}>{t("common.loadMore")}</button>}
      {change && (
        <ReasonDialog
          title={t(change.role ? "admin.changeRole" : "admin.changeActive", { name: change.user.display_name })}
          label={t("admin.reason")}
          optional
          danger={change.is_active === false}
          busy={save.busy}
          error={save.error}
          onConfirm={(r) => save.run(change, r)}
          onClose={() => setChange(null)}
        >
          <p>{change.role ? `${t(`roles.${change.user.role}`)} → ${t(`roles.${change.role}`)}` : t(change.is_active ? "admin.activate" : "admin.deactivate")}</p>
        </ReasonDialog>
      )}
    </div>
  );
}
