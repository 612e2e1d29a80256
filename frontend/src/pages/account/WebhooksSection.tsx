import { useEffect, useState, type FormEvent } from "react";
import { call } from "../../api/client";
import { useAuth } from "../../auth/AuthContext";
import { useToast } from "../../components/Toasts";
import { useI18n } from "../../i18n/i18n";
import { domainError } from "../../lib/domainErrors";
import type { components } from "@mamc/shared/api/schema";

type Endpoint = components["schemas"]["EndpointOut"];
type Delivery = components["schemas"]["DeliveryOut"];

/** Account page (instructors and admins): webhook endpoints, their delivery log, replay. */
export function WebhooksSection() {
  const { t, fmtDate } = useI18n();
  const { api } = useAuth();
  const toast = useToast();
  const [endpoints, setEndpoints] = useState<Endpoint[]>([]);
  const [events, setEvents] = useState<string[]>([]);
  const [url, setUrl] = useState("");
  const [chosen, setChosen] = useState<string[]>([]);
  const [secret, setSecret] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [deliveries, setDeliveries] = useState<Delivery[]>([]);
  const [error, setError] = useState<string | null>(null);
  const eventName = (event: string) => t(`webhooks.eventNames.${event.replace(".", "_")}`);

  async function reload() {
    const out = await call(api.client.GET("/api/v1/webhooks/endpoints"));
    setEndpoints(out.items);
    setEvents(out.events);
  }
  useEffect(() => {
    reload().catch((e: unknown) => setError(domainError(t, "webhooks", e)));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api]);

  async function add(e: FormEvent) {
    e.preventDefault();
    try {
      const created = await call(api.client.POST("/api/v1/webhooks/endpoints", { body: { url, events: chosen, description: "" } }));
      setSecret(created.secret);
      setUrl("");
      setChosen([]);
      setError(null);
      await reload();
    } catch (err) {
      setError(domainError(t, "webhooks", err));
    }
  }

  async function remove(id: string) {
    await call(api.client.DELETE("/api/v1/webhooks/endpoints/{endpoint_id}", { params: { path: { endpoint_id: id } } }));
    await reload();
  }

  async function show(id: string) {
    setOpen(id);
    const out = await call(api.client.GET("/api/v1/webhooks/endpoints/{endpoint_id}/deliveries", { params: { path: { endpoint_id: id } } }));
    setDeliveries(out.items);
  }

  async function replay(d: Delivery) {
    try {
      await call(api.client.POST("/api/v1/webhooks/deliveries/{delivery_id}/replay", { params: { path: { delivery_id: d.id } } }));
      toast.push(t("webhooks.replayed"), "success");
      if (open) await show(open);
    } catch (err) {
      toast.push(domainError(t, "webhooks", err), "error");
    }
  }

  return (
    <section className="card stack" aria-labelledby="webhooks">
      <h2 id="webhooks">{t("webhooks.title")}</h2>
      <p className="small muted">{t("webhooks.intro")}</p>
      {error && <div className="alert alert-error" role="alert">{error}</div>}
      {secret && (
        <div className="alert" role="status">
          {t("webhooks.secretOnce")} <code>{secret}</code>
        </div>
      )}
      <ul>
        {endpoints.map((ep) => (
          <li key={ep.id}>
            <code>{ep.url}</code> — {ep.events.map((ev) => eventName(ev)).join(", ")}{" "}
            <button className="btn btn-ghost btn-sm" onClick={() => void show(ep.id)}>{t("webhooks.deliveries")}</button>
            <button className="btn btn-ghost btn-sm" onClick={() => void remove(ep.id)}>{t("webhooks.remove")}</button>
            {open === ep.id && (
              <ul className="small">
                {deliveries.length === 0 && <li className="muted">{t("webhooks.noDeliveries")}</li>}
                {deliveries.map((d) => (
                  <li key={d.id}>
                    {fmtDate(d.created_at)} · {eventName(d.event_type)} · {t(`webhooks.status.${d.status}`)} ·{" "}
                    {t("webhooks.attempts", { count: d.attempts })}
                    {d.last_status_code ? ` · HTTP ${d.last_status_code}` : ""}{" "}
                    <button className="btn btn-ghost btn-sm" onClick={() => void replay(d)}>{t("webhooks.replay")}</button>
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ul>
      <form onSubmit={add} className="stack" noValidate>
        <label htmlFor="webhook-url">{t("webhooks.url")}</label>
        <input id="webhook-url" className="input" type="url" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://" />
        <fieldset>
          <legend>{t("webhooks.events")}</legend>
          {events.map((ev) => (
            <label key={ev} style={{ marginRight: 12 }}>
              <input
                type="checkbox"
                checked={chosen.includes(ev)}
                onChange={() => setChosen((c) => (c.includes(ev) ? c.filter((x) => x !== ev) : [...c, ev]))}
              />{" "}
              {eventName(ev)}
            </label>
          ))}
        </fieldset>
        <div><button className="btn btn-primary" disabled={!url || !chosen.length}>{t("webhooks.add")}</button></div>
      </form>
    </section>
  );
}
