import { useEffect, useState, type FormEvent } from "react";
import { Link } from "react-router-dom";
import { call } from "../../api/client";
import { useAuth } from "../../auth/AuthContext";
import { useI18n } from "../../i18n/i18n";
import { useAction, useDocumentTitle, useLoad } from "../../lib/hooks";
import { ErrorState, SkeletonLines } from "../../components/ui";
import { useToast } from "../../components/Toasts";
import type { Resp } from "@mamc/shared/api/types";
import { moneyInput, parseMoney } from "../../lib/money";

type Course = Resp<"/api/v1/courses/{course_id}", "get">;

/** Studio: the instructor's courses — create one, choose and order its videos, publish it. */
export default function CourseEditorPage() {
  const { t, lang, fmtMoney } = useI18n();
  const { api, user } = useAuth();
  const toast = useToast();
  useDocumentTitle(t("social.course.studioTitle"));
  const courses = useLoad(
    () => call(api.client.GET("/api/v1/instructors/{instructor_id}/courses", { params: { path: { instructor_id: user?.id ?? "" } } })),
    [api, user?.id],
  );
  const mine = useLoad(() => call(api.client.GET("/api/v1/videos/mine", { params: { query: { limit: 100 } } })), [api]);
  const [selected, setSelected] = useState<Course | null>(null);
  const [order, setOrder] = useState<string[]>([]);
  const [title, setTitle] = useState("");
  const [price, setPrice] = useState("");
  const [currency, setCurrency] = useState("EUR");
  useEffect(() => {
    setOrder(selected?.video_ids ?? []);
    setPrice(moneyInput(lang, selected?.price_cents));
    setCurrency((selected?.currency ?? "eur").toUpperCase());
  }, [selected, lang]);
  const parsedPrice = parseMoney(lang, price);

  const create = useAction(async (e: FormEvent) => {
    e.preventDefault();
    const c = await call(api.client.POST("/api/v1/courses", { body: { title: title.trim(), description: "" } }));
    setTitle("");
    courses.reload();
    setSelected(c);
  });
  const save = useAction(async () => {
    if (!selected) return;
    const c = await call(api.client.PUT("/api/v1/courses/{course_id}/videos", { params: { path: { course_id: selected.id } }, body: { video_ids: order } }));
    setSelected(c);
    courses.reload();
    toast.push(t("common.saved"), "success");
  });
  const savePrice = useAction(async () => {
    if (!selected || parsedPrice === "invalid") return;
    const body = parsedPrice == null ? { price_cents: null } : { price_cents: parsedPrice, currency };
    const c = await call(api.client.PATCH("/api/v1/courses/{course_id}", { params: { path: { course_id: selected.id } }, body }));
    setSelected(c);
    courses.reload();
    toast.push(t("common.saved"), "success");
  });
  const publish = useAction(async (published: boolean) => {
    if (!selected) return;
    const c = await call(api.client.PATCH("/api/v1/courses/{course_id}", { params: { path: { course_id: selected.id } }, body: { published } }));
    setSelected(c);
    courses.reload();
  });

  const videos = (mine.data?.items ?? []).filter((v) => v.status !== "archived");
  const titleOf = (id: string) => videos.find((v) => v.id === id)?.title ?? id;
  function move(i: number, by: number) {
    const next = [...order];
    const [x] = next.splice(i, 1);
    next.splice(i + by, 0, x);
    setOrder(next);
  }

  if (courses.error) return <ErrorState message={courses.error} onRetry={courses.reload} />;
  return (
    <section className="stack">
      <h1>{t("social.course.studioTitle")}</h1>
      <form className="row" onSubmit={(e) => create.run(e)}>
        <input className="input" aria-label={t("social.course.newTitle")} placeholder={t("social.course.newTitle")} value={title} onChange={(e) => setTitle(e.target.value)} maxLength={200} />
        <button className="btn btn-primary" disabled={create.busy || !title.trim()}>{t("social.course.create")}</button>
      </form>
      {create.error && <div className="alert alert-error" role="alert">{create.error}</div>}
      {!courses.data ? <SkeletonLines lines={3} /> : (
        <ul className="stack" style={{ listStyle: "none", padding: 0 }}>
          {courses.data.map((c) => (
            <li key={c.id} className="row">
              <button className={`btn btn-sm ${selected?.id === c.id ? "btn-primary" : ""}`} onClick={() => setSelected(c)}>{c.title}</button>
              <span className="badge">{c.published ? t("social.course.published") : t("social.course.draftShort")}</span>
              {c.price_cents != null && c.currency && <strong className="price-chip">{fmtMoney(c.price_cents, c.currency)}</strong>}
              {c.published && <Link to={`/courses/${c.id}`}>{t("social.course.view")}</Link>}
            </li>
          ))}
        </ul>
      )}
      {selected && (
        <div className="panel stack" aria-label={selected.title}>
          <h2>{selected.title}</h2>
          <ol className="stack" aria-label={t("social.course.order")}>
            {order.map((id, i) => (
              <li key={id} className="row">
                <span>{titleOf(id)}</span>
                <span className="spacer" />
                <button type="button" className="btn btn-sm" aria-label={t("social.course.up", { title: titleOf(id) })} disabled={i === 0} onClick={() => move(i, -1)}>↑</button>
                <button type="button" className="btn btn-sm" aria-label={t("social.course.down", { title: titleOf(id) })} disabled={i === order.length - 1} onClick={() => move(i, 1)}>↓</button>
                <button type="button" className="btn btn-sm btn-ghost" aria-label={t("social.course.remove", { title: titleOf(id) })} onClick={() => setOrder(order.filter((x) => x !== id))}>✕</button>
              </li>
            ))}
          </ol>
          <label className="field">
            <span>{t("social.course.add")}</span>
            <select className="select" value="" onChange={(e) => e.target.value && setOrder([...order, e.target.value])}>
              <option value="">—</option>
              {videos.filter((v) => !order.includes(v.id)).map((v) => <option key={v.id} value={v.id}>{v.title}</option>)}
            </select>
          </label>
          <fieldset className="panel stack">
            <legend className="label">{t("social.course.bundle")}</legend>
            <p className="small muted">{t("social.course.priceHint")}</p>
            <div className="row">
              <label className="field">
                <span>{t("social.course.price")}</span>
                <input className="input" inputMode="decimal" value={price} onChange={(e) => setPrice(e.target.value)} aria-invalid={parsedPrice === "invalid"} />
              </label>
              <label className="field">
                <span>{t("studio.currency")}</span>
                <select className="select" value={currency} onChange={(e) => setCurrency(e.target.value)}>
                  {["EUR", "USD", "GBP", "CHF"].map((c) => <option key={c}>{c}</option>)}
                </select>
              </label>
            </div>
            {parsedPrice === "invalid" && <p className="small" role="alert">{t("web.moneyFormat", { example: moneyInput(lang, 2990) })}</p>}
            <div className="row">
              <button type="button" className="btn" disabled={savePrice.busy || parsedPrice === "invalid"} onClick={() => savePrice.run()}>{t("social.course.savePrice")}</button>
            </div>
          </fieldset>
          {(save.error || publish.error || savePrice.error) && <div className="alert alert-error" role="alert">{save.error ?? publish.error ?? savePrice.error}</div>}
          <div className="row">
            <button className="btn btn-primary" disabled={save.busy} onClick={() => save.run()}>{t("common.save")}</button>
            <button className="btn" disabled={publish.busy} onClick={() => publish.run(!selected.published)}>
              {selected.published ? t("social.course.unpublish") : t("social.course.publish")}
            </button>
          </div>
        </div>
      )}
    </section>
  );
}
