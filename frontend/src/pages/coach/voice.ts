/**
 * Voice input for the coach: what this browser can do, and the pieces the mic button uses.
 * Order of preference: record with MediaRecorder and transcribe on the server (any language the
 * coach speaks, same result everywhere); else the browser's own SpeechRecognition; else typing.
 */
export type VoiceMode = "recorder" | "speech-recognition" | "none";

export const MAX_RECORDING_SECONDS = 60;

/** Containers the server accepts, best first (Chrome/Firefox: webm/opus; Safari: mp4). */
const MIME_TYPES = ["audio/webm;codecs=opus", "audio/webm", "audio/ogg;codecs=opus", "audio/mp4"];

interface SpeechRecognitionLike {
  lang: string;
  interimResults: boolean;
  continuous: boolean;
  start(): void;
  stop(): void;
  onresult: ((e: { results: ArrayLike<ArrayLike<{ transcript: string }> & { isFinal: boolean }> }) => void) | null;
  onerror: ((e: { error: string }) => void) | null;
  onend: (() => void) | null;
}
type SpeechRecognitionCtor = new () => SpeechRecognitionLike;

export function speechRecognitionCtor(w: object = globalThis): SpeechRecognitionCtor | undefined {
  const g = w as { SpeechRecognition?: SpeechRecognitionCtor; webkitSpeechRecognition?: SpeechRecognitionCtor };
  return g.SpeechRecognition ?? g.webkitSpeechRecognition;
}

export function voiceMode(w: object = globalThis): VoiceMode {
  const g = w as { MediaRecorder?: unknown; navigator?: { mediaDevices?: { getUserMedia?: unknown } } };
  if (typeof g.MediaRecorder === "function" && typeof g.navigator?.mediaDevices?.getUserMedia === "function") {
    return "recorder";
  }
  return speechRecognitionCtor(w) ? "speech-recognition" : "none";
}

export function pickMimeType(isSupported: (type: string) => boolean): string | undefined {
  return MIME_TYPES.find((type) => isSupported(type));
}

export function fileNameFor(mimeType: string): string {
  if (mimeType.includes("mp4")) return "question.m4a";
  if (mimeType.includes("ogg")) return "question.ogg";
  return "question.webm";
}

export function formatClock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

/** RMS level 0..1 of a time-domain byte buffer (128 = silence). */
export function levelOf(samples: Uint8Array): number {
  if (!samples.length) return 0;
  let sum = 0;
  for (const v of samples) sum += ((v - 128) / 128) ** 2;
  return Math.min(1, Math.sqrt(sum / samples.length) * 3);
}

export type { SpeechRecognitionLike };
