import { Link } from "react-router-dom";
import type { VideoCard } from "@mamc/shared/api/types";
import { useI18n } from "../i18n/i18n";
import { usePlans, waysToBuy } from "../lib/prices";

export function levelLabel(t: (k: string) => string, level: string) {
  const k = `catalog.levels.${level}`;
  const s = t(k);
  return s === k ? level : s;
}

export function VideoCardView({ v }: { v: VideoCard }) {
  const { t, fmtDuration, fmtMoney } = useI18n();
  const ways = waysToBuy(v, usePlans(), t, fmtMoney);
  return (
    <Link className="vcard" to={`/videos/${v.id}`}>
      {v.poster_url ? <img className="vcard-thumb" src={v.poster_url} alt="" loading="lazy" /> : <div className="vcard-thumb" aria-hidden="true" />}
      <div className="vcard-body">
        <h3 className="vcard-title">{v.title}</h3>
        {v.instructor_name && <span className="small muted">{t("catalog.by", { name: v.instructor_name })}</span>}
        <span className="row small">
          <span className="badge">{levelLabel(t, v.level)}</span>
          {v.duration_s != null && <span className="muted">{fmtDuration(v.duration_s)}</span>}
        </span>
        <span className="row small vcard-prices">
          {v.is_free ? <strong>{t("video.free")}</strong> : ways.map((w) => <strong key={w.kind} className="price-chip">{w.label}</strong>)}
        </span>
      </div>
    </Link>
  );
}
