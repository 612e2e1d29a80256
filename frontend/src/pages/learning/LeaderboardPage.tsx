import { useState } from "react";
import { useSearchParams } from "react-router-dom";
import { useAuth } from "../../auth/AuthContext";
import { call } from "../../api/client";
import { useI18n } from "../../i18n/i18n";
import { useAction, useDocumentTitle, useLoad } from "../../lib/hooks";
import { ErrorState, SkeletonLines } from "../../components/ui";
import { isoWeek, type Board } from "./learning";

/**
 * The week's XP board (UTC ISO weeks) or, with ?reference=<id>, the best scores on one reference;
 * display names only; the viewer's opt-out toggle.
 */
export default function LeaderboardPage() {
  const { t } = useI18n();
  const { api } = useAuth();
  const [params] = useSearchParams();
  const reference = params.get("reference");
  const [offset, setOffset] = useState(0);
  const week = isoWeek(new Date(), offset);
  useDocumentTitle(t("learning.leaderboard"));
  const board = useLoad(
    () =>
      reference
        ? call(api.client.GET("/api/v1/learning/leaderboards/references/{reference_id}", { params: { path: { reference_id: reference } } }))
        : call(api.client.GET("/api/v1/learning/leaderboards/weeks/{week}", { params: { path: { week } } })),
    [api, reference, week],
  );
  // The box shows the choice at once (the board reloads after the server has it, or on failure).
  const toggle = useAction(async (optOut: boolean) => {
    if (board.data) board.setData({ ...board.data, opted_out: optOut });
    try {
      await call(api.client.PATCH("/api/v1/learning/me", { body: { leaderboard_opt_out: optOut } }));
    } finally {
      board.reload();
    }
  });
  return (
    <div className="stack">
      <h1>{t("learning.leaderboard")}</h1>
      <div className="row">
        <h2 style={{ margin: 0 }}>{reference ? t("learning.referenceBoard") : t("learning.weekBoard")}</h2>
        <span className="spacer" />
        {!reference && (
          <>
            <button className="btn btn-sm" onClick={() => setOffset((o) => o - 1)} aria-label={t("learning.prevWeek")}>‹</button>
            <span className="small">{t("learning.week", { week })}</span>
            <button className="btn btn-sm" onClick={() => setOffset((o) => Math.min(0, o + 1))} disabled={offset >= 0} aria-label={t("learning.nextWeek")}>›</button>
          </>
        )}
      </div>
      {board.data && (
        <label className="row small">
          <input
            type="checkbox"
            checked={board.data.opted_out}
            disabled={toggle.busy}
            onChange={(e) => void toggle.run(e.target.checked)}
          />
          {t("learning.optOut")}
        </label>
      )}
      <p className="small muted">{board.data?.opted_out ? t("learning.optedOutNote") : t("learning.privacyNote")}</p>
      {toggle.error && <div className="alert alert-error" role="alert">{toggle.error}</div>}
      {board.loading && <SkeletonLines lines={5} />}
      {board.error && <ErrorState message={board.error} onRetry={board.reload} />}
      {board.data && <BoardTable board={board.data} />}
    </div>
  );
}

function BoardTable({ board }: { board: Board }) {
  const { t } = useI18n();
  if (board.rows.length === 0) return <p className="muted">{t("learning.emptyBoard")}</p>;
  const top = Math.max(...board.rows.map((r) => r.value), 1);
  return (
    <div className="table-wrap">
      <table className="table">
        <thead>
          <tr><th scope="col">{t("learning.rank")}</th><th scope="col">{t("learning.name")}</th><th scope="col">{t("learning.value")}</th></tr>
        </thead>
        <tbody>
          {board.rows.map((r) => (
            <tr key={r.rank} aria-current={r.is_me ? "true" : undefined} style={r.is_me ? { fontWeight: 700 } : undefined}>
              <td>{r.rank}</td>
              <td>{r.display_name} {r.is_me && <span className="muted">{t("learning.you")}</span>}</td>
              <td>
                <div className="row" style={{ gap: 8 }}>
                  <span style={{ minWidth: 48 }}>{r.value}</span>
                  <span aria-hidden="true" style={{ display: "inline-block", height: 8, borderRadius: 4, background: "var(--accent)", width: `${Math.round((120 * r.value) / top)}px` }} />
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
