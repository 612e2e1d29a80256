import { useCallback, useEffect, useRef, useState } from "react";
import { useI18n } from "../i18n/i18n";
import { errorMessage } from "./errors";
import { ApiError } from "@mamc/shared/api/errors";
import { useOptionalToast } from "../components/Toasts";

/** Server and network trouble is also announced in a toast; validation errors stay inline. */
function isTrouble(e: unknown) {
  return e instanceof ApiError && (e.status === 0 || e.status >= 500);
}

/** Run an async action with busy/error state; error message is localised. */
export function useAction<A extends unknown[], R>(fn: (...a: A) => Promise<R>) {
  const { t } = useI18n();
  const toast = useOptionalToast();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [errorCode, setErrorCode] = useState<string | null>(null);
  const run = useCallback(
    async (...a: A): Promise<R | undefined> => {
      setBusy(true);
      setError(null);
      setErrorCode(null);
      try {
        return await fn(...a);
      } catch (e) {
        setError(errorMessage(t, e));
        setErrorCode(e instanceof ApiError ? e.code : null);
        if (isTrouble(e)) toast?.push(errorMessage(t, e), "error");
        return undefined;
      } finally {
        setBusy(false);
      }
    },
    [fn, t, toast],
  );
  return { run, busy, error, errorCode, setError };
}

/** Load data on mount / when deps change. */
export function useLoad<T>(fn: () => Promise<T>, deps: unknown[]) {
  const { t } = useI18n();
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [err, setErr] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [nonce, setNonce] = useState(0);
  const fnRef = useRef(fn);
  fnRef.current = fn;
  const toastRef = useRef(useOptionalToast());
  useEffect(() => {
    let alive = true;
    setLoading(true);
    setError(null);
    fnRef
      .current()
      .then((d) => alive && setData(d))
      .catch((e) => {
        if (!alive) return;
        setErr(e);
        setError(errorMessage(t, e));
        if (isTrouble(e)) toastRef.current?.push(errorMessage(t, e), "error");
      })
      .finally(() => alive && setLoading(false));
    return () => {
      alive = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, nonce]);
  return { data, setData, error, err, loading, reload: () => setNonce((n) => n + 1) };
}

/** Cursor pagination: `items`, `next_cursor`, "load more". */
export function usePaged<T>(
  fetchPage: (cursor: string | null) => Promise<{ items: T[]; next_cursor?: string | null }>,
  deps: unknown[],
) {
  const { t } = useI18n();
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [nonce, setNonce] = useState(0);
  const fnRef = useRef(fetchPage);
  fnRef.current = fetchPage;
  useEffect(() => {
    let alive = true;
    setLoading(true);
    setError(null);
    setItems([]);
    fnRef
      .current(null)
      .then((p) => {
        if (!alive) return;
        setItems(p.items);
        setCursor(p.next_cursor ?? null);
      })
      .catch((e) => alive && setError(errorMessage(t, e)))
      .finally(() => alive && setLoading(false));
    return () => {
      alive = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, nonce]);
  const loadMore = useCallback(async () => {
    if (!cursor) return;
    setLoadingMore(true);
    try {
      const p = await fnRef.current(cursor);
      setItems((xs) => [...xs, ...p.items]);
      setCursor(p.next_cursor ?? null);
    } catch (e) {
      setError(errorMessage(t, e));
    } finally {
      setLoadingMore(false);
    }
  }, [cursor, t]);
  return { items, setItems, hasMore: !!cursor, loading, loadingMore, error, loadMore, reload: () => setNonce((n) => n + 1) };
}

export function useDocumentTitle(title: string | undefined) {
  const { t } = useI18n();
  useEffect(() => {
    document.title = title ? `${title} · ${t("app.short")}` : t("app.name");
  }, [title, t]);
}
