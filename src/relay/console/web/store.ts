/**
 * The console's state: who is signed in (and whether they must change a reset password or set up
 * a second factor before anything else), and which page is shown (the URL's path under /console).
 */
import { create } from 'zustand';
import type { ConsoleUser, LoginResponse } from '../../../shared/console-api';
import { setCsrfToken } from './api';

/** 'sessions' is the page of the devices' signed-in users. */
export type Page =
  | 'setup'
  | 'login'
  | 'devices'
  | 'add-devices'
  | 'sessions'
  | 'assistances'
  | 'audit'
  | 'recordings'
  | 'policy'
  | 'users'
  | 'security';
const PAGES: readonly Page[] = [
  'setup',
  'login',
  'devices',
  'add-devices',
  'sessions',
  'assistances',
  'audit',
  'recordings',
  'policy',
  'users',
  'security',
];
const BASE = '/console/';

function pageOf(pathname: string): Page {
  const name = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : '';
  return (PAGES as readonly string[]).includes(name) ? (name as Page) : 'devices';
}

interface ConsoleStore {
  /** undefined while the page asks the relay whether it is signed in. */
  user: ConsoleUser | null | undefined;
  /** The administrators require a second factor and this user has none yet. */
  secondFactorSetupNeeded: boolean;
  /** An administrator reset this user's password: they must choose a new one first. */
  passwordChangeNeeded: boolean;
  page: Page;
  signedIn: (answer: LoginResponse) => void;
  signedOut: () => void;
  go: (page: Page) => void;
}

export const useConsole = create<ConsoleStore>((set) => ({
  user: undefined,
  secondFactorSetupNeeded: false,
  passwordChangeNeeded: false,
  page: pageOf(location.pathname),
  signedIn: ({ user, csrfToken, secondFactorSetupNeeded, passwordChangeNeeded }) => {
    setCsrfToken(csrfToken);
    set({ user, secondFactorSetupNeeded, passwordChangeNeeded });
  },
  signedOut: () => {
    setCsrfToken(null);
    set({ user: null });
  },
  go: (page) => {
    // The fragment (a setup link's token) is never carried to another page.
    if (location.pathname !== `${BASE}${page}`) history.pushState(null, '', `${BASE}${page}`);
    set({ page });
  },
}));

addEventListener('popstate', () => useConsole.setState({ page: pageOf(location.pathname) }));
