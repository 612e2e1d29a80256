import { useEffect, useRef } from "react";
import type uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { toColumns, type LineSpec } from "./chartData";

const COLOURS = ["#c0392b", "#2471a3", "#239b56", "#b7950b"];

/** A time-series line chart (uPlot: canvas, ~50 kB, zoom by dragging, hover legend). `xDays`
 * false: a numeric x axis (the retention curve, x in % of the video). */
export function Chart({ title, lines, height = 220, xDays = true, yRange }: { title: string; lines: LineSpec[]; height?: number; xDays?: boolean; yRange?: [number, number] }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    // uPlot reads matchMedia when loaded: loaded here, in a browser only (and off the main bundle).
    if (!el || typeof ResizeObserver === "undefined" || typeof matchMedia === "undefined") return;
    let cancelled = false;
    let cleanup = () => {
      cancelled = true;
    };
    const data = xDays
      ? toColumns(lines)
      : ([lines[0]?.points.map((p) => Number(p.day)) ?? [], ...lines.map((l) => l.points.map((p) => p.value))] as uPlot.AlignedData);
    const opts: uPlot.Options = {
      width: el.clientWidth || 600,
      height,
      scales: { x: { time: xDays }, ...(yRange ? { y: { range: yRange } } : {}) },
      series: [
        {},
        ...lines.map((l, i) => ({
          label: l.label,
          stroke: COLOURS[i % COLOURS.length],
          width: 2,
          dash: l.dashed ? [6, 4] : undefined,
          spanGaps: false,
        })),
      ],
      axes: [{}, { size: 60 }],
    };
    void import("uplot").then(({ default: UPlot }) => {
      if (cancelled) return;
      const plot = new UPlot(opts, data, el);
      const ro = new ResizeObserver(() => plot.setSize({ width: el.clientWidth, height }));
      ro.observe(el);
      cleanup = () => {
        ro.disconnect();
        plot.destroy();
      };
    });
    return () => cleanup();
  }, [lines, height, xDays, yRange]);
  return (
    <figure className="card chart">
      <figcaption><strong>{title}</strong></figcaption>
      <div ref={box} role="img" aria-label={title} />
    </figure>
  );
}
