/**
 * What the app needs from the device, as small interfaces: the screens and the upload logic take
 * these, so tests hand in fakes and the real Expo modules stay in device/expo.tsx.
 */
import type { ComponentType, Ref } from "react";

/** Secrets (the refresh token): Keychain / Keystore through expo-secure-store. */
export interface SecureStore {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}

/** Plain app data (offline cache, upload journal, notifications): AsyncStorage. */
export interface KeyValueStore {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}

/** A local media file picked or recorded on the device. */
export interface LocalFile {
  uri: string;
  name: string;
  size: number;
  mimeType: string;
}

/** Sends one byte range of a local file as the body of a PUT to a presigned URL. */
export interface PartSender {
  /** Resolves with the part's ETag; rejects on network failure or a non-2xx answer. */
  putRange(url: string, file: LocalFile, offset: number, length: number, signal?: AbortSignal): Promise<string>;
}

export interface RecorderHandle {
  /** Starts recording; resolves with the clip once stop() is called or maxSeconds pass. */
  record(maxSeconds: number): Promise<LocalFile>;
  stop(): void;
}

export interface CameraPreviewProps {
  facing: "front" | "back";
  ref?: Ref<RecorderHandle>;
  style?: object;
}

export interface CameraDevice {
  requestPermissions(): Promise<boolean>;
  Preview: ComponentType<CameraPreviewProps>;
}

export interface GalleryDevice {
  /** A video chosen from the gallery, or null when the user cancelled. */
  pickVideo(): Promise<LocalFile | null>;
}

export interface VoiceRecorder {
  requestPermissions(): Promise<boolean>;
  start(): Promise<void>;
  /** Stops and returns the recording. */
  stop(): Promise<LocalFile | null>;
}

export interface PushDevice {
  /** Asks the user (the system prompt) and answers the Expo push token when push is configured (an
   * EAS project id) and allowed, else null. Only called when the user turns push on. */
  register(): Promise<string | null>;
  /** The platform the token belongs to, as the API names it. */
  platform: "ios" | "android" | "web" | "unknown";
  /** Calls `listener` with the push's data each time the user taps one (also the tap that
   * launched the app); answers the unsubscribe. */
  onOpen(listener: (data: PushData) => void): () => void;
}

/** What the platform puts in a push's data (backend notifications/push.py). */
export interface PushData {
  link?: string | null;
  kind?: string;
  id?: string;
}

/** How an auth session ended: the page sent the app to `returnUrl` (with its query), or the user
 * closed the browser first. */
export type AuthSessionResult = { type: "returned"; url: string } | { type: "closed" };

export interface BrowserDevice {
  /** Opens `url` in the in-app browser; resolves when the user closes it. */
  open(url: string): Promise<void>;
  /** Opens `url` in an auth session (expo-web-browser openAuthSessionAsync) that ends by itself
   * when the page redirects to `returnUrl` (the checkout's deep link back into the app). */
  openAuth(url: string, returnUrl: string): Promise<AuthSessionResult>;
  dismiss(): void;
}

export interface Device {
  secure: SecureStore;
  storage: KeyValueStore;
  sender: PartSender;
  camera: CameraDevice;
  gallery: GalleryDevice;
  /** A hook: the recorder belongs to the screen that uses it. */
  useVoice(): VoiceRecorder;
  push: PushDevice;
  browser: BrowserDevice;
}
