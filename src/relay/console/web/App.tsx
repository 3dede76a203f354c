/**
 * The console's frame: who is signed in decides between setup, sign-in and the pages; a user the
 * administrators require a second factor of, who has none yet, sees only its setup, and one whose
 * password an administrator reset sees only the form that changes it. Admins see
 * the sign-in alerts above every page.
 */
import { useEffect } from 'react';
import type { ConsoleUser } from '../../../shared/console-api';
import { consoleApi, onAccessChanged } from './api';
import { AddDevicesPage } from './pages/AddDevicesPage';
import { AssistancesPage } from './pages/AssistancesPage';
import { AuditPage } from './pages/AuditPage';
import { DevicesPage } from './pages/DevicesPage';
import { LoginPage } from './pages/LoginPage';
import { PolicyPage } from './pages/PolicyPage';
import { RecordingsPage } from './pages/RecordingsPage';
import { SecurityPage } from './pages/SecurityPage';
import { SessionsPage } from './pages/SessionsPage';
import { SetupPage } from './pages/SetupPage';
import { SignInAlertsBanner } from './pages/SignInAlertsBanner';
import { UsersPage } from './pages/UsersPage';
import { useReachability } from './reachability';
import { RelayBanner } from './RelayBanner';
import { useConsole, type Page } from './store';

export function App() {
  const user = useConsole((s) => s.user);
  const page = useConsole((s) => s.page);
  const setupNeeded = useConsole((s) => s.secondFactorSetupNeeded || s.passwordChangeNeeded);
  useEffect(() => {
    const { signedIn, signedOut } = useConsole.getState();
    const whoAmI = () =>
      consoleApi.me().then(
        (me) => signedIn(me),
        () => signedOut(),
      );
    // Removed or demoted meanwhile: the page follows (sign-in page, or the operator's links).
    onAccessChanged((status) => (status === 401 ? signedOut() : void whoAmI()));
    void whoAmI();
  }, []);

  return (
    <>
      <RelayBanner />
      {page === 'setup' ? (
        <SetupPage />
      ) : user === undefined ? (
        <p className="loading">Loading…</p>
      ) : user === null ? (
        <LoginPage />
      ) : (
        <Shell user={user} page={setupNeeded ? 'security' : page} restricted={setupNeeded} />
      )}
    </>
  );
}

const NAV: Array<{ page: Page; label: string; adminOnly: boolean }> = [
  { page: 'devices', label: 'Devices', adminOnly: false },
  { page: 'add-devices', label: 'Add devices', adminOnly: true },
  { page: 'sessions', label: 'Signed-in users', adminOnly: false },
  { page: 'assistances', label: 'Assistances', adminOnly: false },
  { page: 'audit', label: 'Audit', adminOnly: true },
  { page: 'recordings', label: 'Recordings', adminOnly: true },
  { page: 'policy', label: 'Policy', adminOnly: true },
  { page: 'users', label: 'Users', adminOnly: true },
  { page: 'security', label: 'Security', adminOnly: false },
];

function Shell({ user, page, restricted }: { user: ConsoleUser; page: Page; restricted: boolean }) {
  const go = useConsole((s) => s.go);
  const unreachable = useReachability((s) => s.unreachable);
  const links = NAV.filter((n) => (restricted ? n.page === 'security' : !n.adminOnly || user.role === 'admin'));
  // Signed in: the sign-in page, or an admin page for an operator, shows the devices.
  const shown = links.some((n) => n.page === page) ? page : 'devices';
  const signOut = () => {
    // Signed out on this page whatever the relay answered: the cookie is the relay's to drop.
    void consoleApi
      .logout()
      .catch(() => undefined)
      .then(() => {
        useConsole.getState().signedOut();
        go('login');
      });
  };
  return (
    <div className="shell">
      <header className="bar">
        <strong>flxra console</strong>
        <nav aria-label="Console">
          {links.map((n) => (
            <button
              key={n.page}
              type="button"
              aria-current={n.page === shown ? 'page' : undefined}
              onClick={() => go(n.page)}
            >
              {n.label}
            </button>
          ))}
        </nav>
        <span>
          {user.name} ({user.role}){' '}
          <button type="button" onClick={signOut}>
            Sign out
          </button>
        </span>
      </header>
      {/* While the relay cannot be reached, what the page last had is shown as such (styles.css). */}
      <main className={unreachable ? 'stale' : undefined}>
        {user.role === 'admin' && !restricted && <SignInAlertsBanner />}
        {shown === 'devices' && <DevicesPage admin={user.role === 'admin'} />}
        {shown === 'add-devices' && <AddDevicesPage />}
        {shown === 'sessions' && <SessionsPage />}
        {shown === 'assistances' && <AssistancesPage admin={user.role === 'admin'} />}
        {shown === 'audit' && <AuditPage />}
        {shown === 'recordings' && <RecordingsPage />}
        {shown === 'policy' && <PolicyPage />}
        {shown === 'users' && <UsersPage />}
        {shown === 'security' && <SecurityPage user={user} />}
      </main>
    </div>
  );
}
