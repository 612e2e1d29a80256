import { useEffect, useState } from "react";
import { Link } from "react-router-dom";
import { useAuth } from "../../auth/AuthContext";
import { call } from "../../api/client";
import { useI18n } from "../../i18n/i18n";
import { useAction, useDocumentTitle, useLoad } from "../../lib/hooks";
import { ErrorState, Progress, SkeletonLines } from "../../components/ui";
import { LineChart } from "../../components/charts/LineChart";
import { badgeText, techniqueName, timeZones, type Reward, type Summary } from "./learning";

/** The student's XP, streak, weekly goal, badges, per-technique milestones with the score chart, rewards. */
export default function MyProgressPage() {
  const { t } = useI18n();
  const { api } = useAuth();
  useDocumentTitle(t("learning.title"));
  const summary = useLoad(() => call(api.client.GET("/api/v1/learning/me")), [api]);
  const [data, setData] = useState<Summary | undefined>(undefined);
  useEffect(() => setData(summary.data), [summary.data]);
  if (summary.loading && !data) return <SkeletonLines lines={6} />;
  if (summary.error) return <ErrorState message={summary.error} onRetry={summary.reload} />;
  if (!data) return null;
  return (
    <div className="stack">
      <div className="row">
        <h1 style={{ margin: 0 }}>{t("learning.title")}</h1>
        <span className="spacer" />
        <Link className="btn btn-sm" to="/leaderboards">{t("learning.leaderboard")}</Link>
      </div>
      <div className="grid" style={{ gridTemplateColumns: "repeat(auto-fit, minmax(220px, 1fr))" }}>
        <section className="panel" aria-labelledby="xp-h">
          <h2 id="xp-h" className="label">{t("learning.xp")}</h2>
          <p className="price" style={{ margin: 0 }} data-testid="xp">{data.xp} XP</p>
          <p className="small muted" style={{ margin: 0 }}>{t("learning.level", { level: data.level })} · {t("learning.xpThisWeek", { xp: data.week_xp })}</p>
        </section>
        <StreakPanel summary={data} />
        <GoalPanel summary={data} onSaved={setData} />
      </div>
      <Badges summary={data} />
      <Techniques techniques={data.techniques} />
      <Rewards />
    </div>
  );
}

function StreakPanel({ summary }: { summary: Summary }) {
  const { t } = useI18n();
  const s = summary.streak;
  return (
    <section className="panel" aria-labelledby="streak-h">
      <h2 id="streak-h" className="label">{t("learning.streak")}</h2>
      {s.alive ? (
        <p className="price" style={{ margin: 0 }}>🔥 {t("learning.streakDays", { days: s.days })}</p>
      ) : (
        <p style={{ margin: 0 }}>{t("learning.noStreak")}</p>
      )}
      {s.at_risk && <p className="alert alert-warn small" role="status">{t("learning.atRisk")}</p>}
      <p className="small muted" style={{ margin: 0 }}>{t("learning.graceRule")}</p>
    </section>
  );
}

function GoalPanel({ summary, onSaved }: { summary: Summary; onSaved: (s: Summary) => void }) {
  const { t } = useI18n();
  const { api } = useAuth();
  const [goal, setGoal] = useState<string>(summary.weekly_goal ? String(summary.weekly_goal) : "");
  const [zone, setZone] = useState(summary.timezone);
  const save = useAction(async () => {
    const body = { weekly_goal: goal ? Number(goal) : null, timezone: zone };
    onSaved(await call(api.client.PATCH("/api/v1/learning/me", { body })));
  });
  return (
    <section className="panel stack" aria-labelledby="goal-h">
      <h2 id="goal-h" className="label">{t("learning.goal")}</h2>
      {summary.weekly_goal ? (
        <>
          <Progress value={(100 * summary.week_days) / summary.weekly_goal} label={t("learning.goal")} />
          <p className="small" style={{ margin: 0 }}>{t("learning.goalProgress", { done: summary.week_days, goal: summary.weekly_goal })}</p>
        </>
      ) : (
        <p className="small muted" style={{ margin: 0 }}>{t("learning.goalNone")}</p>
      )}
      <form className="row" onSubmit={(e) => { e.preventDefault(); void save.run(); }}>
        <label className="visually-hidden" htmlFor="goal-select">{t("learning.goal")}</label>
        <select id="goal-select" className="select" value={goal} onChange={(e) => setGoal(e.target.value)}>
          <option value="">{t("learning.goalNone")}</option>
          {[1, 2, 3, 4, 5, 6, 7].map((n) => <option key={n} value={n}>{t("learning.goalDays", { count: n })}</option>)}
        </select>
        <label className="visually-hidden" htmlFor="zone-select">{t("learning.timezone")}</label>
        <select id="zone-select" className="select" value={zone} onChange={(e) => setZone(e.target.value)} title={t("learning.timezone")}>
          {timeZones(summary.timezone).map((z) => <option key={z} value={z}>{z}</option>)}
        </select>
        <button className="btn btn-sm btn-primary" disabled={save.busy}>{t("learning.saveSettings")}</button>
      </form>
      {save.error && <div className="alert alert-error" role="alert">{save.error}</div>}
    </section>
  );
}

