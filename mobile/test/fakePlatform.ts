/**
 * A local stand-in for the platform speaking the API's real protocol (paths, bodies, the
 * `{"error":{"code","message"}}` envelope) and an S3-like store for presigned part PUTs. Shapes are
 * typed from the generated schema, so a contract change breaks these tests at compile time.
 */
import type { Resp } from "@mamc/shared/api/types";
import type { Device, KeyValueStore, LocalFile } from "../src/device/types";
import { fetchSender } from "../src/lib/sender";

type UploadOut = Resp<"/api/v1/studio/attempts/{attempt_id}/upload", "get">;
type AttemptOut = Resp<"/api/v1/studio/attempts/{attempt_id}", "get">;
type User = Resp<"/api/v1/me", "get">;
type VideoPage = Resp<"/api/v1/videos", "get">;
type CoachMessage = Resp<"/api/v1/coach/conversations/{conversation_id}/messages", "get">["items"][number];
type Transcription = Resp<"/api/v1/coach/transcriptions/{transcription_id}", "get">;
export type CoachSourceOut = CoachMessage["sources"][number];
type Progress = Resp<"/api/v1/me/progress/{video_id}", "get">;
export type NotificationOut = Resp<"/api/v1/notifications", "get">["items"][number];
type DataExport = Resp<"/api/v1/me/export", "get">["items"][number];
type Erasure = Resp<"/api/v1/me/erasure", "get">;
type Pref = Resp<"/api/v1/notifications/preferences", "get">["items"][number];
export type VideoEarnings = Resp<"/api/v1/earnings/videos", "get">[number];
export type PayoutLine = Resp<"/api/v1/earnings/payouts", "get">["lines"][number];

/** What the fake coach worker writes for the next question: the reply in pieces, then `done`. */
export interface CoachScript {
  chunks: string[];
  sources: CoachSourceOut[];
  status?: "done" | "failed";
  error?: { code: string; message: string } | null;
}

const cpLen = (s: string) => Array.from(s).length;

export const BASE = "http://api.test";
const STORAGE = "http://storage.test";

interface AttemptRow {
  attempt: AttemptOut;
  partSize: number;
  partCount: number;
  stored: Map<number, { etag: string; size: number }>;
  completed: { part_number: number; etag: string }[] | null;
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}
const fail = (status: number, code: string, message: string) => json(status, { error: { code, message } });

export class FakePlatform {
  user: User = {
    id: "u1",
    email: "kim@example.com",
    display_name: "Kim",
    role: "student",
    is_active: true,
    email_verified: true,
    language: "en",
    created_at: "2026-01-01T00:00:00Z",
  };
  password = "correct horse 9";
  accessTokens = new Set<string>();
  refreshTokens = new Set<string>();
  attempts = new Map<string, AttemptRow>();
  videos: VideoPage = { items: [], next_cursor: null };
  /** Purchases by id: status moves to "paid" when the checkout page is "paid" (payCheckout). */
  purchases = new Map<string, { id: string; video_id: string; status: string }>();
  /** The instructor's earnings per month (YYYY-MM): per video and the payout lines. */
  earnings: Record<string, { videos: VideoEarnings[]; lines: PayoutLine[] }> = {};
  /** The return_url of each POST /checkout (null when none was named). */
  checkoutReturnUrls: (string | null)[] = [];
  /** Videos the user may play. */
  entitled = new Set<string>();
  /** Part PUTs answered so far (part numbers, in order). */
  puts: number[] = [];
  /** The next PUTs of these part numbers drop the connection (network loss). */
  dropParts = new Set<number>();
  /** The next PUT of these part numbers answers 403 (expired URL). */
  expireParts = new Set<number>();
  /** Every request fails at the connection (the device is offline). */
  offline = false;
  partSize = 5;
  /** How many part URLs the create call presigns (the rest are asked for with /upload/parts). */
  presignFirst = 2;
  private n = 0;

