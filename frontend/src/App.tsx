import { lazy } from "react";
import { createBrowserRouter, Navigate, RouterProvider, type RouteObject } from "react-router-dom";
import { Layout } from "./components/Layout";
import { RequireAuth } from "./auth/RequireAuth";
import HomePage from "./pages/catalog/HomePage";
import NotFoundPage from "./pages/NotFoundPage";
import LoginPage from "./pages/auth/LoginPage";
import SignupPage from "./pages/auth/SignupPage";
import VerifyEmailPage from "./pages/auth/VerifyEmailPage";
import ForgotPasswordPage from "./pages/auth/ForgotPasswordPage";
import ResetPasswordPage from "./pages/auth/ResetPasswordPage";
import BrowsePage from "./pages/catalog/BrowsePage";

const VideoPage = lazy(() => import("./pages/catalog/VideoPage"));
const LibraryPage = lazy(() => import("./pages/commerce/LibraryPage"));
const SandboxCheckoutPage = lazy(() => import("./pages/commerce/SandboxCheckoutPage"));
const ReferencesPage = lazy(() => import("./pages/studio/ReferencesPage"));
const ReferenceMarkerPage = lazy(() => import("./pages/studio/ReferencesPage").then((m) => ({ default: m.ReferenceMarkerPage })));
const PracticePage = lazy(() => import("./pages/studio/AttemptPages").then((m) => ({ default: m.PracticePage })));
const AttemptPage = lazy(() => import("./pages/studio/AttemptPages").then((m) => ({ default: m.AttemptPage })));
const MyAttemptsPage = lazy(() => import("./pages/studio/AttemptPages").then((m) => ({ default: m.MyAttemptsPage })));
const InstructorAttemptsPage = lazy(() => import("./pages/studio/AttemptPages").then((m) => ({ default: m.InstructorAttemptsPage })));
const AdminLayout = lazy(() => import("./pages/admin/AdminLayout"));
const ReviewQueuePage = lazy(() => import("./pages/admin/ModerationPages").then((m) => ({ default: m.ReviewQueuePage })));
const AdminVideoPage = lazy(() => import("./pages/admin/ModerationPages").then((m) => ({ default: m.AdminVideoPage })));
const UsersPage = lazy(() => import("./pages/admin/UsersPage"));
const PaymentsPage = lazy(() => import("./pages/admin/PaymentsPages").then((m) => ({ default: m.PaymentsPage })));
const DisputesPage = lazy(() => import("./pages/admin/PaymentsPages").then((m) => ({ default: m.DisputesPage })));
const AuditPage = lazy(() => import("./pages/admin/AuditPage"));
const EarningsPage = lazy(() => import("./pages/studio/EarningsPage"));
const AccountPage = lazy(() => import("./pages/auth/AccountPage"));
const NotificationsPage = lazy(() => import("./pages/notifications/NotificationsPage"));
const StudioLayout = lazy(() => import("./pages/studio/StudioLayout"));
const StudioHome = lazy(() => import("./pages/studio/StudioHome"));
const UploadPage = lazy(() => import("./pages/studio/UploadPage"));
const StudioVideoPage = lazy(() => import("./pages/studio/StudioVideoPage"));
const KnowledgeSearchPage = lazy(() => import("./pages/knowledge/KnowledgePages").then((m) => ({ default: m.KnowledgeSearchPage })));
const KnowledgeItemPage = lazy(() => import("./pages/knowledge/KnowledgePages").then((m) => ({ default: m.KnowledgeItemPage })));
const KnowledgeReviewPage = lazy(() => import("./pages/knowledge/KnowledgePages").then((m) => ({ default: m.KnowledgeReviewPage })));
const CoachPage = lazy(() => import("./pages/coach/CoachPage"));
const MyProgressPage = lazy(() => import("./pages/learning/MyProgressPage"));
const LeaderboardPage = lazy(() => import("./pages/learning/LeaderboardPage"));
const OffersPage = lazy(() => import("./pages/learning/OffersPage"));
const InstructorAnalyticsPage = lazy(() => import("./pages/analytics/AnalyticsPage").then((m) => ({ default: m.InstructorAnalyticsPage })));
const AdminAnalyticsPage = lazy(() => import("./pages/analytics/AnalyticsPage").then((m) => ({ default: m.AdminAnalyticsPage })));
const FollowingPage = lazy(() => import("./pages/social/FollowingPage"));
const CommentQueuePage = lazy(() => import("./pages/social/CommentQueuePage"));
const CoursePage = lazy(() => import("./pages/social/CoursePage"));
const CourseEditorPage = lazy(() => import("./pages/social/CourseEditorPage"));
const VoiceProfilesPage = lazy(() => import("./pages/voice/VoiceProfilesPage"));
const VoiceDubsPage = lazy(() => import("./pages/voice/VoiceDubsPage"));

