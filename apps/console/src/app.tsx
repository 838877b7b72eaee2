import { useEffect, useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { createBrowserRouter, Navigate, NavLink, Outlet, RouterProvider, useLocation, useNavigate } from 'react-router-dom';
import { AccountPage } from './account/account-page';
import { AnalyticsPage } from './analytics/analytics-page';
import { AuditPage } from './audit/audit-page';
import { SignInPage } from './auth/sign-in-page';
import { useSession } from './auth/session';
import { ErrorState, Loading } from './common/states';
import { FlagsPage } from './flags/flags-page';
import { t } from './i18n/i18n';
import { OrganizationPage } from './organizations/organization-page';
import { OrganizationsPage } from './organizations/organizations-page';
import { RegionsPage } from './regions/regions-page';
import { SignupPage } from './signup/signup-page';

/** Pages for signed-in platform admins: signs in first (back here after), then the header and the page. */
function AdminLayout() {
  const session = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  const [refreshError, setRefreshError] = useState<Error | null>(null);

  // After a reload only the refresh token is left: get an access token before showing anything.
  useEffect(() => {
    if (session.signedIn && !session.claims) {
      session.client.refresh().catch((err: unknown) => setRefreshError(err instanceof Error ? err : new Error(String(err))));
    }
  }, [session.signedIn, session.claims, session.client]);

  // Focus the page on navigation, so keyboard and screen reader users start there.
  useEffect(() => {
    document.getElementById('main')?.focus({ preventScroll: true });
  }, [location.pathname]);

  if (!session.signedIn) return <Navigate to={`/signin?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  if (!session.claims) {
    return <main id="main">{refreshError ? <ErrorState error={refreshError} onRetry={() => window.location.reload()} /> : <Loading label={t('app.restoring')} />}</main>;
  }

  const signOut = async () => {
    await session.client.signOut();
    navigate('/signin', { replace: true });
  };

  return (
    <>
      <a className="skip-link" href="#main">
        {t('app.skip')}
      </a>
      <header className="top">
        <span className="brand">{t('app.name')}</span>
        <nav aria-label={t('app.nav')}>
          <ul>
            <li>
              <NavLink to="/organizations">{t('nav.organizations')}</NavLink>
            </li>
            <li>
              <NavLink to="/regions">{t('nav.regions')}</NavLink>
            </li>
            <li>
              <NavLink to="/flags">{t('nav.flags')}</NavLink>
            </li>
            <li>
              <NavLink to="/analytics">{t('nav.analytics')}</NavLink>
            </li>
            <li>
              <NavLink to="/audit">{t('nav.audit')}</NavLink>
            </li>
          </ul>
        </nav>
        <div className="who">
          <NavLink to="/account" title={t('nav.account')}>
            {session.email ?? t('nav.account')}
          </NavLink>
          <button type="button" onClick={() => void signOut()}>
            {t('app.signOut')}
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {session.claims.role === 'platform_admin' ? <Outlet /> : <ErrorState error={new Error(t('app.platformAdminsOnly'))} />}
      </main>
    </>
  );
}

function NotFound() {
  return (
    <main id="main">
      <h1>{t('app.notFound')}</h1>
      <p>
        <a href="/">{t('app.home')}</a>
      </p>
    </main>
  );
}

const router = createBrowserRouter([
  { path: '/signin', element: <SignInPage /> },
  { path: '/signup', element: <SignupPage /> },
  {
    element: <AdminLayout />,
    children: [
      { path: '/', element: <Navigate to="/organizations" replace /> },
      { path: '/organizations', element: <OrganizationsPage /> },
      { path: '/organizations/:id', element: <OrganizationPage /> },
      { path: '/regions', element: <RegionsPage /> },
      { path: '/flags', element: <FlagsPage /> },
      { path: '/analytics', element: <AnalyticsPage /> },
      { path: '/audit', element: <AuditPage /> },
      { path: '/account', element: <AccountPage /> },
    ],
  },
  { path: '*', element: <NotFound /> },
]);

export function App() {
  const { signedIn } = useSession();
  const queryClient = useQueryClient();
  const wasSignedIn = useRef(signedIn);
  // A session that ends takes its answers with it: the next admin to sign in starts from nothing.
  // Only on that change: clearing under a page that is loading (signup, signed out) would strand it.
  useEffect(() => {
    if (wasSignedIn.current && !signedIn) queryClient.clear();
    wasSignedIn.current = signedIn;
  }, [signedIn, queryClient]);
  return <RouterProvider router={router} />;
}
