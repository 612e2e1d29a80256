import { useEffect, useState, type FormEvent } from "react";
import { useSearchParams } from "react-router-dom";
import { useAuth } from "../../auth/AuthContext";
import { call } from "../../api/client";
import { useI18n } from "../../i18n/i18n";
import { useDocumentTitle, usePaged } from "../../lib/hooks";
import { ErrorState, SelectField, SkeletonGrid } from "../../components/ui";
import { VideoCardView } from "../../components/VideoCardView";
import { CourseShelf } from "../../components/CourseCard";

const LEVELS = ["beginner", "intermediate", "advanced", "all_levels"] as const;
const PRICE_TYPES = ["free", "ppv", "rental", "subscription"] as const;
const DISCIPLINES = ["karate", "judo", "bjj", "taekwondo", "kung fu", "muay thai", "boxing", "aikido", "kickboxing", "mma"];
type Level = (typeof LEVELS)[number];
type PriceType = (typeof PRICE_TYPES)[number];

export default function BrowsePage() {
  const { t } = useI18n();
  const { api } = useAuth();
  const [params, setParams] = useSearchParams();
  const [q, setQ] = useState(params.get("q") ?? "");
  const [discipline, setDiscipline] = useState(params.get("discipline") ?? "");
  useDocumentTitle(t("catalog.browseTitle"));
  useEffect(() => {
    setQ(params.get("q") ?? "");
    setDiscipline(params.get("discipline") ?? "");
  }, [params]);

  const get = (k: string) => params.get(k) || null;
  const filtered = ["q", "discipline", "level", "price_type"].some((k) => params.get(k));
  const page = usePaged(
    (cursor) =>
      call(
        api.client.GET("/api/v1/videos", {
          params: {
            query: {
              limit: 24,
              cursor,
              q: get("q"),
              discipline: get("discipline"),
              level: get("level") as Level | null,
              price_type: get("price_type") as PriceType | null,
            },
          },
        }),
      ),
    [api, params.toString()],
  );

  function update(patch: Record<string, string>, push = false) {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    setParams(next, { replace: !push });
  }

  function onSearch(e: FormEvent) {
    e.preventDefault();
    update({ q: q.trim(), discipline: discipline.trim().toLowerCase() }, true);
  }

  return (
    <>
      <h1>{t("catalog.browseTitle")}</h1>
      <form role="search" onSubmit={onSearch} className="panel" style={{ marginBottom: 24 }}>
        <div className="row" style={{ marginBottom: 12 }}>
          <label htmlFor="q" className="visually-hidden">{t("catalog.searchLabel")}</label>
          <input id="q" type="search" className="input" style={{ flex: "1 1 240px", width: "auto" }} placeholder={t("catalog.searchPlaceholder")} value={q} onChange={(e) => setQ(e.target.value)} />
          <button className="btn btn-primary">{t("common.search")}</button>
        </div>
        <div className="grid" style={{ gridTemplateColumns: "repeat(auto-fit, minmax(150px, 1fr))", gap: 12 }}>
          <div className="field">
            <label htmlFor="discipline">{t("catalog.discipline")}</label>
            <input id="discipline" className="input" list="disciplines" value={discipline} onChange={(e) => setDiscipline(e.target.value)}
              onBlur={() => discipline.trim().toLowerCase() !== (get("discipline") ?? "") && update({ discipline: discipline.trim().toLowerCase() })} />
            <datalist id="disciplines">{DISCIPLINES.map((d) => <option key={d} value={d} />)}</datalist>
          </div>
          <SelectField label={t("catalog.level")} value={get("level") ?? ""} onChange={(e) => update({ level: e.target.value })}>
            <option value="">{t("common.all")}</option>
            {LEVELS.map((l) => <option key={l} value={l}>{t(`catalog.levels.${l}`)}</option>)}
          </SelectField>
          <SelectField label={t("catalog.price")} value={get("price_type") ?? ""} onChange={(e) => update({ price_type: e.target.value })}>
            <option value="">{t("common.all")}</option>
            {PRICE_TYPES.map((p) => <option key={p} value={p}>{t(`catalog.priceTypes.${p}`)}</option>)}
          </SelectField>
        </div>
      </form>
      {/* Courses are not searched or filtered: the row shows while browsing everything. */}
      {!filtered && <CourseShelf limit={8} headingId="courses-h" />}
      <section aria-labelledby="results-h" aria-busy={page.loading}>
        <h2 id="results-h" className="visually-hidden">{t("catalog.results")}</h2>
        {page.loading && <SkeletonGrid />}
        {page.error && <ErrorState message={page.error} onRetry={page.reload} />}
        {!page.loading && !page.error && page.items.length === 0 && (
          <p className="muted">{t(filtered ? "catalog.noResults" : "web.catalogEmpty")}</p>
        )}
        <div className="grid">{page.items.map((v) => <VideoCardView key={v.id} v={v} />)}</div>
        {page.hasMore && (
          <div className="row" style={{ justifyContent: "center", marginTop: 24 }}>
            <button className="btn" onClick={page.loadMore} disabled={page.loadingMore}>
              {page.loadingMore ? t("common.loading") : t("common.loadMore")}
            </button>
          </div>
        )}
      </section>
    </>
  );
}
