/**
 * Response/request types derived from paths (not schema names), so screens keep compiling when
 * the backend renames a model, and break loudly when a shape changes.
 */
import type { paths } from "./schema";

type Json<R> = R extends { content: { "application/json": infer J } } ? J : never;
type Ok<Op> = Op extends { responses: infer R }
  ? R extends { 200: infer X } ? Json<X> : R extends { 201: infer Y } ? Json<Y> : R extends { 202: infer Z } ? Json<Z> : never
  : never;

export type Resp<P extends keyof paths, M extends keyof paths[P]> = Ok<paths[P][M]>;
export type Body<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  requestBody?: { content: { "application/json": infer B } };
}
  ? B
  : never;
export type Item<T> = T extends { items: (infer I)[] } ? I : never;

export type User = Resp<"/api/v1/me", "get">;
/** Public card of a published video (catalog). */
export type VideoCard = Item<Resp<"/api/v1/videos", "get">>;
/** Public card of a published course (catalog): bundle price and saving, cover = a public poster. */
export type CourseCard = Item<Resp<"/api/v1/courses", "get">>;
/** The owner's/admin's view: adds upload, processing and review state. */
export type OwnerVideo = Item<Resp<"/api/v1/videos/mine", "get">>;
export type AnyVideo = Resp<"/api/v1/videos/{video_id}", "get">;
export type Playback = Resp<"/api/v1/videos/{video_id}/playback", "get">;
export type Entitlement = Item<Resp<"/api/v1/me/library", "get">>;
export type Purchase = Item<Resp<"/api/v1/me/purchases", "get">>;
export type AuditEntry = Item<Resp<"/api/v1/admin/audit", "get">>;

export function isOwnerView(v: AnyVideo): v is OwnerVideo {
  return "progress" in v && v.progress != null;
}
