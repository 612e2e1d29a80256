/** Resume positions in localStorage: "mamc.resume.<id>" → seconds, kept in step with the server's
 * (below) when the viewer is signed in. Pure helpers, tested. */
const PREFIX = "mamc.resume.";
/** Resume only past the first 5 s and before 95 % of the duration (the server's rule too). */
export const MIN_RESUME_S = 5;
export const END_SHARE = 0.95;

function nearEnd(seconds: number, duration?: number): boolean {
  return !!duration && Number.isFinite(duration) && seconds >= END_SHARE * duration;
}

export function loadResume(id: string, duration?: number, storage: Storage = localStorage): number | null {
  let v: number;
  try {
    v = Number(storage.getItem(PREFIX + id));
  } catch {
    return null;
  }
  if (!Number.isFinite(v) || v <= MIN_RESUME_S) return null;
  if (nearEnd(v, duration)) return null;
  return v;
}

export function saveResume(id: string, seconds: number, duration?: number, storage: Storage = localStorage): void {
  try {
    if (nearEnd(seconds, duration)) storage.removeItem(PREFIX + id);
    else if (seconds > MIN_RESUME_S) storage.setItem(PREFIX + id, String(Math.floor(seconds)));
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

// --- server-side progress (issues 18, 16): resume from any device -------------------------------

/** Where a signed-in viewer's position lives on the server; the video page registers one while
 * its player plays (setResumeRemote) so the Player's saveResume calls reach it unchanged. */
export interface ResumeRemote {
  /** The server's saved position, or null (none, or not worth resuming: ≤ 5 s or ≥ 95 %). */
  load(id: string): Promise<number | null>;
  /** A heartbeat at `seconds`; the remote batches and sends. */
  save(id: string, seconds: number, duration?: number): void;
  /** Send what is queued now (pause, leaving the page). */
  flush(final?: boolean): void;
  /** The player now plays `rendition` (hls.js LEVEL_SWITCHED): later beacons carry it, and a
   * switch during the playback sends a "quality" beacon at `seconds`. */
  quality?(id: string, seconds: number, duration: number | undefined, rendition: Rendition): void;
}

/** An HLS rendition as hls.js describes a level: its height in pixels and bitrate in bits/s. */
export interface Rendition {
  height: number;
  bitrate: number;
}

let remote: ResumeRemote | null = null;

export function setResumeRemote(r: ResumeRemote | null): void {
  remote?.flush(true);
  remote = r;
}

/** saveResume, plus the server when a remote is registered. */
export function saveResumeEverywhere(id: string, seconds: number, duration?: number, storage: Storage = localStorage): void {
  saveResume(id, seconds, duration, storage);
  remote?.save(id, seconds, duration);
}

/** The player switched rendition: tell the server's remote, when one is registered. */
export function qualityEverywhere(id: string, seconds: number, duration: number | undefined, rendition: Rendition): void {
  remote?.quality?.(id, seconds, duration, rendition);
}

/** Before the player loads: the server's position wins over this browser's (it may come from
 * another device); no saved position on the server leaves the local one. */
export async function primeResume(id: string, storage: Storage = localStorage): Promise<number | null> {
  if (!remote) return null;
  let pos: number | null;
  try {
    pos = await remote.load(id);
  } catch {
    return null;
  }
  try {
    if (pos != null) storage.setItem(PREFIX + id, String(Math.floor(pos)));
  } catch {
    /* ignore */
  }
  return pos;
}

export interface Beacon {
  video_id: string;
  session_id: string;
  kind: "start" | "heartbeat" | "quality" | "end";
  media: "full" | "trailer";
  position_s: number;
  duration_s?: number;
  /** The rendition playing, e.g. "720p", and its bitrate (kbit/s), when the player knows them. */
  rendition?: string;
  bitrate_kbps?: number;
  occurred_at: string;
}

export interface BeaconTransport {
  /** GET /me/progress/{id}: {position_s, resume} or null when there is none. */
  getProgress(id: string): Promise<{ position_s: number; resume: boolean } | null>;
  /** POST /analytics/beacons with the viewer's credentials. */
  post(body: { token?: string | null; beacons: Beacon[] }): Promise<void>;
  /** The same body by navigator.sendBeacon (text/plain) when the page goes away. */
  sendBeacon?(body: { token?: string | null; beacons: Beacon[] }): boolean;
}

/** A ResumeRemote over playback beacons: a start, then heartbeats (each save), a quality beacon
 * on each rendition switch after the start, an end on the final flush; every beacon carries the
 * rendition playing when known; a failed send keeps its beacons for the next one (at most `maxQueue`). The
 * server upserts the position from the heartbeats (bound to the playback token). */
export function beaconRemote(
  transport: BeaconTransport,
  opts: { token?: () => string | null | undefined; sessionId?: string; media?: "full" | "trailer"; maxQueue?: number; now?: () => Date } = {},
): ResumeRemote {
  const sessionId = opts.sessionId ?? crypto.randomUUID();
  const now = opts.now ?? (() => new Date());
  const maxQueue = opts.maxQueue ?? 200;
  let queue: Beacon[] = [];
  let started = false;
  let last: { id: string; seconds: number; duration?: number } | null = null;
  let sending = false;
  let playing: { rendition: string; bitrate_kbps: number } | null = null;

  function push(kind: Beacon["kind"], id: string, seconds: number, duration?: number) {
    const b: Beacon = { video_id: id, session_id: sessionId, kind, media: opts.media ?? "full", position_s: Math.max(0, seconds), occurred_at: now().toISOString() };
    if (duration && Number.isFinite(duration)) b.duration_s = duration;
    if (playing) Object.assign(b, playing);
    queue.push(b);
    if (queue.length > maxQueue) queue = queue.slice(-maxQueue);
  }

  function send() {
    if (sending || !queue.length) return;
    const batch = queue;
    queue = [];
    sending = true;
    transport
      .post({ token: opts.token?.(), beacons: batch })
      .catch(() => {
        queue = [...batch, ...queue].slice(-maxQueue);
      })
      .finally(() => {
        sending = false;
      });
  }

  return {
    async load(id) {
      const p = await transport.getProgress(id);
      return p && p.resume ? p.position_s : null;
    },
    save(id, seconds, duration) {
      if (!started) {
        push("start", id, seconds, duration);
        started = true;
      }
      push("heartbeat", id, seconds, duration);
      last = { id, seconds, duration };
      send();
    },
    quality(id, seconds, duration, rendition) {
      const next = { rendition: `${Math.round(rendition.height)}p`, bitrate_kbps: Math.round(rendition.bitrate / 1000) };
      if (playing && playing.rendition === next.rendition && playing.bitrate_kbps === next.bitrate_kbps) return;
      playing = next;
      if (!started) return; // the start beacon will carry it
      push("quality", id, seconds, duration);
      last = { id, seconds, duration };
      send();
    },
    flush(final) {
      if (final && last) push("end", last.id, last.seconds, last.duration);
      if (!queue.length) return;
      if (final && transport.sendBeacon && transport.sendBeacon({ token: opts.token?.(), beacons: queue })) {
        queue = [];
        return;
      }
      send();
    },
  };
}
