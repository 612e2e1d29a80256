import { useEffect, useState } from "react";
import { Link } from "react-router-dom";
import { useAuth } from "../../auth/AuthContext";
import { call } from "../../api/client";
import { useI18n } from "../../i18n/i18n";
import { useAction, useDocumentTitle, usePaged } from "../../lib/hooks";
import { ErrorState, SelectField, SkeletonLines, StatusBadge } from "../../components/ui";
import { useToast } from "../../components/Toasts";
import { ReasonDialog } from "../../components/ReasonDialog";
import type { Item, Resp } from "@mamc/shared/api/types";
import { moneyInput, parseMoney } from "../../lib/money";

export const REFRESH_MS = import.meta.env.MODE === "test" ? 50 : 2000;

type Payment = Item<Resp<"/api/v1/admin/payments", "get">>;
const STATUSES = ["pending", "paid", "failed", "partially_refunded", "refunded", "disputed", "dispute_lost"] as const;

export function PaymentsPage() {
  const { t, fmtDate, fmtMoney, lang } = useI18n();
  const { api } = useAuth();
  const toast = useToast();
  const [status, setStatus] = useState("");
  const [kind, setKind] = useState("");
  const [refunding, setRefunding] = useState<Payment | null>(null);
  useDocumentTitle(t("admin.payments"));
  const page = usePaged(
    (cursor) =>
      call(api.client.GET("/api/v1/admin/payments", {
        params: { query: { limit: 50, cursor, status: (status || null) as (typeof STATUSES)[number] | null, kind: (kind || null) as "ppv" | "rental" | "course" | null } },
      })),
    [api, status, kind],
  );
  const [amount, setAmount] = useState("");
  const [amountError, setAmountError] = useState<string | null>(null);
  const replace = (out: Payment) => page.setItems((xs) => xs.map((x) => (x.id === out.id ? out : x)));
  const refund = useAction(async (p: Payment, reason: string) => {
    const left = p.amount_cents - p.amount_refunded_cents;
    const cents = parseMoney(lang, amount);
    if (cents === "invalid" || (cents != null && !(cents > 0 && cents <= left))) {
      setAmountError(t("web.refund.amountInvalid", { max: fmtMoney(left, p.currency) }));
      return null;
    }
    setAmountError(null);
    const body = cents == null || cents === left ? { reason } : { reason, amount_cents: cents };
    const out = await call(api.client.POST("/api/v1/admin/payments/{purchase_id}/refund", { params: { path: { purchase_id: p.id } }, body }));
    replace(out);
    toast.push(t("admin.refundDone"), "success");
    setRefunding(null);
    return out;
  });
  // Stripe confirms a refund a moment later (charge.refunded): re-read the rows still waiting.
  const waiting = page.items.filter((p) => p.refund_pending_cents > 0).map((p) => p.id).join(",");
  useEffect(() => {
    if (!waiting) return;
    const timer = setInterval(() => {
      for (const id of waiting.split(",")) {
        void call(api.client.GET("/api/v1/admin/payments/{purchase_id}", { params: { path: { purchase_id: id } } })).then(replace, () => undefined);
      }
    }, REFRESH_MS);
    return () => clearInterval(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [waiting, api]);
  return (
    <div className="stack">
      <h1>{t("admin.payments")}</h1>
      <div className="row">
        <div style={{ flex: "0 1 220px" }}>
          <SelectField label={t("admin.status")} value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">{t("common.all")}</option>
            {STATUSES.map((s) => <option key={s} value={s}>{t(`status.${s}`)}</option>)}
          </SelectField>
        </div>
        <div style={{ flex: "0 1 180px" }}>
          <SelectField label={t("admin.kind")} value={kind} onChange={(e) => setKind(e.target.value)}>
            <option value="">{t("common.all")}</option>
            <option value="ppv">{t("web.purchaseKind.ppv")}</option>
            <option value="rental">{t("web.purchaseKind.rental")}</option>
            <option value="course">{t("web.purchaseKind.course")}</option>
          </SelectField>
        </div>
      </div>
      {page.loading && <SkeletonLines lines={6} />}
      {page.error && <ErrorState message={page.error} onRetry={page.reload} />}
      {!page.loading && !page.error && page.items.length === 0 && <p className="muted">{t("admin.noPayments")}</p>}
      {page.items.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <thead><tr><th scope="col">{t("library.video")}</th><th scope="col">{t("admin.kind")}</th><th scope="col">{t("admin.status")}</th><th scope="col">{t("admin.amount")}</th><th scope="col">{t("admin.created")}</th><th scope="col"><span className="visually-hidden">{t("admin.refund")}</span></th></tr></thead>
            <tbody>
              {page.items.map((p) => (
                <tr key={p.id}>
                  <td data-label={t("library.video")}>
                    <Link to={p.course_id ? `/courses/${p.course_id}` : `/videos/${p.video_id}`}>{p.video_title}</Link>
                    <div className="small">{p.buyer_name ?? t("web.payments.erased")}{p.buyer_email && <> · <a href={`mailto:${p.buyer_email}`}>{p.buyer_email}</a></>}</div>
                  </td>
                  <td data-label={t("admin.kind")}>{t(`web.purchaseKind.${p.kind}`)}</td>
                  <td data-label={t("admin.status")}>
                    <StatusBadge status={p.status} />
                    {p.status === "failed" && p.failure_message && <div className="small field-error">{p.failure_message}</div>}
                    {p.refund_pending_cents > 0 && <div className="small muted" role="status">{t("web.refund.pending", { amount: fmtMoney(p.refund_pending_cents, p.currency) })}</div>}
                  </td>
                  <td data-label={t("admin.amount")}>{fmtMoney(p.amount_cents, p.currency)}{p.amount_refunded_cents > 0 && <div className="small muted">−{fmtMoney(p.amount_refunded_cents, p.currency)}</div>}</td>
                  <td data-label={t("admin.created")} className="small muted">{fmtDate(p.created_at)}</td>
                  <td>
                    {["paid", "partially_refunded"].includes(p.status) && p.refund_pending_cents === 0 && p.amount_refunded_cents < p.amount_cents && (
                      <button className="btn btn-sm" onClick={() => { setAmount(moneyInput(lang, p.amount_cents - p.amount_refunded_cents)); setAmountError(null); setRefunding(p); }}>{t("admin.refund")}</button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {page.hasMore && <button className="btn" onClick={page.loadMore}>{t("common.loadMore")}</button>}
      {refunding && (
        <ReasonDialog
          title={t("web.refund.title", { title: refunding.video_title })}
          label={t("admin.reason")}
          hint={t("admin.reasonHint")}
          danger
          busy={refund.busy}
          error={refund.error}
          confirmLabel={t("admin.refund")}
          onConfirm={(r) => refund.run(refunding, r)}
          onClose={() => setRefunding(null)}
        >
          <div className="field">
            <label htmlFor="refund-amount">{t("web.refund.amount", { currency: refunding.currency.toUpperCase() })}</label>
            <input id="refund-amount" className="input" inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)}
              aria-describedby="refund-amount-hint" aria-invalid={!!amountError} />
            <span id="refund-amount-hint" className={amountError ? "field-error" : "field-hint"}>
              {amountError ?? t("web.refund.amountHint", { max: fmtMoney(refunding.amount_cents - refunding.amount_refunded_cents, refunding.currency) })}
            </span>
          </div>
        </ReasonDialog>
      )}
    </div>
  );
}

export function DisputesPage() {
  const { t, fmtDate, fmtMoney } = useI18n();
  const { api } = useAuth();
  const [openOnly, setOpenOnly] = useState(true);
  useDocumentTitle(t("admin.disputes"));
  const page = usePaged((cursor) => call(api.client.GET("/api/v1/admin/disputes", { params: { query: { limit: 50, cursor, open_only: openOnly } } })), [api, openOnly]);
  return (
    <div className="stack">
      <h1>{t("admin.disputes")}</h1>
      <label className="checkbox"><input type="checkbox" checked={openOnly} onChange={(e) => setOpenOnly(e.target.checked)} /> {t("admin.openOnly")}</label>
      {page.loading && <SkeletonLines lines={4} />}
      {page.error && <ErrorState message={page.error} onRetry={page.reload} />}
      {!page.loading && !page.error && page.items.length === 0 && <p className="muted">{t("admin.noDisputes")}</p>}
      {page.items.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <thead><tr><th scope="col">Stripe</th><th scope="col">{t("admin.status")}</th><th scope="col">{t("admin.amount")}</th><th scope="col">{t("admin.reason")}</th><th scope="col">{t("admin.dueBy")}</th></tr></thead>
            <tbody>
              {page.items.map((d) => (
                <tr key={d.id}>
                  <td className="mono small">{d.stripe_dispute_id}</td>
                  <td><StatusBadge status={d.status} /></td>
                  <td>{fmtMoney(d.amount_cents, d.currency)}</td>
                  <td className="small">{d.reason ?? "—"}</td>
                  <td className="small muted">{d.evidence_due_by ? fmtDate(d.evidence_due_by) : "—"}</td>
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
