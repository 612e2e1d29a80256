/** Decide how to play an HLS URL: Safari (and iOS) use native HLS; elsewhere hls.js (MSE). */
export type HlsMode = "native" | "hlsjs" | "file" | "none";

export function isHlsUrl(url: string): boolean {
  return /\.m3u8(\?|#|$)/i.test(url);
}

export function isSafari(ua: string = typeof navigator !== "undefined" ? navigator.userAgent : ""): boolean {
  return /^((?!chrome|android|crios|fxios|edg).)*safari/i.test(ua) || /iPad|iPhone|iPod/.test(ua);
}

export function pickMode(url: string, video: { canPlayType(t: string): string }, hlsJsSupported: boolean, ua?: string): HlsMode {
  if (!isHlsUrl(url)) return "file";
  const native = video.canPlayType("application/vnd.apple.mpegurl") !== "";
  if (native && (isSafari(ua) || !hlsJsSupported)) return "native";
  if (hlsJsSupported) return "hlsjs";
  return native ? "native" : "none";
}