  /** Watch progress by video id (what any device saved), and every PUT received. */
  progress = new Map<string, Progress>();
  progressPuts: { video_id: string; position_s: number; duration_s: number | null | undefined }[] = [];
  /** The in-app notifications, newest first, and the push tokens registered. */
  notifications: NotificationOut[] = [];
  pushTokens = new Map<string, string>();
  notificationPrefs: Pref[] = ["report_ready", "sale"].map((kind) => ({ kind, in_app: true, email: true, push: true }));
  /** Data exports (newest first); the erasure scheduled, if any; the grace period in days. */
  exports: DataExport[] = [];
  erasure: Erasure["pending"] = null;
  graceDays = 30;

  /** The coach: conversations' messages (oldest first), the next replies' scripts. */
  conversations = new Map<string, CoachMessage[]>();
  coachScripts: CoachScript[] = [];
  /** Pieces of a reply written so far, by reply id (the worker's progress). */
  private written = new Map<string, { script: CoachScript; next: number }>();
  /** The next event-stream connections drop after this many events (a network loss mid-reply). */
  dropStreamAfter: number[] = [];
  /** Event streams opened so far. */
  streamsOpened = 0;
  /** Like React Native's built-in fetch: responses without a streamed body. */
  noStreamingBody = false;
  /** 429 coach_budget_exhausted for questions once the month's tokens are spent. */
  coachBudgetSpent = false;
  /** Transcripts: what the recogniser hears, and whether it answers later (202 + `transcript` event). */
  heard = "How high should my knee be?";
  transcribeLater = false;
  transcriptions = new Map<string, Transcription>();
  /** Audio parts received by /coach/transcribe (content type, bytes). */
  audioReceived: { type: string; size: number }[] = [];
  /** The bell stream (GET /notifications/stream): "busy" answers 429 too_many_streams; the next
   * `bellRefusals` connections fail as on a network loss. */
  bellStream: "live" | "busy" = "live";
  bellRefusals = 0;
  bellStreamsOpened = 0;
  /** GET /notifications/unread calls (the polled badge). */
  unreadPolls = 0;
  /** The practice reminder (GET/PUT /notifications/reminder). */
  reminder: { local_time: string | null; timezone: string } = { local_time: null, timezone: "UTC" };
  /** While set, GET /notifications/reminder waits for it (a slow network). */
  reminderLoad: Promise<void> | null = null;
  private bells = new Set<ReadableStreamDefaultController<Uint8Array>>();

  /** Open bell streams. */
  get bellsOpen(): number {
    return this.bells.size;
  }

  /** A new notification, announced on the open bell streams as the platform's bus does. */
  addNotification(n: NotificationOut): void {
    this.notifications.unshift(n);
    this.ringBells();
  }

  /** Everything read on another device (the web): the bell streams hear of it. */
  readAllElsewhere(): void {
    this.notifications.forEach((n) => (n.read = true));
    this.ringBells();
  }

  private ringBells(): void {
    const unread = this.notifications.filter((n) => !n.read).length;
    const chunk = new TextEncoder().encode(`event: progress\ndata: ${JSON.stringify({ status: "live", unread })}\n\n`);
    this.bells.forEach((c) => c.enqueue(chunk));
  }

  /** A network loss: every open bell stream errors. */
  dropBells(): void {
    this.bells.forEach((c) => c.error(new TypeError("Network request failed")));
    this.bells.clear();
  }

  /** The bell stream; aborting the request closes it, as a closed connection does on the server. */
  private bellResponse(signal: AbortSignal): Response {
    if (this.bellRefusals > 0) {
      this.bellRefusals--;
      throw new TypeError("Network request failed");
    }
    if (this.bellStream === "busy") return fail(429, "too_many_streams", "Too many open streams; poll instead.");
    const headers = { "Content-Type": "text/event-stream" };
    if (this.noStreamingBody) return new Response(null, { status: 200, headers });
    this.bellStreamsOpened++;
    let ctl: ReadableStreamDefaultController<Uint8Array> | null = null;
    const stream = new ReadableStream<Uint8Array>({
      start: (c) => {
        ctl = c;
        this.bells.add(c);
        c.enqueue(new TextEncoder().encode("retry: 2000\n\n"));
        this.ringBells();
      },
      cancel: () => void (ctl && this.bells.delete(ctl)),
    });
    signal.addEventListener("abort", () => {
      if (ctl && this.bells.delete(ctl)) ctl.error(new DOMException("The operation was aborted.", "AbortError"));
    });
    return new Response(stream, { status: 200, headers });
  }

