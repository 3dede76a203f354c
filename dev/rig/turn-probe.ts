/**
 * A small TURN client (RFC 8656) for the tests that check what a TURN server lets a holder of
 * credentials do: allocate a relayed address, then ask for a permission or a channel to a peer
 * address, and read the server's answer (success, 401 for credentials refused, 403 for a peer
 * address the server forbids). It relays no data. Browsers cannot ask a TURN server for a
 * permission to an address of their choosing, and no maintained Node library exposes these
 * requests, so this one is written here; the message encoding (attributes, XOR addresses,
 * MESSAGE-INTEGRITY) is @msimerson/stun's.
 *
 * UDP, TCP and TLS, as the TURN URL's transport says; over TCP and TLS the messages follow one
 * another on the stream, each as long as its header says (RFC 8489 §6.2.2).
 */
import { createHash } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import tls from 'node:tls';
import { constants as stunConstants, createMessage, decode, type StunResponse } from '@msimerson/stun';

const C = stunConstants;
const at = (name: string): number => {
  const value = C[name];
  if (value === undefined) throw new Error(`@msimerson/stun has no constant ${name}`);
  return value;
};

export type TurnTransport = 'udp' | 'tcp' | 'tls';

export interface TurnProbeOptions {
  transport: TurnTransport;
  host: string;
  port: number;
  username: string;
  password: string;
  /** TLS: the CA that signed the server's certificate, and the name it was issued to. */
  ca?: string;
  servername?: string;
  /** How long one request may wait for its answer; default 5 s. */
  timeoutMs?: number;
}

/** What the server answered a request: success (with what it gave), or its error code and reason. */
export type TurnAnswer<T = object> = ({ ok: true } & T) | { ok: false; code: number; reason: string };

export interface TurnProbe {
  /** Allocate (after the server's 401 challenge, with the long-term credentials); the relayed address. */
  allocate(): Promise<TurnAnswer<{ relayed: { address: string; port: number } }>>;
  /** CreatePermission for a peer address (any port). */
  createPermission(address: string): Promise<TurnAnswer>;
  /** ChannelBind a channel number (0x4000–0x4fff) to a peer address and port. */
  channelBind(address: string, port: number, channel?: number): Promise<TurnAnswer>;
  close(): void;
}

interface Wire {
  send(bytes: Buffer): void;
  close(): void;
}

/** Opens the transport and returns the probe; rejects if the server cannot be reached. */
export async function openTurnProbe(opts: TurnProbeOptions): Promise<TurnProbe> {
  const timeoutMs = opts.timeoutMs ?? 5000;
  const pending = new Map<string, (message: StunResponse) => void>();
  const receive = (bytes: Buffer) => {
    let message: StunResponse;
    try {
      message = decode(bytes);
    } catch {
      return; // not a STUN message (channel data): not ours to read
    }
    const key = message.transactionId.toString('hex');
    pending.get(key)?.(message);
    pending.delete(key);
  };
  const wire = await connect(opts, receive);

  let realm: string | null = null;
  let nonce: string | null = null;
  const key = () => createHash('md5').update(`${opts.username}:${realm}:${opts.password}`).digest();

  const transact = (build: () => ReturnType<typeof createMessage>): Promise<StunResponse> => {
    const message = build();
    const id = message.transactionId.toString('hex');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`no answer from the TURN server within ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(id, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
      wire.send(message.toBuffer());
    });
  };

  /** One authenticated request; a stale nonce (438) is answered once with the new one. */
  const authenticated = async (type: string, fill: (m: ReturnType<typeof createMessage>) => void) => {
    const build = () => {
      const m = createMessage(at(type));
      fill(m);
      if (realm !== null && nonce !== null) {
        m.addUsername(opts.username);
        m.addRealm(realm);
        m.addNonce(nonce);
        m.addMessageIntegrity(key());
      }
      return m;
    };
    let answer = await transact(build);
    const error = answer.getError();
    if (error && (error.code === 401 || error.code === 438) && (realm === null || error.code === 438)) {
      realm = answer.getRealm() ?? realm;
      nonce = answer.getNonce() ?? nonce;
      answer = await transact(build);
    }
    return answer;
  };

  const result = (answer: StunResponse): TurnAnswer => {
    const error = answer.getError();
    // The reason is padded to four bytes with NULs.
    return error ? { ok: false, code: error.code, reason: error.reason.replace(/\0+$/, '') } : { ok: true };
  };

  return {
    async allocate() {
      const answer = await authenticated('STUN_ALLOCATE_REQUEST', (m) => {
        m.addAttribute(at('STUN_ATTR_REQUESTED_TRANSPORT'), 17 << 24); // UDP relaying (RFC 8656 §18.7)
        m.addAttribute(at('STUN_ATTR_LIFETIME'), 600);
      });
      const outcome = result(answer);
      if (!outcome.ok) return outcome;
      const relayed = answer.getAttribute(at('STUN_ATTR_XOR_RELAYED_ADDRESS'))?.value as
        { address: string; port: number } | undefined;
      if (!relayed) return { ok: false, code: 0, reason: 'the success answer carried no relayed address' };
      return { ok: true, relayed: { address: relayed.address, port: relayed.port } };
    },
    async createPermission(address) {
      return result(
        await authenticated('STUN_CREATE_PERMISSION_REQUEST', (m) =>
          m.addAttribute(at('STUN_ATTR_XOR_PEER_ADDRESS'), address, 0),
        ),
      );
    },
    async channelBind(address, port, channel = 0x4000) {
      return result(
        await authenticated('STUN_CHANNEL_BIND_REQUEST', (m) => {
          m.addAttribute(at('STUN_ATTR_CHANNEL_NUMBER'), channel << 16);
          m.addAttribute(at('STUN_ATTR_XOR_PEER_ADDRESS'), address, port);
        }),
      );
    },
    close: () => wire.close(),
  };
}

async function connect(opts: TurnProbeOptions, receive: (bytes: Buffer) => void): Promise<Wire> {
  if (opts.transport === 'udp') {
    const socket = dgram.createSocket(net.isIPv6(opts.host) ? 'udp6' : 'udp4');
    socket.on('message', receive);
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.connect(opts.port, opts.host, () => resolve());
    });
    return { send: (bytes) => socket.send(bytes), close: () => socket.close() };
  }
  const stream = await new Promise<net.Socket>((resolve, reject) => {
    const s =
      opts.transport === 'tls'
        ? tls.connect({
            host: opts.host,
            port: opts.port,
            ...(opts.ca ? { ca: opts.ca } : {}),
            servername: opts.servername ?? opts.host,
          })
        : net.connect({ host: opts.host, port: opts.port });
    s.once('error', reject);
    s.once(opts.transport === 'tls' ? 'secureConnect' : 'connect', () => resolve(s));
  });
  // Messages follow one another on the stream: a 20-byte header whose bytes 2–3 say how much follows.
  let buffered = Buffer.alloc(0);
  stream.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 20) {
      const length = 20 + buffered.readUInt16BE(2);
      if (buffered.length < length) break;
      receive(buffered.subarray(0, length));
      buffered = buffered.subarray(length);
    }
  });
  stream.on('error', () => undefined); // a closed stream fails the pending requests by their timeout
  return { send: (bytes) => stream.write(bytes), close: () => stream.destroy() };
}
