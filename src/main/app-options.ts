/**
 * The app's start-up options from its command line and environment: which role it plays and
 * which relay it uses, and the explicit proxy to it (`--proxy`: proxy-setting.ts). Defaults match
 * the relay's embedded defaults, so both start together.
 */
import { parseArgs } from 'node:util';

export const DEFAULT_RELAY_URL = 'http://127.0.0.1:7443';

export interface AppOptions {
  role: 'host' | 'operator';
  relayUrl: string;
  /** Pre-fills the session ID in the operator's viewer. */
  sessionId?: string;
  /** `--proxy`: the explicit proxy setting (Proxy_Url), never with a password (proxy-setting.ts). */
  proxyUrl?: string;
}

export function parseAppOptions(argv: readonly string[], env: NodeJS.ProcessEnv): AppOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      host: { type: 'boolean', default: false },
      relay: { type: 'string' },
      session: { type: 'string' },
      proxy: { type: 'string' },
    },
    strict: false,
    allowPositionals: true,
  });
  const relayUrl = String(values.relay ?? env.FLXRA_RELAY_URL ?? DEFAULT_RELAY_URL);
  return {
    role: values.host === true ? 'host' : 'operator',
    relayUrl,
    ...(typeof values.session === 'string' ? { sessionId: values.session } : {}),
    ...(typeof values.proxy === 'string' ? { proxyUrl: values.proxy } : {}),
  };
}
