/** A comment's text split into plain runs and moments ("at 1:23", "12:05", "1:02:03") that seek
 * the video when clicked. Minutes and seconds must be valid (":75" is not a moment). */
export type Segment = { text: string } | { text: string; seconds: number };

const MOMENT = /\b(?:(\d{1,2}):)?(\d{1,2}):(\d{2})\b/g;

export function splitMoments(body: string): Segment[] {
  const out: Segment[] = [];
  let last = 0;
  for (const m of body.matchAll(MOMENT)) {
    const [whole, h, mm, ss] = m;
    const hours = h ? Number(h) : 0;
    const minutes = Number(mm);
    const seconds = Number(ss);
    if (seconds > 59 || (h && minutes > 59)) continue;
    const at = m.index ?? 0;
    if (at > last) out.push({ text: body.slice(last, at) });
    out.push({ text: whole, seconds: hours * 3600 + minutes * 60 + seconds });
    last = at + whole.length;
  }
  if (last < body.length) out.push({ text: body.slice(last) });
  return out;
}
