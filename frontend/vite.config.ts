/// <reference types="vitest/config" />
import { defineConfig, searchForWorkspaceRoot } from "vite";
import react from "@vitejs/plugin-react";

const API_TARGET = process.env.MAMC_API ?? "http://127.0.0.1:8000";

export default defineConfig({
  plugins: [react()],
  server: {
    port: 5173,
    // @mamc/shared (API types, catalogues) lives in ../packages/shared, outside this root.
    fs: { allow: [searchForWorkspaceRoot(process.cwd()), "../packages/shared"] },
    proxy: {
      // Same-origin in production (the API serves dist/), proxied in development.
      "/api": { target: API_TARGET, changeOrigin: false, ws: false },
      "/media": { target: API_TARGET, changeOrigin: false },
    },
  },
  build: { outDir: "dist", sourcemap: true, chunkSizeWarningLimit: 900 },
  test: {
    environment: "jsdom",
    globals: true,
    setupFiles: ["./src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    css: false,
    testTimeout: 20_000,
  },
});
