/** Words the server sends as codes (job phases, states): shown through the it/en catalogues,
 * never as the raw English code. An unknown code (a new phase) falls back to the code itself. */
type T = (k: string, vars?: Record<string, string | number>) => string;

function known(t: T, key: string): string | null {
  const s = t(key);
  return s === key ? null : s;
}

export function stageLabel(t: T, stage: string): string {
  return known(t, `web.stages.${stage}`) ?? stage.replace(/_/g, " ");
}

export function statusLabel(t: T, status: string): string {
  return known(t, `status.${status}`) ?? known(t, `web.stages.${status}`) ?? status.replace(/_/g, " ");
}

export { reasonLabel } from "@mamc/shared/i18n";
