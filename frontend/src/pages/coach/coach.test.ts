import { describe, expect, it } from "vitest";
import { applyEvent, sourceHref, type ChatMessage } from "./chat";
import { fileNameFor, formatClock, levelOf, pickMimeType, voiceMode } from "./voice";

describe("coach stream events", () => {
  it("appends tokens by offset, so a repeated event or a restart never doubles text", () => {
    let list: ChatMessage[] = [{ id: "r1", role: "assistant", text: "", status: "pending", sources: [] }];
    list = applyEvent(list, { event: "token", data: { message_id: "r1", text: "Keep your ", offset: 0 } });
    list = applyEvent(list, { event: "token", data: { message_id: "r1", text: "guard up", offset: 10 } });
    list = applyEvent(list, { event: "token", data: { message_id: "r1", text: "guard up", offset: 10 } });
    expect(list[0].text).toBe("Keep your guard up");
    expect(list[0].status).toBe("streaming");
    list = applyEvent(list, { event: "token", data: { message_id: "r1", text: "Again", offset: 0 } });
    expect(list[0].text).toBe("Again");
  });

  it("done sets the status, the sources and the error; unknown replies are added", () => {
    const source = { ref: "video:1", kind: "video", title: "Mae geri", url: "/videos/1", start_s: 12.7 };
    const list = applyEvent([], { event: "done", data: { message_id: "r2", status: "done", sources: [source], error: null } });
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ id: "r2", role: "assistant", status: "done", sources: [source], error: null });
    expect(sourceHref(source)).toBe("/videos/1?t=12");
    expect(sourceHref({ ...source, start_s: null })).toBe("/videos/1");
  });

  it("a knowledge source links to its item page, without a seek", () => {
    const item = { ref: "knowledge:7", kind: "knowledge", title: "Reverse punch", url: "/knowledge/items/7", start_s: 12.5 };
    expect(sourceHref(item)).toBe("/knowledge/items/7");
  });
});

describe("voice input", () => {
  const getUserMedia = () => Promise.resolve();
  it("prefers recording, then the browser's dictation, then typing", () => {
    expect(voiceMode({ MediaRecorder: function () {}, navigator: { mediaDevices: { getUserMedia } } })).toBe("recorder");
    expect(voiceMode({ navigator: {}, webkitSpeechRecognition: function () {} })).toBe("speech-recognition");
    expect(voiceMode({ MediaRecorder: function () {}, navigator: {} })).toBe("none");
  });

  it("records in a container the server accepts and names the file after it", () => {
    expect(pickMimeType((t) => t === "audio/mp4")).toBe("audio/mp4");
    expect(pickMimeType(() => true)).toBe("audio/webm;codecs=opus");
    expect(pickMimeType(() => false)).toBeUndefined();
    expect(fileNameFor("audio/mp4")).toBe("question.m4a");
    expect(fileNameFor("audio/webm;codecs=opus")).toBe("question.webm");
  });

  it("shows time as m:ss and a level from the waveform", () => {
    expect(formatClock(61.9)).toBe("1:01");
    expect(levelOf(new Uint8Array([128, 128, 128]))).toBe(0);
    expect(levelOf(new Uint8Array([255, 0, 255, 0]))).toBe(1);
  });
});
