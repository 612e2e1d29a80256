import { Link } from "react-router-dom";
import type { VideoCard } from "@mamc/shared/api/types";
import { useI18n } from "../i18n/i18n";

type Priced = Pick<VideoCard, "is_free" | "price_cents" | "rental_price_cents" | "currency" | "subscription_included">;

/** Cheapest way in, for the card: free, "from" rental/purchase price, or subscription. */
export function priceLabel(v: Priced, t: (k: string) => string, fmtMoney: (m: number, c: string) => string) {
  if (v.is_free) return t("video.free");
  const prices = [v.rental_price_cents, v.price_cents].filter((p): p is number => p != null);
  if (prices.length) return fmtMoney(Math.min(...prices), v.currency);
  return v.subscription_included ? t("video.subscribeHint") : "";
}

export function levelLabel(t: (k: string) => string, level: string) {
  const k = `catalog.levels.${level}`;
  const s = t(k);
  return s === k ? level : s;
}

export function VideoCardView({ v }: { v: VideoCard }) {
  const { t, fmtDuration, fmtMoney } = useI18n();
  return (
    <Link className="vcard" to={`/videos/${v.id}`}>
      {v.poster_url ? <img className="vcard-thumb" src={v.poster_url} alt="" loading="lazy" /> : <div className="vcard-thumb" aria-hidden="true" />}
      <div className="vcard-body">
        <h3 className="vcard-title">{v.title}</h3>
        {v.instructor_name && <span className="small muted">{t("catalog.by", { name: v.instructor_name })}</span>}
        <span className="row small">
          <span className="badge">{levelLabel(t, v.level)}</span>
          {v.duration_s != null && <span className="muted">{fmtDuration(v.duration_s)}</span>}
          <span className="spacer" />
          <strong>{priceLabel(v, t, fmtMoney)}</strong>
        </span>
      </div>
    </Link>
  );
}
