/** Resume positions in localStorage: "mamc.resume.<id>" → seconds. Pure helpers, tested. */
const PREFIX = "mamc.resume.";
/** Ignore positions too close to the start or to the end. */
export const MIN_RESUME_S = 5;
export const END_MARGIN_S = 10;

export function loadResume(id: string, duration?: number, storage: Storage = localStorage): number | null {
  let v: number;
  try {
    v = Number(storage.getItem(PREFIX + id));
  } catch {
    return null;
  }
  if (!Number.isFinite(v) || v < MIN_RESUME_S) return null;
  if (duration && Number.isFinite(duration) && v > duration - END_MARGIN_S) return null;
  return v;
}

export function saveResume(id: string, seconds: number, duration?: number, storage: Storage = localStorage): void {
  try {
    if (duration && Number.isFinite(duration) && seconds > duration - END_MARGIN_S) storage.removeItem(PREFIX + id);
    else if (seconds >= MIN_RESUME_S) storage.setItem(PREFIX + id, String(Math.floor(seconds)));
  } catch {
    /* ignore quota errors */
  }
}

export function clearResume(id: string, storage: Storage = localStorage): void {
  try {
    storage.removeItem(PREFIX + id);
  } catch {
    /* ignore */
  }
}

/** Throttle: save at most every `everyS` seconds of playback movement. */
export function shouldSave(last: number, now: number, everyS = 5): boolean {
  return Math.abs(now - last) >= everyS;
}
