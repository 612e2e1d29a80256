import { useState } from "react";
import { useAuth } from "../../auth/AuthContext";
import { call } from "../../api/client";
import { useI18n } from "../../i18n/i18n";
import { useAction, useDocumentTitle, useLoad } from "../../lib/hooks";
import { ErrorState, SkeletonLines } from "../../components/ui";
import { BELTS, TECHNIQUES, techniqueName } from "./learning";

/** Instructor: discounts students unlock by reaching a belt on the instructor's references. */
export default function OffersPage() {
  const { t } = useI18n();
  const { api } = useAuth();
  useDocumentTitle(t("learning.offers"));
  const offers = useLoad(() => call(api.client.GET("/api/v1/learning/offers")), [api]);
  const [technique, setTechnique] = useState<string>("kick");
  const [belt, setBelt] = useState<string>("green");
  const [percent, setPercent] = useState(10);
  const create = useAction(async () => {
    await call(api.client.POST("/api/v1/learning/offers", { body: { technique, belt, percent_off: percent } }));
    offers.reload();
  });
  const withdraw = useAction(async (id: string) => {
    await call(api.client.DELETE("/api/v1/learning/offers/{offer_id}", { params: { path: { offer_id: id } } }));
    offers.reload();
  });
  return (
    <div className="stack">
      <h1>{t("learning.offers")}</h1>
      <p className="muted">{t("learning.offersIntro")}</p>
      <form className="row" onSubmit={(e) => { e.preventDefault(); void create.run(); }}>
        <label className="small">{t("learning.technique")}{" "}
          <select className="select" value={technique} onChange={(e) => setTechnique(e.target.value)}>
            {TECHNIQUES.map((k) => <option key={k} value={k}>{techniqueName(t, k)}</option>)}
          </select>
        </label>
        <label className="small">{t("learning.belts")}{" "}
          <select className="select" value={belt} onChange={(e) => setBelt(e.target.value)}>
            {BELTS.map((b) => <option key={b} value={b}>{t(`learning.belt.${b}`)}</option>)}
          </select>
        </label>
        <label className="small">{t("learning.percentOff")}{" "}
          <input className="input" type="number" min={1} max={100} value={percent} style={{ width: 80 }} onChange={(e) => setPercent(Number(e.target.value))} />
        </label>
        <button className="btn btn-primary btn-sm" disabled={create.busy}>{t("learning.createOffer")}</button>
      </form>
      {create.error && <div className="alert alert-error" role="alert">{create.error}</div>}
      {offers.loading && <SkeletonLines lines={3} />}
      {offers.error && <ErrorState message={offers.error} onRetry={offers.reload} />}
      {offers.data && offers.data.length === 0 && <p className="muted">{t("learning.noOffers")}</p>}
      <ul className="stack" style={{ listStyle: "none", padding: 0 }}>
        {(offers.data ?? []).map((o) => (
          <li key={o.id} className="panel row">
            <span>{t("learning.offerLine", { percent: o.percent_off, belt: t(`learning.belt.${o.belt}`), technique: techniqueName(t, o.technique) })}</span>
            <span className="spacer" />
            {o.active ? (
              <button className="btn btn-sm" disabled={withdraw.busy} onClick={() => void withdraw.run(o.id)}>{t("learning.withdraw")}</button>
            ) : (
              <span className="muted small">{t("learning.withdrawn")}</span>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
