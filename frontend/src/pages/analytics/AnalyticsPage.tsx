import { useEffect, useMemo, useState } from "react";
import { useAuth } from "../../auth/AuthContext";
import { call } from "../../api/client";
import { toApiError } from "@mamc/shared/api/errors";
import { useI18n } from "../../i18n/i18n";
import { useAction, useDocumentTitle, useLoad } from "../../lib/hooks";
import { ErrorState, SkeletonLines } from "../../components/ui";
import type { Resp } from "@mamc/shared/api/types";
import { Chart } from "./Chart";
import { joinForecast, type LineSpec } from "./chartData";

type Instructor = Resp<"/api/v1/analytics/instructor", "get">;
type Admin = Resp<"/api/v1/analytics/admin", "get">;
type Forecast = Instructor["forecasts"][number];
type Series = Instructor["views"];

function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

function defaultRange(): { start: string; end: string } {
  const end = new Date();
  const start = new Date(end.getTime() - 89 * 86400_000);
  return { start: isoDay(start), end: isoDay(end) };
}

/** The period, and CSV / PDF of the dashboard (fetched with the bearer token, saved as a blob). */
function RangeBar({ scope, range, onChange }: { scope: "instructor" | "admin"; range: { start: string; end: string }; onChange: (r: { start: string; end: string }) => void }) {
  const { t, lang } = useI18n();
  const { api } = useAuth();
  const [draft, setDraft] = useState(range);
  const download = useAction(async (format: "csv" | "pdf") => {
    const res = await api.raw(`/api/v1/analytics/${scope}/export?format=${format}&start=${range.start}&end=${range.end}`, { headers: { "Accept-Language": lang } });
    if (!res.ok) throw toApiError(res.status, await res.json().catch(() => null));
    const url = URL.createObjectURL(await res.blob());
    const a = Object.assign(document.createElement("a"), { href: url, download: `analytics-${scope}-${range.start}-${range.end}.${format}` });
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
    return true;
  });
  return (
    <form className="row" onSubmit={(e) => { e.preventDefault(); onChange(draft); }}>
      <label className="label" htmlFor="an-from">{t("analytics.from")}</label>
      <input id="an-from" type="date" className="input" style={{ width: "auto" }} value={draft.start} max={draft.end} onChange={(e) => setDraft({ ...draft, start: e.target.value })} />
      <label className="label" htmlFor="an-to">{t("analytics.to")}</label>
      <input id="an-to" type="date" className="input" style={{ width: "auto" }} value={draft.end} min={draft.start} onChange={(e) => setDraft({ ...draft, end: e.target.value })} />
      <button className="btn btn-sm" type="submit">{t("analytics.apply")}</button>
      <span className="spacer" />
      <button className="btn btn-sm" type="button" onClick={() => download.run("csv")} disabled={download.busy}>{t("analytics.exportCsv")}</button>
      <button className="btn btn-sm" type="button" onClick={() => download.run("pdf")} disabled={download.busy}>{t("analytics.exportPdf")}</button>
      {download.error && <p role="alert" className="error">{download.error}</p>}
    </form>
  );
}

/** "Forecast (method), backtest error": always next to a forecast line. */
export function ForecastNote({ f }: { f: Forecast }) {
  const { t } = useI18n();
  const key = `analytics.methods.${f.method}`;
  const method = t(key) === key ? f.method : t(key);
  const money = f.name.startsWith("revenue_");
  const fmt = (x: number) => (money ? (x / 100).toFixed(2) : x.toFixed(1));
  if (f.backtest_mae == null) return <p className="small muted">{t("analytics.forecastNoBacktest", { days: f.horizon_days, method })}</p>;
  const mape = f.backtest_mape_pct == null ? "" : t("analytics.mape", { mape: f.backtest_mape_pct.toFixed(0) });
  return <p className="small muted">{t("analytics.forecastNote", { days: f.horizon_days, method, backtest: f.backtest_days, mae: fmt(f.backtest_mae), mape })}</p>;
}

function seriesLabel(t: (k: string, v?: Record<string, string | number>) => string, name: string): string {
  if (name.startsWith("revenue_")) return t("analytics.revenue", { currency: name.slice(8).toUpperCase() });
  return t({ views: "analytics.views", watch_hours: "analytics.watchHours", signups: "analytics.signups", active_users: "analytics.activeUsers" }[name] ?? name);
}

