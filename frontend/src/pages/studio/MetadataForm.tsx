import { useState, type FormEvent } from "react";
import { useI18n } from "../../i18n/i18n";
import { Field, SelectField, TextAreaField } from "../../components/ui";
import type { Body } from "@mamc/shared/api/types";
import { moneyInput, parseMoney } from "../../lib/money";

export type VideoMeta = Body<"/api/v1/videos/{video_id}", "patch">;
const LEVELS = ["beginner", "intermediate", "advanced", "all_levels"] as const;
const VIDEO_LANGS = ["en", "it", "es", "fr", "de", "pt", "ja"];


const numToStr = (n: number | null | undefined) => (n == null ? "" : String(n));
const strToNum = (s: string) => (s.trim() === "" ? null : Number(s.replace(",", ".")));

/**
 * Title, description, discipline/style/level/tags, pricing and the public trailer. `full` adds
 * pricing and the trailer choice (the upload form and the video page; both are part of what
 * the instructor submits for review). The server caps the trailer's share of the video.
 */
export function MetadataForm({ initial, onSubmit, busy, submitLabel, full = true }: {
  initial: Partial<VideoMeta>;
  onSubmit: (m: VideoMeta) => void;
  busy?: boolean;
  submitLabel: string;
  full?: boolean;
}) {
  const { t, lang } = useI18n();
  const [m, setM] = useState({
    title: initial.title ?? "",
    description: initial.description ?? "",
    discipline: initial.discipline ?? "",
    style: initial.style ?? "",
    level: initial.level ?? "all_levels",
    tags: (initial.tags ?? []).join(", "),
    language: initial.language ?? lang, // a new video is most likely in the instructor's language
    price: moneyInput(lang, initial.price_cents),
    rental: moneyInput(lang, initial.rental_price_cents),
    rentalHours: initial.rental_hours != null ? String(initial.rental_hours) : "48",
    currency: initial.currency ?? "EUR",
    subscription: initial.subscription_included ?? false,
    trailerMode: initial.trailer_mode ?? "auto",
    trailerStart: numToStr(initial.trailer_start_s),
    trailerEnd: numToStr(initial.trailer_end_s),
  });
  const [touched, setTouched] = useState(false);
  const set = (k: keyof typeof m) => (e: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>) =>
    setM({ ...m, [k]: e.target.type === "checkbox" ? (e.target as HTMLInputElement).checked : e.target.value });
  const cents = (s: string) => {
    const c = parseMoney(lang, s);
    return c === "invalid" ? null : c;
  };
  const badPrice = (s: string) => parseMoney(lang, s) === "invalid";
  const start = strToNum(m.trailerStart);
  const end = strToNum(m.trailerEnd);
  const rangeError =
    m.trailerMode === "range" && (start == null || end == null || !(start >= 0) || !(end > start))
      ? t("studio.trailerRangeInvalid")
      : null;
  const errors = {
    title: !m.title.trim() ? t("auth.required") : null,
    discipline: !m.discipline.trim() ? t("auth.required") : null,
    price: badPrice(m.price) ? t("web.moneyFormat", { example: moneyInput(lang, 990) }) : null,
    rental: badPrice(m.rental) ? t("web.moneyFormat", { example: moneyInput(lang, 390) }) : null,
    trailer: full ? rangeError : null,
  };

  function submit(e: FormEvent) {
    e.preventDefault();
    setTouched(true);
    if (Object.values(errors).some(Boolean)) return;
    const out: VideoMeta = {
      title: m.title.trim(),
      description: m.description,
      discipline: m.discipline.trim().toLowerCase(),
      style: m.style.trim() || null,
      level: m.level as VideoMeta["level"],
      tags: m.tags.split(",").map((x) => x.trim()).filter(Boolean),
      language: m.language,
    };
    if (full) {
      const rental = cents(m.rental);
      Object.assign(out, {
        price_cents: cents(m.price),
        rental_price_cents: rental,
        rental_hours: rental != null ? Number(m.rentalHours) || 48 : null,
        currency: m.currency,
        subscription_included: m.subscription,
        trailer_mode: m.trailerMode as VideoMeta["trailer_mode"],
        trailer_start_s: m.trailerMode === "range" ? start : null,
        trailer_end_s: m.trailerMode === "range" ? end : null,
      });
    }
    onSubmit(out);
  }

  return (
    <form onSubmit={submit} noValidate>
      <Field label={t("studio.videoTitle")} required value={m.title} onChange={set("title")} error={touched ? errors.title : null} maxLength={200} />
      <TextAreaField label={t("studio.description")} value={m.description} onChange={set("description")} />
      <div className="grid" style={{ gridTemplateColumns: "repeat(auto-fit, minmax(160px, 1fr))", gap: 12 }}>
        <Field label={t("studio.discipline")} required value={m.discipline} onChange={set("discipline")} error={touched ? errors.discipline : null} placeholder="karate" />
        <Field label={t("studio.style")} value={m.style} onChange={set("style")} placeholder="shotokan" />
        <SelectField label={t("studio.level")} value={m.level} onChange={set("level")}>
          {LEVELS.map((l) => <option key={l} value={l}>{t(`catalog.levels.${l}`)}</option>)}
        </SelectField>
        <SelectField label={t("studio.language")} value={m.language} onChange={set("language")}>
          {VIDEO_LANGS.map((l) => <option key={l} value={l}>{l.toUpperCase()}</option>)}
        </SelectField>
      </div>
      <Field label={t("studio.tags")} hint={t("studio.tagsHint")} value={m.tags} onChange={set("tags")} />
      {full && (
        <fieldset className="panel" style={{ marginBottom: 16 }}>
          <legend className="label">{t("studio.pricing")}</legend>
          <p className="small muted">{t("studio.priceHint")}</p>
          <div className="grid" style={{ gridTemplateColumns: "repeat(auto-fit, minmax(140px, 1fr))", gap: 12 }}>
            <Field label={t("studio.price")} inputMode="decimal" value={m.price} onChange={set("price")} error={touched ? errors.price : null} />
            <Field label={t("studio.rentalPrice")} inputMode="decimal" value={m.rental} onChange={set("rental")} error={touched ? errors.rental : null} />
            <Field label={t("studio.rentalHours")} type="number" min={1} value={m.rentalHours} onChange={set("rentalHours")} />
            <SelectField label={t("studio.currency")} value={m.currency} onChange={set("currency")}>
              {["EUR", "USD", "GBP", "CHF"].map((c) => <option key={c}>{c}</option>)}
            </SelectField>
          </div>
          <label className="checkbox"><input type="checkbox" checked={m.subscription} onChange={set("subscription")} /> {t("studio.subscription")}</label>
        </fieldset>
      )}
      {full && (
        <fieldset className="panel" style={{ marginBottom: 16 }}>
          <legend className="label">{t("studio.trailer")}</legend>
          <p className="small muted">{t("studio.trailerHint")}</p>
          <SelectField label={t("studio.trailerMode")} value={m.trailerMode} onChange={set("trailerMode")}>
            {(["auto", "range", "off"] as const).map((k) => <option key={k} value={k}>{t(`studio.trailerModes.${k}`)}</option>)}
          </SelectField>
          {m.trailerMode === "range" && (
            <div className="grid" style={{ gridTemplateColumns: "repeat(auto-fit, minmax(140px, 1fr))", gap: 12 }}>
              <Field label={t("studio.trailerStart")} inputMode="decimal" value={m.trailerStart} onChange={set("trailerStart")} error={touched ? errors.trailer : null} />
              <Field label={t("studio.trailerEnd")} inputMode="decimal" value={m.trailerEnd} onChange={set("trailerEnd")} />
            </div>
          )}
        </fieldset>
      )}
      <button className="btn btn-primary" disabled={busy}>{busy ? t("common.loading") : submitLabel}</button>
    </form>
  );
}
