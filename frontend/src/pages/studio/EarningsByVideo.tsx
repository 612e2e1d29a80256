import { useI18n } from "../../i18n/i18n";
import type { Resp } from "@mamc/shared/api/types";

type Row = Resp<"/api/v1/earnings/videos", "get">[number];

/** The month per video: a bar chart of net earnings (one bar per video and currency), with the
 * figures next to each bar so the chart is readable without colours or hovering. */
export function EarningsByVideo({ rows }: { rows: Row[] }) {
  const { t, fmtMoney } = useI18n();
  if (!rows.length) return null;
  const max = Math.max(1, ...rows.map((r) => Math.abs(r.net_cents)));
  return (
    <section aria-labelledby="by-video-h" className="panel stack">
      <h2 id="by-video-h">{t("web.earnings.byVideo")}</h2>
      <ul className="bars" aria-label={t("web.earnings.chart")}>
        {rows.map((r) => {
          const pct = Math.round((Math.abs(r.net_cents) / max) * 100);
          return (
            <li key={`${r.video_id ?? r.course_id}-${r.currency}`} className="bar-row">
              <span className="bar-label">{r.video_title || t("library.unavailable")}</span>
              <span className="bar-track" aria-hidden="true">
                <span className={`bar-fill${r.net_cents < 0 ? " bar-negative" : ""}`} style={{ width: `${pct}%` }} />
              </span>
              <span className="bar-value">
                <strong>{fmtMoney(r.net_cents, r.currency)}</strong>
                <span className="small muted"> · {t("web.earnings.salesCount", { count: r.sales })}{r.refunds ? ` · ${t("web.earnings.refundsCount", { count: r.refunds })}` : ""}</span>
                <span className="small muted"> · {t("studio.gross")} {fmtMoney(r.gross_cents, r.currency)} · {t("studio.fees")} {fmtMoney(r.fees_cents, r.currency)}</span>
              </span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
