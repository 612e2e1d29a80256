import { useCallback, useEffect, useState, type RefObject } from "react";
import { useI18n } from "../i18n/i18n";
import type { PlayerHandle } from "./Player";

export const SPEEDS = [0.25, 0.5, 0.75, 1] as const;
const FRAME_S = 1 / 30; // the video's frame rate is not known to the browser: a 30 fps step

export interface Loop { a: number | null; b: number | null }

/** Where the player should jump when it reaches the end of the A–B loop, or null to carry on. */
export function loopJump(time: number, loop: Loop): number | null {
  if (loop.a == null || loop.b == null || loop.b <= loop.a) return null;
  return time >= loop.b || time < loop.a - 0.25 ? loop.a : null;
}

export function stepSpeed(current: number, dir: 1 | -1): number {
  const i = SPEEDS.findIndex((s) => s >= current - 1e-9);
  const at = i < 0 ? SPEEDS.length - 1 : i;
  return SPEEDS[Math.min(SPEEDS.length - 1, Math.max(0, at + dir))];
}

/** The keys, each documented in the "?" overlay (it/en). */
export const SHORTCUTS: [string, string][] = [
  ["Space", "playPause"],
  [",", "frameBack"],
  [".", "frameForward"],
  ["-", "slower"],
  ["+", "faster"],
  ["[", "setA"],
  ["]", "setB"],
  ["\\", "clearLoop"],
  ["m", "mirror"],
  ["?", "help"],
];

/** Learner tools for the player: slow motion (0.25–1×), an A–B loop, mirror view, frame steps and
 * keyboard shortcuts (with a "?" overlay). Rendered inside the player's bar. */
export function LearnerTools({ player }: { player: RefObject<PlayerHandle | null> }) {
  const { t, fmtDuration } = useI18n();
  const [speed, setSpeed] = useState(1);
  const [loop, setLoop] = useState<Loop>({ a: null, b: null });
  const [mirror, setMirror] = useState(false);
  const [help, setHelp] = useState(false);
  const video = useCallback(() => player.current?.video() ?? null, [player]);

  useEffect(() => {
    const v = video();
    if (v) v.playbackRate = speed;
  }, [speed, video]);
  useEffect(() => {
    const v = video();
    if (v) v.style.transform = mirror ? "scaleX(-1)" : "";
  }, [mirror, video]);
  useEffect(() => {
    const v = video();
    if (!v) return;
    const onTime = () => {
      const to = loopJump(v.currentTime, loop);
      if (to != null) v.currentTime = to;
    };
    v.addEventListener("timeupdate", onTime);
    return () => v.removeEventListener("timeupdate", onTime);
  }, [loop, video]);

  const step = useCallback((dir: 1 | -1) => {
    const v = video();
    if (!v) return;
    v.pause();
    v.currentTime = Math.max(0, v.currentTime + dir * FRAME_S);
  }, [video]);
  const mark = useCallback((which: "a" | "b") => {
    const v = video();
    if (v) setLoop((l) => ({ ...l, [which]: v.currentTime }));
  }, [video]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const el = e.target as HTMLElement | null;
      if (e.ctrlKey || e.metaKey || e.altKey || (el && /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName)) || el?.isContentEditable) return;
      const v = video();
      const act: Record<string, () => void> = {
        " ": () => (v?.paused ? void v.play() : v?.pause()),
        ",": () => step(-1),
        ".": () => step(1),
        "-": () => setSpeed((s) => stepSpeed(s, -1)),
        "+": () => setSpeed((s) => stepSpeed(s, 1)),
        "=": () => setSpeed((s) => stepSpeed(s, 1)),
        "[": () => mark("a"),
        "]": () => mark("b"),
        "\\": () => setLoop({ a: null, b: null }),
        m: () => setMirror((x) => !x),
        "?": () => setHelp((x) => !x),
        Escape: () => setHelp(false),
      };
      const fn = act[e.key];
      if (!fn || (e.key === " " && el?.tagName === "BUTTON")) return;
      e.preventDefault();
      fn();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [video, step, mark]);

  const fmt = (s: number | null) => (s == null ? "–" : fmtDuration(Math.floor(s)));
  return (
    <div className="row small learner-tools" role="group" aria-label={t("web.tools.label")}>
      <label className="row small">
        {t("web.tools.speed")}
        <select className="select lang-select" value={speed} onChange={(e) => setSpeed(Number(e.target.value))}>
          {SPEEDS.map((s) => <option key={s} value={s}>{s}×</option>)}
        </select>
      </label>
      <button type="button" className="btn btn-sm" onClick={() => step(-1)} aria-label={t("web.tools.frameBack")}>⏮︎</button>
      <button type="button" className="btn btn-sm" onClick={() => step(1)} aria-label={t("web.tools.frameForward")}>⏭︎</button>
      <button type="button" className="btn btn-sm" onClick={() => mark("a")}>{t("web.tools.setA")} <span className="muted">{fmt(loop.a)}</span></button>
      <button type="button" className="btn btn-sm" onClick={() => mark("b")}>{t("web.tools.setB")} <span className="muted">{fmt(loop.b)}</span></button>
      {(loop.a != null || loop.b != null) && <button type="button" className="btn btn-sm" onClick={() => setLoop({ a: null, b: null })}>{t("web.tools.clearLoop")}</button>}
      <button type="button" className="btn btn-sm" aria-pressed={mirror} onClick={() => setMirror((x) => !x)}>{t("web.tools.mirror")}</button>
      <button type="button" className="btn btn-sm" aria-expanded={help} onClick={() => setHelp((x) => !x)} aria-label={t("web.tools.help")}>?</button>
      {help && (
        <div className="panel shortcuts" role="dialog" aria-label={t("web.tools.help")}>
          <table className="table small">
            <thead><tr><th scope="col">{t("web.tools.key")}</th><th scope="col">{t("web.tools.does")}</th></tr></thead>
            <tbody>{SHORTCUTS.map(([k, what]) => <tr key={k}><td><kbd>{k}</kbd></td><td>{t(`web.tools.${what}`)}</td></tr>)}</tbody>
          </table>
          <button type="button" className="btn btn-sm" onClick={() => setHelp(false)}>{t("common.close")}</button>
        </div>
      )}
    </div>
  );
}
