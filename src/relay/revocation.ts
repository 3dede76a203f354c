/**
 * Revocation that bites at once: an operator or a device removed, whichever way (the console,
 * or `relay operator|device remove` run beside the running relay on its data folder), loses its
 * open connections on both namespaces and its assistances end, both sides told why
 * (`operator-revoked`, `device-removed`). A token is checked at the handshake; after that the
 * relay re-checks the identity behind a socket whenever it acts on one of its events (gone), and
 * whenever another process changed the database (watch: SQLite's data_version, polled, so
 * that a removal made with the relay command reaches idle connections within a second too: a
 * running assistance's screen and input flow peer to peer and send the relay nothing). One app
 * token of an identity (its own app's, operators.ts) can end alone: its connections drop.
 */
import type { Namespace } from 'socket.io';
import { RELAY_ACTOR, type AuditActor } from './audit/audit-trail.js';
import type { Assistances } from './assistances/service.js';
import type { ClientData } from './auth.js';
import type { DeviceRegistry } from './devices.js';
import type { RelayLogger } from './log.js';
import type { Outgoing } from './messages.js';
import type { OperatorRegistry } from './operators.js';
import type { RelayStore } from './store/store.js';

/** Whose identity is behind a connection (an anonymous host has none to lose). */
export type Identity = { kind: 'operator'; id: string } | { kind: 'device'; id: string };

/** Removed from outside the relay: the relay noticed rather than did it. */
const NOTICED: AuditActor = { ...RELAY_ACTOR, name: 'relay (removed outside the running relay)' };

const WATCH_INTERVAL_MS = 1_000;

export interface RevocationDeps {
  operators: Pick<OperatorRegistry, 'has' | 'remove' | 'hasAppToken' | 'revokeAppToken'>;
  devices: Pick<DeviceRegistry, 'has' | 'remove'>;
  assistances: Pick<Assistances, 'endForRevokedOperator' | 'endForRemovedDevice' | 'deviceOf'>;
  store: Pick<RelayStore, 'externalChanges'>;
  /** The default namespace (hosts, operators) and the agents'. */
  namespaces: () => Namespace[];
  deliver: (out: Outgoing[]) => void;
  logger: RelayLogger;
}