/** An actual series with its forecast (dashed), when there is one. */
function SeriesChart({ s, forecasts }: { s: Series; forecasts: Forecast[] }) {
  const { t } = useI18n();
  const f = forecasts.find((x) => x.name === s.name);
  const scale = s.name.startsWith("revenue_") ? 100 : 1;
  const lines = useMemo<LineSpec[]>(() => {
    const actual: LineSpec = { label: t("analytics.actual"), points: s.points, scale };
    return f ? [actual, { label: t("analytics.forecast"), points: joinForecast(s.points, f.points), dashed: true, scale }] : [actual];
  }, [s, f, scale, t]);
  return (
    <div>
      <Chart title={seriesLabel(t, s.name)} lines={lines} />
      {f && <ForecastNote f={f} />}
    </div>
  );
}

/** Current viewers, polled every 5 s (the server counts playback sessions with a beacon in the last 30 s). */
function LiveViewers() {
  const { t } = useI18n();
  const { api } = useAuth();
  const [live, setLive] = useState<Resp<"/api/v1/analytics/live", "get"> | null>(null);
  useEffect(() => {
    let alive = true;
    const poll = () => call(api.client.GET("/api/v1/analytics/live")).then((l) => alive && setLive(l)).catch(() => undefined);
    void poll();
    const timer = setInterval(poll, 5000);
    return () => {
      alive = false;
      clearInterval(timer);
    };
  }, [api]);
  return (
    <div className="card" aria-live="polite">
      <span className="small muted">{t("analytics.live")}</span>
      <strong style={{ fontSize: "2rem", display: "block" }}>{live?.viewers ?? "–"}</strong>
      <span className="small muted">{t("analytics.liveHint", { seconds: live?.window_seconds ?? 30 })}</span>
    </div>
  );
}

function Retention({ videoId, title }: { videoId: string; title: string }) {
  const { t } = useI18n();
  const { api } = useAuth();
  const r = useLoad(() => call(api.client.GET("/api/v1/analytics/instructor/videos/{video_id}/retention", { params: { path: { video_id: videoId } } })), [api, videoId]);
  const lines = useMemo<LineSpec[]>(
    () => (r.data ? [{ label: t("analytics.retention"), points: r.data.points.map((p) => ({ day: String(p.pct), value: Math.round(p.share * 100) })) }] : []),
    [r.data, t],
  );
  if (r.error) return <ErrorState message={r.error} onRetry={r.reload} />;
  if (!r.data) return <SkeletonLines lines={3} />;
  if (!r.data.total_sessions) return <p className="muted">{t("analytics.retentionNone")}</p>;
  return (
    <div>
      <Chart title={t("analytics.retentionOf", { title })} lines={lines} xDays={false} yRange={[0, 100]} />
      <p className="small muted">{t("analytics.retentionHint")} {t("analytics.sessions", { count: r.data.total_sessions })}</p>
    </div>
  );
}

function Totals({ totals }: { totals: Instructor["revenue_totals"] }) {
  const { t, fmtMoney } = useI18n();
  if (!totals.length) return null;
  return (
    <ul className="row">
      {totals.map((x) => (
        <li key={x.currency} className="card">
          <span className="small muted">{t("analytics.revenue", { currency: x.currency.toUpperCase() })}</span>
          <strong style={{ display: "block" }}>{fmtMoney(x.net_cents, x.currency)}</strong>
          <span className="small muted">{t("analytics.sales", { count: x.sales })}</span>
        </li>
      ))}
    </ul>
  );
}

