import { useState } from "react";
import { useAuth } from "../../auth/AuthContext";
import { call } from "../../api/client";
import { useI18n } from "../../i18n/i18n";
import { useAction } from "../../lib/hooks";
import { Player } from "../../player/Player";
import { VideoCardView } from "../../components/VideoCardView";
import type { OwnerVideo } from "@mamc/shared/api/types";

const HAS_MEDIA = new Set(["ready", "in_review", "rejected", "unpublished", "published"]);

/** The instructor's own video before (and after) publishing: the card students will see, with the
 * cover, and the processed video itself (owners may play their unpublished videos). */
export function OwnerPreview({ video }: { video: OwnerVideo }) {
  const { t } = useI18n();
  const { api } = useAuth();
  const [src, setSrc] = useState<string | null>(null);
  const load = useAction(async () => {
    const grant = await call(api.client.GET("/api/v1/videos/{video_id}/playback", { params: { path: { video_id: video.id } } }));
    setSrc(grant.url);
    return grant;
  });
  if (!HAS_MEDIA.has(video.status)) return null;
  return (
    <section className="panel stack" aria-labelledby="preview-h">
      <h2 id="preview-h" className="label">{t("web.preview.title")}</h2>
      <div className="grid" style={{ gridTemplateColumns: "minmax(200px, 280px) 1fr", alignItems: "start" }}>
        <div aria-label={t("web.preview.card")} role="group" style={{ pointerEvents: "none" }}>
          <VideoCardView v={video} />
        </div>
        <div className="stack">
          {src ? (
            <Player src={src} poster={video.poster_url} title={video.title} />
          ) : (
            <button className="btn" disabled={load.busy} onClick={() => load.run()}>▶ {t("web.preview.play")}</button>
          )}
          {load.error && <div className="alert alert-error" role="alert">{load.error}</div>}
          <p className="small muted" style={{ margin: 0 }}>{t("web.preview.hint")}</p>
        </div>
      </div>
    </section>
  );
}
