import { fireEvent, screen, waitFor } from "@testing-library/react-native";
import { renderScreen, signedInDevice } from "./setup";
import { FakePlatform } from "./fakePlatform";
import { ReminderSetting } from "../src/components/ReminderSetting";
import { parseTime } from "../src/lib/reminder";
import Settings from "../src/app/settings";

describe("daily practice reminder (settings)", () => {
  it("saves the time the student picks, in the phone's time zone, and turns it off", async () => {
    const platform = new FakePlatform();
    const device = await signedInDevice(platform);
    renderScreen(<ReminderSetting timeZone="Europe/Rome" />, platform, { device });
    expect(await screen.findByText("No reminder")).toBeTruthy();
    fireEvent.changeText(screen.getByLabelText("Time"), "7:30");
    fireEvent.press(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByText("Reminder saved.")).toBeTruthy();
    expect(platform.reminder).toEqual({ local_time: "07:30", timezone: "Europe/Rome" });
    expect(screen.getByText("Time zone: Europe/Rome")).toBeTruthy();
    expect(screen.getByLabelText("Time").props.value).toBe("07:30");
    fireEvent.press(screen.getByRole("button", { name: "Turn the reminder off" }));
    await waitFor(() => expect(platform.reminder.local_time).toBeNull());
    expect(await screen.findByText("No reminder")).toBeTruthy();
  });

  it("keeps a time typed before the stored one arrives (a slow load used to wipe it)", async () => {
    const platform = new FakePlatform();
    let arrive = () => {};
    platform.reminderLoad = new Promise<void>((resolve) => (arrive = resolve));
    const device = await signedInDevice(platform);
    renderScreen(<ReminderSetting timeZone="Europe/Rome" />, platform, { device });
    fireEvent.changeText(screen.getByLabelText("Time"), "7:30");
    arrive();
    for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0)); // the load lands
    expect(screen.getByLabelText("Time").props.value).toBe("7:30");
    fireEvent.press(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByText("Reminder saved.")).toBeTruthy();
    expect(platform.reminder).toEqual({ local_time: "07:30", timezone: "Europe/Rome" });
  });

  it("shows the stored time and refuses a time that is not HH:MM without calling the API", async () => {
    const platform = new FakePlatform();
    platform.reminder = { local_time: "18:05", timezone: "Europe/Rome" };
    const device = await signedInDevice(platform);
    renderScreen(<Settings />, platform, { device });
    await waitFor(() => expect(screen.getByLabelText("Time").props.value).toBe("18:05"));
    fireEvent.changeText(screen.getByLabelText("Time"), "25:00");
    fireEvent.press(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByText("Give the time as HH:MM, from 00:00 to 23:59.")).toBeTruthy();
    expect(platform.reminder.local_time).toBe("18:05");
  });

  it("reads times as the student types them", () => {
    expect(parseTime("7:30")).toBe("07:30");
    expect(parseTime(" 18.05 ")).toBe("18:05");
    expect(parseTime("")).toBeNull();
    expect(parseTime("24:00")).toBeUndefined();
    expect(parseTime("7:5")).toBeUndefined();
    expect(parseTime("seven")).toBeUndefined();
  });
});
