/** Quality choice for HLS: the variants of a master playlist, each playable on its own. */
export interface Variant {
  height: number;
  bandwidth: number;
  url: string;
}

/** The variants listed in `text` (a master playlist fetched from `masterUrl`), best first. */
export function parseMaster(text: string, masterUrl: string): Variant[] {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  const base = new URL(masterUrl);
  const out: Variant[] = [];
  lines.forEach((line, i) => {
    if (!line.startsWith("#EXT-X-STREAM-INF:")) return;
    const uri = lines.slice(i + 1).find((l) => l && !l.startsWith("#"));
    if (!uri) return;
    const height = Number(/RESOLUTION=\d+x(\d+)/.exec(line)?.[1] ?? 0);
    const bandwidth = Number(/BANDWIDTH=(\d+)/.exec(line)?.[1] ?? 0);
    const url = new URL(uri, base);
    // Signed URLs carrying their token in the query keep it for the variant.
    if (!url.search && base.search) url.search = base.search;
    out.push({ height, bandwidth, url: url.toString() });
  });
  return out.sort((a, b) => b.height - a.height || b.bandwidth - a.bandwidth);
}
