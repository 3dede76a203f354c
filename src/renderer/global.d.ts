import type { FlxraApi } from '../shared/api';

declare global {
  interface Window {
    /** The preload API (or, in tests, the same factory's object over the test bridge). */
    readonly flxra: FlxraApi;
  }
}
