import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { useI18n } from "../i18n/i18n";

/** Modal asking for a reason (required unless `optional`). Escape or Cancel closes. */
export function ReasonDialog({ title, label, hint, optional, busy, error, confirmLabel, danger, onConfirm, onClose, children }: {
  title: string;
  label: string;
  hint?: string;
  optional?: boolean;
  busy?: boolean;
  error?: string | null;
  confirmLabel?: string;
  danger?: boolean;
  onConfirm: (reason: string) => void;
  onClose: () => void;
  children?: React.ReactNode;
}) {
  const { t } = useI18n();
  const id = useId();
  const [reason, setReason] = useState("");
  const area = useRef<HTMLTextAreaElement>(null);
  const form = useRef<HTMLFormElement>(null);
  const opener = useRef<Element | null>(document.activeElement);
  // The parent re-renders (and passes a new onClose) while a field in `children` is typed in:
  // the focus must not jump back to the reason then.
  const close = useRef(onClose);
  close.current = onClose;
  useEffect(() => {
    area.current?.focus();
    const prev = opener.current;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") close.current();
      if (e.key !== "Tab" || !form.current) return;
      // Keep focus inside the modal.
      const items = [...form.current.querySelectorAll<HTMLElement>("button, select, textarea, input, a[href]")].filter((el) => !el.hasAttribute("disabled"));
      if (!items.length) return;
      const first = items[0];
      const last = items[items.length - 1];
      if (e.shiftKey && document.activeElement === first) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && document.activeElement === last) {
        e.preventDefault();
        first.focus();
      }
    };
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("keydown", onKey);
      if (prev instanceof HTMLElement) prev.focus();
    };
  }, []);
  const invalid = !optional && reason.trim().length < 3;
  function submit(e: FormEvent) {
    e.preventDefault();
    if (!invalid) onConfirm(reason.trim());
  }
  return (
    <div style={{ position: "fixed", inset: 0, background: "rgb(0 0 0 / 0.6)", display: "grid", placeItems: "center", zIndex: 40, padding: 16 }}>
      <form ref={form} role="dialog" aria-modal="true" aria-labelledby={`${id}-t`} className="card" style={{ width: "min(520px, 100%)" }} onSubmit={submit}>
        <h2 id={`${id}-t`}>{title}</h2>
        {children}
        <div className="field">
          <label htmlFor={`${id}-r`}>{label}</label>
          <textarea id={`${id}-r`} ref={area} className="textarea" value={reason} onChange={(e) => setReason(e.target.value)} aria-describedby={hint ? `${id}-h` : undefined} maxLength={2000} />
          {hint && <span id={`${id}-h`} className="field-hint">{hint}</span>}
        </div>
        {error && <div className="alert alert-error" role="alert">{error}</div>}
        <div className="row">
          <button type="button" className="btn" onClick={onClose}>{t("common.cancel")}</button>
          <span className="spacer" />
          <button className={`btn ${danger ? "btn-danger" : "btn-primary"}`} disabled={busy || invalid}>{confirmLabel ?? t("admin.confirm")}</button>
        </div>
      </form>
    </div>
  );
}
