import { render } from "@testing-library/react";
import { createMemoryRouter, RouterProvider } from "react-router-dom";
import { vi } from "vitest";
import { I18nProvider, type Lang } from "../i18n/i18n";
import { ToastProvider } from "../components/Toasts";
import { AuthProvider } from "../auth/AuthContext";
import { createApi } from "../api/client";
import { createTokenStore, type Tokens } from "../api/tokens";
import { routes } from "../App";

export const BASE = "http://test.local";
export type Handler = (req: Request, url: URL) => Response | Promise<Response> | undefined;

export const json = (status: number, body?: unknown) =>
  new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

export function makeUser(over: Record<string, unknown> = {}) {
  return { id: "u1", email: "kano@example.com", display_name: "Kano", role: "student", is_active: true, email_verified: true, created_at: "2024-01-01T00:00:00Z", ...over };
}

/** Render the real route tree at `path` with a stubbed backend. */
export function renderApp(path: string, handler: Handler, opts: { tokens?: Tokens | null; lang?: Lang } = {}) {
  const calls: { method: string; path: string; body?: unknown }[] = [];
  const fetch = vi.fn(async (req: Request) => {
    const url = new URL(req.url);
    const text = req.method === "GET" || req.method === "HEAD" ? "" : await req.clone().text();
    calls.push({ method: req.method, path: url.pathname + url.search, body: text ? JSON.parse(text) : undefined });
    const r = await handler(req, url);
    return r ?? json(404, { error: { code: "not_found", message: `no stub for ${req.method} ${url.pathname}` } });
  });
  const store = createTokenStore(null);
  if (opts.tokens) store.set(opts.tokens);
  const api = createApi({ baseUrl: BASE, fetch, tokens: store });
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  const utils = render(
    <I18nProvider initial={opts.lang ?? "en"}>
      <ToastProvider>
        <AuthProvider api={api}>
          <RouterProvider router={router} />
        </AuthProvider>
      </ToastProvider>
    </I18nProvider>,
  );
  return { ...utils, router, calls, api, store, fetch };
}
