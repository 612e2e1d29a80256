import { describe, expect, it } from "vitest";
import { translate } from "../i18n/i18n";
import { reasonLabel } from "./serverWords";

const it_ = (k: string, v?: Record<string, string | number>) => translate("it", k, v);
const en = (k: string, v?: Record<string, string | number>) => translate("en", k, v);

describe("reasonLabel", () => {
  it("shows every server-made reason code in Italian and English", () => {
    for (const code of ["processing_failed", "too_many_runs", "too_large", "upload abandoned"]) {
      const itText = reasonLabel(it_, code);
      const enText = reasonLabel(en, code);
      expect(itText).not.toBe(code);
      expect(enText).not.toBe(code);
      expect(itText).not.toBe(enText);
    }
    expect(reasonLabel(it_, "too_large")).toBe("Il file caricato è più grande di quanto dichiarato e supera il limite di dimensione.");
  });

  it("keeps a text that is not a code as it is", () => {
    expect(reasonLabel(it_, "try.mp4 is not a video we can read")).toBe("try.mp4 is not a video we can read");
  });
});
