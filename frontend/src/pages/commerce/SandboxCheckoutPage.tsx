import { useParams } from "react-router-dom";
import { useAuth } from "../../auth/AuthContext";
import { call } from "../../api/client";
import { useI18n } from "../../i18n/i18n";
import { useAction, useDocumentTitle, useLoad } from "../../lib/hooks";
import { ErrorState, SkeletonLines } from "../../components/ui";

/**
 * Development only: the stand-in for Stripe Checkout when the platform runs without a Stripe
 * key. It pays as the signed-in buyer (the API refuses anyone else) and then goes where Stripe
 * would send the buyer back.
 */
export default function SandboxCheckoutPage() {
  const { id = "" } = useParams();
  const { t, fmtMoney } = useI18n();
  const { api } = useAuth();
  const path = { params: { path: { session_id: id } } };
  const checkout = useLoad(() => call(api.client.GET("/api/v1/sandbox/checkout/{session_id}", path)), [api, id]);
  const pay = useAction(async () => {
    const out = await call(api.client.POST("/api/v1/sandbox/checkout/{session_id}/pay", path));
    window.location.assign(out.redirect_url);
    return out;
  });
  const decline = useAction(async () => {
    await call(api.client.POST("/api/v1/sandbox/checkout/{session_id}/decline", path));
    checkout.reload();
    return true;
  });
  useDocumentTitle(t("sandbox.title"));

  if (checkout.error) return <ErrorState message={checkout.error} onRetry={checkout.reload} />;
  const c = checkout.data;
  if (!c) return <SkeletonLines lines={4} />;
  const amount = fmtMoney(c.amount_cents, c.currency);
  const what =
    c.kind === "subscription"
      ? t("sandbox.subscription", { interval: t(`sandbox.interval.${c.interval ?? "month"}`) })
      : c.kind === "rental"
        ? t("sandbox.rental", { title: c.title, hours: c.rental_hours ?? 0 })
        : t("sandbox.purchase", { title: c.title });
  const busy = pay.busy || decline.busy;

  return (
    <div className="stack" style={{ maxWidth: 480, margin: "0 auto" }}>
      <div className="alert alert-warn" role="note">{t("sandbox.note")}</div>
      <section className="card stack" aria-labelledby="sb-h">
        <h1 id="sb-h" style={{ margin: 0 }}>{what}</h1>
        <p style={{ fontSize: "2rem", margin: 0 }}>{amount}</p>
        {(pay.error || decline.error) && <div className="alert alert-error" role="alert">{pay.error ?? decline.error}</div>}
        {c.status === "paid" && <div className="alert alert-ok" role="status">{t("sandbox.paid")}</div>}
        {c.status === "expired" && <div className="alert alert-error" role="status">{t("sandbox.expired")}</div>}
        {c.status === "failed" && <div className="alert alert-error" role="status">{t("sandbox.declined")}</div>}
        {(c.status === "open" || c.status === "failed") && (
          <>
            <button className="btn btn-primary btn-block" disabled={busy} onClick={() => void pay.run()}>{t("sandbox.pay", { amount })}</button>
            {c.kind !== "subscription" && (
              <button className="btn btn-block" disabled={busy} onClick={() => void decline.run()}>{t("sandbox.decline")}</button>
            )}
          </>
        )}
        <a href={c.cancel_url}>{t("sandbox.cancel")}</a>
      </section>
    </div>
  );
}
