/**
 * Incremental `text/event-stream` parser (spec subset: event, data, id, comments), shared by the
 * web client's event streams and the mobile app's coach. Feed it decoded text in any chunking.
 */
export interface SseEvent { event: string; data: string; id?: string }

export function createSseParser(onEvent: (e: SseEvent) => void) {
  let buf = "";
  let event = "";
  let data: string[] = [];
  let id: string | undefined;
  return (chunk: string) => {
    buf += chunk;
    const lines = buf.split(/\r\n|\r|\n/);
    buf = lines.pop() ?? "";
    for (const line of lines) {
      if (line === "") {
        if (data.length) onEvent({ event: event || "message", data: data.join("\n"), id });
        event = "";
        data = [];
        continue;
      }
      if (line.startsWith(":")) continue;
      const i = line.indexOf(":");
      const field = i < 0 ? line : line.slice(0, i);
      const value = i < 0 ? "" : line.slice(i + 1).replace(/^ /, "");
      if (field === "event") event = value;
      else if (field === "data") data.push(value);
      else if (field === "id") id = value;
    }
  };
}
