import { useState } from "react";
import { useAuth } from "../../auth/AuthContext";
import { call } from "../../api/client";
import { toApiError } from "@mamc/shared/api/errors";
import { useI18n } from "../../i18n/i18n";
import { useAction, useDocumentTitle, useLoad, usePaged } from "../../lib/hooks";
import { ErrorState, SkeletonLines } from "../../components/ui";
import { EarningsByVideo } from "./EarningsByVideo";

const thisMonth = () => new Date().toISOString().slice(0, 7);

/**
 * Instructor earnings (the month's payout lines per currency and the ledger), or with `admin`
 * the platform's payout report for every instructor.
 */
export default function EarningsPage({ admin = false }: { admin?: boolean }) {
  const { t, fmtMoney, fmtDate } = useI18n();
  const { api } = useAuth();
  const [month, setMonth] = useState(thisMonth);
  const entryLabel = (code: string) => {
    const k = `web.earnings.entry.${code}`;
    return t(k) === k ? code.replace(/_/g, " ") : t(k);
  };
  useDocumentTitle(t(admin ? "admin.payouts" : "studio.earnings"));
  const report = useLoad(
    () => call(admin ? api.client.GET("/api/v1/admin/payouts", { params: { query: { month } } }) : api.client.GET("/api/v1/earnings/payouts", { params: { query: { month } } })),
    [api, month, admin],
  );
  const byVideo = useLoad(
    () => (admin ? Promise.resolve([]) : call(api.client.GET("/api/v1/earnings/videos", { params: { query: { month } } }))),
    [api, month, admin],
  );
  const ledger = usePaged(
    (cursor) => (admin ? Promise.resolve({ items: [], next_cursor: null }) : call(api.client.GET("/api/v1/earnings/ledger", { params: { query: { month, limit: 50, cursor } } }))),
    [api, month, admin],
  );
  // The CSV needs the bearer token, so fetch it and hand the browser a blob.
  const csv = useAction(async () => {
    const res = await api.raw(`/api/v1/${admin ? "admin" : "earnings"}/payouts.csv?month=${month}`);
    if (!res.ok) throw toApiError(res.status, await res.json().catch(() => null));
    const url = URL.createObjectURL(await res.blob());
    const a = Object.assign(document.createElement("a"), { href: url, download: `payouts-${month}.csv` });
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
    return true;
  });
  return (
    <div className="stack">
      <h1>{t(admin ? "admin.payouts" : "studio.earnings")}</h1>
      <div className="row">
        <label htmlFor="month" className="label">{t("studio.month")}</label>
        <input id="month" type="month" className="input" style={{ width: "auto" }} value={month} max={thisMonth()} onChange={(e) => e.target.value && setMonth(e.target.value)} />
        <span className="spacer" />
        <button className="btn btn-sm" onClick={() => csv.run()} disabled={csv.busy}>{t("studio.downloadCsv")}</button>
      </div>
      {csv.error && <div className="alert alert-error">{csv.error}</div>}
      {report.loading && <SkeletonLines lines={3} />}
      {report.error && <ErrorState message={report.error} onRetry={report.reload} />}
      {report.data && report.data.lines.length === 0 && <p className="muted">{t("studio.noEarnings")}</p>}
      {report.data && report.data.lines.length > 0 && (
        <div className="grid" style={{ gridTemplateColumns: "repeat(auto-fit, minmax(220px, 1fr))" }}>
          {report.data.lines.map((l) => (
            <section key={`${l.instructor_id}-${l.currency}`} className="panel">
              {admin && <p className="small" style={{ margin: 0 }}><strong>{l.instructor_name}</strong> <span className="muted">{l.instructor_email}</span></p>}
              <h2 className="label">{l.currency.toUpperCase()} · {t("studio.sales")}: {l.sales}</h2>
              <p className="price" style={{ margin: 0 }}>{fmtMoney(l.net_cents, l.currency)}</p>
              <p className="small muted" style={{ margin: 0 }}>
                {t("studio.gross")} {fmtMoney(l.gross_cents, l.currency)} · {t("studio.fees")} {fmtMoney(l.stripe_fee_cents + l.platform_fee_cents, l.currency)}
              </p>
            </section>
          ))}
        </div>
      )}
      {byVideo.data && <EarningsByVideo rows={byVideo.data} />}
      {ledger.items.length > 0 && (
        <section aria-labelledby="ledger-h">
          <h2 id="ledger-h">{t("studio.ledger")}</h2>
          <div className="table-wrap">
            <table className="table">
              <thead><tr><th scope="col">{t("library.date")}</th><th scope="col">{t("studio.entry")}</th><th scope="col">{t("studio.gross")}</th><th scope="col">{t("studio.fees")}</th><th scope="col">{t("studio.net")}</th></tr></thead>
              <tbody>
                {ledger.items.map((e) => (
                  <tr key={e.id}>
                    <td className="small muted">{fmtDate(e.occurred_at)}</td>
                    <td className="small">{entryLabel(e.entry_type)}</td>
                    <td>{fmtMoney(e.gross_cents, e.currency)}</td>
                    <td>{fmtMoney(e.stripe_fee_cents + e.platform_fee_cents, e.currency)}</td>
                    <td><strong>{fmtMoney(e.net_cents, e.currency)}</strong></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {ledger.hasMore && <button className="btn" onClick={ledger.loadMore}>{t("common.loadMore")}</button>}
        </section>
      )}
    </div>
  );
}
