/**
 * The operator side of a session in the app's main process: the shared logic
 * (src/shared/operator-session.ts, which the operator in the browser runs too) connected with the
 * operator's relay token through the app's way to the relay (relay-route.ts: its proxy's tunnel,
 * shown in every state; a refusal connects nothing).
 */
import { signInToRelayMessage } from '../../platform/credentials/credential-store.js';
import { OperatorSessionCore, type OperatorSessionCoreOptions } from '../../shared/operator-session.js';
import { connectToRelay } from '../relay-client.js';
import { shownRoute, type RelayRoute } from '../relay-route.js';

export { RELAY_GRACE_MS } from '../../shared/operator-session.js';

export interface OperatorSessionOptions extends Omit<
  OperatorSessionCoreOptions,
  'connect' | 'cannotConnect' | 'shown' | 'refusedMessage'
> {
  /** The operator's relay token; null when the app has none (the reason says why). */
  token: string | null;
  missingTokenReason?: string;
  /**
   * The way to this relay (relay-route.ts): its proxy's tunnel, shown in every state; a refusal
   * connects nothing. Absent: direct.
   */
  route?: RelayRoute;
}

export class OperatorSession extends OperatorSessionCore {
  constructor(opts: OperatorSessionOptions) {
    const { token, missingTokenReason, route, ...rest } = opts;
    const cannotConnect =
      route && !route.ok
        ? route.refusal.message
        : token
          ? undefined
          : (missingTokenReason ?? signInToRelayMessage(opts.relayUrl));
    const agent = route?.ok ? route.agent : undefined;
    super({
      ...rest,
      ...(cannotConnect === undefined ? {} : { cannotConnect }),
      shown: shownRoute(route),
      connect: () => connectToRelay(opts.relayUrl, { role: 'operator', token: token! }, agent ? { agent } : {}),
    });
  }
}
