/**
 * What the operator's controller (operator-controller.ts) is given: the configured relay, the
 * keychain's and trusted relays' parts, the desktop's (where there is one), and the console's
 * address it may open. Split from the controller so that each stays readable.
 */
import type { Agent } from 'node:http';
import type { EventPayloads } from '../../shared/ipc.js';
import type { RelayRoutes } from '../relay-route.js';
import type { RelayKeys } from '../../shared/relay-api.js';
import { secureRelayUrl } from '../../shared/relay-url.js';
import type { TrustedRelays } from '../activation/trusted-relays.js';
import type { TrustedKeyLookup } from '../activation/verify-activation.js';

/** What only the desktop app has: the system's file dialog and browser (Electron's lines in index.ts). */
export interface DesktopParts {
  /** The path the operator chose in the system's "open" dialog for `.flxra` files, or null. */
  pickActivationFile(): Promise<string | null>;
  /** Opens an https (or loopback http) URL in the system browser. */
  openExternal(url: string): Promise<void>;
  /** The system's "save" dialog, then writes `text` where the operator chose; the path, or null when cancelled. */
  saveTextFile(suggestedName: string, text: string): Promise<string | null>;
  /** The system clipboard's text, and writing to it (the terminals' copy and paste). */
  readClipboard(): string;
  writeClipboard(text: string): void;
  /** The operator's Downloads folder, where files fetched from the device are saved. */
  downloadsFolder(): string;
}

/**
 * The relay's console, where the operator signs in with their console account: in its https form
 * (wss:// → https://); '' for an address flxra does not connect to (src/shared/relay-url.ts).
 */
export function consoleUrl(relayUrl: string): string {
  const checked = secureRelayUrl(relayUrl);
  return checked.ok ? `${new URL(checked.url).origin}/console/` : '';
}

export interface OperatorControllerOptions {
  defaultRelayUrl: string;
  /** The operator's token for a relay, with the reason when there is none. */
  loadToken: (relayUrl: string) => Promise<{ token: string | null; reason: string }>;
  /** Keeps a token the relay accepted (in the OS keychain). */
  saveToken: (relayUrl: string, token: string) => Promise<void>;
  trusted: TrustedKeyLookup & Pick<TrustedRelays, 'trust' | 'vouchers' | 'adopt'>;
  /** A relay's published keys (relay-keys.ts fetchRelayKeys), through `agent` when a proxy's tunnel is given. */
  fetchRelayKeys: (relay: string, agent?: Agent) => Promise<RelayKeys>;
  /** The way to each relay (relay-route.ts: the app's proxy resolution); absent: direct (tests without a proxy). */
  routes?: RelayRoutes;
  emit: <
    E extends
      | 'operator:state'
      | 'operator:signal'
      | 'operator:tool-event'
      | 'operator:tools-available'
      | 'operator:notes-saved'
      | 'operator:assist'
      | 'operator:secure-desktop',
  >(
    channel: E,
    payload: EventPayloads[E],
  ) => void;
  /** Absent where there is no desktop (the tests' controllers): the home screen's buttons say so. */
  desktop?: DesktopParts;
  now?: () => number;
  /** How long a relay connection lost inside a session reads "reconnecting" before "unreachable" (operator-session). */
  relayGraceMs?: number;
  log?: (message: string) => void;
}