function Badges({ summary }: { summary: Summary }) {
  const { t, fmtDate } = useI18n();
  return (
    <section aria-labelledby="badges-h">
      <h2 id="badges-h">{t("learning.badges")}</h2>
      {summary.badges.length === 0 && <p className="muted">{t("learning.noBadges")}</p>}
      <ul className="row" style={{ listStyle: "none", padding: 0, flexWrap: "wrap" }}>
        {summary.badges.map((b) => {
          const { name, rule } = badgeText(t, b.badge);
          return (
            <li key={b.badge} className="panel" style={{ minWidth: 180 }}>
              <strong>🏅 {name}</strong>
              <div className="small muted">{rule}</div>
              <div className="small muted">{fmtDate(b.earned_at)}</div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function Techniques({ techniques }: { techniques: string[] }) {
  const { t } = useI18n();
  const [technique, setTechnique] = useState(techniques[0] ?? "");
  return (
    <section aria-labelledby="tech-h" className="stack">
      <h2 id="tech-h">{t("learning.techniques")}</h2>
      {techniques.length === 0 ? (
        <p className="muted">{t("learning.noTechniques")}</p>
      ) : (
        <>
          <div className="row" role="tablist" aria-label={t("learning.technique")}>
            {techniques.map((k) => (
              <button key={k} role="tab" aria-selected={k === technique} className={`btn btn-sm ${k === technique ? "btn-primary" : ""}`} onClick={() => setTechnique(k)}>
                {techniqueName(t, k)}
              </button>
            ))}
          </div>
          {technique && <TechniqueMilestones technique={technique} />}
        </>
      )}
    </section>
  );
}

function TechniqueMilestones({ technique }: { technique: string }) {
  const { t, fmtDate } = useI18n();
  const { api } = useAuth();
  const progress = useLoad(
    () => call(api.client.GET("/api/v1/learning/me/techniques/{technique}", { params: { path: { technique } } })),
    [api, technique],
  );
  if (progress.loading) return <SkeletonLines lines={3} />;
  if (progress.error) return <ErrorState message={progress.error} onRetry={progress.reload} />;
  const p = progress.data;
  if (!p) return null;
  const name = techniqueName(t, technique);
  const next = p.belts.find((b) => b.belt === p.next_belt);
  return (
    <div className="panel stack">
      <h3 className="label" style={{ margin: 0 }}>{t("learning.belts")}</h3>
      <ol className="row" style={{ listStyle: "none", padding: 0, flexWrap: "wrap" }} aria-label={t("learning.belts")}>
        {p.belts.map((b) => (
          <li key={b.belt} className={`badge ${b.earned_at ? "badge-ok" : ""}`} title={t("learning.beltRule", { attempts: b.attempts, score: b.min_score })}>
            {b.earned_at ? "✓ " : ""}{t(`learning.belt.${b.belt}`)} · {t("learning.beltRule", { attempts: b.attempts, score: b.min_score })}
          </li>
        ))}
      </ol>
      <p className="small" style={{ margin: 0 }}>
        {next ? t("learning.nextBelt", { belt: t(`learning.belt.${next.belt}`), count: p.next_needs, score: next.min_score }) : t("learning.pathDone")}
        {p.best !== null && p.best !== undefined && <> · {t("learning.best", { score: p.best })}</>}
      </p>
      <h3 className="label" style={{ margin: 0 }}>{t("learning.history")}</h3>
      <LineChart
        points={p.history.map((h) => ({ at: h.at, value: Math.round(h.score * 10) / 10 }))}
        label={t("learning.chartLabel", { technique: name, count: p.history.length })}
        guides={p.belts.filter((b) => b.min_score > 0).map((b) => ({ value: b.min_score, label: t(`learning.belt.${b.belt}`) }))}
        formatX={(iso) => fmtDate(iso)}
        timeHeader={t("learning.date")}
        valueHeader={t("learning.score")}
      />
    </div>
  );
}

function Rewards() {
  const { t } = useI18n();
  const { api } = useAuth();
  const rewards = useLoad(() => call(api.client.GET("/api/v1/learning/me/rewards")), [api]);
  const [claimed, setClaimed] = useState<Record<string, Reward>>({});
  const claim = useAction(async (grantId: string) => {
    const r = await call(api.client.POST("/api/v1/learning/me/rewards/{grant_id}/claim", { params: { path: { grant_id: grantId } } }));
    setClaimed((c) => ({ ...c, [grantId]: r }));
  });
  const items = (rewards.data ?? []).map((r) => claimed[r.grant_id] ?? r);
  return (
    <section aria-labelledby="rewards-h">
      <h2 id="rewards-h">{t("learning.rewards")}</h2>
      {rewards.error && <ErrorState message={rewards.error} onRetry={rewards.reload} />}
      {rewards.data && items.length === 0 && <p className="muted">{t("learning.noRewards")}</p>}
      <ul className="stack" style={{ listStyle: "none", padding: 0 }}>
        {items.map((r) => (
          <li key={r.grant_id} className="panel row">
            <span>{t("learning.rewardLine", { percent: r.percent_off, instructor: r.instructor_name, technique: techniqueName(t, r.technique), belt: t(`learning.belt.${r.belt}`) })}</span>
            <span className="spacer" />
            {r.code ? (
              <strong className="mono">{t("learning.code", { code: r.code })}</strong>
            ) : (
              <button className="btn btn-sm btn-primary" disabled={claim.busy} onClick={() => void claim.run(r.grant_id)}>{t("learning.claim")}</button>
            )}
          </li>
        ))}
      </ul>
      {claim.error && <div className="alert alert-error" role="alert">{claim.error}</div>}
    </section>
  );
}
