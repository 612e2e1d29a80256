import { ApiError } from "@mamc/shared/api/errors";
import { errorMessage } from "./errors";

type T = (key: string, vars?: Record<string, string | number>) => string;

/** Like errorMessage, looking first under `<domain>.errors.<code>` (a domain's own codes). */
export function domainError(t: T, domain: string, e: unknown): string {
  if (e instanceof ApiError) {
    const key = `${domain}.errors.${e.code}`;
    const text = t(key);
    if (text !== key) return text;
  }
  return errorMessage(t, e);
}
