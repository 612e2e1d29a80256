import { useEffect, useState } from "react";
import { Link } from "react-router-dom";
import { call } from "../../api/client";
import type { Resp } from "@mamc/shared/api/types";
import { useAuth } from "../../auth/AuthContext";
import { Progress } from "../../components/ui";
import { useI18n } from "../../i18n/i18n";
import { reasonLabel } from "../../lib/serverWords";
import { useLoad } from "../../lib/hooks";
import { openEventStream } from "../../lib/sse";

type Job = Resp<"/api/v1/knowledge/jobs", "get">[number];
export interface JobState {
  status: string;
  percent: number;
  stage: string | null;
  failure_reason: string | null;
}

const TERMINAL = new Set(["ready", "failed"]);

/** A progress event's data ({status, percent, stage, failure_reason}) merged over the last state. */
export function nextJobState(old: JobState, data: string): JobState {
  try {
    const d = JSON.parse(data) as Partial<JobState>;
    return {
      status: d.status ?? old.status,
      percent: d.percent ?? old.percent,
      stage: d.stage !== undefined ? d.stage : old.stage,
      failure_reason: d.failure_reason !== undefined ? d.failure_reason : old.failure_reason,
    };
  } catch {
    return old; // keep-alives
  }
}

/** The extractions still queued or running, each with a live progress bar (app/progress SSE;
 * polling the job while the stream is down). `onFinished` runs when one ends (new items to review). */
export function ExtractionProgress({ onFinished }: { onFinished: () => void }) {
  const { t } = useI18n();
  const { api } = useAuth();
  const jobs = useLoad(() => call(api.client.GET("/api/v1/knowledge/jobs", { params: { query: { active: true } } })), [api]);
  if (!jobs.data || jobs.data.length === 0) return null;
  return (
    <section className="panel stack" aria-label={t("knowledge.extracting")}>
      <h2 style={{ margin: 0 }}>{t("knowledge.extracting")}</h2>
      {jobs.data.map((job) => (
        <JobBar key={job.id} job={job} onFinished={onFinished} />
      ))}
    </section>
  );
}

function JobBar({ job, onFinished }: { job: Job; onFinished: () => void }) {
  const { t } = useI18n();
  const { api } = useAuth();
  const [state, setState] = useState<JobState>({
    status: job.status,
    percent: job.progress,
    stage: job.stage,
    failure_reason: job.failure_reason,
  });
  useEffect(() => {
    let current = state;
    return openEventStream({
      fetch: (p, init) => api.raw(p, init),
      path: `/api/v1/knowledge/jobs/${job.id}/events`,
      onEvent: (e) => {
        current = nextJobState(current, e.data);
        setState(current);
        if (TERMINAL.has(current.status)) onFinished();
      },
      poll: async () => {
        const fresh = await call(api.client.GET("/api/v1/knowledge/jobs/{job_id}", { params: { path: { job_id: job.id } } }));
        current = { status: fresh.status, percent: fresh.progress, stage: fresh.stage, failure_reason: fresh.failure_reason };
        setState(current);
        if (TERMINAL.has(current.status)) onFinished();
      },
      done: () => TERMINAL.has(current.status),
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, job.id]);
  const what = job.video_id ? t("knowledge.jobVideo") : t("knowledge.jobDocument");
  const stage = state.stage ? t(`knowledge.stage.${state.stage}`) : "";
  return (
    <div className="stack" data-testid="extraction-job">
      <p className="row small" style={{ margin: 0 }}>
        {job.video_id ? <Link to={`/videos/${job.video_id}`}>{what}</Link> : <span>{what}</span>}
        <span className="muted">{stage}</span>
        <span>{state.percent}%</span>
      </p>
      <Progress value={state.percent} label={t("knowledge.extractionProgress", { what })} />
      {state.status === "failed" && state.failure_reason && (
        <div className="alert alert-error" role="alert">{reasonLabel(t, state.failure_reason)}</div>
      )}
    </div>
  );
}
