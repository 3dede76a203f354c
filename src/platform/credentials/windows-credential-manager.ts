/**
 * The keychain on Windows: Credential Manager, through advapi32's CredWriteW, CredReadW and
 * CredDeleteW called with koffi. Windows keeps each secret encrypted with DPAPI for the account
 * that wrote it (for the agent's service, LocalSystem), never in a file of flxra's.
 *
 * Why not keytar here: keytar's Windows build is not in its npm package (its install step
 * downloads it from elsewhere, which a machine with only the npm registry cannot), while koffi's
 * win32 build is in the registry and already loaded for SendInput. The entries are keytar's own
 * form, so what either wrote the other reads: a generic credential, target `service/account`,
 * user name the account, the secret's UTF-8 bytes as its blob, persisted for the account
 * (CRED_PERSIST_ENTERPRISE, as keytar does).
 *
 * Constants and the CREDENTIALW layout are Microsoft's (wincred.h); on x64 it is 80 bytes,
 * checked where the binding is made.
 */
import { CredentialStoreUnavailable, type CredentialStore } from './credential-store.js';

const CRED_TYPE_GENERIC = 1;
const CRED_PERSIST_ENTERPRISE = 3;
const ERROR_NOT_FOUND = 1168;
/** CRED_MAX_CREDENTIAL_BLOB_SIZE: 5 * 512 bytes. */
export const MAX_SECRET_BYTES = 2560;

/** keytar's target name for an entry: what Credential Manager lists it as. */
export function credentialTarget(service: string, account: string): string {
  return `${service}/${account}`;
}

type Koffi = typeof import('koffi').default;

interface Binding {
  write(target: string, account: string, blob: Buffer): number;
  /** The blob, null when there is none, or the Windows error. */
  read(target: string): Buffer | null | { error: number };
  /** 0 when deleted, else the Windows error. */
  remove(target: string): number;
}

function bind(koffi: Koffi): Binding {
  const FILETIME = koffi.struct({ dwLowDateTime: 'uint32_t', dwHighDateTime: 'uint32_t' });
  const CREDENTIALW = koffi.struct({
    Flags: 'uint32_t',
    Type: 'uint32_t',
    TargetName: 'str16',
    Comment: 'str16',
    LastWritten: FILETIME,
    CredentialBlobSize: 'uint32_t',
    CredentialBlob: 'void *',
    Persist: 'uint32_t',
    AttributeCount: 'uint32_t',
    Attributes: 'void *',
    TargetAlias: 'str16',
    UserName: 'str16',
  });
  if (koffi.sizeof(CREDENTIALW) !== 80 || koffi.offsetof(CREDENTIALW, 'CredentialBlob') !== 40)
    throw new Error('CREDENTIALW does not have the layout of x64 Windows (80 bytes, the blob at 40)');
  const advapi32 = koffi.load('advapi32.dll');
  const kernel32 = koffi.load('kernel32.dll');
  const CredWriteW = advapi32.func('__stdcall', 'CredWriteW', 'int32_t', [koffi.pointer(CREDENTIALW), 'uint32_t']);
  const CredReadW = advapi32.func('__stdcall', 'CredReadW', 'int32_t', [
    'str16',
    'uint32_t',
    'uint32_t',
    koffi.out(koffi.pointer('void *')),
  ]);
  const CredDeleteW = advapi32.func('__stdcall', 'CredDeleteW', 'int32_t', ['str16', 'uint32_t', 'uint32_t']);
  const CredFree = advapi32.func('__stdcall', 'CredFree', 'void', ['void *']);
  const GetLastError = kernel32.func('__stdcall', 'GetLastError', 'uint32_t', []);
  return {
    write(target, account, blob) {
      const ok = (CredWriteW as (cred: object, flags: number) => number)(
        {
          Flags: 0,
          Type: CRED_TYPE_GENERIC,
          TargetName: target,
          Comment: null,
          LastWritten: { dwLowDateTime: 0, dwHighDateTime: 0 },
          CredentialBlobSize: blob.length,
          CredentialBlob: blob,
          Persist: CRED_PERSIST_ENTERPRISE,
          AttributeCount: 0,
          Attributes: null,
          TargetAlias: null,
          UserName: account,
        },
        0,
      );
      return ok ? 0 : (GetLastError() as number);
    },
    read(target) {
      const out: unknown[] = [null];
      if (!CredReadW(target, CRED_TYPE_GENERIC, 0, out)) {
        const error = GetLastError() as number;
        return error === ERROR_NOT_FOUND ? null : { error };
      }
      const pointer = out[0];
      try {
        const cred = koffi.decode(pointer, CREDENTIALW) as { CredentialBlobSize: number; CredentialBlob: unknown };
        if (cred.CredentialBlobSize === 0) return Buffer.alloc(0);
        // Copied out before CredFree releases Windows' buffer.
        return Buffer.from(new Uint8Array(koffi.view(cred.CredentialBlob, cred.CredentialBlobSize)));
      } finally {
        CredFree(pointer);
      }
    },
    remove(target) {
      if (CredDeleteW(target, CRED_TYPE_GENERIC, 0)) return 0;
      return GetLastError() as number;
    },
  };
}

let binding: Promise<Binding> | undefined;

/** koffi and advapi32 loaded once, on first use (only ever on win32). */
function loadBinding(): Promise<Binding> {
  binding ??= (async () => {
    try {
      const koffi = (await import('koffi')).default;
      return bind(koffi);
    } catch (err) {
      throw new CredentialStoreUnavailable(`Windows Credential Manager cannot be loaded: ${(err as Error).message}`);
    }
  })();
  return binding;
}

/** Credential Manager's refusal, in words, with the Windows error number for whoever looks it up. */
function refused(what: string, target: string, error: number): Error {
  return new Error(`Windows Credential Manager refused to ${what} ${target} (Windows error ${error})`);
}

/** The Credential Manager store for one service; entries `service/account`, as keytar names them. */
export function windowsCredentialStore(service: string): CredentialStore {
  return {
    async get(account) {
      const target = credentialTarget(service, account);
      const answer = (await loadBinding()).read(target);
      if (answer === null) return null;
      if (!Buffer.isBuffer(answer)) throw refused('read', target, answer.error);
      return answer.toString('utf8');
    },
    async set(account, secret) {
      const target = credentialTarget(service, account);
      const blob = Buffer.from(secret, 'utf8');
      if (blob.length > MAX_SECRET_BYTES)
        throw new Error(`${target}: Windows Credential Manager keeps at most ${MAX_SECRET_BYTES} bytes per secret`);
      const error = (await loadBinding()).write(target, account, blob);
      if (error !== 0) throw refused('keep', target, error);
    },
    async delete(account) {
      const target = credentialTarget(service, account);
      const error = (await loadBinding()).remove(target);
      if (error === 0) return true;
      if (error === ERROR_NOT_FOUND) return false;
      throw refused('delete', target, error);
    },
  };
}
