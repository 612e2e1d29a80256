/** Settings: the time of the daily practice reminder (in the phone's time zone), or none. */
import { useEffect, useRef, useState } from "react";
import { View } from "react-native";
import { useApp } from "../lib/app";
import { deviceTimeZone, loadReminder, parseTime, saveReminder } from "../lib/reminder";
import { Btn, ErrorBox, Field, Info, P, Title } from "../ui/kit";

export function ReminderSetting({ timeZone = deviceTimeZone() }: { timeZone?: string }) {
  const { t, api } = useApp();
  const [text, setText] = useState("");
  const [saved, setSaved] = useState<string | null | undefined>(undefined);
  const [status, setStatus] = useState<"idle" | "saving" | "saved" | "invalid">("idle");
  const [error, setError] = useState<unknown>(null);
  const typed = useRef(false);
  useEffect(() => {
    loadReminder(api).then((r) => {
      // A time the student typed before the stored one arrived is kept (a slow load used to
      // wipe it, and Save then turned the reminder off).
      if (!typed.current) setText(r.localTime ?? "");
      setSaved(r.localTime);
    }, setError);
  }, [api]);

  async function save(value: string) {
    const time = parseTime(value);
    setError(null);
    if (time === undefined) return setStatus("invalid");
    setStatus("saving");
    try {
      const r = await saveReminder(api, time, timeZone);
      setText(r.localTime ?? "");
      setSaved(r.localTime);
      setStatus("saved");
    } catch (e) {
      setError(e);
      setStatus("idle");
    }
  }

  return (
    <View style={{ gap: 8 }}>
      <Title>{t("notifications.reminder")}</Title>
      <Field
        label={t("notifications.reminderTime")}
        value={text}
        onChangeText={(v) => ((typed.current = true), setText(v), setStatus("idle"))}
        placeholder="18:30"
        keyboardType="numbers-and-punctuation"
        maxLength={5}
      />
      <P muted>{saved ? t("notifications.reminderTimezone", { zone: timeZone }) : t("notifications.reminderOff")}</P>
      {status === "invalid" ? <ErrorBox error={new Error(t("mobile.reminder.invalid"))} /> : null}
      <ErrorBox error={error} />
      {status === "saved" ? <Info>{t("notifications.reminderSaved")}</Info> : null}
      <View style={{ flexDirection: "row", gap: 8 }}>
        <Btn label={t("common.save")} disabled={status === "saving"} onPress={() => void save(text)} />
        {saved ? <Btn kind="secondary" label={t("mobile.reminder.off")} disabled={status === "saving"} onPress={() => void save("")} /> : null}
      </View>
    </View>
  );
}
