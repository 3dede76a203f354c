/**
 * The release artifacts a relay offers for download (`relay serve --artifacts <dir>`), named as
 * electron-builder.yml names them: the operator's portable .exe for Windows machines without the
 * app, the Windows installer and the Linux AppImage. The relay lists only files of its artifacts
 * folder whose names match one of these patterns; the console offers the portable .exe beside an
 * assistance's .flxra. No Node imports: pages import this.
 */
import { z } from 'zod';

export const ArtifactKind = z.enum(['operator-portable-windows', 'installer-windows', 'appimage-linux']);
export type ArtifactKind = z.infer<typeof ArtifactKind>;

/** electron-builder.yml's artifactName of each target, and the file names it gives. */
export const ARTIFACT_NAMES: Record<ArtifactKind, { pattern: string; match: RegExp; label: string }> = {
  'operator-portable-windows': {
    pattern: '${productName}-operator-${version}-portable.${ext}',
    match: /^flxra-operator-(\d+\.\d+\.\d+(?:-[0-9A-Za-z.]+)?)-portable\.exe$/,
    label: 'flxra operator for Windows (portable .exe)',
  },
  'installer-windows': {
    pattern: '${productName}-${version}-setup.${ext}',
    match: /^flxra-(\d+\.\d+\.\d+(?:-[0-9A-Za-z.]+)?)-setup\.exe$/,
    label: 'flxra for Windows (installer)',
  },
  'appimage-linux': {
    pattern: '${productName}-${version}-${arch}.${ext}',
    match: /^flxra-(\d+\.\d+\.\d+(?:-[0-9A-Za-z.]+)?)-x86_64\.AppImage$/,
    label: 'flxra for Linux (AppImage)',
  },
};

/** What kind of artifact a file name is, and its version; null: not one the relay offers. */
export function artifactOf(fileName: string): { kind: ArtifactKind; version: string } | null {
  for (const kind of ArtifactKind.options) {
    const found = ARTIFACT_NAMES[kind].match.exec(fileName);
    if (found?.[1]) return { kind, version: found[1] };
  }
  return null;
}

export const ReleaseArtifact = z.object({
  kind: ArtifactKind,
  label: z.string(),
  fileName: z.string(),
  version: z.string(),
  /** Bytes. */
  size: z.number().int().nonnegative(),
  /** Lower-case hex, computed by the relay from the file as it serves it. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  modifiedAt: z.string(),
});
export type ReleaseArtifact = z.infer<typeof ReleaseArtifact>;

/** GET /console/api/downloads: what the relay's artifacts folder offers, or why nothing. */
export const ReleaseDownloads = z.object({
  configured: z.boolean(),
  artifacts: z.array(ReleaseArtifact),
  /** Set when there is nothing to offer: worded for the operator reading the console. */
  notice: z.string().optional(),
});
export type ReleaseDownloads = z.infer<typeof ReleaseDownloads>;

export const DOWNLOAD_ROUTES = {
  downloads: { method: 'GET', path: '/downloads', access: 'signed-in', response: ReleaseDownloads },
  /** The file itself, streamed as an attachment; 404 for any name the listing does not have. */
  download: {
    method: 'GET',
    path: '/downloads/:fileName',
    access: 'signed-in',
    params: z.object({ fileName: z.string().max(255) }),
    response: z.object({}),
  },
} as const;
