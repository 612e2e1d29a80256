import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { screen, within } from "@testing-library/react";
import { translate } from "@mamc/shared/i18n";
import { json, makeUser, renderApp } from "../../test/render";

const TOKENS = { access_token: "a", refresh_token: "r" };
const admin = makeUser({ id: "adm", role: "admin", display_name: "Root" });

function pyFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? pyFiles(p) : p.endsWith(".py") ? [p] : [];
  });
}

describe("audit log", () => {
  it("shows who and what by name, labels actions, and suggests the real action names", async () => {
    renderApp(
      "/admin/audit",
      (_r, url) => {
        if (url.pathname === "/api/v1/me") return json(200, admin);
        if (url.pathname === "/api/v1/admin/audit/actions") return json(200, ["media.report.dismiss", "payment.refund"]);
        if (url.pathname === "/api/v1/admin/audit")
          return json(200, {
            items: [{ id: "a1", actor_id: "adm", actor_name: "Root", action: "media.report.dismiss", subject_type: "video", subject_id: "0190aaaa-bbbb", subject_name: "Heian Shodan", reason: "A real seminar", data: {}, created_at: "2024-06-01T10:00:00Z" }],
            next_cursor: null,
          });
      },
      { tokens: TOKENS, lang: "it" },
    );
    const table = await screen.findByRole("table");
    const row = within(table).getAllByRole("row")[1];
    expect(row).toHaveTextContent("Segnalazione archiviata");
    expect(row).toHaveTextContent("Heian Shodan");
    expect(row).toHaveTextContent("Root");
    expect(row).not.toHaveTextContent("0190aaaa");
    const options = [...document.querySelectorAll("#audit-actions option")].map((o) => o.getAttribute("value"));
    expect(options).toEqual(["media.report.dismiss", "payment.refund"]);
  });

  it("every action the backend records has an it and en label", () => {
    const root = join(__dirname, "../../../../backend/app");
    const actions = new Set<string>();
    for (const f of pyFiles(root)) {
      for (const m of readFileSync(f, "utf8").matchAll(/action\s*=\s*"([a-z_]+\.[a-z_.]+)"/g)) actions.add(m[1]);
      for (const m of readFileSync(f, "utf8").matchAll(/"(media\.report\.[a-z_]+)"/g)) actions.add(m[1]);
    }
    expect(actions.size).toBeGreaterThan(10);
    for (const a of actions) {
      for (const lang of ["it", "en"] as const) {
        const k = `web.auditActions.${a.replace(/\./g, "_")}`;
        expect(translate(lang, k), `${lang}: ${a}`).not.toBe(k);
      }
    }
  });
});
