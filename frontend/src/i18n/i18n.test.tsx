import { describe, expect, it } from "vitest";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import en from "@mamc/shared/i18n/en.json";
import it_ from "@mamc/shared/i18n/it.json";
import { detectLang, I18nProvider, translate, useI18n, LANGS, type Lang } from "./i18n";

function keys(o: object, prefix = ""): string[] {
  return Object.entries(o).flatMap(([k, v]) => (typeof v === "string" ? [prefix + k] : keys(v, `${prefix}${k}.`)));
}

function Probe() {
  const { t, lang, setLang } = useI18n();
  return (
    <div>
      <p>{t("nav.login")}</p>
      <select aria-label="lang" value={lang} onChange={(e) => setLang(e.target.value as Lang)}>
        {LANGS.map((l) => <option key={l} value={l}>{l}</option>)}
      </select>
    </div>
  );
}

describe("i18n", () => {
  it("en and it define exactly the same keys", () => {
    expect(keys(it_).sort()).toEqual(keys(en).sort());
  });

  it("no empty translations", () => {
    for (const d of [en, it_]) for (const k of keys(d)) expect(translate(d === en ? "en" : "it", k)).not.toBe("");
  });

  it("interpolates variables and falls back to the key", () => {
    expect(translate("en", "auth.welcome", { name: "Bruce" })).toBe("Welcome back, Bruce!");
    expect(translate("it", "no.such.key")).toBe("no.such.key");
  });

  it("switches language live and persists the choice", async () => {
    render(<I18nProvider initial="en"><Probe /></I18nProvider>);
    expect(screen.getByText("Log in")).toBeInTheDocument();
    await userEvent.selectOptions(screen.getByLabelText("lang"), "it");
    expect(screen.getByText("Accedi")).toBeInTheDocument();
    expect(localStorage.getItem("mamc.lang")).toBe("it");
    expect(document.documentElement.lang).toBe("it");
    expect(detectLang()).toBe("it");
  });

  it("defaults from navigator.language when nothing is saved", () => {
    const orig = Object.getOwnPropertyDescriptor(window.navigator, "languages");
    Object.defineProperty(window.navigator, "languages", { value: ["it-IT", "en"], configurable: true });
    expect(detectLang()).toBe("it");
    Object.defineProperty(window.navigator, "languages", { value: ["de-DE"], configurable: true });
    expect(detectLang()).toBe("en");
    if (orig) Object.defineProperty(window.navigator, "languages", orig);
  });
});

describe("plural rules", () => {
  it("pick the form Intl.PluralRules gives: '1 segnalazione', '2 segnalazioni', '1 open report'", () => {
    expect(translate("it", "web.openReports", { n: 1, trusted: 0 })).toBe("1 segnalazione aperta (affidabili: 0)");
    expect(translate("it", "web.openReports", { n: 2, trusted: 1 })).toBe("2 segnalazioni aperte (affidabili: 1)");
    expect(translate("en", "web.openReports", { n: 1, trusted: 1 })).toBe("1 open report (1 trusted)");
    expect(translate("en", "web.openReports", { n: 0, trusted: 0 })).toBe("0 open reports (0 trusted)");
  });
});
