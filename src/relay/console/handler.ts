/**
 * The console's built pages (out/console, `npm run build:console`) as the relay serves them under
 * /console: a single-page app whose every page path answers with index.html, its assets sent by
 * @fastify/static (ETag, ranges, HEAD); under /console/operator/ the operator viewer in the browser
 * (its own page, built beside the console's). Pages get the app's strict CSP (only the relay's own
 * scripts, no inline ones), no framing and no Referer, so a setup link's fragment never leaks
 * anywhere. `/` redirects to the console. The API under /console/api is routes.ts's.
 */
import fastifyStatic from '@fastify/static';
import type { FastifyReply } from 'fastify';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { CONTENT_SECURITY_POLICY } from '../../shared/content-security-policy.js';
import type { ZodApp } from '../http/app.js';
import { ApiFailure, refuseOtherMethods } from '../http/json.js';

const CONSOLE_PREFIX = '/console';
/** Where `npm run build:console` writes the pages. */
export const DEFAULT_CONSOLE_DIR = path.resolve(import.meta.dirname, '../../../out/console');

const PAGE_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

export async function registerConsolePages(app: ZodApp, webDir: string): Promise<void> {
  // Only reply.sendFile: which paths are pages and which are files is decided here.
  await app.register(fastifyStatic, { root: webDir, serve: false, cacheControl: false, dotfiles: 'deny' });
  app.get(CONSOLE_PREFIX, (_request, reply) => servePage(webDir, reply, ''));
  app.get(`${CONSOLE_PREFIX}/*`, (request, reply) =>
    servePage(webDir, reply, (request.params as { '*': string })['*']),
  );
  // The relay's own address leads to the console: the one page a person opening it can use.
  app.get('/', (_request, reply) => reply.redirect(CONSOLE_PREFIX, 302));
  for (const url of ['/', CONSOLE_PREFIX, `${CONSOLE_PREFIX}/*`]) refuseOtherMethods(app, url, ['GET'], 'GET, HEAD');
}

/** `relative`: the decoded path under /console. */
async function servePage(webDir: string, reply: FastifyReply, relative: string): Promise<FastifyReply> {
  relative = relative.replace(/^\/+/, '');
  const file = path.resolve(webDir, relative);
  if (file !== webDir && !file.startsWith(webDir + path.sep))
    throw new ApiFailure(404, 'not-found', 'no such console file');
  // Page paths (no file extension) are the app's routes; anything else must be a built file. Under
  // operator/ is the operator viewer in the browser (src/renderer/browser/), a page of its own.
  const isPage = !path.extname(relative);
  const page = relative === 'operator' || relative.startsWith('operator/') ? 'operator/index.html' : 'index.html';
  const target = isPage ? page : path.relative(webDir, file);
  const info = await stat(path.join(webDir, target)).catch(() => null);
  if (!info?.isFile()) {
    if (isPage)
      throw new ApiFailure(
        503,
        'console-not-built',
        'the console is not built on this relay: run npm run build:console',
      );
    throw new ApiFailure(404, 'not-found', 'no such console file');
  }
  // Built assets carry a content hash in their names; the page itself must always be fresh.
  reply.headers({
    ...PAGE_HEADERS,
    'cache-control': isPage ? 'no-cache' : 'public, max-age=31536000, immutable',
  });
  return reply.sendFile(target);
}
