import "@testing-library/jest-dom/vitest";
import { afterEach } from "vitest";
import { cleanup } from "@testing-library/react";
import { forgetPlans } from "../lib/prices";

afterEach(() => {
  cleanup();
  forgetPlans();
  localStorage.clear();
  sessionStorage.clear();
});
