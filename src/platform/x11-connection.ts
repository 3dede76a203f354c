/**
 * A connection to an X display through the pure-JavaScript `x11` client, with the failure
 * handling every user of it needs. node-x11 reports socket failures and asynchronous X errors as
 * 'error' events, and an 'error' event nobody listens to would crash the process; here every one
 * of them goes to `onError` instead, and a lost connection rejects whatever still waits on it.
 */
import x11, { type ReplyCallback, type XClient } from 'x11';

export interface X11ConnectionOptions {
  /** X display name such as ":0"; defaults to $DISPLAY. */
  display?: string;
  /** Failures that happen after connecting: X errors, and the connection being lost. */
  onError: (err: Error) => void;
}

export interface X11Connection {
  readonly client: XClient;
  /** Root window of the screen the display name selects (":0.1" is screen 1). */
  readonly root: number;
  /** False once the connection is closed or lost; requests are not sent any more then. */
  readonly open: boolean;
  /** Sends a request that has a reply; rejects on an X error or when the connection goes. */
  request<T>(send: (cb: ReplyCallback<T>) => void): Promise<T>;
  close(): Promise<void>;
}

export function connectX11(opts: X11ConnectionOptions): Promise<X11Connection> {
  const display = opts.display ?? process.env.DISPLAY;
  if (!display) return Promise.reject(new Error('no X display: DISPLAY is not set'));
  const screenIndex = Number(/\.(\d+)$/.exec(display)?.[1] ?? 0);

  return new Promise((resolve, reject) => {
    let connected = false;
    let client: XClient;
    try {
      client = x11.createClient({ display, shm: false }, (err, info) => {
        if (err) return reject(err);
        const screen = info.screen[screenIndex];
        if (!screen) {
          client.terminate();
          return reject(new Error(`X display ${display} has no screen ${screenIndex}`));
        }
        connected = true;
        resolve(new Connection(client, screen.root, display, opts.onError));
      });
    } catch (err) {
      return reject(err instanceof Error ? err : new Error(String(err))); // an unparsable display name
    }
    // Some setup failures (an authorisation refused) arrive only as 'error', never as the callback.
    client.on('error', (err: Error) => {
      if (!connected) reject(err);
    });
  });
}

class Connection implements X11Connection {
  open = true;
  private closing = false;
  private readonly pending = new Set<(err: Error) => void>();

  constructor(
    readonly client: XClient,
    readonly root: number,
    private readonly display: string,
    onError: (err: Error) => void,
  ) {
    client.on('error', (err: Error) => onError(err));
    client.stream.on('close', () => {
      this.open = false;
      const lost = new Error(`X connection to ${this.display} closed`);
      for (const fail of this.pending) fail(lost);
      this.pending.clear();
      if (!this.closing) onError(lost);
    });
  }

  request<T>(send: (cb: ReplyCallback<T>) => void): Promise<T> {
    if (!this.open) return Promise.reject(new Error(`X connection to ${this.display} is closed`));
    return new Promise<T>((resolve, reject) => {
      this.pending.add(reject);
      send((err, reply) => {
        this.pending.delete(reject);
        if (err) reject(err);
        else resolve(reply);
        return true; // handled here, so the client does not also emit it as 'error'
      });
    });
  }

  close(): Promise<void> {
    if (!this.open) return Promise.resolve();
    this.closing = true;
    this.open = false;
    // Resolves once the socket is really gone: node-x11's close() waits for that.
    return new Promise((resolve) => this.client.close(() => resolve()));
  }
}
