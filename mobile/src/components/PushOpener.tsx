import { useEffect } from "react";
import { router } from "expo-router";
import { useApp } from "../lib/app";
import { openPush } from "../lib/notifications";

/** Tapping a push notification opens its link (mounted once, in the root layout). Signed out, the
 * link waits behind the login screen's usual redirect: the route is pushed all the same. */
export function PushOpener() {
  const { api, device } = useApp();
  useEffect(
    () =>
      device.push.onOpen((data) => {
        void openPush(api, data).then((route) => router.push(route));
      }),
    [api, device],
  );
  return null;
}
