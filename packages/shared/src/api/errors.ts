/** Error thrown for every non-2xx API response (body `{"error":{"code","message"}}`). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details?: unknown;

  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.details = details;
  }

  /** Network failure (fetch rejected): status 0, code "network_error". */
  static network(cause: unknown): ApiError {
    const e = new ApiError(0, "network_error", cause instanceof Error ? cause.message : String(cause));
    return e;
  }
}

/** Turn any error body the backend may produce into an ApiError. */
export function toApiError(status: number, body: unknown): ApiError {
  if (body && typeof body === "object") {
    const b = body as Record<string, unknown>;
    const err = b.error as Record<string, unknown> | undefined;
    if (err && typeof err === "object" && typeof err.code === "string") {
      return new ApiError(status, err.code, String(err.message ?? err.code), err.details);
    }
    // FastAPI default validation shape: {"detail": [...]} or {"detail": "..."}
    if ("detail" in b) {
      const d = b.detail;
      const msg = typeof d === "string" ? d : Array.isArray(d) ? d.map((x) => x?.msg ?? "").join("; ") : "Error";
      return new ApiError(status, status === 422 ? "validation_error" : "http_error", msg, d);
    }
  }
  return new ApiError(status, status >= 500 ? "server_error" : "http_error", typeof body === "string" && body ? body : `HTTP ${status}`);
}

/**
 * Unwrap an openapi-fetch result: return data or throw ApiError.
 * Usage: `const me = await call(api.client.GET("/api/v1/me"))`.
 */
export async function call<T>(p: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let r: { data?: T; error?: unknown; response: Response };
  try {
    r = await p;
  } catch (e) {
    throw ApiError.network(e);
  }
  if (!r.response.ok) throw toApiError(r.response.status, r.error);
  return r.data as T;
}
