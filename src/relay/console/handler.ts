/**
 * Everything the relay serves under /console: the API (api.ts) and the console's built pages
 * (out/console, `npm run build:console`), a single-page app whose every page path answers with
 * index.html. Pages get the app's strict CSP (only the relay's own scripts, no inline ones),
 * no framing and no Referer, so a setup link's fragment never leaks anywhere.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { CONSOLE_API } from '../../shared/console-api.js';
import { CONTENT_SECURITY_POLICY } from '../../shared/content-security-policy.js';
import { ApiFailure, jsonHandler } from '../http/api.js';
import type { RelayLogger } from '../log.js';
import { routeConsoleApi, type ConsoleApiDeps } from './api.js';

const CONSOLE_PREFIX = '/console';
/** Where `npm run build:console` writes the pages. */
export const DEFAULT_CONSOLE_DIR = path.resolve(import.meta.dirname, '../../../out/console');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

const PAGE_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

export function isConsolePath(path: string): boolean {
  return path === CONSOLE_PREFIX || path.startsWith(`${CONSOLE_PREFIX}/`);
}

export function createConsoleHandler(
  deps: ConsoleApiDeps & { logger: RelayLogger; webDir: string },
): (req: IncomingMessage, res: ServerResponse) => void {
  return jsonHandler(deps.logger, (req, res, urlPath) => {
    if (urlPath === CONSOLE_API || urlPath.startsWith(`${CONSOLE_API}/`))
      return routeConsoleApi(deps, req, res, urlPath);
    return servePage(deps.webDir, req, res, urlPath);
  });
}

async function servePage(webDir: string, req: IncomingMessage, res: ServerResponse, urlPath: string): Promise<number> {
  if (req.method !== 'GET' && req.method !== 'HEAD')
    throw new ApiFailure(405, 'method-not-allowed', 'use GET here', { allow: 'GET, HEAD' });
  let relative: string;
  try {
    relative = decodeURIComponent(urlPath.slice(CONSOLE_PREFIX.length)).replace(/^\/+/, '');
  } catch {
    throw new ApiFailure(400, 'bad-request', 'malformed path');
  }
  const file = path.resolve(webDir, relative);
  if (file !== webDir && !file.startsWith(webDir + path.sep))
    throw new ApiFailure(404, 'not-found', 'no such console file');
  // Page paths (no file extension) are the app's routes; anything else must be a built file.
  const isPage = !path.extname(relative);
  const target = isPage ? path.join(webDir, 'index.html') : file;
  const info = await stat(target).catch(() => null);
  if (!info?.isFile()) {
    if (isPage)
      throw new ApiFailure(
        503,
        'console-not-built',
        'the console is not built on this relay: run npm run build:console',
      );
    throw new ApiFailure(404, 'not-found', 'no such console file');
  }
  res.writeHead(200, {
    ...PAGE_HEADERS,
    'content-type': TYPES[path.extname(target)] ?? 'application/octet-stream',
    'content-length': String(info.size),
    // Built assets carry a content hash in their names; the page itself must always be fresh.
    'cache-control': isPage ? 'no-cache' : 'public, max-age=31536000, immutable',
  });
  if (req.method === 'HEAD') {
    res.end();
    return 200;
  }
  await new Promise<void>((resolve, reject) => {
    createReadStream(target).on('error', reject).pipe(res).on('finish', resolve).on('error', reject);
  });
  return 200;
}
