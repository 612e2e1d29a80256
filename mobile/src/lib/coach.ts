/**
 * The coach chat over the platform's coach API: a conversation (created on the first question), a
 * question answered 202 with the reply's id, the reply followed on the conversation's SSE events
 * (`token` {message_id, text, offset}, `done` with sources), voice questions through
 * `POST /coach/transcribe` (200 with the text, or 202 and a `transcript` event).
 *
 * Transport: the events are read from a streamed fetch body: the browser's fetch on the web export,
 * `expo/fetch` on phones (`streamFetch`, given by the device layer). React Native's built-in fetch is
 * built on XMLHttpRequest and has no `res.body`; wherever a response comes without one, the client
 * polls `GET …/messages` (and `GET /coach/transcriptions/{id}`) instead. A dropped stream is reconnected:
 * on connect the server resends what the rows hold, and `text[:offset] + token.text` keeps a resent
 * token from doubling the reply.
 */
import { Platform } from "react-native";
import { ApiError, toApiError } from "@mamc/shared/api/errors";
import { createSseParser, type SseEvent } from "@mamc/shared/api/sse";
import type { Resp } from "@mamc/shared/api/types";
import type { LocalFile } from "../device/types";
import { API_PREFIX, call, type MobileApi } from "./api";

type MessagePage = Resp<"/api/v1/coach/conversations/{conversation_id}/messages", "get">;
export type CoachSource = MessagePage["items"][number]["sources"][number];
type Transcription = Resp<"/api/v1/coach/transcriptions/{transcription_id}", "get">;

export type ReplyStatus = "pending" | "streaming" | "done" | "failed" | "rejected";

export interface CoachReply {
  messageId: string;
  text: string;
  status: ReplyStatus;
  sources: CoachSource[];
  /** The API's message when the reply failed for good (in the student's language). */
  error: string | null;
}

export interface ChatMessage {
  role: "user" | "coach";
  text: string;
  sources?: CoachSource[];
  status?: ReplyStatus;
}

export interface CoachClient {
  /** Ask a question; `onUpdate` sees the reply grow; resolves once the reply is finished. */
  reply(question: string, onUpdate: (r: CoachReply) => void): Promise<CoachReply>;
  /** The text of a recorded voice question, shown for editing before it is sent. */
  transcribe(audio: LocalFile): Promise<string>;
}

/** The events of a `text/event-stream` body, as they arrive. */
export async function* sseEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const ready: SseEvent[] = [];
  const parse = createSseParser((e) => ready.push(e));
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      parse(decoder.decode(value, { stream: true }));
      yield* ready.splice(0);
    }
  } finally {
    // The caller may stop early (its reply is finished): close the connection, not just the reader.
    reader.cancel().catch(() => undefined);
  }
}

/** `text[:offset] + piece`, offsets counted in code points as the server counts them. */
export function applyToken(text: string, offset: number, piece: string): string {
  return Array.from(text).slice(0, offset).join("") + piece;
}

const FINISHED: ReadonlySet<string> = new Set(["done", "failed", "rejected"]);

