import { describe, expect, it } from "vitest";
import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { json, makeUser, renderApp } from "../../test/render";
import { safeNext } from "./LoginPage";

const PAIR = { access_token: "a1", refresh_token: null, token_type: "bearer", expires_in: 900 };

describe("auth screens", () => {
  it("logs in, shows the user menu and redirects to ?next", async () => {
    const { router, store, calls } = renderApp("/login?next=/library", (req, url) => {
      if (url.pathname === "/api/v1/auth/login") return json(200, PAIR);
      if (url.pathname === "/api/v1/me") return req.headers.get("Authorization") === "Bearer a1" ? json(200, makeUser()) : json(401, {});
      return json(200, { items: [], next_cursor: null });
    });
    await userEvent.type(screen.getByLabelText("Email"), "kano@example.com");
    await userEvent.type(screen.getByLabelText("Password"), "secret-pass");
    await userEvent.click(screen.getByRole("button", { name: "Log in" }));
    await waitFor(() => expect(router.state.location.pathname).toBe("/library"));
    expect(store.get()?.access_token).toBe("a1");
    expect(calls.find((c) => c.path === "/api/v1/auth/login")?.body).toEqual({ email: "kano@example.com", password: "secret-pass", refresh_token_in: "cookie" });
    expect(await screen.findByRole("button", { name: /Kano/ })).toBeInTheDocument();
  });

  it("shows a localised message for wrong credentials", async () => {
    renderApp("/login", () => json(401, { error: { code: "invalid_credentials", message: "Invalid credentials" } }));
    await userEvent.type(screen.getByLabelText("Email"), "x@y.z");
    await userEvent.type(screen.getByLabelText("Password"), "wrongwrong");
    await userEvent.click(screen.getByRole("button", { name: "Log in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Wrong email or password.");
  });

  it("announces network trouble in a toast as well as inline", async () => {
    renderApp("/login", () => {
      throw new TypeError("Failed to fetch");
    });
    await userEvent.type(screen.getByLabelText("Email"), "x@y.z");
    await userEvent.type(screen.getByLabelText("Password"), "whatever-123");
    await userEvent.click(screen.getByRole("button", { name: "Log in" }));
    await waitFor(() => expect(screen.getAllByRole("alert")).toHaveLength(2));
    for (const a of screen.getAllByRole("alert")) expect(a).toHaveTextContent("Network error: cannot reach the server.");
  });

  it("validates sign-up fields before calling the API", async () => {
    const { calls } = renderApp("/signup", () => json(201, makeUser()));
    await userEvent.click(screen.getByRole("button", { name: "Sign up" }));
    expect(screen.getByText("This field is required.")).toBeInTheDocument();
    expect(screen.getByText("Enter a valid email address.")).toBeInTheDocument();
    expect(screen.getByText("The password must be at least 10 characters.")).toBeInTheDocument();
    expect(calls.filter((c) => c.path.startsWith("/api/v1/auth/register"))).toHaveLength(0);
    await userEvent.type(screen.getByLabelText("Display name"), "Kano");
    await userEvent.type(screen.getByLabelText("Email"), "kano@example.com");
    await userEvent.type(screen.getByLabelText("Password"), "long-enough");
    await userEvent.click(screen.getByRole("button", { name: "Sign up" }));
    expect(await screen.findByRole("status")).toHaveTextContent("kano@example.com");
    expect(calls.find((c) => c.path === "/api/v1/auth/register")?.body).toEqual({ email: "kano@example.com", password: "long-enough", display_name: "Kano", language: "en" });
  });

  it("verifies the email token from the link exactly once", async () => {
    const { calls } = renderApp("/verify-email?token=tok123", (_r, url) => (url.pathname === "/api/v1/auth/verify-email" ? json(200, makeUser()) : undefined));
    expect(await screen.findByText("Your email is verified. You can now log in.")).toBeInTheDocument();
    const posts = calls.filter((c) => c.path === "/api/v1/auth/verify-email");
    expect(posts).toHaveLength(1);
    expect(posts[0].body).toEqual({ token: "tok123" });
  });

  it("a signed-in user who verifies sees one banner: the confirmation, not 'not verified yet'", async () => {
    let verified = false;
    renderApp(
      "/verify-email?token=tok123",
      (_r, url) => {
        if (url.pathname === "/api/v1/auth/verify-email") {
          verified = true;
          return json(200, makeUser({ email_verified: true }));
        }
        if (url.pathname === "/api/v1/me") return json(200, makeUser({ email_verified: verified, language: "en" }));
        return undefined;
      },
      { tokens: { access_token: "a1" } },
    );
    expect(await screen.findByText("Your email is verified. You can now log in.")).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByText(/Your email is not verified yet/)).not.toBeInTheDocument());
    expect(screen.getAllByRole("status")).toHaveLength(1);
  });

  it("reopening the link once verified says 'already verified', not 'invalid link'", async () => {
    renderApp("/verify-email?token=used", () => json(409, { error: { code: "already_verified", message: "already" } }));
    expect(await screen.findByText(/Your email address is already verified/)).toHaveAttribute("role", "status");
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });

  it("shows an error for an invalid verification token", async () => {
    renderApp("/verify-email?token=bad", () => json(400, { error: { code: "invalid_token", message: "bad token" } }));
    expect(await screen.findByRole("alert")).toHaveTextContent("This link is invalid or has expired.");
  });

  it("requests and confirms a password reset", async () => {
    const { calls } = renderApp("/forgot-password", () => new Response(null, { status: 202 }));
    await userEvent.type(screen.getByLabelText("Email"), "kano@example.com");
    await userEvent.click(screen.getByRole("button", { name: "Send reset link" }));
    expect(await screen.findByRole("status")).toHaveTextContent("kano@example.com");
    expect(calls[0]).toMatchObject({ path: "/api/v1/auth/password-reset/request", body: { email: "kano@example.com" } });
  });

  it("sets a new password from the reset link", async () => {
    const { calls } = renderApp("/reset-password?token=rt", () => json(200, {}));
    await userEvent.type(screen.getByLabelText("New password"), "brand-new-pass");
    await userEvent.click(screen.getByRole("button", { name: "Set new password" }));
    expect(await screen.findByText("Password changed. You can now log in.")).toBeInTheDocument();
    expect(calls[0].body).toEqual({ token: "rt", new_password: "brand-new-pass" });
  });

  it("only accepts same-app redirects", () => {
    expect(safeNext("/studio")).toBe("/studio");
    expect(safeNext("//evil.com")).toBe("/");
    expect(safeNext("https://evil.com")).toBe("/");
    expect(safeNext(null)).toBe("/");
  });

  it("an unverified user blocked by email_not_verified is offered to resend the link", async () => {
    const { calls } = renderApp(
      "/account",
      (_req, url) => {
        if (url.pathname === "/api/v1/me") return json(200, makeUser({ email_verified: false, language: "en" }));
        if (url.pathname === "/api/v1/auth/resend-verification") return json(202, { status: "accepted" });
        return undefined;
      },
      { tokens: { access_token: "a1" } },
    );
    expect(await screen.findByText(/Your email is not verified yet/)).toBeInTheDocument();
    window.dispatchEvent(new CustomEvent("mamc:email-not-verified"));
    expect(await screen.findByText(/Confirm your email address to do that/)).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Resend verification email" }));
    await waitFor(() => expect(calls.some((c) => c.path === "/api/v1/auth/resend-verification")).toBe(true));
  });

  it("chooses the language of the mails on the account page", async () => {
    const { calls } = renderApp(
      "/account",
      (req, url) => {
        if (url.pathname === "/api/v1/me" && req.method === "GET") return json(200, makeUser({ language: "en" }));
        if (url.pathname === "/api/v1/me") return json(200, makeUser({ language: "it" }));
        return undefined;
      },
      { tokens: { access_token: "a1" } },
    );
    await userEvent.selectOptions(await screen.findByLabelText("Language of our emails"), "it");
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() =>
      expect(calls.find((c) => c.method === "PATCH" && c.path === "/api/v1/me")?.body).toEqual({ display_name: "Kano", language: "it" }),
    );
  });
});
