/**
 * The operating system's keychain for a service, by platform: Windows Credential Manager through
 * koffi (windows-credential-manager.ts: keytar's Windows build cannot be installed from the npm
 * registry), keytar elsewhere (the Secret Service on Linux, the Keychain on macOS). Both write the
 * same entries on Windows, so the choice moves nothing.
 */
import { keytarCredentialStore, type CredentialStore } from './credential-store.js';
import { windowsCredentialStore } from './windows-credential-manager.js';

export function systemCredentialStore(
  service = 'flxra',
  platform: NodeJS.Platform = process.platform,
): CredentialStore {
  return platform === 'win32' ? windowsCredentialStore(service) : keytarCredentialStore(service);
}
