/**
 * The connection details' line saying how this app reaches its relay, in both windows: the proxy
 * resolution's choice main made ("Relay: through the proxy proxy.corp:3128 (system settings)",
 * "Relay: direct"; its reason on hover), or the proxy's refusal, when nothing connected.
 */
import type { RelayRouteShown } from '../../shared/ipc';
import { relayRefusalLine, relayRouteLine } from '../../shared/proxy-choice';

export function RelayRoute({ state }: { state: RelayRouteShown }) {
  if (state.proxyRefusal)
    return (
      <span className="error" data-testid="relay-route" data-route="refused" data-code={state.proxyRefusal.code}>
        {relayRefusalLine(state.proxyRefusal)}
      </span>
    );
  if (!state.relayRoute) return null;
  return (
    <span
      data-testid="relay-route"
      data-route={state.relayRoute.kind}
      data-source={state.relayRoute.source}
      title={state.relayRoute.reason}
    >
      {relayRouteLine(state.relayRoute)}
    </span>
  );
}
