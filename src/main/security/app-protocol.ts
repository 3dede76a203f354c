/**
 * Where the app's pages come from: a privileged custom scheme (flxra://app/…) served from the
 * built renderer folder only, instead of file:// (Electron's security checklist, item 18: a
 * file:// page may read other local files, and gets no response headers, so no CSP header).
 * Electron-free, so that the path checks are tested under plain Node; index.ts registers the
 * scheme and answers its requests with these functions.
 */
import path from 'node:path';

export const APP_SCHEME = 'flxra';
/** Every page and asset of the app is under this URL, and nothing else is. */
export const APP_BASE = `${APP_SCHEME}://app/`;

/** The page of each role, under APP_BASE. */
export function appPageUrl(role: 'host' | 'operator'): string {
  return `${APP_BASE}${role}.html`;
}

/**
 * The file in `rendererDir` an app URL names, or null for anything else: another scheme or host,
 * a path that leaves the folder (`..`, encoded or not), a folder itself.
 */
export function appFilePath(rendererDir: string, url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (`${parsed.protocol}//${parsed.host}/` !== APP_BASE || parsed.username || parsed.password) return null;
  // Segment by segment: an encoded separator, dot segment or NUL inside one is refused, not resolved.
  const segments: string[] = [];
  for (const raw of parsed.pathname.split('/').slice(1)) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return null;
    }
    if (/[/\\\0]/.test(segment) || segment === '.' || segment === '..') return null;
    segments.push(segment);
  }
  const relative = segments.join('/');
  if (relative === '' || segments.includes('')) return null;
  const root = path.resolve(rendererDir);
  const file = path.resolve(root, relative);
  const inside = path.relative(root, file);
  if (!inside || inside.startsWith('..') || path.isAbsolute(inside)) return null;
  return file;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/** What a served file is sent as; anything unexpected is sent as bytes the page cannot run. */
export function appContentType(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Whether the app's windows may load a URL at all: only the app's own files (and the
 * developer tools' own pages). Remote content, other local files, other schemes, and app URLs
 * that try to leave the renderer folder: never.
 */
export function isAppRequest(url: string): boolean {
  // data: and blob: never reach the network; the CSP says which of them a page may use.
  return ['devtools://', 'data:', 'blob:'].some((prefix) => url.startsWith(prefix)) || appFilePath('/', url) !== null;
}
