import { call } from "../../api/client";
import { useAuth } from "../../auth/AuthContext";
import { useI18n } from "../../i18n/i18n";
import { useAction, useLoad } from "../../lib/hooks";
import { useToast } from "../../components/Toasts";

/** ♥ count of a video; a toggle for signed-in users. */
export function LikeButton({ videoId }: { videoId: string }) {
  const { t } = useI18n();
  const { api, user } = useAuth();
  const path = { video_id: videoId };
  const likes = useLoad(() => call(api.client.GET("/api/v1/videos/{video_id}/likes", { params: { path } })), [api, videoId, user?.id]);
  const toggle = useAction(async () => {
    const next = likes.data?.liked
      ? await call(api.client.DELETE("/api/v1/videos/{video_id}/like", { params: { path } }))
      : await call(api.client.PUT("/api/v1/videos/{video_id}/like", { params: { path } }));
    likes.setData(next);
  });
  if (!likes.data) return null;
  const { count, liked } = likes.data;
  if (!user) return <span className="badge" aria-label={t("social.likes", { count })}>♥ {count}</span>;
  return (
    <button className={`btn btn-sm ${liked ? "btn-primary" : ""}`} aria-pressed={liked} disabled={toggle.busy} onClick={() => toggle.run()}>
      ♥ {liked ? t("social.liked") : t("social.like")} · {count}
    </button>
  );
}

/** Copies the video's share link (/v/{id}: a preview with title, poster and price). */
export function ShareButton({ videoId }: { videoId: string }) {
  const { t } = useI18n();
  const toast = useToast();
  const link = `${location.origin}/v/${videoId}`;
  async function copy() {
    try {
      await navigator.clipboard.writeText(link);
      toast.push(t("social.linkCopied"), "success");
    } catch {
      window.prompt(t("social.copyThisLink"), link);
    }
  }
  return <button className="btn btn-sm" onClick={copy}>↗ {t("social.share")}</button>;
}

export function FollowButton({ instructorId }: { instructorId: string }) {
  const { t } = useI18n();
  const { api, user } = useAuth();
  const path = { instructor_id: instructorId };
  const state = useLoad(() => call(api.client.GET("/api/v1/instructors/{instructor_id}/follow", { params: { path } })), [api, instructorId, user?.id]);
  const toggle = useAction(async () => {
    const next = state.data?.following
      ? await call(api.client.DELETE("/api/v1/instructors/{instructor_id}/follow", { params: { path } }))
      : await call(api.client.PUT("/api/v1/instructors/{instructor_id}/follow", { params: { path } }));
    state.setData(next);
  });
  if (!state.data) return null;
  const { followers, following } = state.data;
  return (
    <p className="row small" style={{ margin: 0 }}>
      <span className="muted">{t("social.followers", { count: followers })}</span>
      {user && user.id !== instructorId && (
        <button className={`btn btn-sm ${following ? "" : "btn-primary"}`} aria-pressed={following} disabled={toggle.busy} onClick={() => toggle.run()}>
          {following ? t("social.following") : t("social.follow")}
        </button>
      )}
    </p>
  );
}
