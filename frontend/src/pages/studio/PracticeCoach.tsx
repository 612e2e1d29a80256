import { useEffect, useRef, useState } from "react";
import { useI18n } from "../../i18n/i18n";

export const COUNTDOWN_S = 3;
const TIPS = ["framing", "front", "distance", "light", "clothes"] as const;

/** The reference clip to copy and how to film yourself. */
export function PracticeGuide({ clipUrl }: { clipUrl: string | null | undefined }) {
  const { t } = useI18n();
  return (
    <div className="stack">
      {clipUrl && (
        <figure style={{ margin: 0 }}>
          <video src={clipUrl} controls loop muted playsInline className="practice-clip" aria-label={t("web.practice.clip")} />
          <figcaption className="small muted">{t("web.practice.clip")}</figcaption>
        </figure>
      )}
      <section aria-labelledby="tips-h" className="panel">
        <h2 id="tips-h" className="label">{t("web.practice.tipsTitle")}</h2>
        <ul style={{ margin: 0, paddingLeft: 18 }}>
          {TIPS.map((k) => <li key={k}>{t(`web.practice.tips.${k}`)}</li>)}
        </ul>
      </section>
    </div>
  );
}

type Phase = "idle" | "countdown" | "recording" | "error";

/** Film the attempt right here: camera preview, a countdown to get in place, then MediaRecorder
 * records for the reference's length (plus a margin) or until Stop. Hands a File to `onRecorded`. */
export function CountdownRecorder({ seconds, onRecorded }: { seconds: number; onRecorded: (f: File) => void }) {
  const { t } = useI18n();
  const [phase, setPhase] = useState<Phase>("idle");
  const [left, setLeft] = useState(COUNTDOWN_S);
  const preview = useRef<HTMLVideoElement>(null);
  const stream = useRef<MediaStream | null>(null);
  const recorder = useRef<MediaRecorder | null>(null);
  const timers = useRef<number[]>([]);
  const supported = typeof navigator !== "undefined" && !!navigator.mediaDevices?.getUserMedia && typeof MediaRecorder !== "undefined";

  const cleanup = () => {
    timers.current.forEach((id) => window.clearTimeout(id));
    timers.current = [];
    stream.current?.getTracks().forEach((tr) => tr.stop());
    stream.current = null;
  };
  useEffect(() => cleanup, []);

  async function start() {
    try {
      const media = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "user" }, audio: false });
      stream.current = media;
      if (preview.current) {
        preview.current.srcObject = media;
        void preview.current.play?.();
      }
    } catch {
      setPhase("error");
      return;
    }
    setPhase("countdown");
    for (let i = 0; i <= COUNTDOWN_S; i++) {
      timers.current.push(window.setTimeout(() => {
        setLeft(COUNTDOWN_S - i);
        if (i === COUNTDOWN_S) record();
      }, i * 1000));
    }
  }

  function record() {
    const media = stream.current;
    if (!media) return;
    const rec = new MediaRecorder(media);
    const chunks: Blob[] = [];
    rec.ondataavailable = (e) => e.data.size && chunks.push(e.data);
    rec.onstop = () => {
      const type = rec.mimeType || "video/webm";
      onRecorded(new File(chunks, `attempt.${type.includes("mp4") ? "mp4" : "webm"}`, { type }));
      cleanup();
      setPhase("idle");
    };
    recorder.current = rec;
    rec.start();
    setPhase("recording");
    timers.current.push(window.setTimeout(() => rec.state === "recording" && rec.stop(), (seconds + 2) * 1000));
  }

  if (!supported) return <p className="small muted">{t("web.practice.noCamera")}</p>;
  return (
    <section className="panel stack" aria-labelledby="rec-h">
      <h2 id="rec-h" className="label">{t("web.practice.recordTitle")}</h2>
      <video ref={preview} muted playsInline className="practice-clip" aria-label={t("web.practice.camera")} hidden={phase === "idle" || phase === "error"} style={{ transform: "scaleX(-1)" }} />
      {phase === "countdown" && <p className="score" role="timer" aria-live="assertive">{left}</p>}
      {phase === "recording" && <p className="small" role="status"><span aria-hidden="true">● </span>{t("web.practice.recording", { seconds: seconds + 2 })}</p>}
      {phase === "error" && <div className="alert alert-error" role="alert">{t("web.practice.cameraDenied")}</div>}
      <div className="row">
        {(phase === "idle" || phase === "error") && <button type="button" className="btn" onClick={() => void start()}>{t("web.practice.record", { n: COUNTDOWN_S })}</button>}
        {phase === "recording" && <button type="button" className="btn btn-danger" onClick={() => recorder.current?.stop()}>{t("web.practice.stop")}</button>}
      </div>
    </section>
  );
}
