export const JOINTS = [
  "left_elbow", "right_elbow", "left_shoulder", "right_shoulder", "left_hip", "right_hip",
  "left_knee", "right_knee", "left_ankle", "right_ankle", "trunk",
] as const;

/** Technique types a reference can have (phase names and cue wording follow it). */
export const TECHNIQUES = ["kick", "strike", "block", "stance", "kata", "throw", "general"] as const;
export type Technique = (typeof TECHNIQUES)[number];

/** Playback speeds of the side-by-side player (slow motion). */
export const SPEEDS = [0.25, 0.5, 1] as const;

export function jointLabel(t: (k: string) => string, j: string) {
  const k = `joints.${j}`;
  const s = t(k);
  return s === k ? j.replace(/_/g, " ") : s;
}

/** Validate a marked range; returns an error key or null. */
export function rangeError(start: number, end: number, duration?: number | null): string | null {
  if (!Number.isFinite(start) || !Number.isFinite(end) || start < 0 || end <= start) return "pose.badRange";
  if (duration && end > duration + 0.5) return "pose.badRange";
  return null;
}

/** Round to tenths of a second for display and submission. */
export const r1 = (x: number) => Math.round(x * 10) / 10;
