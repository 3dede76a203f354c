/**
 * The path a peer connection's media and input take, as both apps know it: directly peer to
 * peer, or relayed by a TURN server, this side reaching it over UDP, TCP or TLS; with the round
 * trip time. Read from WebRTC's getStats (the transport's selected candidate pair and its two
 * candidates), so it is what the browser actually uses, not what was configured. The operator's
 * connection details show it (pathText); the viewer's toolbar of a later issue shows the same.
 */

export interface PeerPath {
  /** 'relayed': through a TURN server, this side's, the other side's or both. */
  route: 'direct' | 'relayed';
  /** Whose candidate is the TURN server's, when relayed. */
  relayedBy?: 'this side' | 'other side' | 'both';
  /** How this side's packets leave it: straight to the peer (udp, tcp), or to its TURN server (udp, tcp, tls). */
  transport: 'udp' | 'tcp' | 'tls';
  /** The selected pair's current round trip, in milliseconds (null before ICE measured one). */
  rttMs: number | null;
}

type Report = Record<string, unknown>;

const TRANSPORTS = ['udp', 'tcp', 'tls'] as const;
const transportOf = (value: unknown): PeerPath['transport'] | null => TRANSPORTS.find((t) => t === value) ?? null;

/** The path from a connection's stats reports (flattened), or null while no candidate pair is selected. */
export function peerPathFromStats(reports: Iterable<unknown>): PeerPath | null {
  const byId = new Map<string, Report>();
  const all: Report[] = [];
  for (const report of reports) {
    if (typeof report !== 'object' || report === null) continue;
    const r = report as Report;
    all.push(r);
    if (typeof r.id === 'string') byId.set(r.id, r);
  }
  const get = (id: unknown) => (typeof id === 'string' ? byId.get(id) : undefined);
  // The transport names its selected pair; older stats mark the pair itself.
  const transport = all.find((r) => r.type === 'transport' && typeof r.selectedCandidatePairId === 'string');
  const pair =
    get(transport?.selectedCandidatePairId) ??
    all.find((r) => r.type === 'candidate-pair' && r.selected === true) ??
    all.find((r) => r.type === 'candidate-pair' && r.nominated === true && r.state === 'succeeded');
  if (pair?.type !== 'candidate-pair') return null;
  const local = get(pair.localCandidateId);
  const remote = get(pair.remoteCandidateId);
  if (!local || !remote) return null;
  const localRelay = local.candidateType === 'relay';
  const remoteRelay = remote.candidateType === 'relay';
  const rtt = typeof pair.currentRoundTripTime === 'number' ? Math.round(pair.currentRoundTripTime * 1000) : null;
  const leg = localRelay ? transportOf(local.relayProtocol) : transportOf(local.protocol);
  if (!leg) return null;
  if (!localRelay && !remoteRelay) return { route: 'direct', transport: leg, rttMs: rtt };
  const relayedBy = localRelay && remoteRelay ? 'both' : localRelay ? 'this side' : 'other side';
  return { route: 'relayed', relayedBy, transport: leg, rttMs: rtt };
}

/** One line for people: "Relayed through TURN over TCP · 12 ms round trip". */
export function pathText(path: PeerPath | null): string {
  if (!path) return 'Connection path: not established yet';
  const rtt = path.rttMs === null ? '' : ` · ${path.rttMs} ms round trip`;
  const over = path.transport.toUpperCase();
  if (path.route === 'direct') return `Connection path: direct, peer to peer over ${over}${rtt}`;
  const whose =
    path.relayedBy === 'other side'
      ? `through the other side's TURN server (${over} from here)`
      : `through TURN over ${over}`;
  return `Connection path: relayed ${whose}${rtt}`;
}
