import { describe, expect, it, vi } from "vitest";
import { call, createApi } from "./client";
import { ApiError } from "@mamc/shared/api/errors";
import { createTokenStore } from "./tokens";

const BASE = "http://test.local";
const json = (status: number, body: unknown) =>
  new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
const USER = { id: "u1", email: "a@b.c", display_name: "A", role: "student", is_active: true, email_verified: true, created_at: "2024-01-01T00:00:00Z" };

function setup(handler: (req: Request) => Response | Promise<Response>, tokens = { access_token: "old" }) {
  const seen: { method: string; path: string; auth: string | null; body?: string; csrf: string | null; credentials: string }[] = [];
  const fetch = vi.fn(async (req: Request) => {
    const body = req.method === "GET" ? undefined : await req.clone().text();
    seen.push({
      method: req.method,
      path: new URL(req.url).pathname,
      auth: req.headers.get("Authorization"),
      body,
      csrf: req.headers.get("X-Requested-With"),
      credentials: req.credentials,
    });
    return handler(req);
  });
  const store = createTokenStore(null);
  store.set(tokens);
  const onSessionExpired = vi.fn();
  const api = createApi({ baseUrl: BASE, fetch, tokens: store, onSessionExpired });
  return { api, fetch, seen, store, onSessionExpired };
}