  private pair(): Response {
    const access = `acc-${++this.n}`;
    const refresh = `ref-${this.n}-xxxxxxxxxx`;
    this.accessTokens.add(access);
    this.refreshTokens.add(refresh);
    return json(200, { access_token: access, refresh_token: refresh, token_type: "bearer", expires_in: 900 });
  }

  private uploadOut(row: AttemptRow, numbers: number[]): UploadOut {
    return {
      part_size: row.partSize,
      part_count: row.partCount,
      parts: numbers.map((part_number) => ({ part_number, url: `${STORAGE}/${row.attempt.id}/${part_number}?sig=${this.n}` })),
      uploaded_parts: [...row.stored.entries()].map(([part_number, p]) => ({ part_number, etag: p.etag, size: p.size })),
      expires_at: null,
    };
  }

  fetch = async (input: Request | string, init?: RequestInit): Promise<Response> => {
    const req = typeof input === "string" ? new Request(input, init) : input;
    if (this.offline) throw new TypeError("Network request failed");
    const url = new URL(req.url);
    if (url.origin === STORAGE) return this.storagePut(url, req);
    const path = url.pathname.replace(/^\/api\/v1/, "");
    if (req.method === "GET" && path === "/notifications/reminder" && this.reminderLoad) await this.reminderLoad;
    const multipart = req.headers.get("Content-Type")?.startsWith("multipart/form-data") ?? false;
    const body = req.method === "GET" || multipart ? null : await req.text().then((t) => (t ? JSON.parse(t) : null));
    const bearer = req.headers.get("Authorization")?.replace("Bearer ", "");
    const authed = bearer !== undefined && this.accessTokens.has(bearer);
    let m: RegExpMatchArray | null;
    if (req.method === "POST" && path === "/auth/login") {
      if (body.email !== this.user.email || body.password !== this.password) return fail(401, "invalid_credentials", "Wrong email or password.");
      return this.pair();
    }
    if (req.method === "POST" && path === "/auth/refresh") {
      if (!body?.refresh_token || !this.refreshTokens.delete(body.refresh_token)) return fail(401, "token_invalid", "This session is invalid.");
      return this.pair();
    }
    if (req.method === "GET" && path === "/videos") return json(200, this.videos);
    if (req.method === "GET" && (m = path.match(/^\/videos\/([\w-]+)$/))) {
      const v = this.videos.items.find((x) => x.id === m![1]);
      return v ? json(200, v) : fail(404, "video_not_found", "No such video.");
    }
    if (!authed) return fail(401, "not_authenticated", "Log in.");
    if (req.method === "GET" && path === "/me") return json(200, this.user);
    if (path.startsWith("/coach/")) return this.coach(req, path, url, body);
    if (path.startsWith("/me/progress/") || path === "/me/continue-watching") return this.watchProgress(req, path, body);
    if (path.startsWith("/notifications")) return this.notificationsApi(req, path, url, body);
    if (path === "/me" || path === "/me/export" || path === "/me/erasure") return this.yourData(req, path, body);
    if (req.method === "GET" && (m = path.match(/^\/videos\/([\w-]+)\/playback$/)))
      return this.entitled.has(m[1]) ? json(200, { url: `${BASE}/media/t/tok/${m[1]}/master.m3u8` }) : fail(403, "not_entitled", "Buy, rent or subscribe to watch.");
    if (req.method === "GET" && path === "/studio/references") return json(200, { items: [], next_cursor: null });
    if (req.method === "GET" && (path === "/earnings/videos" || path === "/earnings/payouts")) {
      const month = url.searchParams.get("month") ?? "";
      if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) return fail(422, "invalid_month", "Choose a month as YYYY-MM.");
      const e = this.earnings[month] ?? { videos: [], lines: [] };
      return path === "/earnings/videos" ? json(200, e.videos) : json(200, { month, lines: e.lines });
    }
    if (req.method === "POST" && path === "/checkout") {
      const id = `pur-${++this.n}`;
      if (body.return_url != null && !/^mamc:\/\/checkout-return(\?[^#]*)?$/.test(body.return_url))
        return fail(422, "return_url_not_allowed", "This return address is not allowed.");
      this.checkoutReturnUrls.push(body.return_url ?? null);
      this.purchases.set(id, { id, video_id: body.video_id, status: "pending" });
      return json(201, { checkout_session_id: `cs-${id}`, url: `${BASE}/sandbox/checkout/cs-${id}`, purchase_id: id, subscription_id: null, reused: false });
    }
    if (req.method === "GET" && (m = path.match(/^\/me\/purchases\/([\w-]+)$/))) {
      const p = this.purchases.get(m[1]);
      return p ? json(200, { ...p, video_title: "", kind: "ppv", amount_cents: 999, currency: "EUR", rental_hours: null, amount_refunded_cents: 0, paid_at: null, refunded_at: null, created_at: "2026-01-01T00:00:00Z" }) : fail(404, "purchase_not_found", "No such purchase.");
    }
    if (req.method === "GET" && (m = path.match(/^\/studio\/references\/([\w-]+)$/)))
      return json(200, { id: m[1], name: "Mae geri", video_id: "v1", instructor_id: "i1", status: "ready", progress: 100, stage: "done", failure_reason: null, t_start: 1, t_end: 3, joints: [], technique: "kick", created_at: "2026-01-01T00:00:00Z", finished_at: null });
    if (req.method === "POST" && (m = path.match(/^\/studio\/references\/([\w-]+)\/attempts$/))) {
      if (!body.size_bytes || body.size_bytes < 1) return fail(422, "validation_error", "The file is empty.");
      const id = `att-${++this.n}`;
      const partCount = Math.ceil(body.size_bytes / this.partSize);
      const attempt: AttemptOut = {
        id, reference_id: m[1], student_id: this.user.id, filename: body.filename, size_bytes: body.size_bytes,
        status: "uploading", progress: 0, stage: "upload", failure_reason: null, score: null,
        created_at: "2026-01-01T00:00:00Z", uploaded_at: null, finished_at: null,
      };
      const row: AttemptRow = { attempt, partSize: this.partSize, partCount, stored: new Map(), completed: null };
      this.attempts.set(id, row);
      const first = Array.from({ length: Math.min(this.presignFirst, partCount) }, (_, i) => i + 1);
      return json(201, { attempt, upload: this.uploadOut(row, first) });
    }
    if ((m = path.match(/^\/studio\/attempts\/([\w-]+)(\/upload|\/upload\/parts|\/complete)?$/))) {
      const row = this.attempts.get(m[1]);
      if (!row) return fail(404, "attempt_not_found", "No such attempt.");
      if (req.method === "GET" && !m[2]) return json(200, row.attempt);
      if (req.method === "GET" && m[2] === "/upload") {
        const missing = Array.from({ length: row.partCount }, (_, i) => i + 1).filter((k) => !row.stored.has(k));
        return json(200, this.uploadOut(row, missing));
      }
      if (req.method === "POST" && m[2] === "/upload/parts") return json(200, this.uploadOut(row, body.part_numbers));
      if (req.method === "POST" && m[2] === "/complete") {
        const parts = body.parts as { part_number: number; etag: string }[];
        const ok = parts.length === row.partCount && parts.every((p) => row.stored.get(p.part_number)?.etag === p.etag);
        if (!ok) return fail(409, "upload_incomplete", "Some parts are missing or do not match.");
        row.completed = parts;
        row.attempt = { ...row.attempt, status: "pending", uploaded_at: "2026-01-01T00:01:00Z" };
        return json(202, row.attempt);
      }
    }
    return fail(404, "not_found", `No route ${req.method} ${path}`);
  };

  private async coach(req: Request, path: string, url: URL, json_: { text?: string } | null): Promise<Response> {
    if (!this.user.email_verified) return fail(403, "email_not_verified", "Verify your email address to use the coach.");
    const now = "2026-01-01T00:00:00Z";
    let m: RegExpMatchArray | null;
    if (req.method === "POST" && path === "/coach/conversations") {
      const id = `conv-${++this.n}`;
      this.conversations.set(id, []);
      return json(201, { id, title: "", language: "en", created_at: now, updated_at: now });
    }
    if (req.method === "POST" && path === "/coach/transcribe") {
      const form = (await req.formData()) as unknown as { get(name: string): unknown };
      const audio = form.get("audio");
      const conv = String(form.get("conversation_id"));
      if (!this.conversations.has(conv)) return fail(404, "conversation_not_found", "No such conversation.");
      if (!(audio instanceof Blob) || audio.size === 0) return fail(422, "audio_empty", "The recording is empty.");
      this.audioReceived.push({ type: audio.type, size: audio.size });
      const id = `tr-${++this.n}`;
      const row: Transcription = { transcription_id: id, status: this.transcribeLater ? "pending" : "done", text: this.transcribeLater ? "" : this.heard, language: "en", confidence: 0.9, duration_s: 2, error: null };
      this.transcriptions.set(id, row);
      return json(this.transcribeLater ? 202 : 200, row);
    }
    if (req.method === "GET" && (m = path.match(/^\/coach\/transcriptions\/([\w-]+)$/))) {
      const row = this.transcriptions.get(m[1]);
      if (!row) return fail(404, "transcription_not_found", "No such transcription.");
      this.finishTranscriptions();
      return json(200, row);
    }
    if (!(m = path.match(/^\/coach\/conversations\/([\w-]+)\/(messages|events)$/))) return fail(404, "not_found", `No route ${req.method} ${path}`);
    const messages = this.conversations.get(m[1]);
    if (!messages) return fail(404, "conversation_not_found", "No such conversation.");
    if (req.method === "POST" && m[2] === "messages") {
      if (this.coachBudgetSpent) return fail(429, "coach_budget_exhausted", "Your coach budget for this month is spent; it renews on 1 February.");
      const body = { text: String(json_?.text) };
      const base = { language: "en", sources: [], provider: null, created_at: now, finished_at: null, failure_reason: null };
      const q: CoachMessage = { ...base, id: `msg-${++this.n}`, role: "user", text: body.text, status: "done", reply_to: null };
      const reply: CoachMessage = { ...base, id: `msg-${++this.n}`, role: "assistant", text: "", status: "pending", reply_to: q.id };
      messages.push(q, reply);
      this.written.set(reply.id, { script: this.coachScripts.shift() ?? { chunks: ["…"], sources: [] }, next: 0 });
      return json(202, { message_id: reply.id });
    }
    if (req.method === "GET" && m[2] === "messages") {
      // Polling: the worker writes one more piece between two looks.
      for (const msg of messages) if (this.written.has(msg.id)) this.writeNext(msg);
      return json(200, { items: [...messages].reverse(), next_cursor: null });
    }
    if (req.method === "GET" && m[2] === "events" && url.searchParams.get("close_when_idle") === "true") {
      this.streamsOpened++;
      if (this.noStreamingBody) return new Response(null, { status: 200, headers: { "Content-Type": "text/event-stream" } });
      return this.eventStream(messages, this.dropStreamAfter.shift());
    }
    return fail(404, "not_found", `No route ${req.method} ${path}`);
  }

  private watchProgress(req: Request, path: string, body: { position_s: number; duration_s?: number | null } | null): Response {
    if (req.method === "GET" && path === "/me/continue-watching") {
      const items = [...this.progress.values()]
        .filter((p) => p.resume)
        .map((p) => {
          const v = this.videos.items.find((x) => x.id === p.video_id);
          const duration = p.duration_s ?? v?.duration_s ?? null;
          return { video_id: p.video_id, title: v?.title ?? "", poster_url: null, position_s: p.position_s, duration_s: duration, percent: duration ? Math.floor((100 * p.position_s) / duration) : 0, updated_at: p.updated_at };
        });
      return json(200, { items });
    }
    const id = path.split("/").pop()!;
    if (req.method === "GET") {
      const p = this.progress.get(id);
      return p ? json(200, p) : fail(404, "no_progress", "No saved position for this video.");
    }
    if (req.method === "PUT" && body) {
      if (body.position_s < 0) return fail(422, "validation_error", "The position cannot be negative.");
      this.progressPuts.push({ video_id: id, position_s: body.position_s, duration_s: body.duration_s });
      this.setProgress(id, body.position_s, body.duration_s ?? null);
      return json(200, this.progress.get(id));
    }
    return fail(405, "method_not_allowed", "Method not allowed.");
  }

  /** A position saved (by this app or another device), with the API's resume rule. */
  setProgress(videoId: string, position: number, duration: number | null): void {
    const resume = position > 5 && (duration == null || position < 0.95 * duration);
    this.progress.set(videoId, { video_id: videoId, position_s: position, duration_s: duration, updated_at: "2026-01-01T00:00:00Z", resume });
  }

  private notificationsApi(req: Request, path: string, url: URL, body: { token?: string; platform?: string } | null): Response {
    const unread = () => this.notifications.filter((n) => !n.read).length;
    let m: RegExpMatchArray | null;
    if (req.method === "GET" && path === "/notifications") {
      const limit = Number(url.searchParams.get("limit") ?? 50);
      const before = url.searchParams.get("before");
      let items = url.searchParams.get("unread_only") === "true" ? this.notifications.filter((n) => !n.read) : this.notifications;
      if (before) items = items.filter((n) => n.created_at < before);
      const page = items.slice(0, limit);
      return json(200, { items: page, unread: unread(), next_before: items.length > limit ? page[page.length - 1].created_at : null });
    }
    if (req.method === "GET" && path === "/notifications/unread") {
      this.unreadPolls++;
      return json(200, { unread: unread() });
    }
    if (req.method === "GET" && path === "/notifications/stream") return this.bellResponse(req.signal);
    if (req.method === "POST" && path === "/notifications/read-all") {
      this.notifications.forEach((n) => (n.read = true));
      this.ringBells();
      return json(200, { unread: 0 });
    }
    if (req.method === "POST" && (m = path.match(/^\/notifications\/([\w-]+)\/read$/))) {
      const n = this.notifications.find((x) => x.id === m![1]);
      if (!n) return fail(404, "notification_not_found", "This notification no longer exists.");
      n.read = true;
      this.ringBells();
      return json(200, { unread: unread() });
    }
    if (path === "/notifications/reminder" && req.method === "GET") return json(200, this.reminder);
    if (path === "/notifications/reminder" && req.method === "PUT") {
      const r = body as unknown as { local_time: string | null; timezone: string };
      if (r.local_time !== null && !/^([01]\d|2[0-3]):[0-5]\d$/.test(r.local_time)) return fail(422, "validation_error", "Give the time as HH:MM.");
      this.reminder = { local_time: r.local_time, timezone: r.timezone || "UTC" };
      return json(200, this.reminder);
    }
    if (path === "/notifications/preferences" && req.method === "GET") return json(200, { items: this.notificationPrefs });
    if (path === "/notifications/preferences" && req.method === "PUT") {
      const items = (body as unknown as { items: Pref[] }).items;
      if (items.some((p) => !this.notificationPrefs.some((q) => q.kind === p.kind))) return fail(422, "unknown_kind", "Unknown kind of notification.");
      this.notificationPrefs = this.notificationPrefs.map((q) => items.find((p) => p.kind === q.kind) ?? q);
      return json(200, { items: this.notificationPrefs });
    }
    if (req.method === "POST" && path === "/notifications/push-tokens") {
      if (!body?.token?.startsWith("ExponentPushToken[")) return fail(422, "validation_error", "Not an Expo push token.");
      this.pushTokens.set(body.token, body.platform ?? "unknown");
      return json(201, { token: body.token, platform: body.platform ?? "unknown" });
    }
    if (req.method === "DELETE" && path === "/notifications/push-tokens") {
      this.pushTokens.delete(url.searchParams.get("token") ?? "");
      return new Response(null, { status: 204 });
    }
    return fail(404, "not_found", `No route ${req.method} ${path}`);
  }

  private yourData(req: Request, path: string, body: { password?: string } | null): Response {
    const now = "2026-01-01T00:00:00Z";
    const startExport = () => this.exports.unshift({ id: `exp-${++this.n}`, status: "pending", created_at: now, finished_at: null, size_bytes: null, download_url: null });
    if (path === "/me/export" && (req.method === "GET" || req.method === "POST")) {
      const busyOrReady = this.exports.some((e) => e.status === "pending" || e.status === "running" || e.status === "ready");
      if (req.method === "GET" ? !busyOrReady : !this.exports.some((e) => e.status === "pending" || e.status === "running")) startExport();
      return json(req.method === "GET" ? 200 : 202, { items: this.exports });
    }
    if (path === "/me/erasure" && req.method === "GET") return json(200, { pending: this.erasure, grace_days: this.graceDays });
    if (path === "/me/erasure" && req.method === "DELETE") {
      if (!this.erasure) return fail(409, "no_erasure_pending", "No deletion of your account is scheduled.");
      this.erasure = null;
      return new Response(null, { status: 204 });
    }
    if (path === "/me" && req.method === "DELETE") {
      if (body?.password !== this.password) return fail(403, "wrong_password", "The password is not right.");
      this.erasure = { requested_at: now, erase_after: "2026-01-31T00:00:00Z" };
      return json(202, this.erasure);
    }
    return fail(404, "not_found", `No route ${req.method} ${path}`);
  }

  /** The worker finishes the newest export: a signed link to the zip. */
  finishExport(): void {
    Object.assign(this.exports[0], { status: "ready", finished_at: "2026-01-01T00:05:00Z", size_bytes: 2048, download_url: `${BASE}/media/exports/${this.exports[0].id}.zip?sig=x` });
  }

  /** The worker writes the next piece of a reply (or finishes it); returns the events it publishes. */
  private writeNext(msg: CoachMessage): [string, unknown][] {
    const w = this.written.get(msg.id)!;
    if (msg.status === "done" || msg.status === "failed") return [];
    if (w.next < w.script.chunks.length) {
      const piece = w.script.chunks[w.next++];
      const offset = cpLen(msg.text);
      msg.text += piece;
      msg.status = "streaming";
      return [["token", { message_id: msg.id, text: piece, offset }]];
    }
    msg.status = w.script.status ?? "done";
    msg.sources = w.script.sources;
    msg.failure_reason = w.script.error?.message ?? null;
    return [["done", { message_id: msg.id, status: msg.status, sources: msg.sources, error: w.script.error ?? null }]];
  }

  private finishTranscriptions(): [string, unknown][] {
    const out: [string, unknown][] = [];
    for (const row of this.transcriptions.values())
      if (row.status === "pending") {
        Object.assign(row, { status: "done", text: this.heard });
        out.push(["transcript", row]);
      }
    return out;
  }

  /** The conversation's events as the API sends them: on connect what the rows hold (a reply being
   * written: its text so far at offset 0), then what the worker writes, `end` once idle. */
  private eventStream(messages: CoachMessage[], dropAfter: number | undefined): Response {
    const queue: [string, unknown][] = [...this.finishTranscriptions()];
    for (const msg of messages) {
      if (!this.written.has(msg.id) || msg.status === "pending") continue;
      if (msg.text) queue.push(["token", { message_id: msg.id, text: msg.text, offset: 0 }]);
      if (msg.status !== "streaming") queue.push(["done", { message_id: msg.id, status: msg.status, sources: msg.sources, error: null }]);
    }
    const enc = new TextEncoder();
    let sent = 0;
    let ended = false;
    const work = () => {
      for (const msg of messages) if (this.written.has(msg.id)) queue.push(...this.writeNext(msg));
    };
    return new Response(
      new ReadableStream<Uint8Array>({
        pull(ctrl) {
          if (dropAfter !== undefined && sent === dropAfter) return ctrl.error(new TypeError("Network request failed"));
          if (!queue.length) work();
          if (!queue.length && !ended) {
            ended = true;
            queue.push(["end", {}]);
          }
          const ev = queue.shift();
          if (!ev) return ctrl.close();
          sent++;
          // Split one event over two chunks (a real network does), with a comment line first.
          const text = `: ping\nevent: ${ev[0]}\r\ndata: ${JSON.stringify(ev[1])}\n\n`;
          ctrl.enqueue(enc.encode(text.slice(0, 9)));
          ctrl.enqueue(enc.encode(text.slice(9)));
        },
      }),
      { status: 200, headers: { "Content-Type": "text/event-stream" } },
    );
  }

  private async storagePut(url: URL, req: Request): Promise<Response> {
    const [, id, n] = url.pathname.split("/");
    const part = Number(n);
    if (this.dropParts.delete(part)) throw new TypeError("Network request failed");
    if (this.expireParts.delete(part)) return new Response("<Error><Code>AccessDenied</Code></Error>", { status: 403 });
    const row = this.attempts.get(id)!;
    const bytes = new Uint8Array(await req.arrayBuffer());
    const etag = `"etag-${id}-${part}-${bytes.length}"`;
    row.stored.set(part, { etag, size: bytes.length });
    this.puts.push(part);
    return new Response(null, { status: 200, headers: { ETag: etag } });
  }

  /** What the payment provider's webhook does: the purchase is paid and the video unlocked. */
  payCheckout(url: string): void {
    const id = url.split("/cs-")[1];
    const p = this.purchases.get(id)!;
    p.status = "paid";
    this.entitled.add(p.video_id);
  }

  /** Bytes of the stored parts of an attempt, in order (to check nothing was sent twice or skipped). */
  storedSizes(id: string): number[] {
    const row = this.attempts.get(id)!;
    return [...row.stored.entries()].sort((a, b) => a[0] - b[0]).map(([, p]) => p.size);
  }
}

export function memoryStore(): KeyValueStore & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    get: async (k) => data.get(k) ?? null,
    set: async (k, v) => void data.set(k, v),
    delete: async (k) => void data.delete(k),
  };
}

export const clipFile = (size: number): LocalFile => ({ uri: "file:///clip.mp4", name: "clip.mp4", size, mimeType: "video/mp4" });

export function fakeDevice(platform: FakePlatform, overrides: Partial<Device> = {}): Device {
  const bytes = (f: LocalFile) => new Blob([new Uint8Array(f.size).fill(7)]);
  return {
    secure: memoryStore(),
    storage: memoryStore(),
    sender: fetchSender((u, i) => platform.fetch(u, i), async (f) => bytes(f)),
    camera: { requestPermissions: async () => true, Preview: () => null },
    gallery: { pickVideo: async () => null },
    useVoice: () => ({ requestPermissions: async () => true, start: async () => undefined, stop: async () => null }),
    push: { register: async () => null, platform: "android", onOpen: () => () => undefined },
    browser: { open: async () => undefined, openAuth: async () => ({ type: "closed" as const }), dismiss: () => undefined },
    ...overrides,
  };
}
