import { useId, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes } from "react";
import { useI18n } from "../i18n/i18n";

export function Skeleton({ className = "", style, label }: { className?: string; style?: React.CSSProperties; label?: string }) {
  return <div className={`skeleton ${className}`} style={style} aria-hidden={label ? undefined : true} aria-label={label} />;
}

export function SkeletonLines({ lines = 3 }: { lines?: number }) {
  const { t } = useI18n();
  return (
    <div role="status" aria-busy="true">
      <span className="visually-hidden">{t("common.loading")}</span>
      {Array.from({ length: lines }, (_, i) => (
        <Skeleton key={i} className="skeleton-text" style={{ width: `${90 - i * 15}%` }} />
      ))}
    </div>
  );
}

export function SkeletonGrid({ count = 8 }: { count?: number }) {
  const { t } = useI18n();
  return (
    <div className="grid" role="status" aria-busy="true">
      <span className="visually-hidden">{t("common.loading")}</span>
      {Array.from({ length: count }, (_, i) => (
        <div className="vcard" key={i} aria-hidden="true">
          <Skeleton className="skeleton-thumb" />
          <div className="vcard-body">
            <Skeleton className="skeleton-text" style={{ width: "80%" }} />
            <Skeleton className="skeleton-text" style={{ width: "50%" }} />
          </div>
        </div>
      ))}
    </div>
  );
}

interface FieldProps extends InputHTMLAttributes<HTMLInputElement> {
  label: string;
  hint?: string;
  error?: string | null;
}
export function Field({ label, hint, error, id, ...rest }: FieldProps) {
  const auto = useId();
  const fid = id ?? auto;
  const desc = [hint ? `${fid}-hint` : "", error ? `${fid}-err` : ""].filter(Boolean).join(" ") || undefined;
  return (
    <div className="field">
      <label htmlFor={fid}>{label}</label>
      <input id={fid} className="input" aria-invalid={error ? true : undefined} aria-describedby={desc} {...rest} />
      {hint && <span id={`${fid}-hint`} className="field-hint">{hint}</span>}
      {error && <span id={`${fid}-err`} className="field-error">{error}</span>}
    </div>
  );
}

interface TextAreaProps extends TextareaHTMLAttributes<HTMLTextAreaElement> { label: string; hint?: string }
export function TextAreaField({ label, hint, id, ...rest }: TextAreaProps) {
  const auto = useId();
  const fid = id ?? auto;
  return (
    <div className="field">
      <label htmlFor={fid}>{label}</label>
      <textarea id={fid} className="textarea" aria-describedby={hint ? `${fid}-hint` : undefined} {...rest} />
      {hint && <span id={`${fid}-hint`} className="field-hint">{hint}</span>}
    </div>
  );
}

interface SelectProps extends SelectHTMLAttributes<HTMLSelectElement> { label: string; children: ReactNode }
export function SelectField({ label, id, children, ...rest }: SelectProps) {
  const auto = useId();
  const fid = id ?? auto;
  return (
    <div className="field">
      <label htmlFor={fid}>{label}</label>
      <select id={fid} className="select" {...rest}>{children}</select>
    </div>
  );
}

export function ErrorState({ message, onRetry }: { message: string; onRetry?: () => void }) {
  const { t } = useI18n();
  return (
    <div className="alert alert-error" role="alert">
      <p>{message}</p>
      {onRetry && <button className="btn btn-sm" onClick={onRetry}>{t("common.retry")}</button>}
    </div>
  );
}

export function Progress({ value, label }: { value: number; label: string }) {
  const pct = Math.max(0, Math.min(100, Math.round(value)));
  return (
    <div className="progress" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
      <span style={{ width: `${pct}%` }} />
    </div>
  );
}

export function StatusBadge({ status, label: given }: { status: string; label?: string }) {
  const { t } = useI18n();
  const cls = /ready|published|approved|succeeded|paid|active|done|completed/.test(status)
    ? "badge-ok"
    : /fail|reject|error|refund|dispute|blocked|removed/.test(status)
      ? "badge-danger"
      : "badge-warn";
  const key = `status.${status}`;
  const label = t(key);
  return <span className={`badge ${cls}`}>{given ?? (label === key ? status.replace(/_/g, " ") : label)}</span>;
}
