import { describe, expect, it } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { json, makeUser, renderApp } from "../../test/render";
import { ownerVideo, playback } from "../../test/fixtures";

const TOKENS = { access_token: "a", refresh_token: "r" };
const admin = makeUser({ id: "adm", role: "admin", display_name: "Root" });

describe("admin console", () => {
  it("is closed to instructors", async () => {
    renderApp("/admin", (_r, url) => (url.pathname === "/api/v1/me" ? json(200, makeUser({ role: "instructor" })) : undefined), { tokens: TOKENS });
    expect(await screen.findByText("You do not have access to this page.")).toBeInTheDocument();
  });

  it("review queue → video → reject requires a reason", async () => {
    const { calls } = renderApp(
      "/admin",
      (req, url) => {
        if (url.pathname === "/api/v1/me") return json(200, admin);
        if (url.pathname === "/api/v1/admin/moderation/queue")
          return json(200, { items: [{ video: ownerVideo(1, { status: "in_review" }), open_reports: 2, trusted_reports: 1, review_note: "Submitted by the instructor", has_pending_edit: false }], next_cursor: null });
        if (url.pathname === "/api/v1/admin/videos/v1/reject" && req.method === "POST") return json(200, ownerVideo(1, { status: "rejected" }));
        if (url.pathname === "/api/v1/admin/videos/v1")
          return json(200, {
            video: ownerVideo(1, { status: "in_review" }),
            reports: [{ id: "r1", video_id: "v1", reporter_id: "u2", reason: "spam", details: "ads", trusted: false, created_at: "2024-06-01T00:00:00Z", resolved_at: null, resolution: null }],
            history: [{ from_status: "processing", to_status: "in_review", actor_id: null, reason: null, created_at: "2024-06-01T00:00:00Z" }],
            probe: {},
          });
        if (url.pathname === "/api/v1/videos/v1/playback") return json(200, playback({ access: "admin" }));
      },
      { tokens: TOKENS },
    );
    expect(await screen.findByText("2 open reports (1 trusted)")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("link", { name: "Kata 1" }));
    expect(await screen.findByText("Spam")).toBeInTheDocument();
    expect(screen.getByText("New or unverified account")).toBeInTheDocument(); // the report's weight
    // the reviewer sees what the video costs
    const prices = screen.getByLabelText("Ways to watch");
    expect(prices).toHaveTextContent("Buy €12.99");
    expect(prices).toHaveTextContent("Rent €3.99");
    await userEvent.click(screen.getByRole("button", { name: "Reject" }));
    const dialog = screen.getByRole("dialog", { name: "Reject" });
    const confirm = within(dialog).getByRole("button", { name: "Reject" });
    expect(confirm).toBeDisabled();
    await userEvent.type(within(dialog).getByLabelText("Reason"), "Audio is missing");
    await userEvent.click(confirm);
    await waitFor(() => expect(calls.some((c) => c.path === "/api/v1/admin/videos/v1/reject")).toBe(true));
    expect(calls.find((c) => c.path === "/api/v1/admin/videos/v1/reject")!.body).toEqual({ reason: "Audio is missing" });
    expect(await screen.findByText("Video rejected.")).toBeInTheDocument();
  });

  it("dismisses one report with a reason; the queue counts with real plurals", async () => {
    let closed = false;
    const report = { id: "r1", video_id: "v1", reporter_id: "u2", reason: "spam", details: "ads", trusted: true, created_at: "2024-06-01T00:00:00Z", resolved_at: null, resolution: null, resolution_note: null };
    const { calls } = renderApp(
      "/admin",
      (req, url) => {
        if (url.pathname === "/api/v1/me") return json(200, admin);
        if (url.pathname === "/api/v1/admin/moderation/queue")
          return json(200, { items: [{ video: ownerVideo(1, { status: "published" }), open_reports: 1, trusted_reports: 1, review_note: null, has_pending_edit: false }], next_cursor: null });
        if (url.pathname === "/api/v1/admin/reports/r1/close" && req.method === "POST") {
          closed = true;
          return json(200, { ...report, resolved_at: "2024-06-02T00:00:00Z", resolution: "dismissed", resolution_note: "A real seminar" });
        }
        if (url.pathname === "/api/v1/admin/videos/v1")
          return json(200, {
            video: ownerVideo(1, { status: "published" }),
            reports: [closed ? { ...report, resolved_at: "2024-06-02T00:00:00Z", resolution: "dismissed", resolution_note: "A real seminar" } : report],
            history: [{ from_status: "in_review", to_status: "published", actor_id: null, reason: null, created_at: "2024-06-01T00:00:00Z" }],
            probe: {},
          });
        if (url.pathname === "/api/v1/videos/v1/playback") return json(200, playback({ access: "admin" }));
      },
      { tokens: TOKENS },
    );
    expect(await screen.findByText("1 open report (1 trusted)")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("link", { name: "Kata 1" }));
    await userEvent.click(await screen.findByRole("button", { name: "Dismiss" }));
    const dialog = screen.getByRole("dialog", { name: "Dismiss this report" });
    await userEvent.type(within(dialog).getByLabelText("Reason"), "A real seminar");
    await userEvent.click(within(dialog).getByRole("button", { name: "Dismiss" }));
    expect(await screen.findByText("Report dismissed.")).toBeInTheDocument();
    expect(calls.find((c) => c.path === "/api/v1/admin/reports/r1/close")!.body).toEqual({ outcome: "dismissed", reason: "A real seminar" });
    expect(await screen.findByText("Dismissed")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Resolve" })).not.toBeInTheDocument();
  });

  it("shows a published video's pending edit next to the live version and approves it", async () => {
    const live = ownerVideo(1, {
      status: "published", title: "Kata 1", price_cents: 1299,
      pending_edit: { title: "Kata 1, revised", price_cents: 1599, poster_url: "/api/v1/videos/v1/poster?pending=true&v=abc", changed: ["poster", "price_cents", "title"], submitted_at: "2024-06-02T00:00:00Z" },
    });
    const { calls } = renderApp(
      "/admin/videos/v1",
      (req, url) => {
        if (url.pathname === "/api/v1/me") return json(200, admin);
        if (url.pathname === "/api/v1/admin/videos/v1/edit/approve" && req.method === "POST")
          return json(200, { ...live, title: "Kata 1, revised", price_cents: 1599, pending_edit: null });
        if (url.pathname === "/api/v1/admin/videos/v1") return json(200, { video: live, reports: [], history: [], probe: {} });
        if (url.pathname === "/api/v1/videos/v1/playback") return json(200, playback({ access: "admin" }));
      },
      { tokens: TOKENS },
    );
    const row = (await screen.findByRole("rowheader", { name: "Title" })).closest("tr")!;
    expect(within(row).getByText("Kata 1")).toBeInTheDocument();
    expect(within(row).getByText("Kata 1, revised")).toBeInTheDocument();
    const price = screen.getByRole("rowheader", { name: "Purchase price" }).closest("tr")!;
    expect(within(price).getByText("€12.99")).toBeInTheDocument();
    expect(within(price).getByText("€15.99")).toBeInTheDocument();
    expect(screen.getByAltText("The proposed poster")).toHaveAttribute("src", "/api/v1/videos/v1/poster?pending=true&v=abc");
    await userEvent.click(screen.getByRole("button", { name: "Approve the changes" }));
    await userEvent.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Approve the changes" }));
    await waitFor(() => expect(calls.some((c) => c.path === "/api/v1/admin/videos/v1/edit/approve")).toBe(true));
    expect(await screen.findByText("Changes approved and live.")).toBeInTheDocument();
  });

  it("changes a user's role with PATCH and updates the row", async () => {
    const kano = makeUser({ id: "u2", email: "kano@example.com", display_name: "Kano" });
    const { calls } = renderApp(
      "/admin/users",
      (req, url) => {
        if (url.pathname === "/api/v1/me") return json(200, admin);
        if (url.pathname === "/api/v1/admin/users/u2" && req.method === "PATCH") return json(200, { ...kano, role: "instructor" });
        if (url.pathname === "/api/v1/admin/users") return json(200, { items: [admin, kano], next_cursor: null });
      },
      { tokens: TOKENS },
    );
    const select = await screen.findByLabelText("Change role of Kano");
    expect(screen.getByLabelText("Change role of Root")).toBeDisabled(); // no self-demotion
    await userEvent.selectOptions(select, "instructor");
    await userEvent.type(screen.getByLabelText("Reason"), "Verified black belt");
    await userEvent.click(screen.getByRole("button", { name: "Confirm" }));
    await waitFor(() => expect((screen.getByLabelText("Change role of Kano") as HTMLSelectElement).value).toBe("instructor"));
    expect(calls.find((c) => c.method === "PATCH")!.body).toEqual({ role: "instructor", reason: "Verified black belt" });
  });

  it("refunds part of a paid purchase: buyer by name and email, the row updates when Stripe confirms", async () => {
    const pay = {
      id: "p1", video_id: "v1", video_title: "Kata 1", kind: "ppv", status: "paid", amount_cents: 1299, currency: "EUR", rental_hours: null, amount_refunded_cents: 0,
      paid_at: "2024-06-01T00:00:00Z", refunded_at: null, created_at: "2024-06-01T00:00:00Z", user_id: "u2", instructor_id: "i1", platform_fee_bps: 2000,
      stripe_fee_cents: 40, checkout_session_id: "cs", payment_intent_id: "pi", charge_id: "ch", customer_id: "cus", failure_message: null, refund_requested_at: null, refund_id: null,
      refund_pending_cents: 0, buyer_name: "Aiko Tanaka", buyer_email: "aiko@example.com",
    };
    let confirmed = false;
    const { calls } = renderApp(
      "/admin/payments",
      (_req, url) => {
        if (url.pathname === "/api/v1/me") return json(200, admin);
        if (url.pathname === "/api/v1/admin/payments/p1/refund") return json(200, { ...pay, refund_requested_at: "x", refund_pending_cents: 500 });
        if (url.pathname === "/api/v1/admin/payments/p1") {
          const seen = confirmed;
          confirmed = true; // Stripe's charge.refunded arrives after the first re-read
          return json(200, seen ? { ...pay, status: "partially_refunded", amount_refunded_cents: 500 } : { ...pay, refund_pending_cents: 500 });
        }
        if (url.pathname === "/api/v1/admin/payments") return json(200, { items: [pay], next_cursor: null });
      },
      { tokens: TOKENS },
    );
    expect(await screen.findByText(/Aiko Tanaka/)).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "aiko@example.com" })).toHaveAttribute("href", "mailto:aiko@example.com");
    await userEvent.click(screen.getByRole("button", { name: "Refund" }));
    const amount = screen.getByLabelText("Amount to refund (EUR)");
    expect(amount).toHaveValue("12.99");
    await userEvent.clear(amount);
    await userEvent.type(amount, "20");
    await userEvent.type(screen.getByLabelText("Reason"), "Customer request");
    await userEvent.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Refund" }));
    expect(await screen.findByText("Enter an amount above zero and at most €12.99.")).toBeInTheDocument();
    expect(calls.some((c) => c.path.endsWith("/refund"))).toBe(false);
    await userEvent.clear(amount);
    await userEvent.type(amount, "5");
    await userEvent.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Refund" }));
    expect(await screen.findByText("Refund of €5.00 requested, waiting for Stripe…")).toBeInTheDocument();
    expect(calls.find((c) => c.path.endsWith("/refund"))!.body).toEqual({ reason: "Customer request", amount_cents: 500 });
    await waitFor(() => expect(within(screen.getByRole("table")).getByText("Partially refunded")).toBeInTheDocument());
    expect(screen.queryByText(/waiting for Stripe/)).not.toBeInTheDocument();
  });

  it("a full refund sends no amount, and a paid row never shows an earlier decline", async () => {
    const pay = {
      id: "p1", video_id: "v1", video_title: "Kata 1", kind: "ppv", status: "paid", amount_cents: 1299, currency: "EUR", rental_hours: null, amount_refunded_cents: 0,
      paid_at: "2024-06-01T00:00:00Z", refunded_at: null, created_at: "2024-06-01T00:00:00Z", user_id: "u2", instructor_id: "i1", platform_fee_bps: 2000,
      stripe_fee_cents: 40, checkout_session_id: "cs", payment_intent_id: "pi", charge_id: "ch", customer_id: "cus", failure_message: "Your card was declined.", refund_requested_at: null, refund_id: null,
      refund_pending_cents: 0, buyer_name: null, buyer_email: null,
    };
    const { calls } = renderApp(
      "/admin/payments",
      (_req, url) => {
        if (url.pathname === "/api/v1/me") return json(200, admin);
        if (url.pathname === "/api/v1/admin/payments/p1/refund") return json(200, { ...pay, status: "refunded", amount_refunded_cents: 1299, refund_requested_at: "x" });
        if (url.pathname === "/api/v1/admin/payments") return json(200, { items: [pay], next_cursor: null });
      },
      { tokens: TOKENS },
    );
    expect(await screen.findByText("Deleted account")).toBeInTheDocument();
    expect(screen.queryByText("Your card was declined.")).not.toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Refund" }));
    await userEvent.type(screen.getByLabelText("Reason"), "Customer request");
    await userEvent.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Refund" }));
    await waitFor(() => expect(within(screen.getByRole("table")).getByText("Refunded")).toBeInTheDocument());
    expect(calls.find((c) => c.path.endsWith("/refund"))!.body).toEqual({ reason: "Customer request" });
  });
});
