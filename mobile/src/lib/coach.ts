/**
 * The coach chat. The platform has no coach API yet, so the screen talks to this small interface;
 * `unavailableCoach` is what the app ships until the endpoint exists (it says so, in the user's
 * language), and tests drive the screen with a scripted coach.
 */
import { ApiError } from "@mamc/shared/api/errors";
import type { LocalFile } from "../device/types";

export interface ChatMessage {
  role: "user" | "coach";
  text: string;
}

export interface CoachClient {
  /** The coach's answer to the conversation so far (the last message is the user's). */
  reply(history: ChatMessage[]): Promise<string>;
  /** The text of a recorded voice question, shown for editing before it is sent. */
  transcribe(audio: LocalFile): Promise<string>;
}

export const unavailableCoach: CoachClient = {
  reply: () => Promise.reject(new ApiError(501, "coach_unavailable", "The coach is not available yet.")),
  transcribe: () => Promise.reject(new ApiError(501, "coach_unavailable", "The coach is not available yet.")),
};
