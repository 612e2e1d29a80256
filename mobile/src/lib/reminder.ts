/**
 * The daily practice reminder (`GET/PUT /notifications/reminder`): a local time (HH:MM) in the
 * student's time zone, or none. The platform sends it at most once per local day.
 */
import { getCalendars } from "expo-localization";
import { call, type MobileApi } from "./api";

export interface Reminder {
  localTime: string | null;
  timezone: string;
}

/** "7:30", "07:30", "7.30" → "07:30"; "" → null (no reminder); anything else → undefined. */
export function parseTime(input: string): string | null | undefined {
  const s = input.trim();
  if (!s) return null;
  const m = s.match(/^(\d{1,2})[:.](\d{2})$/);
  if (!m) return undefined;
  const [h, min] = [Number(m[1]), Number(m[2])];
  if (h > 23 || min > 59) return undefined;
  return `${String(h).padStart(2, "0")}:${m[2]}`;
}

/** The device's IANA time zone (expo-localization, else the JS engine's), "UTC" when unknown. */
export function deviceTimeZone(): string {
  try {
    const tz = getCalendars()[0]?.timeZone;
    if (tz) return tz;
  } catch {
    /* no native module (tests, old runtimes) */
  }
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

export async function loadReminder(api: MobileApi): Promise<Reminder> {
  const r = await call(api.client.GET("/api/v1/notifications/reminder"));
  return { localTime: r.local_time ?? null, timezone: r.timezone };
}

/** Saves the time (null: no reminder) in `timezone`; answers what the platform kept. */
export async function saveReminder(api: MobileApi, localTime: string | null, timezone: string): Promise<Reminder> {
  const r = await call(api.client.PUT("/api/v1/notifications/reminder", { body: { local_time: localTime, timezone } }));
  return { localTime: r.local_time ?? null, timezone: r.timezone };
}
