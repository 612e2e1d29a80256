import { useState, type FormEvent } from "react";
import { Link, useParams, useSearchParams } from "react-router-dom";
import { call } from "../../api/client";
import type { Resp } from "@mamc/shared/api/types";
import { useAuth } from "../../auth/AuthContext";
import { ErrorState, SkeletonLines } from "../../components/ui";
import { useI18n } from "../../i18n/i18n";
import { useAction, useDocumentTitle, useLoad } from "../../lib/hooks";
import NotFoundPage from "../NotFoundPage";
import { ExtractionProgress } from "./ExtractionProgress";
import { LangTabs, pickVersion, type EditLang, type KnowledgeItem } from "./KnowledgePanel";

type SearchOut = Resp<"/api/v1/knowledge/search", "get">;
type Moment = SearchOut["items"][number]["moments"][number];
type Lang = "it" | "en" | "ja";

export function momentHref(m: Moment): string | null {
  if (!m.video_id) return null;
  return m.start_s != null ? `/videos/${m.video_id}?t=${Math.floor(m.start_s)}` : `/videos/${m.video_id}`;
}

/** Cross-language search: the query is expanded into it / en / romaji by the translation memory. */
export function KnowledgeSearchPage() {
  const { t, lang: uiLang, fmtDuration } = useI18n();
  const { api } = useAuth();
  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const lang = (params.get("lang") as Lang | null) ?? (uiLang as Lang);
  const [text, setText] = useState(q);
  useDocumentTitle(t("knowledge.searchTitle"));
  const result = useLoad(
    async () => (q ? call(api.client.GET("/api/v1/knowledge/search", { params: { query: { q, lang } } })) : null),
    [api, q, lang],
  );
  function submit(e: FormEvent) {
    e.preventDefault();
    if (text.trim()) setParams({ q: text.trim(), lang });
  }
  const other = Object.entries(result.data?.expansions ?? {})
    .filter(([code, variants]) => code !== lang && variants.length > 0)
    .map(([code, variants]) => `${code}: ${variants.join(", ")}`);
  return (
    <div className="stack">
      <h1>{t("knowledge.searchTitle")}</h1>
      <form className="row" role="search" onSubmit={submit}>
        <label className="visually-hidden" htmlFor="k-q">{t("knowledge.searchLabel")}</label>
        <input id="k-q" type="search" className="input" value={text} onChange={(e) => setText(e.target.value)} placeholder={t("knowledge.searchHint")} />
        <label className="visually-hidden" htmlFor="k-lang">{t("knowledge.queryLanguage")}</label>
        <select id="k-lang" className="select lang-select" value={lang} onChange={(e) => setParams({ q, lang: e.target.value })}>
          <option value="it">Italiano</option>
          <option value="en">English</option>
          <option value="ja">Romaji</option>
        </select>
        <button className="btn btn-primary" type="submit">{t("knowledge.search")}</button>
      </form>
      {other.length > 0 && <p className="small muted">{t("knowledge.alsoSearched", { terms: other.join(" · ") })}</p>}
      {result.error && <ErrorState message={result.error} onRetry={result.reload} />}
      {q && result.loading && <SkeletonLines lines={4} />}
      {result.data && result.data.items.length === 0 && <p>{t("knowledge.noResults")}</p>}
      {result.data && result.data.items.length > 0 && (
        <ul className="stack" style={{ listStyle: "none", padding: 0 }}>
          {result.data.items.map((hit) => (
            <li key={hit.item_id} className="panel">
              <Link to={`/knowledge/items/${hit.item_id}`}><strong>{hit.title}</strong></Link>{" "}
              <span className="badge">{t(`knowledge.kind.${hit.kind}`)}</span>{" "}
              {hit.matched_lang !== lang && <span className="badge">{t("knowledge.foundIn", { lang: hit.matched_lang })}</span>}
              {hit.snippet && <p className="small" style={{ margin: "4px 0" }}>{hit.snippet}</p>}
              <p className="row small" style={{ margin: 0 }}>
                {hit.moments.map((m, k) => {
                  const href = momentHref(m);
                  return href ? (
                    <Link key={k} to={href}>▶ {m.start_s != null ? fmtDuration(Math.floor(m.start_s)) : t("knowledge.watch")}</Link>
                  ) : m.document_id ? (
                    <span key={k} className="muted">{t("knowledge.documentPage", { page: m.page ?? 1 })}</span>
                  ) : null;
                })}
              </p>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** One item: its approved text in the reader's language (or another), and where it is taught. */
export function KnowledgeItemPage() {
  const { id = "" } = useParams();
  const { t, lang, fmtDuration } = useI18n();
  const { api } = useAuth();
  const item = useLoad(() => call(api.client.GET("/api/v1/knowledge/items/{item_id}", { params: { path: { item_id: id } } })), [api, id]);
  const shown = item.data ? pickVersion(item.data.versions, lang) : undefined;
  useDocumentTitle(shown?.title);
  if (item.err) return <NotFoundPage />;
  if (!item.data || !shown) return <SkeletonLines lines={4} />;
  return (
    <article className="stack">
      <h1>{shown.title}</h1>
      <p className="row small muted">
        <span className="badge">{t(`knowledge.kind.${item.data.kind}`)}</span>
        {shown.lang !== lang && <span>{t("knowledge.onlyIn", { lang: shown.lang })}</span>}
      </p>
      {shown.body && <p style={{ whiteSpace: "pre-line" }}>{shown.body}</p>}
      <h2 className="label">{t("knowledge.whereTaught")}</h2>
      <ul>
        {item.data.links.map((l, k) => {
          const href = momentHref(l);
          return (
            <li key={k}>
              {href ? (
                <Link to={href}>▶ {l.start_s != null ? `${fmtDuration(l.start_s)}–${fmtDuration(l.end_s ?? l.start_s)}` : t("knowledge.watch")}</Link>
              ) : (
                t("knowledge.documentPage", { page: l.page ?? 1 })
              )}
            </li>
          );
        })}
      </ul>
    </article>
  );
}

/** Review: the instructor's unreviewed items (admins: everyone's, the queue). Edit, approve,
 * reject per language; translate through the memory (offline the server says so). */
export function KnowledgeReviewPage() {
  const { t } = useI18n();
  const { api } = useAuth();
  useDocumentTitle(t("knowledge.reviewTitle"));
  const queue = useLoad(
    () => call(api.client.GET("/api/v1/knowledge/items", { params: { query: { review: "unreviewed", limit: 50 } } })),
    [api],
  );
  if (queue.error) return <ErrorState message={queue.error} onRetry={queue.reload} />;
  if (!queue.data) return <SkeletonLines lines={6} />;
  return (
    <div className="stack">
      <h1>{t("knowledge.reviewTitle")}</h1>
      <ExtractionProgress onFinished={queue.reload} />
      {queue.data.items.length === 0 && <p>{t("knowledge.reviewEmpty")}</p>}
      {queue.data.items.map((item) => (
        <ReviewCard key={item.id} item={item} onChange={queue.reload} />
      ))}
    </div>
  );
}

/** The tab a queue card opens on: the language of the newest version awaiting review (an English
 * item opened on an empty Italian tab offered no Approve). */
function reviewLang(item: KnowledgeItem): EditLang {
  const waiting = item.versions
    .filter((v) => v.review_state === "unreviewed" && (v.lang === "it" || v.lang === "en"))
    .sort((a, b) => b.number - a.number)[0];
  return (waiting?.lang as EditLang | undefined) ?? "it";
}

function ReviewCard({ item, onChange }: { item: KnowledgeItem; onChange: () => void }) {
  const { t, fmtDuration } = useI18n();
  const { api } = useAuth();
  const [lang, setLang] = useState<EditLang>(() => reviewLang(item));
  const current = item.versions.filter((v) => v.lang === lang).sort((a, b) => b.number - a.number)[0];
  const [title, setTitle] = useState(current?.title ?? "");
  const [body, setBody] = useState(current?.body ?? "");
  const [note, setNote] = useState<string | null>(null);
  const path = { item_id: item.id };
  const save = useAction(async (approve: boolean) => {
    await call(api.client.POST("/api/v1/knowledge/items/{item_id}/versions", { params: { path }, body: { lang, title, body, approve } }));
    onChange();
  });
  const review = useAction(async (versionId: string, approve: boolean) => {
    await call(api.client.POST("/api/v1/knowledge/items/{item_id}/versions/{version_id}/review", { params: { path: { item_id: item.id, version_id: versionId } }, body: { approve } }));
    onChange();
  });
  const translate = useAction(async () => {
    const source = item.versions.find((v) => v.lang !== lang)?.lang as Lang | undefined;
    if (!source) return;
    const out = await call(api.client.POST("/api/v1/knowledge/items/{item_id}/translate", { params: { path }, body: { source, target: lang } }));
    setNote(out.message ?? null);
    if (out.version) {
      setTitle(out.version.title);
      setBody(out.version.body);
      onChange();
    } else if (out.suggestions.length) {
      setNote(`${out.message ?? ""} ${t("knowledge.suggestions")}: ${out.suggestions.map((s) => s.text).join(", ")}`);
    }
  });
  function pick(next: EditLang) {
    setLang(next);
    const v = item.versions.filter((x) => x.lang === next).sort((a, b) => b.number - a.number)[0];
    setTitle(v?.title ?? "");
    setBody(v?.body ?? "");
    setNote(null);
  }
  const at = item.links.find((l) => l.start_s != null);
  const error = save.error ?? review.error ?? translate.error;
  return (
    <section className="panel stack" aria-label={current?.title ?? item.key}>
      <p className="row small muted" style={{ margin: 0 }}>
        <span className="badge">{t(`knowledge.kind.${item.kind}`)}</span>
        {item.confidence != null && <span>{t("knowledge.confidence", { pct: Math.round(item.confidence * 100) })}</span>}
        {at?.video_id && <Link to={`/videos/${at.video_id}?t=${Math.floor(at.start_s ?? 0)}`}>▶ {fmtDuration(at.start_s ?? 0)}</Link>}
      </p>
      <LangTabs lang={lang} onPick={pick} version={current} />
      <label className="field">
        <span>{t("knowledge.titleLabel")}</span>
        <input className="input" value={title} onChange={(e) => setTitle(e.target.value)} />
      </label>
      <label className="field">
        <span>{t("knowledge.bodyLabel")}</span>
        <textarea className="input" rows={3} value={body} onChange={(e) => setBody(e.target.value)} />
      </label>
      {note && <p className="small alert" role="status">{note}</p>}
      {error && <div className="alert alert-error" role="alert">{error}</div>}
      <div className="row">
        {current && current.review_state === "unreviewed" && current.title === title && current.body === body ? (
          <>
            <button className="btn btn-primary btn-sm" disabled={review.busy} onClick={() => review.run(current.id, true)}>{t("knowledge.approve")}</button>
            <button className="btn btn-sm" disabled={review.busy} onClick={() => review.run(current.id, false)}>{t("knowledge.reject")}</button>
          </>
        ) : (
          <button className="btn btn-primary btn-sm" disabled={save.busy || !title.trim()} onClick={() => save.run(true)}>{t("knowledge.saveApprove")}</button>
        )}
        {!current && (
          <button className="btn btn-sm" disabled={translate.busy} onClick={() => translate.run()}>{t("knowledge.translate")}</button>
        )}
      </div>
    </section>
  );
}
