/**
 * Secrets in one owner-only file, for a service on a machine with no keychain (a server with no
 * Secret Service, no D-Bus session): the device agent's fallback (src/agent/credentials.ts). The
 * file's permissions are what protect it, as for ssh's private keys: the folder, when made here,
 * is 0700, the file written 0600 (whole or not at all: a temporary file, fsync, rename, fsync of the folder),
 * and at every read a file another user could read or write, or that another user owns, is
 * refused, saying how to fix it; so is a folder others can write to (they could swap the file).
 * It holds the secrets as they are: anyone with the agent's user's rights (or root) can read
 * them, as they could use the keychain of that user.
 *
 * POSIX only: on Windows the permissions are ACLs this store cannot check, and the agent service
 * (LocalSystem) has Credential Manager (DPAPI) through keytar, so there the store refuses.
 */
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { CredentialStoreUnavailable, type CredentialStore } from './credential-store.js';

/** The file's name in its folder. */
export const CREDENTIAL_FILE = 'credentials.json';

/** The file or its folder is not safe to use (or damaged): someone must act; never a retry. */
export class CredentialFileRefused extends Error {}

const Secrets = z.record(z.string(), z.string());
type Secrets = z.infer<typeof Secrets>;

export interface OwnerOnlyFileStoreOptions {
  platform?: NodeJS.Platform;
  /** The user the file must belong to: this process's by default. */
  uid?: number;
}

/** A mode's permission bits, as `chmod` takes them. */
const octal = (mode: number) => `0${(mode & 0o777).toString(8)}`;

export function ownerOnlyFileStore(
  dir: string,
  opts: OwnerOnlyFileStoreOptions = {},
): CredentialStore & {
  file: string;
} {
  const folder = path.resolve(dir);
  const file = path.join(folder, CREDENTIAL_FILE);
  const platform = opts.platform ?? process.platform;
  const uid = opts.uid ?? process.getuid?.() ?? -1;

  const usable = () => {
    if (platform === 'win32')
      throw new CredentialStoreUnavailable(
        'On Windows the agent keeps its credential in Credential Manager (the keychain), not in a file.',
      );
  };

  const read = async (): Promise<Secrets> => {
    usable();
    let folderStat;
    try {
      folderStat = await lstat(folder);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw err;
    }
    if (folderStat.uid !== uid || (folderStat.mode & 0o022) !== 0)
      throw new CredentialFileRefused(
        `The folder ${folder}, which holds the agent's credential file, can be changed by other users ` +
          `(mode ${octal(folderStat.mode)}, owner uid ${folderStat.uid}). Make it the agent's user's only ` +
          `(chmod 700 ${folder}) and start the agent again.`,
      );
    let stat;
    try {
      stat = await lstat(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw err;
    }
    if (!stat.isFile())
      throw new CredentialFileRefused(
        `${file} is not a plain file (a link?): the agent does not read its credential from it.`,
      );
    if (stat.uid !== uid)
      throw new CredentialFileRefused(
        `${file} belongs to another user (uid ${stat.uid}), not to the agent's (uid ${uid}): the agent does not trust a credential someone else could have written.`,
      );
    if ((stat.mode & 0o077) !== 0)
      throw new CredentialFileRefused(
        `${file} can be read or changed by other users (mode ${octal(stat.mode)}), so the agent's credential may have been copied; ` +
          `the agent does not use it. If nobody else could have read it, make it owner-only (chmod 600 ${file}) and start the agent again; ` +
          `otherwise remove the device on the relay and enrol it again.`,
      );
    const text = await readFile(file, 'utf8');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new CredentialFileRefused(`${file} is damaged (not JSON). Enrol the device again.`);
    }
    const parsed = Secrets.safeParse(json);
    if (!parsed.success) throw new CredentialFileRefused(`${file} is damaged. Enrol the device again.`);
    return parsed.data;
  };

  /** Whole or not at all: a crash leaves the previous file, or the new one, never half of either. */
  const write = async (secrets: Secrets): Promise<void> => {
    // A folder made here is 0700; one that was there keeps its mode (read() refused it if others can write to it).
    await mkdir(folder, { recursive: true, mode: 0o700 });
    const partial = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const handle = await open(partial, 'wx', 0o600);
    try {
      await handle.writeFile(JSON.stringify(secrets) + '\n');
      await handle.sync();
    } catch (err) {
      await handle.close();
      await unlink(partial).catch(() => undefined);
      throw err;
    }
    await handle.close();
    await rename(partial, file);
    await syncFolder(folder);
  };

  return {
    file,
    get: async (account) => (await read())[account] ?? null,
    set: async (account, secret) => write({ ...(await read()), [account]: secret }),
    delete: async (account) => {
      const { [account]: gone, ...rest } = await read();
      if (gone === undefined) return false;
      if (Object.keys(rest).length === 0) {
        await unlink(file);
        await syncFolder(folder);
      } else await write(rest);
      return true;
    },
  };
}

/** The rename itself survives a power cut once the folder is synced. */
async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
