/**
 * Drives runUpload for a screen: progress, an "interrupted" state when the network or the OS cut
 * the upload, and an automatic resume when the app comes back to the foreground. The journal keeps
 * the in-flight upload across restarts.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import { AppState } from "react-native";
import type { LocalFile } from "../device/types";
import { useApp } from "./app";
import { runUpload, uploadJournal, type JournalEntry, type Progress, type UploadProtocol } from "./upload";

export type UploadPhase = "idle" | "uploading" | "interrupted" | "done";

export function useResumableUpload() {
  const { device } = useApp();
  const [phase, setPhase] = useState<UploadPhase>("idle");
  const [progress, setProgress] = useState<Progress | null>(null);
  const [error, setError] = useState<unknown>(null);
  const job = useRef<{ protocol: UploadProtocol; file: LocalFile; entry: JournalEntry; onDone: () => void } | null>(null);
  const running = useRef(false);

  const go = useCallback(
    async (resume: boolean) => {
      const j = job.current;
      if (!j || running.current) return;
      running.current = true;
      setPhase("uploading");
      setError(null);
      try {
        await runUpload({ protocol: j.protocol, file: j.file, sender: device.sender, resume, onProgress: setProgress });
        await uploadJournal.clear(device.storage);
        job.current = null;
        setPhase("done");
        j.onDone();
      } catch (e) {
        setError(e);
        setPhase("interrupted");
      } finally {
        running.current = false;
      }
    },
    [device],
  );

  /** Start (or, with resume, continue) uploading `file` through `protocol`. */
  const start = useCallback(
    async (protocol: UploadProtocol, file: LocalFile, entry: JournalEntry, onDone: () => void, resume = false) => {
      job.current = { protocol, file, entry, onDone };
      await uploadJournal.save(device.storage, entry);
      await go(resume);
    },
    [device, go],
  );

  useEffect(() => {
    const sub = AppState.addEventListener("change", (s) => {
      if (s === "active" && job.current && !running.current) void go(true);
    });
    return () => sub.remove();
  }, [go]);

  return { phase, progress, error, start, resume: () => go(true) };
}
