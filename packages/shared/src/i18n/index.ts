/**
 * The it/en catalogues both clients read, and the lookup they share. Platform concerns (where the
 * chosen language is stored, how the device language is detected) stay in each client.
 */
import en from "./en.json";
import it from "./it.json";

export const LANGS = ["en", "it"] as const;
export type Lang = (typeof LANGS)[number];
export type Dict = { [k: string]: string | Dict };
export const DICTS: Record<Lang, Dict> = { en, it };
export type Vars = Record<string, string | number>;

export function isLang(s: string | null | undefined): s is Lang {
  return !!s && (LANGS as readonly string[]).includes(s);
}

/** "it" for any Italian locale tag ("it", "it-IT", "it_CH"), else "en". */
export function langFromLocale(tag: string | null | undefined): Lang {
  return tag?.toLowerCase().startsWith("it") ? "it" : "en";
}

/** A key's string; a key whose value is plural forms ({"one": ..., "other": ...}) picks the form
 * the language's plural rules (Intl.PluralRules) give for `vars.count` (or `vars.n`). */
function lookup(d: Dict, key: string, lang: Lang, vars?: Vars): string | undefined {
  let cur: string | Dict | undefined = d;
  for (const part of key.split(".")) {
    if (cur == null || typeof cur === "string") return undefined;
    cur = cur[part];
  }
  if (cur != null && typeof cur !== "string" && typeof cur.other === "string") {
    const n = Number(vars?.count ?? vars?.n);
    const form = Number.isFinite(n) ? cur[new Intl.PluralRules(localeOf(lang)).select(n)] : undefined;
    return typeof form === "string" ? form : cur.other;
  }
  return typeof cur === "string" ? cur : undefined;
}

/** The string for `key` in `lang` (English, then the key itself, when missing), with `{var}`s filled. */
export function translate(lang: Lang, key: string, vars?: Vars): string {
  const s = lookup(DICTS[lang], key, lang, vars) ?? lookup(DICTS.en, key, "en", vars) ?? key;
  return vars ? s.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m)) : s;
}

export function localeOf(lang: Lang): string {
  return lang === "it" ? "it-IT" : "en-GB";
}

export function formatMoney(lang: Lang, minor: number, currency: string): string {
  return new Intl.NumberFormat(localeOf(lang), { style: "currency", currency: currency.toUpperCase() }).format(minor / 100);
}

export function formatDate(lang: Lang, d: string | number | Date): string {
  return new Intl.DateTimeFormat(localeOf(lang), { dateStyle: "medium" }).format(new Date(d));
}

export function formatDuration(seconds: number): string {
  const sec = Math.max(0, Math.round(seconds));
  const h = Math.floor(sec / 3600);
  const m = Math.floor((sec % 3600) / 60);
  const ss = String(sec % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** A failure reason from the server: the server-made ones are stable codes ("processing_failed",
 * "upload abandoned"), with their numbers as a query ("video_too_long?duration=12+min+05+s&..."),
 * shown from the catalogues (`reasons.<code>`, the numbers filled in); any other text (a rare
 * technical explanation, a row written before the codes) is shown as it is. */
export function reasonLabel(t: (key: string, vars?: Vars) => string, reason: string): string {
  const trimmed = reason.trim();
  const mark = trimmed.indexOf("?");
  const code = mark < 0 ? trimmed : trimmed.slice(0, mark);
  const key = `reasons.${code.replace(/ /g, "_")}`;
  const s = t(key, mark < 0 ? undefined : reasonParams(trimmed.slice(mark + 1)));
  return s === key ? reason : s;
}

/** "a=1&b=x+y" -> {a: "1", b: "x y"} (the server's urlencode; no URLSearchParams: not on every phone). */
function reasonParams(query: string): Vars {
  const vars: Vars = {};
  for (const pair of query.split("&")) {
    if (!pair) continue;
    const eq = pair.indexOf("=");
    const decode = (s: string) => {
      try {
        return decodeURIComponent(s.replace(/\+/g, " "));
      } catch {
        return s;
      }
    };
    vars[decode(eq < 0 ? pair : pair.slice(0, eq))] = decode(eq < 0 ? "" : pair.slice(eq + 1));
  }
  return vars;
}
