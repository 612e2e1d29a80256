import { useEffect, useState } from "react";
import { Link } from "react-router-dom";
import { useAuth } from "../../auth/AuthContext";
import { call } from "../../api/client";
import { useI18n } from "../../i18n/i18n";
import { useAction } from "../../lib/hooks";
import { openEventStream } from "../../lib/sse";
import { reasonLabel, stageLabel } from "../../lib/serverWords";
import { StatusBadge } from "../../components/ui";
import { useToast } from "../../components/Toasts";
import type { Item, Resp } from "@mamc/shared/api/types";
import { r1 } from "./pose";

export type Reference = Item<Resp<"/api/v1/studio/references", "get">>;
const ACTIVE = new Set(["pending", "running", "uploading"]);

/** One of the instructor's references: follows its extraction live (app/progress SSE; polling
 * the reference while the stream is down), and can be previewed, renamed and deleted. */
export function ReferenceRow({ reference, onChange, onDelete }: { reference: Reference; onChange: (r: Reference) => void; onDelete: (id: string) => void }) {
  const { t, fmtDate } = useI18n();
  const { api } = useAuth();
  const toast = useToast();
  const r = reference;
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(r.name);
  const active = ACTIVE.has(r.status);
  const path = { reference_id: r.id };

  useEffect(() => {
    if (!active) return;
    let status = r.status;
    return openEventStream({
      fetch: (p, init) => api.raw(p, init),
      path: `/api/v1/studio/references/${r.id}/events`,
      onEvent: (e) => {
        try {
          const d = JSON.parse(e.data) as { status?: Reference["status"]; percent?: number; stage?: string; failure_reason?: string | null };
          if (d.status) status = d.status;
          onChange({ ...r, status: d.status ?? r.status, progress: d.percent ?? r.progress, stage: d.stage ?? r.stage, failure_reason: d.failure_reason ?? r.failure_reason });
        } catch {
          /* keep-alives */
        }
      },
      poll: async () => {
        const fresh = await call(api.client.GET("/api/v1/studio/references/{reference_id}", { params: { path } }));
        status = fresh.status;
        onChange(fresh);
      },
      done: () => !ACTIVE.has(status),
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [active, api, r.id]);

  const rename = useAction(async () => {
    const out = await call(api.client.PATCH("/api/v1/studio/references/{reference_id}", { params: { path }, body: { name } }));
    onChange(out);
    setEditing(false);
    toast.push(t("web.refs.renamed"), "success");
    return out;
  });
  const remove = useAction(async () => {
    if (!window.confirm(t("web.refs.confirmDelete", { name: r.name }))) return null;
    await call(api.client.DELETE("/api/v1/studio/references/{reference_id}", { params: { path } }));
    onDelete(r.id);
    toast.push(t("web.refs.deleted"), "success");
    return true;
  });

  return (
    <tr>
      <td>
        {editing ? (
          <form className="row" onSubmit={(e) => { e.preventDefault(); void rename.run(); }}>
            <label className="visually-hidden" htmlFor={`ref-name-${r.id}`}>{t("web.refs.newName")}</label>
            <input id={`ref-name-${r.id}`} className="input" value={name} maxLength={200} onChange={(e) => setName(e.target.value)} style={{ width: "auto", flex: 1 }} />
            <button className="btn btn-sm btn-primary" disabled={rename.busy || !name.trim()}>{t("web.refs.save")}</button>
            <button type="button" className="btn btn-sm" onClick={() => { setEditing(false); setName(r.name); }}>{t("common.cancel")}</button>
          </form>
        ) : (
          <strong>{r.name}</strong>
        )}
        {r.failure_reason && <div className="small field-error">{reasonLabel(t, r.failure_reason)}</div>}
        {(rename.error || remove.error) && <div className="small field-error" role="alert">{rename.error ?? remove.error}</div>}
      </td>
      <td className="small">{t(`pose.techniques.${r.technique}`)}</td>
      <td aria-live="polite">
        <StatusBadge status={r.status} />
        {active && <span className="small muted"> {r.progress}% · {stageLabel(t, r.stage)}</span>}
      </td>
      <td>{r1(r.t_start)}</td>
      <td>{r1(r.t_end)}</td>
      <td className="small muted">{fmtDate(r.created_at)}</td>
      <td>
        <span className="row">
          <Link className="btn btn-sm" to={`/videos/${r.video_id}?t=${Math.floor(r.t_start)}`}>{t("web.refs.preview")}</Link>
          {!editing && <button className="btn btn-sm" onClick={() => setEditing(true)}>{t("web.refs.rename")}</button>}
          <button className="btn btn-sm btn-danger" disabled={remove.busy} onClick={() => remove.run()}>{t("web.refs.delete")}</button>
        </span>
      </td>
    </tr>
  );
}
