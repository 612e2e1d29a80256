/** Rows shaped like the backend's responses (app/media/schemas.py). */
export function card(i: number, over: Record<string, unknown> = {}) {
  return {
    id: `v${i}`, owner_id: "i1", instructor_name: "Sensei Ito", title: `Kata ${i}`, description: "Heian Shodan step by step.",
    discipline: "karate", style: "shotokan", level: "beginner", tags: ["kata"], language: "en",
    price_cents: 1299, rental_price_cents: 399, rental_hours: 48, currency: "EUR", subscription_included: true, is_free: false,
    status: "published", duration_s: 300 + i, width: 1280, height: 720, renditions: ["720p", "360p"], has_trailer: true,
    poster_url: null, published_at: "2024-05-01T10:00:00Z", created_at: "2024-05-01T09:00:00Z", updated_at: "2024-05-01T10:00:00Z",
    ...over,
  };
}

export function ownerVideo(i: number, over: Record<string, unknown> = {}) {
  return {
    ...card(i), status: "processing", progress: { percent: 30, stage: "transcode" }, failure_reason: null, rejection_reason: null,
    review_note: null, source_size_bytes: 1000, open_report_count: 0, trusted_report_count: 0,
    trailer_mode: "auto", trailer_start_s: null, trailer_end_s: null, pending_edit: null, edit_rejection_reason: null, ...over,
  };
}

export function playback(over: Record<string, unknown> = {}) {
  return {
    video_id: "v1", kind: "full", signer: "embedded", url: "/media/t/tok/v1/master.m3u8", expires_at: "2030-01-01T00:00:00Z", token: "tok",
    cookies: [], thumbnails_url: null, poster_url: null, duration_s: 301, access: "ppv", access_expires_at: null, ...over,
  };
}