export const routes: RouteObject[] = [
  {
    element: <Layout />,
    children: [
      { path: "/", element: <HomePage /> },
      { path: "/browse", element: <BrowsePage /> },
      { path: "/videos/:id", element: <VideoPage /> },
      { path: "/courses/:id", element: <CoursePage /> },
      { path: "/knowledge", element: <KnowledgeSearchPage /> },
      { path: "/knowledge/items/:id", element: <KnowledgeItemPage /> },
      { path: "/login", element: <LoginPage /> },
      { path: "/signup", element: <SignupPage /> },
      { path: "/verify-email", element: <VerifyEmailPage /> },
      { path: "/forgot-password", element: <ForgotPasswordPage /> },
      { path: "/reset-password", element: <ResetPasswordPage /> },
      { path: "/practice/:referenceId", element: <RequireAuth><PracticePage /></RequireAuth> },
      { path: "/attempts", element: <RequireAuth><MyAttemptsPage /></RequireAuth> },
      { path: "/attempts/:id", element: <RequireAuth><AttemptPage /></RequireAuth> },
      { path: "/account", element: <RequireAuth><AccountPage /></RequireAuth> },
      { path: "/notifications", element: <RequireAuth><NotificationsPage /></RequireAuth> },
      { path: "/library", element: <RequireAuth><LibraryPage /></RequireAuth> },
      { path: "/coach", element: <RequireAuth><CoachPage /></RequireAuth> },
      { path: "/learning", element: <RequireAuth><MyProgressPage /></RequireAuth> },
      { path: "/leaderboards", element: <RequireAuth><LeaderboardPage /></RequireAuth> },
      { path: "/following", element: <RequireAuth><FollowingPage /></RequireAuth> },
      // Development only: the payment sandbox's checkout (the API mounts it without a Stripe key).
      { path: "/sandbox/checkout/:id", element: <RequireAuth><SandboxCheckoutPage /></RequireAuth> },
      // Alias in case the server's checkout success path is configured to /checkout/success.
      { path: "/checkout/success", element: <Navigate to={{ pathname: "/library", search: "?checkout=success" }} replace /> },
      {
        path: "/studio",
        element: <RequireAuth roles={["instructor", "admin"]}><StudioLayout /></RequireAuth>,
        children: [
          { index: true, element: <StudioHome /> },
          { path: "upload", element: <UploadPage /> },
          { path: "videos/:id", element: <StudioVideoPage /> },
          { path: "references", element: <ReferencesPage /> },
          { path: "references/new", element: <ReferenceMarkerPage /> },
          { path: "attempts", element: <InstructorAttemptsPage /> },
          { path: "earnings", element: <EarningsPage /> },
          { path: "analytics", element: <InstructorAnalyticsPage /> },
          { path: "knowledge", element: <KnowledgeReviewPage /> },
          { path: "rewards", element: <OffersPage /> },
          { path: "courses", element: <CourseEditorPage /> },
          { path: "voice", element: <VoiceProfilesPage /> },
          { path: "dubs", element: <VoiceDubsPage /> },
        ],
      },
      {
        path: "/admin",
        element: <RequireAuth roles={["admin"]}><AdminLayout /></RequireAuth>,
        children: [
          { index: true, element: <ReviewQueuePage /> },
          { path: "reports", element: <ReviewQueuePage reportedOnly /> },
          { path: "videos/:id", element: <AdminVideoPage /> },
          { path: "users", element: <UsersPage /> },
          { path: "payments", element: <PaymentsPage /> },
          { path: "disputes", element: <DisputesPage /> },
          { path: "knowledge", element: <KnowledgeReviewPage /> },
          { path: "audit", element: <AuditPage /> },
          { path: "comments", element: <CommentQueuePage /> },
          { path: "payouts", element: <EarningsPage admin /> },
          { path: "analytics", element: <AdminAnalyticsPage /> },
        ],
      },
      { path: "*", element: <NotFoundPage /> },
    ],
  },
];

export function App() {
  return <RouterProvider router={createBrowserRouter(routes)} />;
}
