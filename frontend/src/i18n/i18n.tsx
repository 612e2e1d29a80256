import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { DICTS, LANGS, formatDate, formatDuration, formatMoney, isLang, langFromLocale, translate, type Lang, type Vars } from "@mamc/shared/i18n";

export { DICTS, LANGS, translate, type Lang, type Vars };
const STORAGE_KEY = "mamc.lang";

export function detectLang(): Lang {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (isLang(saved)) return saved;
  } catch {
    /* ignore */
  }
  const nav = typeof navigator !== "undefined" ? navigator.languages?.[0] ?? navigator.language : "";
  return langFromLocale(nav);
}

interface I18nCtx {
  lang: Lang;
  setLang: (l: Lang) => void;
  t: (key: string, vars?: Vars) => string;
  /** Locale-aware formatters. */
  fmtDate: (iso: string | number | Date) => string;
  fmtMoney: (minor: number, currency: string) => string;
  fmtDuration: (seconds: number) => string;
}

const Ctx = createContext<I18nCtx | null>(null);

export function I18nProvider({ children, initial }: { children: ReactNode; initial?: Lang }) {
  const [lang, setLangState] = useState<Lang>(() => initial ?? detectLang());
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  const setLang = useCallback((l: Lang) => {
    setLangState(l);
    try {
      localStorage.setItem(STORAGE_KEY, l);
    } catch {
      /* ignore */
    }
  }, []);
  const value = useMemo<I18nCtx>(() => {
    return {
      lang,
      setLang,
      t: (k, v) => translate(lang, k, v),
      fmtDate: (d) => formatDate(lang, d),
      fmtMoney: (minor, currency) => formatMoney(lang, minor, currency),
      fmtDuration: formatDuration,
    };
  }, [lang, setLang]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useI18n(): I18nCtx {
  const c = useContext(Ctx);
  if (!c) throw new Error("useI18n outside I18nProvider");
  return c;
}
