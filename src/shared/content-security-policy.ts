/**
 * One CSP for the app's pages: main sends it as a header (flxra://app/, src/main/security/
 * app-protocol.ts), and the renderer build writes it into each page's <meta>, so a page served
 * any other way (the tests' Chromium) has it too.
 * The pages load only their own scripts and styles. WebRTC media and data flow through
 * RTCPeerConnection, which CSP's connect-src does not govern; the pages fetch nothing.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "media-src 'self' blob: mediastream:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

/**
 * The same policy for a <meta>: browsers ignore frame-ancestors there (and warn on every load),
 * so it goes only with the header.
 */
export const META_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.split('; ')
  .filter((directive) => !directive.startsWith('frame-ancestors'))
  .join('; ');
