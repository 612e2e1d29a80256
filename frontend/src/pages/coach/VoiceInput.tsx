import { useEffect, useRef, useState } from "react";
import { useI18n } from "../../i18n/i18n";
import {
  fileNameFor,
  formatClock,
  levelOf,
  MAX_RECORDING_SECONDS,
  pickMimeType,
  speechRecognitionCtor,
  voiceMode,
  type SpeechRecognitionLike,
} from "./voice";

export interface VoiceInputProps {
  /** Send the recording to the server; resolves when the transcript is in the draft. */
  onRecording: (audio: Blob, fileName: string) => Promise<void>;
  /** Text recognised by the browser itself (fallback). */
  onText: (text: string) => void;
  disabled?: boolean;
}

/** The mic button: record (level meter, timer, 60 s cap), or browser dictation, or a note. */
export function VoiceInput({ onRecording, onText, disabled }: VoiceInputProps) {
  const { t, lang } = useI18n();
  const [mode] = useState(() => voiceMode());
  const [recording, setRecording] = useState(false);
  const [busy, setBusy] = useState(false);
  const [seconds, setSeconds] = useState(0);
  const [level, setLevel] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const stopRef = useRef<(() => void) | null>(null);
  const recognitionRef = useRef<SpeechRecognitionLike | null>(null);

  useEffect(() => () => stopRef.current?.(), []);

  async function startRecording() {
    setError(null);
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch {
      setError(t("coach.voice.denied"));
      return;
    }
    const mimeType = pickMimeType((type) => MediaRecorder.isTypeSupported(type));
    const recorder = mimeType ? new MediaRecorder(stream, { mimeType }) : new MediaRecorder(stream);
    const chunks: Blob[] = [];
    const audioContext = new AudioContext();
    const analyser = audioContext.createAnalyser();
    analyser.fftSize = 512;
    audioContext.createMediaStreamSource(stream).connect(analyser);
    const samples = new Uint8Array(analyser.fftSize);
    const started = performance.now();
    let frame = 0;
    const tick = () => {
      analyser.getByteTimeDomainData(samples);
      setLevel(levelOf(samples));
      const elapsed = (performance.now() - started) / 1000;
      setSeconds(elapsed);
      if (elapsed >= MAX_RECORDING_SECONDS) recorder.stop();
      else frame = requestAnimationFrame(tick);
    };
    recorder.ondataavailable = (e) => e.data.size && chunks.push(e.data);
    recorder.onstop = async () => {
      cancelAnimationFrame(frame);
      stream.getTracks().forEach((track) => track.stop());
      void audioContext.close();
      stopRef.current = null;
      setRecording(false);
      setLevel(0);
      const type = recorder.mimeType || mimeType || "audio/webm";
      const blob = new Blob(chunks, { type });
      setBusy(true);
      try {
        await onRecording(blob, fileNameFor(type));
      } finally {
        setBusy(false);
      }
    };
    stopRef.current = () => recorder.state !== "inactive" && recorder.stop();
    recorder.start(250);
    setSeconds(0);
    setRecording(true);
    frame = requestAnimationFrame(tick);
  }

  function dictate() {
    const Ctor = speechRecognitionCtor();
    if (!Ctor) return;
    setError(null);
    const recognition = new Ctor();
    recognition.lang = lang === "it" ? "it-IT" : "en-US";
    recognition.interimResults = false;
    recognition.continuous = false;
    recognition.onresult = (e) => {
      const text = Array.from(e.results).map((r) => r[0]?.transcript ?? "").join(" ").trim();
      if (text) onText(text);
    };
    recognition.onerror = () => setError(t("coach.voice.dictationFailed"));
    recognition.onend = () => {
      recognitionRef.current = null;
      setRecording(false);
    };
    recognitionRef.current = recognition;
    setRecording(true);
    recognition.start();
  }

  if (mode === "none") {
    return <p className="hint coach-voice-none">{t("coach.voice.unavailable")}</p>;
  }
  const toggle = () => {
    if (mode === "recorder") {
      if (recording) stopRef.current?.();
      else void startRecording();
    } else if (recording) recognitionRef.current?.stop();
    else dictate();
  };
  return (
    <div className="coach-voice" aria-live="polite">
      <button
        type="button"
        className={`btn btn-sm ${recording ? "btn-danger" : "btn-secondary"}`}
        onClick={toggle}
        disabled={disabled || busy}
        aria-pressed={recording}
      >
        {recording ? t("coach.voice.stop") : mode === "recorder" ? t("coach.voice.record") : t("coach.voice.dictate")}
      </button>
      {recording && mode === "recorder" && (
        <>
          <meter className="coach-level" min={0} max={1} value={level} aria-label={t("coach.voice.level")} />
          <span className="coach-timer" aria-label={t("coach.voice.time")}>
            {formatClock(seconds)} / {formatClock(MAX_RECORDING_SECONDS)}
          </span>
        </>
      )}
      {recording && mode === "speech-recognition" && <span className="hint">{t("coach.voice.listening")}</span>}
      {busy && <span className="hint">{t("coach.voice.transcribing")}</span>}
      {error && <p className="field-error" role="alert">{error}</p>}
    </div>
  );
}
