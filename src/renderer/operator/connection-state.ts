/**
 * What the operator's viewer may honestly say about its session's connection, from every source
 * at once: this app's relay connection (main's state: lost since, unreachable after its grace),
 * the device's (the relay's session:away), the peer connection and its picture (this page's), and
 * the host's own word that its capture stopped. Pure, so that each combination is tested without
 * a browser: the viewer never says "you have control" over a picture that stopped arriving, and
 * never names a cause it has not seen.
 */
import type { OperatorState } from '../../shared/ipc';

/** The peer connection and its picture, as this page sees them; each `since` is epoch ms. */
export interface Picture {
  /** `connecting`: no picture yet; `connected`: the peer is up with a stream; `lost`: it went down. */
  peer: 'connecting' | 'connected' | 'lost';
  since: number;
  /** The host said its capture stopped (the user stopped sharing), at this time. */
  captureStoppedAt?: number;
}

export const NO_PICTURE: Picture = { peer: 'connecting', since: 0 };

type InSession = Extract<OperatorState, { status: 'active' }>;

export type Condition =
  | { kind: 'live' }
  | { kind: 'connecting'; since: number }
  | { kind: 'capture-stopped'; since: number }
  | { kind: 'device-reconnecting'; since: number; pictureLive: boolean }
  | { kind: 'device-offline'; since: number }
  | { kind: 'relay-reconnecting'; since: number; pictureLive: boolean }
  | { kind: 'relay-unreachable'; since: number; pictureLive: boolean; relay: string }
  | { kind: 'picture-lost'; since: number };

/** Whether the device's screen is arriving now: the operator may act on what it shows. */
export function pictureLive(picture: Picture): boolean {
  return picture.peer === 'connected' && picture.captureStoppedAt === undefined;
}

/** The one thing the viewer says, the most specific cause first. */
export function sessionCondition(session: InSession, picture: Picture): Condition {
  const live = pictureLive(picture);
  if (picture.captureStoppedAt !== undefined) return { kind: 'capture-stopped', since: picture.captureStoppedAt };
  if (session.deviceAway) {
    const since = session.awaySince ?? picture.since;
    return live ? { kind: 'device-reconnecting', since, pictureLive: true } : { kind: 'device-offline', since };
  }
  if (session.relayLost) {
    const { since, unreachable, relay } = session.relayLost;
    return unreachable
      ? { kind: 'relay-unreachable', since, pictureLive: live, relay }
      : { kind: 'relay-reconnecting', since, pictureLive: live };
  }
  if (picture.peer === 'lost') return { kind: 'picture-lost', since: picture.since };
  if (picture.peer === 'connecting') return { kind: 'connecting', since: picture.since };
  return { kind: 'live' };
}

/**
 * While the user is asked there is no picture yet: only this app's relay connection can be lost
 * (the device's own absence is said by the waiting screen). Live when the relay is there.
 */
export function waitingCondition(session: Extract<OperatorState, { status: 'waiting' }>): Condition {
  if (!session.relayLost) return { kind: 'live' };
  const { since, unreachable, relay } = session.relayLost;
  return unreachable
    ? { kind: 'relay-unreachable', since, pictureLive: false, relay }
    : { kind: 'relay-reconnecting', since, pictureLive: false };
}

/** "12 s", "3 min 5 s": how long something has lasted. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${seconds % 60} s`;
}

/** The banner's sentence (null: nothing to say), and whether it is a loss rather than a wait. */
export function describeCondition(condition: Condition, now: number): { text: string; lost: boolean } | null {
  const lasted = 'since' in condition ? formatDuration(now - condition.since) : '';
  const directly = ' The screen still comes directly from the device.';
  switch (condition.kind) {
    case 'live':
      return null;
    case 'connecting':
      return { text: `Connecting to the screen… (${lasted})`, lost: false };
    case 'capture-stopped':
      return {
        text: `Capture stopped on the device ${lasted} ago: its screen is not shared any more, so you see nothing new and cannot control it.`,
        lost: true,
      };
    case 'device-reconnecting':
      return { text: `The device is reconnecting to the relay… (${lasted}).${directly}`, lost: false };
    case 'device-offline':
      return {
        text: `The device is offline: it lost its connection to the relay ${lasted} ago and its screen stopped arriving. The relay waits a minute for it to come back.`,
        lost: true,
      };
    case 'relay-reconnecting':
      return {
        text: `Reconnecting to the relay… (${lasted})${condition.pictureLive ? `.${directly}` : ''}`,
        lost: false,
      };
    case 'relay-unreachable':
      return {
        text: `The relay is unreachable: ${condition.relay} has not answered for ${lasted}; still trying.${
          condition.pictureLive ? directly : ' Nothing arrives from the device.'
        }`,
        lost: true,
      };
    case 'picture-lost':
      return {
        text: `The device's screen stopped arriving ${lasted} ago; the connection to it was lost.`,
        lost: true,
      };
  }
}
