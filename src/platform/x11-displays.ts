/**
 * Displays of an X server: one per monitor as Xinerama reports them (on any current X server
 * Xinerama is answered by RandR, one head per active monitor, primary first), or the whole root
 * window when there is no Xinerama. Monitor changes arrive as RandR notifications and trigger a
 * new query, so list() follows resolution changes and hot-plugged monitors; monitors set with
 * `xrandr --setmonitor` (a wide screen split in two) send no notification, so the query is also
 * made again every second (one round trip). A display keeps its id while it stays (same place and
 * size, or same place resized): the operator's choice of display follows it when others change.
 */
import type { DisplayInfo } from '../shared/input-events.js';
import type { DisplayProvider } from './displays.js';
import { connectX11, type X11Connection } from './x11-connection.js';
import type { Geometry, RandrExtension, XineramaExtension } from 'x11';

export interface X11DisplayOptions {
  display?: string;
  onError: (err: Error) => void;
}

export async function createX11DisplayProvider(opts: X11DisplayOptions): Promise<DisplayProvider> {
  const conn = await connectX11(opts);
  try {
    const xinerama = await new Promise<XineramaExtension | null>((resolve) =>
      conn.client.require('xinerama', (err, ext) => resolve(err ? null : ext)),
    );
    const provider = new X11Displays(conn, xinerama);
    await provider.refresh();
    provider.poll(opts.onError);
    const randr = await new Promise<RandrExtension | null>((resolve) =>
      conn.client.require('randr', (err, ext) => resolve(err ? null : ext)),
    );
    if (randr) {
      const { ScreenChange, CrtcChange, OutputChange } = randr.NotifyMask;
      randr.SelectInput(conn.root, ScreenChange | CrtcChange | OutputChange);
      conn.client.on('event', (ev: { type: number }) => {
        // Replies come back in request order, so overlapping refreshes end on the newest state.
        if (ev.type === randr.firstEvent || ev.type === randr.firstEvent + 1) provider.refresh().catch(opts.onError);
      });
    }
    return provider;
  } catch (err) {
    await conn.close();
    throw err;
  }
}

class X11Displays implements DisplayProvider {
  private current: DisplayInfo[] = [];
  private nextId = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly conn: X11Connection,
    private readonly xinerama: XineramaExtension | null,
  ) {}

  list(): DisplayInfo[] {
    return this.current;
  }

  async refresh(): Promise<void> {
    const heads = await this.monitors();
    // Mirrored monitors are the same pixels twice; the operator needs them once.
    const distinct = heads.filter((h, i) => heads.findIndex((o) => sameRect(o, h)) === i);
    const before = this.current;
    const taken = new Set<string>();
    const keep = (match: (d: DisplayInfo) => boolean) => before.find((d) => !taken.has(d.id) && match(d))?.id;
    // Unchanged displays keep their ids first, then resized ones (same origin); new ones get new ids.
    const ids = distinct.map((h) => {
      const id = keep((d) => sameRect(d, h));
      if (id) taken.add(id);
      return id;
    });
    this.current = distinct.map((h, i) => {
      let id = ids[i] ?? keep((d) => d.x === h.x && d.y === h.y);
      if (!id) {
        while (before.some((d) => d.id === String(this.nextId))) this.nextId++;
        id = String(this.nextId++);
      }
      taken.add(id);
      return { id, ...h, primary: i === 0 };
    });
  }

  poll(onError: (err: Error) => void): void {
    this.timer = setInterval(() => void this.refresh().catch(onError), POLL_MS);
    this.timer.unref();
  }

  close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    return this.conn.close();
  }

  private async monitors(): Promise<Rect[]> {
    const xinerama = this.xinerama;
    if (xinerama && (await this.conn.request<number>((cb) => xinerama.IsActive(cb)))) {
      const heads = await this.conn.request<Rect[]>((cb) => xinerama.QueryScreens(cb));
      const usable = heads.filter((h) => h.width > 0 && h.height > 0);
      if (usable.length > 0) return usable;
    }
    const root = await this.conn.request<Geometry>((cb) => this.conn.client.GetGeometry(this.conn.root, cb));
    return [{ x: 0, y: 0, width: root.width, height: root.height }];
  }
}

/** How often the monitors are read again, for the changes X sends no notification of. */
const POLL_MS = 1_000;

interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

function sameRect(a: Rect, b: Rect): boolean {
  return a.x === b.x && a.y === b.y && a.width === b.width && a.height === b.height;
}
