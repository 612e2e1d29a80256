/** The real device: Expo modules behind the interfaces of device/types.ts. */
import { forwardRef, useImperativeHandle, useMemo, useRef } from "react";
import { Platform } from "react-native";
import AsyncStorage from "@react-native-async-storage/async-storage";
import * as SecureStoreModule from "expo-secure-store";
import * as LegacyFS from "expo-file-system/legacy";
import { CameraView, Camera } from "expo-camera";
import * as ImagePicker from "expo-image-picker";
import * as WebBrowser from "expo-web-browser";
import * as Notifications from "expo-notifications";
import Constants from "expo-constants";
import { RecordingPresets, requestRecordingPermissionsAsync, setAudioModeAsync, useAudioRecorder } from "expo-audio";
import { fetch as expoFetch } from "expo/fetch";
import { ApiError } from "@mamc/shared/api/errors";
import type {
  CameraDevice,
  CameraPreviewProps,
  Device,
  KeyValueStore,
  LocalFile,
  PartSender,
  PushData,
  RecorderHandle,
  SecureStore,
  VoiceRecorder,
} from "./types";
import { etagOf, fetchSender } from "../lib/sender";

const web = Platform.OS === "web";

/** Keychain/Keystore on phones. The web export (a test vehicle) has no secure enclave: sessionStorage. */
const secure: SecureStore = web
  ? {
      get: async (k) => globalThis.sessionStorage?.getItem(k) ?? null,
      set: async (k, v) => globalThis.sessionStorage?.setItem(k, v),
      delete: async (k) => globalThis.sessionStorage?.removeItem(k),
    }
  : {
      get: (k) => SecureStoreModule.getItemAsync(k),
      set: (k, v) => SecureStoreModule.setItemAsync(k, v),
      delete: (k) => SecureStoreModule.deleteItemAsync(k),
    };

const storage: KeyValueStore = {
  get: (k) => AsyncStorage.getItem(k),
  set: (k, v) => AsyncStorage.setItem(k, v),
  delete: (k) => AsyncStorage.removeItem(k),
};

/**
 * On phones each part goes through a background URLSession / WorkManager upload: the byte range is
 * copied to a temporary file and handed to the OS, which keeps sending while the app is in the
 * background. On the web it is a fetch of a Blob slice.
 */
const webSender = fetchSender((u, i) => fetch(u, i), async (f) => (await fetch(f.uri)).blob());

const sender: PartSender = {
  async putRange(url, file, offset, length, signal) {
    if (web) return webSender.putRange(url, file, offset, length, signal);
    const chunk = `${LegacyFS.cacheDirectory}mamc-part-${offset}.bin`;
    const b64 = await LegacyFS.readAsStringAsync(file.uri, {
      encoding: LegacyFS.EncodingType.Base64,
      position: offset,
      length,
    });
    await LegacyFS.writeAsStringAsync(chunk, b64, { encoding: LegacyFS.EncodingType.Base64 });
    try {
      const res = await LegacyFS.uploadAsync(url, chunk, {
        httpMethod: "PUT",
        uploadType: LegacyFS.FileSystemUploadType.BINARY_CONTENT,
        sessionType: LegacyFS.FileSystemSessionType.BACKGROUND,
      });
      return etagOf(res.status, res.headers);
    } finally {
      await LegacyFS.deleteAsync(chunk, { idempotent: true });
    }
  },
};

const Preview = forwardRef<RecorderHandle, CameraPreviewProps>(function Preview({ facing, style }, ref) {
  const cam = useRef<CameraView>(null);
  useImperativeHandle(ref, () => ({
    async record(maxSeconds) {
      const r = await cam.current?.recordAsync({ maxDuration: maxSeconds });
      if (!r?.uri) throw new ApiError(0, "recording_failed", "Nothing was recorded.");
      return fileFromUri(r.uri, "video/mp4");
    },
    stop: () => cam.current?.stopRecording(),
  }));
  return <CameraView ref={cam} style={style} facing={facing} mode="video" />;
});

