/** The console's state: who is signed in, and which page is shown (the URL's path under /console). */
import { create } from 'zustand';
import type { ConsoleUser } from '../../../shared/console-api';
import { setCsrfToken } from './api';

export type Page = 'setup' | 'login' | 'devices' | 'sessions' | 'audit' | 'policy' | 'users';
const PAGES: readonly Page[] = ['setup', 'login', 'devices', 'sessions', 'audit', 'policy', 'users'];
const BASE = '/console/';

function pageOf(pathname: string): Page {
  const name = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : '';
  return (PAGES as readonly string[]).includes(name) ? (name as Page) : 'devices';
}

interface ConsoleStore {
  /** undefined while the page asks the relay whether it is signed in. */
  user: ConsoleUser | null | undefined;
  page: Page;
  signedIn: (user: ConsoleUser, csrfToken: string) => void;
  signedOut: () => void;
  go: (page: Page) => void;
}

export const useConsole = create<ConsoleStore>((set) => ({
  user: undefined,
  page: pageOf(location.pathname),
  signedIn: (user, csrfToken) => {
    setCsrfToken(csrfToken);
    set({ user });
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
