/**
 * Which web permission the app's windows get: none, except screen capture for the host page while
 * the user's consent holds (Electron's security checklist, item 5). Electron up to 44 asks the
 * session's permission handler for getDisplayMedia as `media` with no media types (45 and later:
 * `display-capture`) before its display-media handler is consulted, so denying everything would
 * deny the capture the user allowed; camera and microphone (`media` naming video or audio devices)
 * stay denied. Electron-free: index.ts passes Electron's arguments in.
 */
import { appPageUrl } from './app-protocol.js';

export interface PermissionAsk {
  permission: string;
  /** The URL of the frame asking. */
  requestingUrl: string | undefined;
  /** Requests: the devices a `media` request names (empty for screen capture). */
  mediaTypes?: readonly string[] | undefined;
  /** Checks: the kind of media checked ('unknown' for screen capture and enumeration). */
  mediaType?: string | undefined;
}

export interface PermissionContext {
  /** Whether the host may capture the screen now (its user allowed an operator in). */
  captureAllowed: () => boolean;
}

function isHostPage(url: string | undefined): boolean {
  if (!url) return false;
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}` === appPageUrl('host');
  } catch {
    return false;
  }
}

function isScreenCapture(ask: PermissionAsk): boolean {
  if (ask.permission === 'display-capture') return true;
  if (ask.permission !== 'media') return false;
  const devices = ask.mediaTypes ?? [];
  const checked = ask.mediaType ?? 'unknown';
  return devices.length === 0 && checked === 'unknown';
}

/** The one decision both the request and the check handler make. */
export function permissionAllowed(ask: PermissionAsk, context: PermissionContext): boolean {
  return isHostPage(ask.requestingUrl) && isScreenCapture(ask) && context.captureAllowed();
}
