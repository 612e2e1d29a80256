import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import en from "./en.json";
import it from "./it.json";

export const LANGS = ["en", "it"] as const;
export type Lang = (typeof LANGS)[number];
type Dict = { [k: string]: string | Dict };
const DICTS: Record<Lang, Dict> = { en, it };
const STORAGE_KEY = "mamc.lang";

export function detectLang(): Lang {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved && (LANGS as readonly string[]).includes(saved)) return saved as Lang;
  } catch {
    /* ignore */
  }
  const nav = typeof navigator !== "undefined" ? navigator.languages?.[0] ?? navigator.language : "";
  return nav?.toLowerCase().startsWith("it") ? "it" : "en";
}

function lookup(d: Dict, key: string): string | undefined {
  let cur: string | Dict | undefined = d;
  for (const part of key.split(".")) {
    if (cur == null || typeof cur === "string") return undefined;
    cur = cur[part];
  }
  return typeof cur === "string" ? cur : undefined;
}

export type Vars = Record<string, string | number>;
export function translate(lang: Lang, key: string, vars?: Vars): string {
  const s = lookup(DICTS[lang], key) ?? lookup(DICTS.en, key) ?? key;
  return vars ? s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m)) : s;
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
    const locale = lang === "it" ? "it-IT" : "en-GB";
    return {
      lang,
      setLang,
      t: (k, v) => translate(lang, k, v),
      fmtDate: (d) => new Intl.DateTimeFormat(locale, { dateStyle: "medium" }).format(new Date(d)),
      fmtMoney: (minor, currency) =>
        new Intl.NumberFormat(locale, { style: "currency", currency: currency.toUpperCase() }).format(minor / 100),
      fmtDuration: (s) => {
        const sec = Math.max(0, Math.round(s));
        const h = Math.floor(sec / 3600);
        const m = Math.floor((sec % 3600) / 60);
        const ss = String(sec % 60).padStart(2, "0");
        return h ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
      },
    };
  }, [lang, setLang]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useI18n(): I18nCtx {
  const c = useContext(Ctx);
  if (!c) throw new Error("useI18n outside I18nProvider");
  return c;
}
