import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from "react";
import { useI18n } from "../i18n/i18n";

export type ToastKind = "info" | "success" | "error";
interface Toast { id: number; kind: ToastKind; text: string }
interface ToastCtx { push: (text: string, kind?: ToastKind) => void }

const Ctx = createContext<ToastCtx | null>(null);

export function ToastProvider({ children, timeoutMs = 6000 }: { children: ReactNode; timeoutMs?: number }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const seq = useRef(0);
  const dismiss = useCallback((id: number) => setToasts((ts) => ts.filter((t) => t.id !== id)), []);
  const push = useCallback(
    (text: string, kind: ToastKind = "info") => {
      const id = ++seq.current;
      setToasts((ts) => [...ts.filter((t) => t.text !== text), { id, kind, text }].slice(-4));
      if (timeoutMs > 0) setTimeout(() => dismiss(id), kind === "error" ? timeoutMs * 1.5 : timeoutMs);
    },
    [dismiss, timeoutMs],
  );
  const value = useMemo(() => ({ push }), [push]);
  return (
    <Ctx.Provider value={value}>
      {children}
      <ToastList toasts={toasts} dismiss={dismiss} />
    </Ctx.Provider>
  );
}

function ToastList({ toasts, dismiss }: { toasts: Toast[]; dismiss: (id: number) => void }) {
  const { t } = useI18n();
  return (
    <div className="toasts" aria-live="polite" aria-relevant="additions">
      {toasts.map((x) => (
        <div key={x.id} className={`toast toast-${x.kind}`} role={x.kind === "error" ? "alert" : "status"}>
          <p>{x.text}</p>
          <button className="btn btn-ghost btn-sm" onClick={() => dismiss(x.id)} aria-label={t("common.dismiss")}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}

/** Like useToast, but null outside a provider (for hooks used everywhere). */
export function useOptionalToast(): ToastCtx | null {
  return useContext(Ctx);
}

export function useToast(): ToastCtx {
  const c = useContext(Ctx);
  if (!c) throw new Error("useToast outside ToastProvider");
  return c;
}