export interface ApiCoachOptions {
  /** The audio part of the multipart body: RN's FormData takes `{uri, name, type}`; the web a Blob. */
  audioPart?: (audio: LocalFile) => Promise<Blob>;
  language?: () => "en" | "it";
  /** A fetch whose responses stream their body (`expo/fetch` on phones) for the event stream. */
  streamFetch?: (req: Request) => Promise<Response>;
  /** Stream reconnects before falling back to polling. */
  reconnects?: number;
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** RN's FormData uploads a local file named by `{uri, name, type}`; the web export reads the blob: URI. */
const defaultAudioPart = async (a: LocalFile): Promise<Blob> =>
  Platform.OS === "web" ? (await fetch(a.uri)).blob() : ({ uri: a.uri, name: a.name, type: a.mimeType } as unknown as Blob);
const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function createApiCoach(api: MobileApi, opts: ApiCoachOptions = {}): CoachClient {
  const sleep = opts.sleep ?? realSleep;
  const pollMs = opts.pollMs ?? 1000;
  const reconnects = opts.reconnects ?? 3;
  let conversation: Promise<string> | null = null;
  const eventsFetch = opts.streamFetch ? api.authed(opts.streamFetch) : api.authFetch;

  function conversationId(): Promise<string> {
    conversation ??= call(
      api.client.POST("/api/v1/coach/conversations", { body: { language: opts.language?.() ?? null } }),
    ).then((c) => c.id, (e: unknown) => {
      conversation = null;
      throw e;
    });
    return conversation;
  }

  /**
   * Feed the conversation's events to `onEvent` until it says it is finished, reconnecting a
   * dropped stream; without a streamed body (or once reconnects are spent) `poll` until finished.
   */
  async function follow(conv: string, onEvent: (e: SseEvent) => boolean, poll: () => Promise<boolean>): Promise<void> {
    const url = `${api.baseUrl}${API_PREFIX}/coach/conversations/${conv}/events?close_when_idle=true`;
    for (let i = 0; i <= reconnects; i++) {
      let res: Response;
      try {
        res = await eventsFetch(new Request(url, { headers: { Accept: "text/event-stream" } }));
      } catch {
        await sleep(pollMs);
        continue;
      }
      if (!res.ok) throw toApiError(res.status, await res.json().catch(() => null));
      if (!res.body) break;
      try {
        for await (const ev of sseEvents(res.body)) if (onEvent(ev)) return;
      } catch {
        /* the connection dropped: reconnect, the server resends what the rows hold */
      }
      await sleep(pollMs);
    }
    while (!(await poll())) await sleep(pollMs);
  }

  return {
    async reply(question, onUpdate) {
      const conv = await conversationId();
      const path = { conversation_id: conv };
      const { message_id } = await call(
        api.client.POST("/api/v1/coach/conversations/{conversation_id}/messages", {
          params: { path },
          body: { text: question, language: opts.language?.() ?? null, speak: false },
        }),
      );
      const r: CoachReply = { messageId: message_id, text: "", status: "pending", sources: [], error: null };
      const update = (patch: Partial<CoachReply>) => {
        Object.assign(r, patch);
        onUpdate({ ...r });
        return FINISHED.has(r.status);
      };
      await follow(
        conv,
        ({ event, data }) => {
          if (event !== "token" && event !== "done") return false;
          const d = JSON.parse(data) as Record<string, unknown>;
          if (d.message_id !== message_id) return false;
          if (event === "token") return update({ text: applyToken(r.text, Number(d.offset), String(d.text)), status: "streaming" });
          const err = d.error as { message?: string } | null;
          return update({ status: d.status as ReplyStatus, sources: (d.sources as CoachSource[]) ?? [], error: err?.message ?? null });
        },
        async () => {
          const page = await call(api.client.GET("/api/v1/coach/conversations/{conversation_id}/messages", { params: { path, query: { limit: 10 } } }));
          const m = page.items.find((x) => x.id === message_id);
          if (!m) return false;
          return update({ text: m.text, status: m.status as ReplyStatus, sources: m.sources, error: m.failure_reason });
        },
      );
      return { ...r };
    },

    async transcribe(audio) {
      const conv = await conversationId();
      const form = new FormData();
      form.append("conversation_id", conv);
      const part = await (opts.audioPart ?? defaultAudioPart)(audio);
      if (typeof Blob !== "undefined" && part instanceof Blob) form.append("audio", part, audio.name);
      else form.append("audio", part);
      const lang = opts.language?.();
      if (lang) form.append("language", lang);
      let res: Response;
      try {
        res = await api.authFetch(new Request(`${api.baseUrl}${API_PREFIX}/coach/transcribe`, { method: "POST", body: form }));
      } catch (e) {
        throw ApiError.network(e);
      }
      const body = (await res.json().catch(() => null)) as Transcription | null;
      if (!res.ok || !body) throw toApiError(res.status, body);
      let t: Transcription = body;
      if (t.status === "pending") {
        const id = t.transcription_id;
        await follow(
          conv,
          ({ event, data }) => {
            if (event !== "transcript") return false;
            const d = JSON.parse(data) as Transcription;
            if (d.transcription_id !== id || d.status === "pending") return false;
            t = d;
            return true;
          },
          async () => {
            t = await call(api.client.GET("/api/v1/coach/transcriptions/{transcription_id}", { params: { path: { transcription_id: id } } }));
            return t.status !== "pending";
          },
        );
      }
      if (t.status !== "done") {
        const err = t.error as { code?: string; message?: string } | null;
        throw new ApiError(422, err?.code ?? "transcription_failed", err?.message ?? err?.code ?? "");
      }
      return t.text ?? "";
    },
  };
}
