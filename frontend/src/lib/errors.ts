import { ApiError } from "@mamc/shared/api/errors";

type T = (key: string, vars?: Record<string, string | number>) => string;

/** Localised message for an error: known codes are translated, others show the server message. */
export function errorMessage(t: T, e: unknown): string {
  if (e instanceof ApiError) {
    const key = `errors.${e.code}`;
    const tr = t(key);
    if (tr !== key) return tr;
    if (e.message && e.status < 500) return e.message;
    if (e.status === 401) return t("errors.unauthorized");
    if (e.status === 403) return t("errors.forbidden");
    if (e.status === 404) return t("errors.not_found");
    if (e.status === 429) return t("errors.rate_limited");
    if (e.status >= 500) return t("errors.server_error");
    return e.message;
  }
  return t("common.error");
}
