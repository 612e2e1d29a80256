import { useEffect, useRef, useState } from "react";
import { Link, NavLink, useLocation, useNavigate } from "react-router-dom";
import { useAuth } from "../auth/AuthContext";
import { LANGS, useI18n, type Lang } from "../i18n/i18n";
import { NotificationBell } from "./NotificationBell";
import { useToast } from "./Toasts";

export function Header() {
  const { t, lang, setLang } = useI18n();
  const { user, status, logout, hasRole } = useAuth();
  const toast = useToast();
  const nav = useNavigate();
  const loc = useLocation();
  const [menuOpen, setMenuOpen] = useState(false);
  const [navOpen, setNavOpen] = useState(false);
  const menuBtn = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    setMenuOpen(false);
    setNavOpen(false);
  }, [loc.pathname]);

  useEffect(() => {
    if (!menuOpen) return;
    const onDoc = (e: MouseEvent) => {
      if (menuRef.current && !menuRef.current.contains(e.target as Node)) setMenuOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        setMenuOpen(false);
        menuBtn.current?.focus();
      }
    };
    document.addEventListener("mousedown", onDoc);
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("mousedown", onDoc);
      document.removeEventListener("keydown", onKey);
    };
  }, [menuOpen]);

  async function onLogout() {
    setMenuOpen(false);
    await logout();
    toast.push(t("auth.loggedOut"), "success");
    nav("/");
  }

  return (
    <header className="site-header">
      <div className="container">
        <Link to="/" className="brand">
          <svg className="brand-mark" viewBox="0 0 32 32" aria-hidden="true">
            <rect width="32" height="32" rx="6" fill="#b93a16" />
            <path d="M8 22 16 8l8 14z" fill="#fff" />
          </svg>
          <span>{t("app.short")}</span>
          <span className="visually-hidden">{t("app.name")}</span>
        </Link>
        <button
          className="btn btn-ghost btn-sm nav-toggle"
          aria-expanded={navOpen}
          aria-controls="primary-nav"
          onClick={() => setNavOpen((o) => !o)}
        >
          ☰ <span className="visually-hidden">{t("nav.menu")}</span>
        </button>
        <nav id="primary-nav" className={`primary-nav ${navOpen ? "open" : ""}`} aria-label={t("nav.main")}>
          <ul className="nav-links">
            <li><NavLink to="/" end>{t("nav.home")}</NavLink></li>
            <li><NavLink to="/browse">{t("nav.browse")}</NavLink></li>
            <li><NavLink to="/knowledge">{t("knowledge.nav")}</NavLink></li>
            {status !== "loading" && !user && <li className="mobile-only"><NavLink to="/signup">{t("nav.signup")}</NavLink></li>}
            {user && <li><NavLink to="/library">{t("nav.library")}</NavLink></li>}
            {user && <li><NavLink to="/coach">{t("nav.coach")}</NavLink></li>}
            {user && <li><NavLink to="/learning">{t("learning.nav")}</NavLink></li>}
            {user && <li><NavLink to="/following">{t("social.feedTitle")}</NavLink></li>}
            {hasRole("instructor", "admin") && <li><NavLink to="/studio">{t("nav.studio")}</NavLink></li>}
            {hasRole("admin") && <li><NavLink to="/admin">{t("nav.admin")}</NavLink></li>}
          </ul>
        </nav>
        <div className="spacer header-spacer" />
        <label className="visually-hidden" htmlFor="lang-select">{t("nav.language")}</label>
        <select
          id="lang-select"
          className="select lang-select"
          value={lang}
          onChange={(e) => setLang(e.target.value as Lang)}
        >
          {LANGS.map((l) => (
            <option key={l} value={l}>{l.toUpperCase()}</option>
          ))}
        </select>
        {status !== "loading" && !user && (
          <>
            <Link className="btn btn-ghost btn-sm" to="/login">{t("nav.login")}</Link>
            <Link className="btn btn-primary btn-sm desktop-only" to="/signup">{t("nav.signup")}</Link>
          </>
        )}
        {user && <NotificationBell />}
        {user && (
          <div className="menu-wrap" ref={menuRef}>
            <button
              ref={menuBtn}
              className="btn btn-sm"
              aria-expanded={menuOpen}
              aria-controls="user-menu"
              onClick={() => setMenuOpen((o) => !o)}
            >
              <svg aria-hidden="true" width="18" height="18" viewBox="0 0 24 24" fill="currentColor"><circle cx="12" cy="8" r="4" /><path d="M4 21c0-4.4 3.6-8 8-8s8 3.6 8 8z" /></svg>
              <span className="user-name">{user.display_name}</span>
              <span className="visually-hidden">— {t("nav.account")}</span>
            </button>
            {menuOpen && (
              <ul id="user-menu" className="menu">
                <li className="menu-head">
                  <div>{user.email}</div>
                  <div className="small muted">{t(`roles.${user.role}`)}</div>
                </li>
                <li><Link to="/account">{t("account.title")}</Link></li>
                <li><Link to="/library">{t("nav.library")}</Link></li>
                <li><Link to="/attempts">{t("pose.myAttempts")}</Link></li>
                {hasRole("instructor", "admin") && <li><Link to="/studio">{t("nav.studio")}</Link></li>}
                {hasRole("admin") && <li><Link to="/admin">{t("nav.admin")}</Link></li>}
                <li><button onClick={onLogout}>{t("nav.logout")}</button></li>
              </ul>
            )}
          </div>
        )}
      </div>
    </header>
  );
}
