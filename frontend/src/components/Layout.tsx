import { Suspense, useEffect, useRef } from "react";
import { Outlet, useLocation } from "react-router-dom";
import { Header } from "./Header";
import { useI18n } from "../i18n/i18n";
import { useToast } from "./Toasts";
import { SkeletonLines } from "./ui";
import { VerifyBanner } from "./VerifyBanner";
import { useCardTables } from "../lib/cardTables";

export function Layout() {
  const { t } = useI18n();
  const toast = useToast();
  const loc = useLocation();
  const mainRef = useRef<HTMLElement>(null);
  const first = useRef(true);
  useCardTables(mainRef);

  // Move focus to the main region on navigation so screen readers announce the new page.
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    mainRef.current?.focus();
  }, [loc.pathname]);

  useEffect(() => {
    const onExpired = () => toast.push(t("errors.sessionExpired"), "error");
    window.addEventListener("mamc:session-expired", onExpired);
    return () => window.removeEventListener("mamc:session-expired", onExpired);
  }, [t, toast]);

  return (
    <>
      <a className="skip-link" href="#main">{t("app.skip")}</a>
      <Header />
      <main id="main" ref={mainRef} tabIndex={-1}>
        <div className="container">
          <VerifyBanner />
          <Suspense fallback={<SkeletonLines lines={6} />}>
            <Outlet />
          </Suspense>
        </div>
      </main>
      <footer className="container small muted" style={{ padding: "24px 16px" }}>
        © {new Date().getFullYear()} {t("app.name")}
      </footer>
    </>
  );
}
