/**
 * A small SVG line chart (no chart library in the web client yet): points over time, optional
 * horizontal guide lines (e.g. belt thresholds). Accessible: the SVG is an image with a summary
 * label, and the points are listed in a visually hidden table for screen readers.
 */
export interface ChartPoint {
  at: string; // ISO time
  value: number;
}

export interface Guide {
  value: number;
  label: string;
}

interface Props {
  points: ChartPoint[];
  label: string;
  yMin?: number;
  yMax?: number;
  guides?: Guide[];
  width?: number;
  height?: number;
  formatX?: (iso: string) => string;
  valueHeader?: string;
  timeHeader?: string;
}

const PAD = { left: 36, right: 12, top: 12, bottom: 24 };

/** Pixel positions of the points: x spread evenly by time, y scaled into [yMin, yMax]. */
export function layout(points: ChartPoint[], width: number, height: number, yMin: number, yMax: number) {
  const times = points.map((p) => new Date(p.at).getTime());
  const t0 = Math.min(...times);
  const t1 = Math.max(...times);
  const w = width - PAD.left - PAD.right;
  const h = height - PAD.top - PAD.bottom;
  const span = yMax - yMin || 1;
  return points.map((p, i) => ({
    x: PAD.left + (t1 === t0 ? (points.length === 1 ? w / 2 : (i / (points.length - 1)) * w) : ((times[i] - t0) / (t1 - t0)) * w),
    y: PAD.top + h - ((Math.min(yMax, Math.max(yMin, p.value)) - yMin) / span) * h,
  }));
}

export function LineChart({
  points,
  label,
  yMin = 0,
  yMax = 100,
  guides = [],
  width = 560,
  height = 220,
  formatX = (iso) => new Date(iso).toLocaleDateString(),
  valueHeader = "",
  timeHeader = "",
}: Props) {
  const xy = layout(points, width, height, yMin, yMax);
  const yOf = (v: number) => PAD.top + (height - PAD.top - PAD.bottom) * (1 - (v - yMin) / (yMax - yMin || 1));
  const path = xy.map((p, i) => `${i ? "L" : "M"}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(" ");
  const ticks = [yMin, (yMin + yMax) / 2, yMax];
  return (
    <figure className="line-chart" style={{ margin: 0 }}>
      <svg role="img" aria-label={label} viewBox={`0 0 ${width} ${height}`} width="100%" style={{ maxWidth: width }}>
        {ticks.map((v) => (
          <g key={`t${v}`}>
            <line x1={PAD.left} x2={width - PAD.right} y1={yOf(v)} y2={yOf(v)} stroke="currentColor" strokeOpacity={0.12} />
            <text x={PAD.left - 6} y={yOf(v) + 4} textAnchor="end" fontSize={10} fill="currentColor" opacity={0.7}>{v}</text>
          </g>
        ))}
        {guides.map((g) => (
          <g key={`g${g.label}`} data-guide={g.label}>
            <line x1={PAD.left} x2={width - PAD.right} y1={yOf(g.value)} y2={yOf(g.value)} stroke="currentColor" strokeDasharray="4 4" strokeOpacity={0.35} />
            <text x={width - PAD.right} y={yOf(g.value) - 3} textAnchor="end" fontSize={10} fill="currentColor" opacity={0.7}>{g.label}</text>
          </g>
        ))}
        {points.length > 1 && <path d={path} fill="none" stroke="var(--accent, #4ea1ff)" strokeWidth={2} />}
        {xy.map((p, i) => (
          <circle key={i} cx={p.x} cy={p.y} r={3.5} fill="var(--accent, #4ea1ff)" data-value={points[i].value}>
            <title>{`${formatX(points[i].at)}: ${points[i].value}`}</title>
          </circle>
        ))}
        {points.length > 0 && (
          <>
            <text x={PAD.left} y={height - 6} fontSize={10} fill="currentColor" opacity={0.7}>{formatX(points[0].at)}</text>
            <text x={width - PAD.right} y={height - 6} textAnchor="end" fontSize={10} fill="currentColor" opacity={0.7}>{formatX(points[points.length - 1].at)}</text>
          </>
        )}
      </svg>
      <table className="visually-hidden">
        <caption>{label}</caption>
        <thead><tr><th scope="col">{timeHeader}</th><th scope="col">{valueHeader}</th></tr></thead>
        <tbody>
          {points.map((p, i) => (
            <tr key={i}><td>{formatX(p.at)}</td><td>{p.value}</td></tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