export class Revocations {
  private lastSeen: number;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: RevocationDeps) {
    this.lastSeen = deps.store.externalChanges();
  }

  /** The identity a connection stands for: an operator, or the device a host or agent is (or assists). */
  identityOf(data: ClientData | { deviceId: string }): Identity | null {
    if ('deviceId' in data) return { kind: 'device', id: data.deviceId };
    if (data.role === 'operator') return { kind: 'operator', id: data.operator.id };
    if (data.device) return { kind: 'device', id: data.device.id };
    const sessionId = data.assistance ?? data.resumed;
    const deviceId = sessionId === undefined ? null : this.deps.assistances.deviceOf(sessionId);
    return deviceId === null ? null : { kind: 'device', id: deviceId };
  }

  /**
   * Before acting on a connection's event: true (and the identity revoked everywhere) when its
   * operator or device is no longer registered; the event is then not acted on.
   */
  gone(data: ClientData | { deviceId: string }): boolean {
    const identity = this.identityOf(data);
    if (!identity) return false;
    if (!this.registered(identity)) {
      this.revoke(identity, NOTICED);
      return true;
    }
    const appToken = this.appTokenOf(data);
    if (appToken === null || this.deps.operators.hasAppToken(appToken)) return false;
    this.dropAppToken(appToken);
    return true;
  }

  /**
   * One app token of an operator identity ends (its app signed out by an administrator); the
   * identity and its other apps go on. Its connections drop at once, so the app is signed out; an
   * assistance it had open ends as when an operator's connection is lost (operator-gone).
   */
  revokeAppToken(tokenId: string): boolean {
    const had = this.deps.operators.revokeAppToken(tokenId);
    this.dropAppToken(tokenId);
    return had;
  }

  /** An administrator removes the operator (console): its registration, its assistances, its connections. */
  revokeOperator(operatorId: string, by: AuditActor): void {
    this.deps.operators.remove(operatorId);
    this.revoke({ kind: 'operator', id: operatorId }, by);
  }

  /** The same for a device. */
  revokeDevice(deviceId: string, by: AuditActor): void {
    this.deps.devices.remove(deviceId);
    this.revoke({ kind: 'device', id: deviceId }, by);
  }

  /**
   * A device enrolled again (agents/enrol.ts) keeps its record but not its old credential: what
   * that credential holds open goes as for a removal (its assistances end, `agent-restarted`, and
   * its connections drop; a connection back with the old token is refused at the handshake).
   */
  credentialReplaced(deviceId: string, by: AuditActor): void {
    this.revoke({ kind: 'device', id: deviceId }, by, 'agent-restarted');
  }

  /** Checks every open connection's identity once another process has changed the database. */
  watch(): void {
    this.timer ??= setInterval(() => this.checkIfChanged(), WATCH_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Revokes the identities of open connections that are no longer registered; how many. */
  checkAll(): number {
    const vanished = new Map<string, Identity>();
    const endedTokens = new Set<string>();
    for (const nsp of this.deps.namespaces())
      for (const socket of nsp.sockets.values()) {
        const identity = this.identityOf(socket.data as ClientData | { deviceId: string });
        if (identity && !this.registered(identity)) vanished.set(`${identity.kind}:${identity.id}`, identity);
        const appToken = this.appTokenOf(socket.data as ClientData);
        if (appToken !== null && !this.deps.operators.hasAppToken(appToken)) endedTokens.add(appToken);
      }
    for (const identity of vanished.values()) this.revoke(identity, NOTICED);
    for (const appToken of endedTokens) this.dropAppToken(appToken);
    return vanished.size + endedTokens.size;
  }

  private checkIfChanged(): void {
    const now = this.deps.store.externalChanges();
    if (now === this.lastSeen) return;
    this.lastSeen = now;
    this.checkAll();
  }

  private appTokenOf(data: ClientData | { deviceId: string }): string | null {
    return 'role' in data && data.role === 'operator' ? (data.appToken ?? null) : null;
  }

  private dropAppToken(tokenId: string): void {
    let dropped = 0;
    for (const nsp of this.deps.namespaces())
      for (const socket of nsp.sockets.values()) {
        if (this.appTokenOf(socket.data as ClientData) !== tokenId) continue;
        socket.disconnect(true);
        dropped++;
      }
    this.deps.logger.info('operator app token revoked', { appToken: tokenId, connections: dropped });
  }

  private registered(identity: Identity): boolean {
    return identity.kind === 'operator' ? this.deps.operators.has(identity.id) : this.deps.devices.has(identity.id);
  }

  /** Its assistances end (both sides told why), then every connection standing for it is dropped. */
  private revoke(identity: Identity, by: AuditActor, deviceReason?: 'agent-restarted'): void {
    const { assistances, deliver, logger } = this.deps;
    deliver(
      identity.kind === 'operator'
        ? assistances.endForRevokedOperator(identity.id, by)
        : assistances.endForRemovedDevice(identity.id, by, deviceReason),
    );
    let dropped = 0;
    for (const nsp of this.deps.namespaces())
      for (const socket of nsp.sockets.values()) {
        const other = this.identityOf(socket.data as ClientData | { deviceId: string });
        if (other?.kind !== identity.kind || other.id !== identity.id) continue;
        socket.disconnect(true);
        dropped++;
      }
    const what =
      identity.kind === 'operator'
        ? 'operator revoked'
        : deviceReason
          ? 'device credential replaced'
          : 'device removed';
    logger.info(what, {
      [identity.kind]: identity.id,
      connections: dropped,
    });
  }
}
