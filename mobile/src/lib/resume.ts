/** The device's copy of playback positions (the server's, lib/progress, wins when it answers). */
import type { KeyValueStore } from "../device/types";

const PREFIX = "mamc.resume.";
/** Positions this close to the start are not worth resuming. */
export const MIN_RESUME_S = 5;

export async function loadResume(store: KeyValueStore, key: string): Promise<number | null> {
  const s = Number(await store.get(PREFIX + key));
  return Number.isFinite(s) && s >= MIN_RESUME_S ? s : null;
}

export async function saveResume(store: KeyValueStore, key: string, seconds: number): Promise<void> {
  if (seconds >= MIN_RESUME_S) await store.set(PREFIX + key, String(Math.floor(seconds)));
}
