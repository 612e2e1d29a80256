import "@testing-library/jest-dom/vitest";
import { afterEach } from "vitest";
import { cleanup, configure } from "@testing-library/react";
import { forgetPlans } from "../lib/prices";

// Lazy routes on a busy shared machine can take more than the default second to appear.
configure({ asyncUtilTimeout: 5000 });

afterEach(() => {
  cleanup();
  forgetPlans();
  localStorage.clear();
  sessionStorage.clear();
});
