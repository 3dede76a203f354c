/**
 * Linux accounts for the tools: the task manager names each process's user, and a terminal opened as a signed-in
 * user needs that user's UID, group, home and shell. Looked up with `getent passwd` (an argument, never a shell),
 * so directory users (LDAP, SSSD) are found as well as local ones; answers are cached for the agent's life of one
 * backend, which is how the task manager refreshing every 2 s stays cheap.
 */
import { execFile } from 'node:child_process';

export interface LinuxAccount {
  name: string;
  uid: number;
  gid: number;
  home: string;
  shell: string;
}

/** Runs `getent passwd <key>`: the line, or null when there is no such account. */
export type PasswdLookup = (key: string) => Promise<string | null>;

export const getentPasswd: PasswdLookup = (key) =>
  new Promise((resolve, reject) => {
    execFile('getent', ['passwd', key], { encoding: 'utf8', timeout: 5_000 }, (err, stdout) => {
      if (!err) return resolve(stdout);
      // Exit code 2: no such key. Anything else (no getent at all) is the machine's problem.
      if (err.code === 2) return resolve(null);
      reject(new Error(`cannot look up the account ${key}: ${err.message}`, { cause: err }));
    });
  });

/** A passwd line: name:password:uid:gid:gecos:home:shell. */
export function parsePasswd(line: string): LinuxAccount | undefined {
  const f = line.trim().split(':');
  if (f.length < 7 || !f[0] || !/^\d+$/.test(f[2] ?? '') || !/^\d+$/.test(f[3] ?? '')) return undefined;
  return { name: f[0], uid: Number(f[2]), gid: Number(f[3]), home: f[5] || '/', shell: f[6] || '/bin/sh' };
}

/** A name that can go to getent as it is: no leading dash, no colon, no space. */
export const ACCOUNT_NAME = /^[\w.][\w.@-]*$/;

export class AccountDirectory {
  private readonly cache = new Map<string, Promise<LinuxAccount | undefined>>();

  constructor(private readonly lookup: PasswdLookup = getentPasswd) {}

  /** By name or by UID (as decimal text); undefined when there is no such account. */
  find(key: string): Promise<LinuxAccount | undefined> {
    let found = this.cache.get(key);
    if (!found) {
      found = this.lookup(key).then((line) => (line ? parsePasswd(line.split('\n')[0] ?? '') : undefined));
      // A failed lookup is not remembered: the next refresh tries again.
      found.catch(() => this.cache.delete(key));
      this.cache.set(key, found);
    }
    return found;
  }

  /** The user name of a UID, or the UID itself when no account has it. */
  async nameOf(uid: number): Promise<string> {
    const account = await this.find(String(uid)).catch(() => undefined);
    return account?.name ?? String(uid);
  }
}
