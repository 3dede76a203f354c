/**
 * The ICE configuration the relay gives the two admitted peers of a session: its TURN servers
 * with short-lived credentials (coturn's REST API scheme, src/relay/turn/), and whether the peers
 * must go through them. It reaches each side as the relay event `session:ice` and each page's
 * peer uses it as its RTCConfiguration. A relay without TURN sends none: the peers then connect
 * directly, as before.
 */
import { z } from 'zod';

/** A TURN server's addresses (RFC 7065 URIs: turn: over UDP or TCP, turns: over TLS) and its credentials. */
export const IceServer = z.object({
  urls: z
    .array(
      z
        .string()
        .max(512)
        .regex(/^turns?:[^\s?]+(\?transport=(udp|tcp))?$/, 'a turn: or turns: address'),
    )
    .min(1)
    .max(8),
  /** `<expiry, seconds since the epoch>:<id>`. */
  username: z
    .string()
    .max(256)
    .regex(/^\d{1,12}:[\w.-]{1,128}$/, 'expiry:id'),
  /** base64(HMAC-SHA1(secret, username)). */
  credential: z.string().min(1).max(256),
});
export type IceServer = z.infer<typeof IceServer>;

export const IceConfig = z.object({
  iceServers: z.array(IceServer).min(1).max(4),
  /** 'relay': only through TURN (the deployment hides the peers' addresses from each other). */
  iceTransportPolicy: z.enum(['all', 'relay']),
  /** When the credentials stop opening new allocations (ms since the epoch); a live one is not cut. */
  expiresAt: z.number().int().nonnegative(),
});
export type IceConfig = z.infer<typeof IceConfig>;

/** The RTCConfiguration part a peer takes from it (none: direct only, as without TURN). */
export function rtcIceConfiguration(ice: IceConfig | null | undefined): {
  iceServers: IceServer[];
  iceTransportPolicy?: 'all' | 'relay';
} {
  if (!ice) return { iceServers: [] };
  return { iceServers: ice.iceServers, iceTransportPolicy: ice.iceTransportPolicy };
}
