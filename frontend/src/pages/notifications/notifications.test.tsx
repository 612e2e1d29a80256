import { describe, expect, it } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { json, makeUser, renderApp, type Handler } from "../../test/render";

const TOKENS = { access_token: "a" };

function sse(...events: [string, unknown][]) {
  const body = events.map(([name, data]) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`).join("");
  return new Response(body, { status: 200, headers: { "Content-Type": "text/event-stream" } });
}

const item = (id: string, read: boolean) => ({
  id, kind: "sale", title: `Sale ${id}`, body: `Aiko bought Kata ${id}`, params: {}, link: "/studio/earnings", read,
  created_at: "2026-11-29T10:00:00Z",
});

describe("notifications", () => {
  it("the bell shows the unread count the stream sends", async () => {
    const handler: Handler = (_r, url) => {
      if (url.pathname === "/api/v1/me") return json(200, makeUser());
      if (url.pathname === "/api/v1/videos") return json(200, { items: [], next_cursor: null });
      if (url.pathname === "/api/v1/notifications/stream") return sse(["progress", { status: "live", unread: 1 }], ["progress", { status: "live", unread: 3 }]);
    };
    renderApp("/", handler, { tokens: TOKENS });
    expect(await screen.findByTestId("bell-count", {}, { timeout: 5000 })).toHaveTextContent("3");
    expect(screen.getByRole("link", { name: "Notifications — 3 unread" })).toHaveAttribute("href", "/notifications");
  });

  it("lists notifications, marks all read and saves preferences", async () => {
    let prefs = [{ kind: "sale", in_app: true, email: true, push: true }];
    const handler = (async (req: Request, url: URL) => {
      if (url.pathname === "/api/v1/me") return json(200, makeUser({ role: "instructor" }));
      if (url.pathname === "/api/v1/notifications") return json(200, { items: [item("1", false), item("2", true)], unread: 1, next_before: null });
      if (url.pathname === "/api/v1/notifications/read-all") return json(200, { unread: 0 });
      if (url.pathname === "/api/v1/notifications/reminder") return json(200, { local_time: null, timezone: "UTC" });
      if (url.pathname === "/api/v1/notifications/preferences") {
        if (req.method === "PUT") prefs = ((await req.json()) as { items: typeof prefs }).items;
        return json(200, { items: prefs });
      }
    }) as Handler;
    const { calls } = renderApp("/notifications", handler, { tokens: TOKENS });
    expect(await screen.findByRole("link", { name: "Sale 1" }, { timeout: 5000 })).toBeInTheDocument();
    expect(screen.getByText("1 unread")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Mark all as read" }));
    expect(await screen.findByText("0 unread")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Mark as read" })).not.toBeInTheDocument();

    const table = screen.getByRole("table");
    await userEvent.click(within(table).getByRole("checkbox", { name: "A sale of your video — Email" }));
    await userEvent.click(screen.getAllByRole("button", { name: "Save" })[0]);
    await waitFor(() => expect(calls.some((c) => c.method === "PUT" && c.path === "/api/v1/notifications/preferences")).toBe(true));
    expect(prefs).toEqual([{ kind: "sale", in_app: true, email: false, push: true }]);
  });

  it("account: schedules the deletion with the password and can cancel it; webhooks show the secret once", async () => {
    let pending: unknown = null;
    const handler = (async (req: Request, url: URL) => {
      if (url.pathname === "/api/v1/me" && req.method === "GET") return json(200, makeUser({ role: "instructor" }));
      if (url.pathname === "/api/v1/me" && req.method === "DELETE") {
        const body = (await req.json()) as { password: string };
        if (body.password !== "right") return json(403, { error: { code: "wrong_password", message: "The password is not right." } });
        pending = { requested_at: "2026-11-29T10:00:00Z", erase_after: "2026-12-13T10:00:00Z" };
        return json(202, pending);
      }
      if (url.pathname === "/api/v1/me/erasure" && req.method === "GET") return json(200, { pending, grace_days: 14 });
      if (url.pathname === "/api/v1/me/erasure" && req.method === "DELETE") return new Response(null, { status: 204 });
      if (url.pathname === "/api/v1/webhooks/endpoints" && req.method === "GET") return json(200, { items: [], events: ["video.published", "purchase.paid"] });
      if (url.pathname === "/api/v1/webhooks/endpoints" && req.method === "POST")
        return json(201, { id: "e1", url: "https://example.com/h", events: ["purchase.paid"], description: "", active: true, created_at: "2026-11-29T10:00:00Z", secret: "whsec_abc" });
    }) as Handler;
    renderApp("/account", handler, { tokens: TOKENS });
    const password = await screen.findByLabelText("Your password, to confirm", {}, { timeout: 5000 });
    await userEvent.type(password, "wrong");
    await userEvent.click(screen.getByRole("button", { name: "Delete my account" }));
    expect(await screen.findByText("The password is not right.")).toBeInTheDocument();
    await userEvent.clear(password);
    await userEvent.type(password, "right");
    await userEvent.click(screen.getByRole("button", { name: "Delete my account" }));
    expect(await screen.findByText(/Your account will be erased on/)).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Cancel the deletion" }));
    expect(await screen.findByLabelText("Your password, to confirm")).toBeInTheDocument();

    await userEvent.type(screen.getByLabelText("Endpoint URL"), "https://example.com/h");
    await userEvent.click(await screen.findByRole("checkbox", { name: "Purchase paid" }, { timeout: 5000 }));
    await userEvent.click(screen.getByRole("button", { name: "Add endpoint" }));
    expect(await screen.findByText("whsec_abc")).toBeInTheDocument();
  }, 30_000);
});
