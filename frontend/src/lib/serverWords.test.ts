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

  it("fills in the numbers a reason code carries, in each language", () => {
    const reason = "video_too_long?duration=1+h+05+min&max_duration=30+min+00+s";
    expect(reasonLabel(it_, reason)).toBe("Il video è troppo lungo (1 h 05 min; il limite è 30 min 00 s).");
    expect(reasonLabel(en, reason)).toBe("The video is too long (1 h 05 min; the limit is 30 min 00 s).");
    expect(reasonLabel(it_, "attempt_too_long?seconds=95&max_seconds=60")).toMatch(/^Il video dura 95 s; un tentativo può durare al massimo 60 s\./);
    expect(reasonLabel(it_, "upload_abandoned_after?hours=24")).toMatch(/entro 24 h/);
  });

  it("keeps a text that is not a code as it is", () => {
    expect(reasonLabel(it_, "Why? no idea")).toBe("Why? no idea");
    expect(reasonLabel(it_, "try.mp4 is not a video we can read")).toBe("try.mp4 is not a video we can read");
  });
});
