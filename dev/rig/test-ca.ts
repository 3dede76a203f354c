/**
 * A certificate authority made for one test run, so that the relay can serve real HTTPS/WSS to
 * clients that verify it as they do in production: nothing is accepted blindly, the test CA is
 * trusted the way a computer trusts an organisation's own authority. Keys are made with openssl
 * in a temp folder at test time (no private key is ever committed) and removed by close().
 *
 *   const ca = await createTestCa();
 *   const relay = await startTestRelay({ relay: { tls: await ca.serverTls() }, ca: ca.caPem });
 *   spawn(node, [...], { env: { ...process.env, NODE_EXTRA_CA_CERTS: ca.caFile } });  // Node trusts it
 *   chromium.launch({ env: { ...process.env, HOME: await ca.nssHome() } });          // Chromium trusts it
 *   await ca.close();
 *
 * `server` is valid for localhost, 127.0.0.1 and ::1; `selfSigned` is a certificate for the same
 * names that nobody trusts; `issue()` makes more (a renewed certificate, another name).
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';
import type { RelayTls } from '../../src/relay/tls.js';

const run = promisify(execFile);

/** Paths of a certificate (PEM) and its private key (PEM). */
export interface CertFiles {
  cert: string;
  key: string;
}

export interface TestCa {
  dir: string;
  /** The CA's certificate file: NODE_EXTRA_CA_CERTS for Node processes. */
  caFile: string;
  /** Its PEM text: the `ca` option of in-process clients. */
  caPem: string;
  /** Issued by the CA for localhost, 127.0.0.1 and ::1. */
  server: CertFiles;
  /** Self-signed for the same names: trusted by nobody. */
  selfSigned: CertFiles;
  /** Issues another certificate (own key) for these subject alternative names, e.g. ['IP:127.0.0.1']. */
  issue(name: string, altNames?: string[]): Promise<CertFiles>;
  /** The certificate and key's contents, as the relay's `tls` option takes them. */
  tls(files?: CertFiles): Promise<RelayTls>;
  /**
   * A home folder whose NSS database (~/.pki/nssdb, read by Chromium on Linux) trusts the CA:
   * give it as HOME to the browser's process. Made once.
   */
  nssHome(): Promise<string>;
  /** The serial number of the certificate a TLS server on 127.0.0.1 presents now, verified against the CA. */
  servedSerial(port: number): Promise<string>;
  close(): Promise<void>;
}

/** Long enough that the relay does not warn of an expiry (it does two weeks ahead). */
const DAYS = 30;
const LOCAL_NAMES = ['DNS:localhost', 'IP:127.0.0.1', 'IP:::1'];
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

async function openssl(cwd: string, args: string[]): Promise<void> {
  await run('openssl', args, { cwd });
}

export async function createTestCa(): Promise<TestCa> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'flxra-test-ca-'));
  const at = (file: string) => path.join(dir, file);
  await openssl(dir, [
    'req',
    '-x509',
    ...EC,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    String(DAYS),
    '-subj',
    '/CN=flxra test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  let serial = 0;
  const issue = async (name: string, altNames = LOCAL_NAMES): Promise<CertFiles> => {
    await openssl(dir, ['req', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
    const ext = [
      `subjectAltName=${altNames.join(',')}`,
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=serverAuth',
    ].join('\n');
    await writeFile(at(`${name}.ext`), `${ext}\n`);
    await openssl(dir, [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-set_serial',
      String(1000 + ++serial),
      '-days',
      String(DAYS),
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.pem`,
    ]);
    return { cert: at(`${name}.pem`), key: at(`${name}.key`) };
  };
  const server = await issue('relay');
  await openssl(dir, [
    'req',
    '-x509',
    ...EC,
    '-keyout',
    'self-signed.key',
    '-out',
    'self-signed.pem',
    '-days',
    String(DAYS),
    '-subj',
    '/CN=localhost',
    '-addext',
    `subjectAltName=${LOCAL_NAMES.join(',')}`,
  ]);
  const caPem = await readFile(at('ca.pem'), 'utf8');
  let home: Promise<string> | null = null;
  return {
    dir,
    caFile: at('ca.pem'),
    caPem,
    server,
    selfSigned: { cert: at('self-signed.pem'), key: at('self-signed.key') },
    issue,
    async tls(files = server) {
      return { cert: await readFile(files.cert), key: await readFile(files.key) };
    },
    nssHome() {
      home ??= (async () => {
        const nssdb = at('home/.pki/nssdb');
        await mkdir(nssdb, { recursive: true });
        await run('certutil', ['-d', `sql:${nssdb}`, '-N', '--empty-password']);
        // C,,: a CA trusted to issue server certificates (not e-mail or code signing).
        await run('certutil', ['-d', `sql:${nssdb}`, '-A', '-t', 'C,,', '-n', 'flxra test CA', '-i', at('ca.pem')]);
        return at('home');
      })();
      return home;
    },
    servedSerial: (port) =>
      new Promise((resolve, reject) => {
        const socket = tls.connect({ host: '127.0.0.1', port, ca: caPem }, () => {
          resolve(socket.getPeerCertificate().serialNumber);
          socket.end();
        });
        socket.on('error', reject);
      }),
    close: () => rm(dir, { recursive: true, force: true }),
  };
}
