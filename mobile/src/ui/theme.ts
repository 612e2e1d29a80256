export type ThemeChoice = "system" | "light" | "dark";

export interface Palette {
  bg: string;
  card: string;
  text: string;
  muted: string;
  primary: string;
  onPrimary: string;
  border: string;
  danger: string;
  notice: string;
}

/** Contrast checked for text on bg/card (WCAG AA). */
export const palettes: Record<"light" | "dark", Palette> = {
  light: {
    bg: "#F6F7FB",
    card: "#FFFFFF",
    text: "#111827",
    muted: "#4B5563",
    primary: "#B91C1C",
    onPrimary: "#FFFFFF",
    border: "#D1D5DB",
    danger: "#991B1B",
    notice: "#FEF3C7",
  },
  dark: {
    bg: "#0B1020",
    card: "#161D33",
    text: "#F3F4F6",
    muted: "#C7CCD6",
    primary: "#F87171",
    onPrimary: "#1F0A0A",
    border: "#374151",
    danger: "#FCA5A5",
    notice: "#3B2F0B",
  },
};