describe("API client wrapper", () => {
  it("adds the bearer token", async () => {
    const { api, seen } = setup(() => json(200, USER));
    const me = await call(api.client.GET("/api/v1/me"));
    expect(me.email).toBe("a@b.c");
    expect(seen[0].auth).toBe("Bearer old");
  });

  it("refreshes once on 401 through the HttpOnly cookie and retries the original request", async () => {
    const { api, seen, store } = setup((req) => {
      const p = new URL(req.url).pathname;
      if (p === "/api/v1/auth/refresh") return json(200, { access_token: "new", refresh_token: null, token_type: "bearer", expires_in: 900 });
      return req.headers.get("Authorization") === "Bearer new" ? json(200, USER) : json(401, { error: { code: "token_expired", message: "expired" } });
    });
    const me = await call(api.client.GET("/api/v1/me"));
    expect(me.id).toBe("u1");
    expect(seen.map((s) => s.path)).toEqual(["/api/v1/me", "/api/v1/auth/refresh", "/api/v1/me"]);
    // No token in the body: the browser sends the cookie; the custom header is the CSRF check.
    expect(seen[1].body).toBe("");
    expect(seen[1].csrf).toBe("fetch");
    expect(seen[1].credentials).toBe("same-origin");
    expect(store.get()).toEqual({ access_token: "new", expires_at: expect.any(Number) });
  });

  it("never keeps a refresh token where page scripts can read it", async () => {
    const mem = new Map<string, string>();
    const storage = { getItem: (k: string) => mem.get(k) ?? null, setItem: (k: string, v: string) => void mem.set(k, v), removeItem: (k: string) => void mem.delete(k) } as Storage;
    const store = createTokenStore(storage);
    store.set({ access_token: "a1" });
    expect([...mem.entries()]).toEqual([["mamc.session", "1"]]);
    store.set(null);
    expect(mem.size).toBe(0);
  });

  it("retries a request with a JSON body after refreshing", async () => {
    const { api, seen } = setup((req) => {
      const p = new URL(req.url).pathname;
      if (p === "/api/v1/auth/refresh") return json(200, { access_token: "new", token_type: "bearer", expires_in: 900 });
      return req.headers.get("Authorization") === "Bearer new" ? json(200, USER) : json(401, {});
    });
    await call(api.client.PATCH("/api/v1/admin/users/{user_id}", { params: { path: { user_id: "u1" } }, body: { role: "instructor" } }));
    expect(seen[2].body).toBe(JSON.stringify({ role: "instructor" }));
  });

  it("does not loop: a second 401 after refresh is returned as an error", async () => {
    const { api, seen } = setup((req) => {
      if (new URL(req.url).pathname === "/api/v1/auth/refresh") return json(200, { access_token: "new", token_type: "bearer", expires_in: 900 });
      return json(401, { error: { code: "not_authenticated", message: "nope" } });
    });
    await expect(call(api.client.GET("/api/v1/me"))).rejects.toMatchObject({ status: 401, code: "not_authenticated" });
    expect(seen.filter((s) => s.path === "/api/v1/auth/refresh")).toHaveLength(1);
    expect(seen).toHaveLength(3);
  });

  it("clears tokens and signals expiry when the refresh fails", async () => {
    const { api, store, onSessionExpired } = setup((req) =>
      new URL(req.url).pathname === "/api/v1/auth/refresh" ? json(401, { error: { code: "invalid_token", message: "x" } }) : json(401, {}),
    );
    await expect(call(api.client.GET("/api/v1/me"))).rejects.toBeInstanceOf(ApiError);
    expect(store.get()).toBeNull();
    expect(store.hasSession()).toBe(false);
    expect(onSessionExpired).toHaveBeenCalledOnce();
  });

  it("does not try to refresh when no session was ever started", async () => {
    const { api, seen, store } = setup(() => json(401, {}));
    store.set(null);
    await expect(call(api.client.GET("/api/v1/me"))).rejects.toMatchObject({ status: 401 });
    expect(seen.map((s) => s.path)).toEqual(["/api/v1/me"]);
  });

  it("tells the page when an action needs a verified email", async () => {
    const { api } = setup(() => json(403, { error: { code: "email_not_verified", message: "Confirm your email" } }));
    const heard = new Promise((resolve) => window.addEventListener("mamc:email-not-verified", resolve, { once: true }));
    await expect(call(api.client.POST("/api/v1/checkout", { body: { kind: "ppv", video_id: "v1" } }))).rejects.toMatchObject({
      code: "email_not_verified",
    });
    await expect(heard).resolves.toBeTruthy();
  });

  it("shares one refresh between concurrent 401s", async () => {
    const { api, seen } = setup(async (req) => {
      if (new URL(req.url).pathname === "/api/v1/auth/refresh") {
        await new Promise((r) => setTimeout(r, 10));
        return json(200, { access_token: "new", token_type: "bearer", expires_in: 900 });
      }
      return req.headers.get("Authorization") === "Bearer new" ? json(200, USER) : json(401, {});
    });
    await Promise.all([call(api.client.GET("/api/v1/me")), call(api.client.GET("/api/v1/me"))]);
    expect(seen.filter((s) => s.path === "/api/v1/auth/refresh")).toHaveLength(1);
  });

  it("never refreshes on a failed login", async () => {
    const { api, seen } = setup(() => json(401, { error: { code: "invalid_credentials", message: "bad" } }));
    await expect(call(api.client.POST("/api/v1/auth/login", { body: { email: "a", password: "b", refresh_token_in: "cookie" } }))).rejects.toMatchObject({
      code: "invalid_credentials",
      message: "bad",
    });
    expect(seen).toHaveLength(1);
  });

  it("maps error bodies to typed ApiError (including FastAPI 422 detail)", async () => {
    const { api } = setup(() => json(422, { detail: [{ msg: "field required" }] }));
    const err = await call(api.client.GET("/api/v1/me")).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe("validation_error");
    expect(err.message).toContain("field required");
  });

  it("turns a network failure into ApiError network_error", async () => {
    const { api } = setup(() => {
      throw new TypeError("Failed to fetch");
    });
    await expect(call(api.client.GET("/api/v1/me"))).rejects.toMatchObject({ status: 0, code: "network_error" });
  });
});

describe("API client across tabs", () => {
  it("a tab that finds the session marker refreshes through the shared cookie", async () => {
    const mem = new Map<string, string>([["mamc.session", "1"]]); // another tab logged in
    const storage = { getItem: (k: string) => mem.get(k) ?? null, setItem: (k: string, v: string) => void mem.set(k, v), removeItem: (k: string) => void mem.delete(k) } as Storage;
    const seen: string[] = [];
    const fetch = vi.fn(async (req: Request) => {
      const path = new URL(req.url).pathname;
      seen.push(`${path} ${req.headers.get("Authorization")}`);
      if (path === "/api/v1/auth/refresh") return json(200, { access_token: "fresh", token_type: "bearer", expires_in: 900 });
      return req.headers.get("Authorization") === "Bearer fresh" ? json(200, USER) : json(401, {});
    });
    const store = createTokenStore(storage);
    expect(store.hasSession()).toBe(true);
    const api = createApi({ baseUrl: BASE, fetch, tokens: store });
    await call(api.client.GET("/api/v1/me"));
    expect(seen).toEqual(["/api/v1/me null", "/api/v1/auth/refresh null", "/api/v1/me Bearer fresh"]);
  });
});
