import { Redirect, useLocalSearchParams } from "expo-router";

/** mamc://checkout-return?video=… — where a checkout sends the app back once the API lets the app
 * name its return URL; the video page then shows the (polled) entitlement. */
export default function CheckoutReturn() {
  const { video } = useLocalSearchParams<{ video?: string }>();
  return <Redirect href={video ? `/videos/${video}` : "/library"} />;
}