export function InstructorAnalyticsPage() {
  const { t, fmtDuration } = useI18n();
  const { api } = useAuth();
  useDocumentTitle(t("analytics.title"));
  const [range, setRange] = useState(defaultRange);
  const [picked, setPicked] = useState<string | null>(null);
  const d = useLoad(() => call(api.client.GET("/api/v1/analytics/instructor", { params: { query: range } })), [api, range.start, range.end]);
  const data = d.data;
  const chosen = data?.videos.find((v) => v.video_id === picked) ?? data?.videos[0];
  return (
    <div className="stack">
      <h1>{t("analytics.title")}</h1>
      <RangeBar scope="instructor" range={range} onChange={setRange} />
      <LiveViewers />
      {d.error && <ErrorState message={d.error} onRetry={d.reload} />}
      {!data && !d.error && <SkeletonLines lines={6} />}
      {data && (
        <>
          <p className="small muted">{t("analytics.refreshed")}</p>
          <Totals totals={data.revenue_totals} />
          <SeriesChart s={data.views} forecasts={data.forecasts} />
          <SeriesChart s={data.watch_hours} forecasts={[]} />
          {data.revenue.map((s) => <SeriesChart key={s.name} s={s} forecasts={data.forecasts} />)}
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">{t("analytics.video")}</th><th scope="col">{t("analytics.views")}</th><th scope="col">{t("analytics.uniqueViewers")}</th>
                  <th scope="col">{t("analytics.watchHours")}</th><th scope="col">{t("analytics.trailerConversion")}</th><th scope="col">{t("analytics.retention")}</th>
                </tr>
              </thead>
              <tbody>
                {data.videos.map((v) => (
                  <tr key={v.video_id}>
                    <td data-label={t("analytics.video")}>{v.title}</td>
                    <td data-label={t("analytics.views")}>{v.views}</td>
                    <td data-label={t("analytics.uniqueViewers")}>{v.unique_viewers}</td>
                    <td data-label={t("analytics.watchHours")}>{fmtDuration(v.watch_seconds)}</td>
                    <td data-label={t("analytics.trailerConversion")}>{v.conversion_pct == null ? "–" : `${v.conversion_pct}% (${v.trailer_converted}/${v.trailer_viewers})`}</td>
                    <td data-label={t("analytics.retention")}><button className="btn btn-sm" onClick={() => setPicked(v.video_id)} aria-pressed={chosen?.video_id === v.video_id}>{t("analytics.retention")}</button></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {!data.videos.length && <p className="muted">{t("analytics.noData")}</p>}
          {chosen && <Retention videoId={chosen.video_id} title={chosen.title} />}
          {data.renditions.length > 0 && (
            <section>
              <h2>{t("analytics.renditions")}</h2>
              <table className="table">
                <thead><tr><th scope="col">{t("analytics.rendition")}</th><th scope="col">{t("analytics.renditionTime")}</th></tr></thead>
                <tbody>
                  {data.renditions.map((r) => (
                    <tr key={r.rendition}><td>{r.rendition}</td><td>{fmtDuration(r.watch_seconds)}</td></tr>
                  ))}
                </tbody>
              </table>
            </section>
          )}
          {data.references.length > 0 && (
            <section>
              <h2>{t("analytics.references")}</h2>
              <table className="table">
                <thead><tr><th scope="col">{t("analytics.references")}</th><th scope="col">{t("analytics.attempts")}</th><th scope="col">{t("analytics.averageScore")}</th></tr></thead>
                <tbody>
                  {data.references.map((r) => (
                    <tr key={r.reference_id}><td>{r.name}</td><td>{r.attempts}</td><td>{r.average_score ?? "–"}</td></tr>
                  ))}
                </tbody>
              </table>
            </section>
          )}
        </>
      )}
    </div>
  );
}

export function AdminAnalyticsPage() {
  const { t } = useI18n();
  const { api } = useAuth();
  useDocumentTitle(t("analytics.adminTitle"));
  const [range, setRange] = useState(defaultRange);
  const d = useLoad(() => call(api.client.GET("/api/v1/analytics/admin", { params: { query: range } })), [api, range.start, range.end]);
  const data: Admin | null = d.data ?? null;
  return (
    <div className="stack">
      <h1>{t("analytics.adminTitle")}</h1>
      <RangeBar scope="admin" range={range} onChange={setRange} />
      <LiveViewers />
      {d.error && <ErrorState message={d.error} onRetry={d.reload} />}
      {!data && !d.error && <SkeletonLines lines={6} />}
      {data && (
        <>
          <div className="row">
            <div className="card">
              <span className="small muted">{t("analytics.moderationBacklog")}</span>
              <strong style={{ fontSize: "2rem", display: "block" }}>{data.moderation_backlog}</strong>
            </div>
            <div className="card">
              <span className="small muted">{t("analytics.processing")}</span>
              <ul>
                {Object.entries(data.processing).map(([state, n]) => <li key={state}>{t(`analytics.states.${state}`)}: <strong>{n}</strong></li>)}
              </ul>
            </div>
          </div>
          <SeriesChart s={data.views} forecasts={data.forecasts} />
          {data.revenue.map((s) => <SeriesChart key={s.name} s={s} forecasts={data.forecasts} />)}
          <SeriesChart s={data.signups} forecasts={[]} />
          <SeriesChart s={data.active_users} forecasts={[]} />
        </>
      )}
    </div>
  );
}