const camera: CameraDevice = {
  async requestPermissions() {
    const c = await Camera.requestCameraPermissionsAsync();
    const m = await Camera.requestMicrophonePermissionsAsync();
    return c.granted && m.granted;
  },
  Preview,
};

async function fileFromUri(uri: string, mimeType: string, name?: string, size?: number): Promise<LocalFile> {
  let bytes = size;
  if (bytes == null) {
    if (web) bytes = (await (await fetch(uri)).blob()).size;
    else {
      const info = await LegacyFS.getInfoAsync(uri);
      bytes = info.exists ? info.size : 0;
    }
  }
  return { uri, mimeType, size: bytes, name: name ?? uri.split("/").pop() ?? "video.mp4" };
}

/** Press-and-hold voice questions for the coach (expo-audio). A hook: the recorder lives with the screen. */
export function useExpoVoice(): VoiceRecorder {
  const recorder = useAudioRecorder(RecordingPresets.HIGH_QUALITY);
  return useMemo(
    () => ({
      async requestPermissions() {
        const p = await requestRecordingPermissionsAsync();
        if (p.granted) await setAudioModeAsync({ allowsRecording: true, playsInSilentMode: true });
        return p.granted;
      },
      async start() {
        await recorder.prepareToRecordAsync();
        recorder.record();
      },
      async stop() {
        await recorder.stop();
        return recorder.uri ? fileFromUri(recorder.uri, "audio/m4a") : null;
      },
    }),
    [recorder],
  );
}

/** Event streams on phones (the coach's replies, the notifications badge): expo/fetch streams
 * response bodies (RN's own fetch does not); the signal closes the connection. The web export keeps
 * the browser's fetch (undefined here). */
export const streamingFetch: ((req: Request) => Promise<Response>) | undefined =
  Platform.OS === "web"
    ? undefined
    : async (req) => (await expoFetch(req.url, { method: req.method, headers: req.headers, signal: req.signal })) as unknown as Response;

export function createExpoDevice(): Device {
  return {
    useVoice: useExpoVoice,
    secure,
    storage,
    sender,
    camera,
    gallery: {
      async pickVideo() {
        const r = await ImagePicker.launchImageLibraryAsync({ mediaTypes: ["videos"], quality: 1 });
        const a = r.canceled ? null : r.assets[0];
        if (!a) return null;
        return fileFromUri(a.uri, a.mimeType ?? "video/mp4", a.fileName ?? undefined, a.fileSize ?? undefined);
      },
    },
    push: {
      async register() {
        const projectId = (Constants.expoConfig?.extra as { eas?: { projectId?: string | null } } | undefined)?.eas?.projectId;
        if (!projectId || web) return null;
        const p = await Notifications.requestPermissionsAsync();
        if (!p.granted) return null;
        return (await Notifications.getExpoPushTokenAsync({ projectId })).data;
      },
      platform: Platform.OS === "ios" || Platform.OS === "android" || Platform.OS === "web" ? Platform.OS : "unknown",
      onOpen(listener) {
        if (web) return () => undefined;
        const seen = new Set<string>();
        const handle = (r: Notifications.NotificationResponse | null) => {
          if (!r || r.actionIdentifier !== Notifications.DEFAULT_ACTION_IDENTIFIER) return;
          const key = r.notification.request.identifier;
          if (seen.has(key)) return; // the launching tap can arrive both ways
          seen.add(key);
          listener((r.notification.request.content.data ?? {}) as PushData);
        };
        const sub = Notifications.addNotificationResponseReceivedListener(handle);
        void Notifications.getLastNotificationResponseAsync().then(handle, () => undefined);
        return () => sub.remove();
      },
    },
    browser: {
      async open(url) {
        await WebBrowser.openBrowserAsync(url);
      },
      async openAuth(url, returnUrl) {
        const r = await WebBrowser.openAuthSessionAsync(url, returnUrl);
        return r.type === "success" ? { type: "returned", url: r.url } : { type: "closed" };
      },
      dismiss() {
        void WebBrowser.dismissBrowser().catch(() => undefined);
        try {
          WebBrowser.dismissAuthSession();
        } catch {
          // no auth session open
        }
      },
    },
  };
}
