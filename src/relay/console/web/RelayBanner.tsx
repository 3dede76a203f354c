/** Above every console page while the relay does not answer it (reachability.ts). */
import { useReachability } from './reachability';

export function RelayBanner() {
  const unreachable = useReachability((s) => s.unreachable);
  if (!unreachable) return null;
  return (
    <p className="relay-down" role="alert">
      The relay cannot be reached; what you see may be out of date — retrying…
    </p>
  );
}

/** Beside a live state the page last had from the relay: marked as such while it cannot be reached. */
export function LastKnown() {
  const unreachable = useReachability((s) => s.unreachable);
  return unreachable ? <span className="last-known"> (last known)</span> : null;
}
