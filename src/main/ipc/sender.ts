/**
 * Who may talk to the main process: only frames showing the app's own pages, loaded from where
 * the app loads them (its packaged files, or the tests' local server). A page's file name
 * says its role.
 */
import type { WindowRole } from '../../shared/ipc.js';

export interface SenderPolicy {
  /** The URL prefix the app's pages are served from, ending with '/'. */
  rendererBase: string;
}

const pages: Record<string, WindowRole> = { 'host.html': 'host', 'operator.html': 'operator' };

export function senderRole(policy: SenderPolicy, url: string | undefined): WindowRole | null {
  if (!url || !url.startsWith(policy.rendererBase)) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  const rest = parsed.pathname.slice(new URL(policy.rendererBase).pathname.length);
  return pages[rest] ?? null;
}
