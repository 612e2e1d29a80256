import { describe, expect, it } from "vitest";
import { beaconRemote, loadResume, primeResume, qualityEverywhere, saveResume, saveResumeEverywhere, setResumeRemote, type Beacon, type BeaconTransport } from "./resume";

function memoryStorage(): Storage {
  const m = new Map<string, string>();
  return {
    get length() { return m.size; },
    clear: () => m.clear(),
    getItem: (k) => m.get(k) ?? null,
    key: (i) => [...m.keys()][i] ?? null,
    removeItem: (k) => void m.delete(k),
    setItem: (k, v) => void m.set(k, v),
  };
}

function fakeTransport(opts: { fail?: number; progress?: { position_s: number; resume: boolean } | null } = {}) {
  const posted: { token?: string | null; beacons: Beacon[] }[] = [];
  const beaconed: { token?: string | null; beacons: Beacon[] }[] = [];
  let failures = opts.fail ?? 0;
  const t: BeaconTransport = {
    getProgress: async () => opts.progress ?? null,
    post: async (body) => {
      if (failures > 0) {
        failures -= 1;
        throw new Error("offline");
      }
      posted.push(body);
    },
    sendBeacon: (body) => {
      beaconed.push(body);
      return true;
    },
  };
  return { t, posted, beaconed };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe("resume rule", () => {
  it("resumes past 5 s and before 95 %", () => {
    const s = memoryStorage();
    saveResume("a", 5, 100, s);
    expect(loadResume("a", 100, s)).toBeNull();
    saveResume("a", 6.4, 100, s);
    expect(loadResume("a", 100, s)).toBe(6);
    saveResume("a", 94, 100, s);
    expect(loadResume("a", 100, s)).toBe(94);
    saveResume("a", 95, 100, s);
    expect(loadResume("a", 100, s)).toBeNull();
  });
});

describe("server resume", () => {
  it("the server's position (another device) is what the player resumes from", async () => {
    const s = memoryStorage();
    saveResume("v", 30, 600, s);
    const { t } = fakeTransport({ progress: { position_s: 250, resume: true } });
    setResumeRemote(beaconRemote(t));
    expect(await primeResume("v", s)).toBe(250);
    expect(loadResume("v", 600, s)).toBe(250);
    setResumeRemote(null);
  });

  it("a finished video on the server does not overwrite nor resume", async () => {
    const s = memoryStorage();
    const { t } = fakeTransport({ progress: { position_s: 590, resume: false } });
    setResumeRemote(beaconRemote(t));
    expect(await primeResume("v", s)).toBeNull();
    expect(loadResume("v", 600, s)).toBeNull();
    setResumeRemote(null);
  });

  it("saves send a start then heartbeats with the token; a failed send is retried with the next", async () => {
    const { t, posted, beaconed } = fakeTransport({ fail: 1 });
    const remote = beaconRemote(t, { token: () => "tok", sessionId: "s1" });
    setResumeRemote(remote);
    saveResumeEverywhere("v", 10, 600, memoryStorage());
    await tick();
    expect(posted).toHaveLength(0); // offline: kept
    saveResumeEverywhere("v", 15, 600, memoryStorage());
    await tick();
    expect(posted).toHaveLength(1);
    expect(posted[0].token).toBe("tok");
    expect(posted[0].beacons.map((b) => [b.kind, b.position_s])).toEqual([["start", 10], ["heartbeat", 10], ["heartbeat", 15]]);
    expect(posted[0].beacons.every((b) => b.session_id === "s1" && b.duration_s === 600)).toBe(true);
    setResumeRemote(null); // leaving: the end goes by sendBeacon
    expect(beaconed).toHaveLength(1);
    expect(beaconed[0].beacons.map((b) => b.kind)).toEqual(["end"]);
  });

  it("heartbeats carry the current rendition and bitrate; a switch sends a quality beacon", async () => {
    const { t, posted, beaconed } = fakeTransport();
    setResumeRemote(beaconRemote(t, { sessionId: "s2" }));
    qualityEverywhere("v", 0, 600, { height: 480, bitrate: 1_200_000 }); // the first level: no switch yet
    saveResumeEverywhere("v", 10, 600, memoryStorage());
    await tick();
    qualityEverywhere("v", 12.5, 600, { height: 1080, bitrate: 5_000_500 });
    await tick();
    saveResumeEverywhere("v", 20, 600, memoryStorage());
    await tick();
    setResumeRemote(null);
    const sent = [...posted, ...beaconed].flatMap((b) => b.beacons);
    expect(sent.map((b) => [b.kind, b.position_s, b.rendition, b.bitrate_kbps])).toEqual([
      ["start", 10, "480p", 1200],
      ["heartbeat", 10, "480p", 1200],
      ["quality", 12.5, "1080p", 5001],
      ["heartbeat", 20, "1080p", 5001],
      ["end", 20, "1080p", 5001],
    ]);
  });
});
