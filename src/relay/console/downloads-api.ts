/**
 * The console's downloads (DOWNLOAD_ROUTES in src/shared/release-artifacts.ts): the release
 * artifacts of the relay's folder, listed with their size and SHA-256, and one of them streamed
 * as an attachment to a signed-in user (any name the listing does not have answers 404).
 */
import { ApiFailure } from '../http/json.js';
import type { ReleaseArtifacts } from '../downloads/artifacts.js';
import type { ConsoleHandlers } from './routes.js';

export interface DownloadsApiDeps {
  artifacts: ReleaseArtifacts;
}

/** A file name as a Content-Disposition parameter: ASCII quoted, and RFC 5987 for the rest. */
function attachment(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

export function downloadHandlers(deps: DownloadsApiDeps): Pick<ConsoleHandlers, 'downloads' | 'download'> {
  return {
    downloads: () => deps.artifacts.list(),
    async download({ params: { fileName } }, { reply }) {
      const found = await deps.artifacts.open(fileName);
      if (!found.ok) throw new ApiFailure(found.status, found.code, found.message);
      return reply
        .code(200)
        .headers({
          'content-type': 'application/octet-stream',
          'content-length': String(found.artifact.size),
          'content-disposition': attachment(found.artifact.fileName),
          'x-content-type-options': 'nosniff',
          'cache-control': 'no-store',
          // The digest the console shows, for whoever checks what arrived.
          'x-flxra-sha256': found.artifact.sha256,
        })
        .send(found.stream);
    },
  };
}
