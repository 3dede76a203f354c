/**
 * Which connections get TURN credentials, and when: only a session's two admitted peers, its
 * host and its admitted operator, each time the relay lets the operator in (consent, password,
 * back after a drop) and each time the host is told to start a fresh peer (session:peer-reset,
 * host:resumed), so that a new peer never starts with credentials that expired. Nobody else, an
 * operator waiting for consent, a host with no admitted operator, any other session's side,
 * ever gets any.
 *
 * It reads the messages the session logic answered just before they are delivered and adds the
 * `session:ice` each admitted side needs (the host's before its peer-reset, so that its fresh peer
 * has them). The credentials live no longer than the assistance: their expiry is the relay's
 * time (its injected clock) plus the TTL, and never past the assistance's own deadline when it
 * has one (its grace after the operator left). While a session lasts its peers get fresh ones
 * before the last expire (renew(), from the relay's sweep), so that a peer made late in a long
 * session (the user sharing the screen again) can still use TURN.
 */
import type { IceConfig } from '../../shared/ice.js';
import type { SessionId } from '../../shared/protocol.js';
import type { Clock } from '../clock.js';
import type { ConnId, Outgoing } from '../messages.js';
import type { RelayStore } from '../store/store.js';
import { turnCredential } from './credentials.js';

export interface TurnSettings {
  /** The TURN server's addresses given to the peers (turn:host:3478?transport=udp, …, turns:host:443). */
  urls: string[];
  /** The secret shared with coturn (static-auth-secret); never logged. */
  secret: string;
  /** How long credentials open new allocations; default 1 hour, and never past the assistance. */
  ttlMs?: number;
  /** Peers must connect through TURN only (their addresses stay hidden from each other). */
  relayOnly?: boolean;
}

export const DEFAULT_TURN_TTL_MS = 60 * 60_000;
/** Fresh credentials go out this long before the last ones expire (or at half their lifetime, if shorter). */
const RENEW_BEFORE_MS = 10 * 60_000;

export interface GrantDeps {
  clock: Clock;
  /** A session's admitted connections (null when the session is gone). */
  parties(sessionId: SessionId): { operatorConn: ConnId | null; hostConn: ConnId | null } | null;
  /** When the assistance ends at the latest (ms), null when nothing bounds it yet, 'over' when it ended. */
  deadline(sessionId: SessionId): number | null | 'over';
}

export class IceGrants {
  /** Each session's last grant: when it expires. */
  private readonly granted = new Map<SessionId, number>();

  constructor(
    private readonly settings: TurnSettings,
    private readonly deps: GrantDeps,
  ) {}

  /** The messages with the session:ice grants they call for inserted. */
  expand(messages: Outgoing[]): Outgoing[] {
    const granted = new Set<ConnId>();
    const out: Outgoing[] = [];
    const grant = (sessionId: SessionId, to: ConnId, side: 'host' | 'operator') => {
      if (granted.has(to)) return;
      const ice = this.issue(sessionId, side);
      if (!ice) return;
      granted.add(to);
      out.push({ to, event: 'session:ice', payload: { sessionId, ice } });
    };
    for (const message of messages) {
      const sessionId = 'sessionId' in message.payload ? message.payload.sessionId : undefined;
      const parties = sessionId === undefined ? null : this.deps.parties(sessionId);
      if (sessionId === undefined || !parties || parties.operatorConn === null) {
        out.push(message);
        continue;
      }
      if (message.event === 'session:admitted' && message.to === parties.operatorConn) {
        out.push(message);
        grant(sessionId, message.to, 'operator');
        if (parties.hostConn !== null) grant(sessionId, parties.hostConn, 'host');
        continue;
      }
      const freshHostPeer =
        message.event === 'session:peer-reset' ||
        message.event === 'host:resumed' ||
        message.event === 'session:unattended-start';
      if (freshHostPeer && message.to === parties.hostConn) grant(sessionId, message.to, 'host');
      out.push(message);
    }
    return out;
  }

  /** Fresh credentials for the admitted peers of every session whose last ones expire soon. */
  renew(): Outgoing[] {
    const now = this.deps.clock.now();
    const ttl = this.settings.ttlMs ?? DEFAULT_TURN_TTL_MS;
    const before = Math.min(RENEW_BEFORE_MS, ttl / 2);
    const out: Outgoing[] = [];
    for (const [sessionId, expiresAt] of this.granted) {
      const parties = this.deps.parties(sessionId);
      if (!parties || parties.operatorConn === null || parties.hostConn === null) {
        this.granted.delete(sessionId); // nobody admitted any more: the next admission grants anew
        continue;
      }
      if (expiresAt - now > before) continue;
      for (const [to, side] of [
        [parties.hostConn, 'host'],
        [parties.operatorConn, 'operator'],
      ] as const) {
        const ice = this.issue(sessionId, side);
        if (ice) out.push({ to, event: 'session:ice', payload: { sessionId, ice } });
      }
    }
    return out;
  }

  private issue(sessionId: SessionId, side: 'host' | 'operator'): IceConfig | null {
    const now = this.deps.clock.now();
    const deadline = this.deps.deadline(sessionId);
    if (deadline === 'over') return null;
    const ttl = this.settings.ttlMs ?? DEFAULT_TURN_TTL_MS;
    const expiresAt = Math.min(now + ttl, deadline ?? Infinity);
    // Whole seconds, rounded down: never later than the assistance.
    if (Math.floor(expiresAt / 1000) * 1000 <= now) return null;
    const { username, credential } = turnCredential(this.settings.secret, `${sessionId}-${side}`, expiresAt);
    const ice: IceConfig = {
      iceServers: [{ urls: this.settings.urls, username, credential }],
      iceTransportPolicy: this.settings.relayOnly ? 'relay' : 'all',
      expiresAt: Math.floor(expiresAt / 1000) * 1000,
    };
    this.granted.set(sessionId, ice.expiresAt);
    return ice;
  }
}

/** The relay's grants, from its store (the assistances' deadlines) and its session table (who is admitted). */
export function openIceGrants(
  settings: TurnSettings,
  deps: Pick<GrantDeps, 'clock' | 'parties'> & { store: Pick<RelayStore, 'getAssistance'> },
): IceGrants {
  return new IceGrants(settings, {
    clock: deps.clock,
    parties: deps.parties,
    deadline(sessionId) {
      const record = deps.store.getAssistance(sessionId);
      return !record ? null : record.endedAt !== null ? 'over' : record.expiresAt;
    },
  });
}
