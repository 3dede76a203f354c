/**
 * The slice of the `x11` package (node-x11, plain CommonJS without types) that flxra uses (and
 * the test rig's target window, dev/rig/x-target.ts).
 * Reply callbacks follow node-x11's convention: returning true from a callback that received an
 * error marks the error as handled, otherwise the client also emits it as 'error'.
 */
declare module 'x11' {
  import type { EventEmitter } from 'node:events';

  export interface XError extends Error {
    error: number;
    seq: number;
    badParam: number;
    majorOpcode: number;
    minorOpcode: number;
  }

  export type ReplyCallback<T> = (err: XError | null | undefined, reply: T) => unknown;

  export interface XDisplay {
    screen: Array<{ root: number }>;
  }

  export interface Geometry {
    width: number;
    height: number;
  }

  export interface PointerState {
    rootX: number;
    rootY: number;
    /** Modifier and button state: Button1Mask = 0x100 … Button5Mask = 0x1000. */
    keyMask: number;
  }

  export interface XTestExtension {
    KeyPress: 2;
    KeyRelease: 3;
    ButtonPress: 4;
    ButtonRelease: 5;
    MotionNotify: 6;
    /** No reply; a failure arrives later as an 'error' event on the client. */
    FakeInput(type: number, detail: number, time: number, root: number, x: number, y: number): void;
  }

  export interface XineramaExtension {
    IsActive(cb: ReplyCallback<number>): void;
    QueryScreens(cb: ReplyCallback<Array<{ x: number; y: number; width: number; height: number }>>): void;
  }

  export interface RandrExtension {
    /** Event codes: firstEvent is RRScreenChangeNotify, firstEvent + 1 is RRNotify. */
    firstEvent: number;
    NotifyMask: { ScreenChange: number; CrtcChange: number; OutputChange: number };
    SelectInput(window: number, mask: number): void;
  }

  export interface XClient extends EventEmitter {
    /** The socket; 'close' fires once the connection is gone, however it went. */
    stream: EventEmitter;
    require(name: 'xtest', cb: (err: Error | null, ext: XTestExtension) => void): void;
    require(name: 'xinerama', cb: (err: Error | null, ext: XineramaExtension) => void): void;
    require(name: 'randr', cb: (err: Error | null, ext: RandrExtension) => void): void;
    GetGeometry(drawable: number, cb: ReplyCallback<Geometry>): void;
    QueryPointer(window: number, cb: ReplyCallback<PointerState>): void;
    /** 32 bytes, one bit per keycode: bit (k % 8) of byte (k >> 3) is set while key k is down. */
    QueryKeymap(cb: ReplyCallback<Buffer>): void;
    /** The keysyms of `count` keycodes from `first`, one row per keycode. */
    GetKeyboardMapping(first: number, count: number, cb: ReplyCallback<number[][]>): void;
    /** Sets the keysyms of keycodes from `first`: `keysyms` holds keysymsPerKeycode for each. */
    ChangeKeyboardMapping(first: number, keysymsPerKeycode: number, keysyms: number[]): void;
    close(cb?: (err?: Error) => void): void;
    terminate(): void;
    AllocID(): number;
    CreateWindow(
      wid: number,
      parent: number,
      x: number,
      y: number,
      width: number,
      height: number,
      borderWidth: number,
      depth: number,
      windowClass: number,
      visual: number,
      attributes: WindowAttributes,
    ): void;
    MapWindow(wid: number): void;
    ChangeWindowAttributes(wid: number, attributes: WindowAttributes): void;
    ClearArea(wid: number, x: number, y: number, width: number, height: number, exposures: number): void;
    // The bench's scenes (bench/video/x-scene.ts): drawing, moving, and a round trip.
    CreateGC(gc: number, drawable: number, values: { foreground?: number }): void;
    ChangeGC(gc: number, values: { foreground?: number }): void;
    /** Flat list: x, y, width, height of each rectangle. */
    PolyFillRectangle(drawable: number, gc: number, rects: number[]): void;
    MoveWindow(wid: number, x: number, y: number): void;
    RaiseWindow(wid: number): void;
    UnmapWindow(wid: number): void;
    DestroyWindow(wid: number): void;
    /** A request with a reply: once it comes, every request sent before has been carried out. */
    GetInputFocus(cb: ReplyCallback<unknown>): void;
  }

  export interface WindowAttributes {
    backgroundPixel?: number;
    eventMask?: number;
    overrideRedirect?: number;
  }

  /** The core input events the rig's target listens to; `buttons` is the modifier state. */
  export interface XInputEvent {
    name: string;
    keycode: number;
    buttons: number;
  }

  export const eventMask: { ButtonPress: number; KeyPress: number; Exposure: number };

  export interface CreateClientOptions {
    display?: string;
    /** false: plain socket, no descriptor passing for MIT-SHM (which flxra does not use). */
    shm?: false;
  }

  export function createClient(
    options: CreateClientOptions,
    cb: (err: Error | null | undefined, display: XDisplay & { client: XClient }) => void,
  ): XClient;

  const x11: { createClient: typeof createClient; eventMask: typeof eventMask };
  export default x11;
}
