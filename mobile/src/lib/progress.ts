/**
 * Watch progress kept on the server (`/me/progress/{video_id}`), so a video resumes where it was left
 * on any device. The device keeps a copy (lib/resume) for when the server cannot be reached.
 */
import { ApiError } from "@mamc/shared/api/errors";
import type { KeyValueStore } from "../device/types";
import { call, type MobileApi } from "./api";
import { loadResume, saveResume } from "./resume";

/** While playing, the position is saved after this many seconds of playback. */
export const SAVE_EVERY_S = 15;

export interface ProgressSync {
  /** Where to start: the server's resume position (null once watched to the end), or the device's
   * copy when the server has none or cannot be reached. */
  load(): Promise<number | null>;
  /** Every time update while playing: saves once SAVE_EVERY_S of playback passed since the last save. */
  tick(positionS: number, durationS?: number | null): Promise<void>;
  /** Pause, leaving the player, the app going to the background: saves now (unless nothing moved). */
  flush(positionS: number, durationS?: number | null): Promise<void>;
}

export function createProgressSync(api: MobileApi, store: KeyValueStore, videoId: string): ProgressSync {
  let lastSaved: number | null = null;

  async function save(positionS: number, durationS?: number | null): Promise<void> {
    const position = Math.max(0, Math.floor(positionS));
    lastSaved = position;
    await saveResume(store, videoId, position);
    const duration = durationS && Number.isFinite(durationS) && durationS > 0 ? durationS : null;
    try {
      await call(
        api.client.PUT("/api/v1/me/progress/{video_id}", {
          params: { path: { video_id: videoId } },
          body: { position_s: position, duration_s: duration },
        }),
      );
    } catch {
      /* offline or refused: the device's copy stays, the next save tries again */
    }
  }

  return {
    async load() {
      try {
        const p = await call(api.client.GET("/api/v1/me/progress/{video_id}", { params: { path: { video_id: videoId } } }));
        lastSaved = p.position_s;
        return p.resume ? p.position_s : null;
      } catch (e) {
        if (e instanceof ApiError && e.status !== 0 && e.status !== 404) return null;
        return loadResume(store, videoId);
      }
    },
    async tick(positionS, durationS) {
      if (lastSaved === null || Math.abs(positionS - lastSaved) >= SAVE_EVERY_S) await save(positionS, durationS);
    },
    async flush(positionS, durationS) {
      if (lastSaved === null || Math.floor(positionS) !== lastSaved) await save(positionS, durationS);
    },
  };
}
