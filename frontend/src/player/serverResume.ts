import { useEffect, useRef, useState } from "react";
import type { Api } from "../api/client";
import { beaconRemote, primeResume, setResumeRemote, type BeaconTransport } from "./resume";

const BEACONS = "/api/v1/analytics/beacons";

export function apiTransport(api: Api): BeaconTransport {
  return {
    async getProgress(id) {
      const { data, response } = await api.client.GET("/api/v1/me/progress/{video_id}", { params: { path: { video_id: id } } });
      if (response.status === 404 || !data) return null;
      return data;
    },
    async post(body) {
      const { response } = await api.client.POST(BEACONS, { body: { token: body.token ?? null, beacons: body.beacons } });
      if (!response.ok && response.status !== 422) throw new Error(`beacons: ${response.status}`);
    },
    sendBeacon(body) {
      if (typeof navigator === "undefined" || !navigator.sendBeacon) return false;
      return navigator.sendBeacon(BEACONS, new Blob([JSON.stringify(body)], { type: "text/plain" }));
    },
  };
}

/** While a full video plays on this page: the position goes to the server (playback beacons,
 * bound to the playback token) and the server's position is loaded before the player starts, so
 * playback resumes where the viewer left it on any device. True once ready to mount the player. */
export function useServerResume(api: Api, videoId: string, token: string | null | undefined, active: boolean): boolean {
  const [ready, setReady] = useState(!active);
  const tokenRef = useRef(token);
  tokenRef.current = token;
  useEffect(() => {
    if (!active) {
      setReady(true);
      return;
    }
    setReady(false);
    const remote = beaconRemote(apiTransport(api), { token: () => tokenRef.current });
    setResumeRemote(remote);
    let live = true;
    void primeResume(videoId).finally(() => live && setReady(true));
    const leave = () => remote.flush(true);
    window.addEventListener("pagehide", leave);
    return () => {
      live = false;
      window.removeEventListener("pagehide", leave);
      setResumeRemote(null);
    };
  }, [api, videoId, active]);
  return ready;
}

/** A trailer view, for the trailer → purchase conversion (the trailer player keeps no position). */
export function trailerStarted(api: Api, videoId: string): void {
  const beacon = { video_id: videoId, session_id: crypto.randomUUID(), kind: "start" as const, media: "trailer" as const, position_s: 0, occurred_at: new Date().toISOString() };
  void apiTransport(api).post({ token: null, beacons: [beacon] }).catch(() => undefined);
}
