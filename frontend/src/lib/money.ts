import type { Lang } from "@mamc/shared/i18n";

/** An amount typed by a person, in their locale, to minor units. Italian: "9,90", "1.234,50" (and
 * "9.90", which nobody means as nine hundred and ninety); English: "9.90", "1,234.50". "" is
 * null (not sold this way); anything else (English "9,90", three decimals, letters) is "invalid",
 * for a message that shows the expected format. */
export function parseMoney(lang: Lang, text: string): number | null | "invalid" {
  const s = text.replace(/[\s\u00a0€$£]|CHF/g, "");
  if (s === "") return null;
  const [group, decimal] = lang === "it" ? [".", ","] : [",", "."];
  const g = `\\${group}`;
  const d = `\\${decimal}`;
  const grouped = new RegExp(`^\\d{1,3}(${g}\\d{3})+(${d}\\d{1,2})?$`);
  const plain = new RegExp(`^\\d+(${d}\\d{1,2})?$`);
  let normal: string | null = null;
  if (grouped.test(s) || plain.test(s)) normal = s.split(group).join("").replace(decimal, ".");
  else if (lang === "it" && /^\d+\.\d{1,2}$/.test(s)) normal = s;
  if (normal == null) return "invalid";
  return Math.round(Number(normal) * 100);
}

/** Minor units as a person would type them back in their locale ("9,90" in Italian). */
export function moneyInput(lang: Lang, cents: number | null | undefined): string {
  if (cents == null) return "";
  const s = (cents / 100).toFixed(2);
  return lang === "it" ? s.replace(".", ",") : s;
}
