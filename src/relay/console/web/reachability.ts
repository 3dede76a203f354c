/**
 * Whether the relay answers the page: every console call reports here (api.ts), and while it
 * does not answer the page says so above every page (RelayBanner) and shows the live states it
 * last had as such, not as current. Meanwhile it asks the relay again every RETRY_MS (the
 * public setup state, which any page may ask), so that the banner goes as soon as the relay is
 * back, also on pages that poll nothing.
 */
import { create } from 'zustand';
import { CONSOLE_ROUTES, consolePath } from '../../../shared/console-api';

export const RETRY_MS = 2_000;
const PING_TIMEOUT_MS = 5_000;
/** What a reverse proxy answers for a relay behind it that is down. */
const PROXY_DOWN: ReadonlySet<number> = new Set([502, 503, 504]);

interface Reachability {
  unreachable: boolean;
}

export const useReachability = create<Reachability>(() => ({ unreachable: false }));

let retry: ReturnType<typeof setInterval> | null = null;

/** What a call's fetch gave: an answer from the relay, or none (a network error: `null`). */
export function relayResponded(status: number | null): void {
  if (status === null || PROXY_DOWN.has(status)) unreachable();
  else answered();
}

function unreachable(): void {
  if (!useReachability.getState().unreachable) useReachability.setState({ unreachable: true });
  retry ??= setInterval(() => void ping(), RETRY_MS);
}

function answered(): void {
  if (retry !== null) clearInterval(retry);
  retry = null;
  if (useReachability.getState().unreachable) useReachability.setState({ unreachable: false });
}

async function ping(): Promise<void> {
  try {
    const response = await fetch(consolePath(CONSOLE_ROUTES.setupState), {
      credentials: 'same-origin',
      signal: AbortSignal.timeout(PING_TIMEOUT_MS),
    });
    relayResponded(response.status);
  } catch {
    // Still unreachable: the next retry asks again.
  }
}
