import { fireEvent, screen, within } from "@testing-library/react-native";
import { mockRouter, renderScreen, signedInDevice, unlabelledControls } from "./setup";
import { FakePlatform, type PayoutLine, type VideoEarnings } from "./fakePlatform";
import { currentMonth, shiftMonth, withShares } from "../src/lib/earnings";
import Earnings from "../src/app/studio/earnings";

function row(video_id: string, video_title: string, sales: number, net_cents: number, currency = "eur"): VideoEarnings {
  return { video_id, video_title, currency, sales, refunds: 0, gross_cents: net_cents + 100 * sales, fees_cents: 100 * sales, net_cents };
}

function line(platform: FakePlatform, sales: number, gross: number, net: number): PayoutLine {
  return { instructor_id: platform.user.id, instructor_name: "Sensei", instructor_email: platform.user.email, currency: "eur", sales, gross_cents: gross, stripe_fee_cents: gross - net - 50, platform_fee_cents: 50, net_cents: net };
}

describe("earnings summary", () => {
  it("shows the month's totals and each video's breakdown, biggest first, and pages to the previous month", async () => {
    const platform = new FakePlatform();
    const now = currentMonth();
    const before = shiftMonth(now, -1);
    platform.earnings[now] = {
      videos: [row("v-small", "Side kick", 1, 900), { ...row("v-big", "Front kick", 3, 2700), refunds: 1 }],
      lines: [line(platform, 4, 4000, 3600)],
    };
    platform.earnings[before] = { videos: [row("v-old", "Roundhouse", 2, 1800)], lines: [line(platform, 2, 2000, 1800)] };
    const device = await signedInDevice(platform);
    const r = renderScreen(<Earnings />, platform, { device });

    expect(await screen.findByText("Front kick")).toBeTruthy();
    expect(screen.getByText(`Month: ${now}`)).toBeTruthy();
    expect(screen.getByText("Net: €36.00")).toBeTruthy(); // the month's payout total
    const big = within(screen.getByRole("button", { name: "Front kick" }));
    expect(big.getByText("Sales: 3 · Refunds: 1")).toBeTruthy();
    expect(big.getByText("Net: €27.00")).toBeTruthy();
    expect(big.getByLabelText("75% of this month's net")).toBeTruthy();
    expect(within(screen.getByRole("button", { name: "Side kick" })).getByLabelText("25% of this month's net")).toBeTruthy();
    const titles = screen.getAllByRole("button").map((b) => b.props.accessibilityLabel as string);
    expect(titles.indexOf("Front kick")).toBeLessThan(titles.indexOf("Side kick"));
    expect(screen.queryByRole("button", { name: "Next month" })).toBeNull(); // no future months

    fireEvent.press(screen.getByRole("button", { name: "Front kick" }));
    expect(mockRouter.push).toHaveBeenCalledWith("/studio/videos/v-big");

    fireEvent.press(screen.getByRole("button", { name: "Previous month" }));
    expect(await screen.findByText("Roundhouse")).toBeTruthy();
    expect(screen.getByText(`Month: ${before}`)).toBeTruthy();
    expect(screen.queryByText("Front kick")).toBeNull();
    expect(screen.getByRole("button", { name: "Next month" })).toBeTruthy();
    expect(unlabelledControls(r.UNSAFE_root).missing).toEqual([]);
  });

  it("says so when the month had no sales", async () => {
    const platform = new FakePlatform();
    renderScreen(<Earnings />, platform, { device: await signedInDevice(platform) });
    expect(await screen.findByText("No sales in this month.")).toBeTruthy();
  });

  it("moves months on the UTC calendar and splits shares per currency", () => {
    expect(shiftMonth("2026-01", -1)).toBe("2025-12");
    expect(shiftMonth("2025-12", 1)).toBe("2026-01");
    expect(currentMonth(new Date("2026-03-31T23:30:00-02:00"))).toBe("2026-04");
    const shares = withShares([row("a", "A", 1, 300, "eur"), row("b", "B", 1, 100, "usd"), row("c", "C", 1, 100, "eur"), row("d", "D", 1, -50, "eur")]);
    expect(shares.map((s) => [s.video_id, s.share])).toEqual([["a", 75], ["b", 100], ["c", 25], ["d", 0]]);
  });
});
