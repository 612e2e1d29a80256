/** Pure transforms from the dashboards' series to uPlot's column data (tested). */

export interface DayPoint {
  day: string;
  value: number;
}

export interface LineSpec {
  label: string;
  points: DayPoint[];
  dashed?: boolean;
  scale?: number; // divide values by this (minor units → major)
}

/** Seconds since the epoch at UTC midnight of an ISO day. */
export function dayToTs(day: string): number {
  return Date.parse(`${day}T00:00:00Z`) / 1000;
}

/** One shared x axis (the union of the days, sorted) and one column per line; a line has null
 * where it has no point (an actual series ends where its forecast begins). */
export function toColumns(lines: LineSpec[]): [number[], ...(number | null)[][]] {
  const days = [...new Set(lines.flatMap((l) => l.points.map((p) => p.day)))].sort();
  const cols = lines.map((l) => {
    const byDay = new Map(l.points.map((p) => [p.day, p.value / (l.scale ?? 1)]));
    return days.map((d) => byDay.get(d) ?? null);
  });
  return [days.map(dayToTs), ...cols];
}

/** A forecast drawn from the last actual day so the two lines join. */
export function joinForecast(actual: DayPoint[], forecast: DayPoint[]): DayPoint[] {
  const last = actual[actual.length - 1];
  return last ? [last, ...forecast] : forecast;
}
