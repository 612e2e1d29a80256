import { describe, expect, it } from "vitest";
import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { json, makeUser, renderApp } from "../test/render";

const TOKENS = { access_token: "a" };
const home = (role: string) => (_r: Request, url: URL) => {
  if (url.pathname === "/api/v1/me") return json(200, makeUser({ role, display_name: `The ${role}` }));
  if (url.pathname === "/api/v1/videos") return json(200, { items: [], next_cursor: null });
};

describe("header", () => {
  it.each([
    ["student", ["My library"], ["Studio", "Admin"]],
    ["instructor", ["My library", "Studio"], ["Admin"]],
    ["admin", ["My library", "Studio", "Admin"], []],
  ])("shows the %s's sections", async (role, shown, hidden) => {
    renderApp("/", home(role), { tokens: TOKENS });
    const nav = await screen.findByRole("navigation", { name: "Main navigation" });
    await screen.findByRole("button", { name: /Account menu/ });
    for (const name of shown) expect(nav).toContainElement(screen.getAllByRole("link", { name })[0]);
    for (const name of hidden) expect(screen.queryByRole("link", { name })).not.toBeInTheDocument();
  });

  it("user menu opens, closes on Escape and returns focus; logout clears the session", async () => {
    const { store, calls } = renderApp("/", home("student"), { tokens: TOKENS });
    const button = await screen.findByRole("button", { name: /Account menu/ });
    await userEvent.click(button);
    expect(button).toHaveAttribute("aria-expanded", "true");
    expect(screen.getByText("kano@example.com")).toBeInTheDocument();
    await userEvent.keyboard("{Escape}");
    expect(button).toHaveAttribute("aria-expanded", "false");
    expect(button).toHaveFocus();
    await userEvent.click(button);
    await userEvent.click(screen.getByRole("button", { name: "Log out" }));
    await waitFor(() => expect(store.get()).toBeNull());
    // The server ends the session named by the access token and clears the HttpOnly cookie.
    expect(calls.find((c) => c.path === "/api/v1/auth/logout")!.body).toBeUndefined();
    expect(await screen.findByRole("link", { name: "Log in" })).toBeInTheDocument();
  });

  it("anonymous visitors get log in and sign up", async () => {
    renderApp("/", home("student"));
    expect(await screen.findByRole("link", { name: "Log in" })).toBeInTheDocument();
    expect(screen.getAllByRole("link", { name: "Sign up" }).length).toBeGreaterThan(0);
  });
});
