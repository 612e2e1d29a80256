import { useEffect, useRef, useState } from "react";
import { useI18n } from "../../i18n/i18n";

const MAX_SECONDS = 300;

/** Record speech in the browser (MediaRecorder) with a live level meter and a timer. */
export function Recorder({ onDone }: { onDone: (take: Blob, seconds: number) => void }) {
  const { t, fmtDuration } = useI18n();
  const [state, setState] = useState<"idle" | "recording" | "denied" | "unsupported">(
    typeof MediaRecorder === "undefined" || !navigator.mediaDevices ? "unsupported" : "idle",
  );
  const [seconds, setSeconds] = useState(0);
  const [level, setLevel] = useState(0);
  const stopRef = useRef<(() => void) | null>(null);

  useEffect(() => () => stopRef.current?.(), []);

  async function start() {
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: false, noiseSuppression: false } });
    } catch {
      setState("denied");
      return;
    }
    const recorder = new MediaRecorder(stream);
    const chunks: Blob[] = [];
    const context = new AudioContext();
    const analyser = context.createAnalyser();
    analyser.fftSize = 1024;
    context.createMediaStreamSource(stream).connect(analyser);
    const buffer = new Float32Array(analyser.fftSize);
    const began = performance.now();
    let frame = 0;
    const tick = () => {
      analyser.getFloatTimeDomainData(buffer);
      let peak = 0;
      for (const x of buffer) peak = Math.max(peak, Math.abs(x));
      setLevel(peak);
      const elapsed = (performance.now() - began) / 1000;
      setSeconds(elapsed);
      if (elapsed >= MAX_SECONDS) stop();
      else frame = requestAnimationFrame(tick);
    };
    const stop = () => {
      cancelAnimationFrame(frame);
      if (recorder.state !== "inactive") recorder.stop();
      stream.getTracks().forEach((track) => track.stop());
      void context.close();
      stopRef.current = null;
    };
    recorder.ondataavailable = (e) => e.data.size && chunks.push(e.data);
    recorder.onstop = () => {
      setState("idle");
      setLevel(0);
      onDone(new Blob(chunks, { type: recorder.mimeType || "audio/webm" }), (performance.now() - began) / 1000);
    };
    stopRef.current = stop;
    recorder.start(1000);
    setState("recording");
    setSeconds(0);
    frame = requestAnimationFrame(tick);
  }

  if (state === "unsupported") return <p className="muted small">{t("voice.recordUnsupported")}</p>;
  const pct = Math.min(100, Math.round(level * 100));
  return (
    <div className="stack">
      {state === "denied" && <p className="field-error" role="alert">{t("voice.micDenied")}</p>}
      <div className="row">
        {state === "recording" ? (
          <button className="btn btn-danger" onClick={() => stopRef.current?.()}>{t("voice.stop")}</button>
        ) : (
          <button className="btn" onClick={() => void start()}>{t("voice.record")}</button>
        )}
        <span className="small" aria-live="polite">{t("voice.timer", { time: fmtDuration(seconds), max: fmtDuration(MAX_SECONDS) })}</span>
      </div>
      {state === "recording" && (
        <div className={`progress ${level > 0.98 ? "progress-danger" : ""}`} role="meter" aria-label={t("voice.level")}
             aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
          <span style={{ width: `${pct}%` }} />
        </div>
      )}
      {state === "recording" && level > 0.98 && <p className="small field-error">{t("voice.tooLoud")}</p>}
    </div>
  );
}
