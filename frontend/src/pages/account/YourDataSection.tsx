import { useEffect, useState, type FormEvent } from "react";
import { call } from "../../api/client";
import { useAuth } from "../../auth/AuthContext";
import { useToast } from "../../components/Toasts";
import { useI18n } from "../../i18n/i18n";
import { domainError } from "../../lib/domainErrors";
import type { components } from "@mamc/shared/api/schema";

type Export = components["schemas"]["DataExportOut"];
type Erasure = components["schemas"]["ErasureState"];

function size(bytes: number | null | undefined): string {
  if (!bytes) return "0 KB";
  return bytes > 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

/** Account page: export everything about me; delete my account (grace period, cancellable). */
export function YourDataSection() {
  const { t, fmtDate } = useI18n();
  const { api } = useAuth();
  const toast = useToast();
  const [exports, setExports] = useState<Export[] | null>(null);
  const [erasure, setErasure] = useState<Erasure | null>(null);
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    void call(api.client.GET("/api/v1/me/erasure")).then(setErasure, (e: unknown) => setError(domainError(t, "privacy", e)));
    // The exports are not read here: GET /me/export would start one by itself.
  }, [api, t]);

  const building = exports?.some((e) => e.status === "pending" || e.status === "running");
  useEffect(() => {
    if (!building) return;
    const timer = setInterval(
      () => void call(api.client.GET("/api/v1/me/export")).then((r) => setExports(r.items), () => undefined),
      3000,
    );
    return () => clearInterval(timer);
  }, [api, building]);

  async function startExport() {
    try {
      setExports((await call(api.client.POST("/api/v1/me/export"))).items);
      toast.push(t("privacy.exportMailed"), "success");
    } catch (e) {
      setError(domainError(t, "privacy", e));
    }
  }

  async function requestDelete(e: FormEvent) {
    e.preventDefault();
    try {
      const out = await call(api.client.DELETE("/api/v1/me", { body: { password } }));
      setErasure((s) => ({ grace_days: s?.grace_days ?? 14, pending: out }));
      setPassword("");
      setError(null);
    } catch (err) {
      setError(domainError(t, "privacy", err));
    }
  }

  async function cancelDelete() {
    try {
      await call(api.client.DELETE("/api/v1/me/erasure"));
      setErasure((s) => (s ? { ...s, pending: null } : s));
      toast.push(t("privacy.cancelled"), "success");
    } catch (err) {
      setError(domainError(t, "privacy", err));
    }
  }

  return (
    <section className="card stack" aria-labelledby="your-data">
      <h2 id="your-data">{t("privacy.title")}</h2>
      <p className="small muted">{t("privacy.intro")}</p>
      {error && <div className="alert alert-error" role="alert">{error}</div>}
      <div>
        <button className="btn" onClick={() => void startExport()} disabled={building}>
          {exports?.length ? t("privacy.exportAgain") : t("privacy.export")}
        </button>
      </div>
      {exports && exports.length > 0 && (
        <ul className="small">
          {exports.map((x) => (
            <li key={x.id}>
              {fmtDate(x.created_at)} — {t(`privacy.exportStatus.${x.status}`)}{" "}
              {x.download_url && <a href={x.download_url} download>{t("privacy.download", { size: size(x.size_bytes) })}</a>}
            </li>
          ))}
        </ul>
      )}
      <h3>{t("privacy.deleteTitle")}</h3>
      {erasure?.pending ? (
        <div className="alert" role="status">
          {t("privacy.deleteScheduled", { date: fmtDate(erasure.pending.erase_after) })}{" "}
          <button className="btn btn-sm" onClick={() => void cancelDelete()}>{t("privacy.cancelDelete")}</button>
        </div>
      ) : (
        <form onSubmit={requestDelete} className="stack" noValidate>
          <p className="small muted">{t("privacy.deleteIntro", { days: erasure?.grace_days ?? 14 })}</p>
          <label htmlFor="erase-password">{t("privacy.password")}</label>
          <input id="erase-password" className="input" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
          <div><button className="btn btn-danger" disabled={!password}>{t("privacy.deleteConfirm")}</button></div>
        </form>
      )}
    </section>
  );
}
