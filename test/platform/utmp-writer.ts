/**
 * Writes glibc utmp records (x86_64 `struct utmp`, 384 bytes, little-endian) so tests can build
 * utmp files of their own. The offsets are written out here from <bits/utmp.h> as checked with
 * offsetof on x86_64, not imported from the reader, so a wrong offset in either shows up.
 */
const RECORD_SIZE = 384;
export const BOOT_TIME = 2;
export const LOGIN_PROCESS = 6;
export const USER_PROCESS = 7;
export const DEAD_PROCESS = 8;

export interface UtmpEntry {
  type?: number;
  pid: number;
  line: string;
  id?: string;
  user: string;
  host?: string;
  /** ut_addr_v6 as 16 bytes, e.g. an IPv4 address in the first four. */
  addr?: readonly number[];
  /** ut_tv.tv_sec; filled so records look like real ones, the reader ignores it. */
  time?: number;
}

export function utmpRecord(e: UtmpEntry): Buffer {
  const b = Buffer.alloc(RECORD_SIZE);
  b.writeInt16LE(e.type ?? USER_PROCESS, 0);
  b.writeInt32LE(e.pid, 4);
  field(b, 8, 32, e.line);
  field(b, 40, 4, e.id ?? e.line.slice(-4));
  field(b, 44, 32, e.user);
  field(b, 76, 256, e.host ?? '');
  b.writeInt32LE(0, 332); // ut_exit
  b.writeInt32LE(e.pid, 336); // ut_session
  b.writeInt32LE(e.time ?? 1_700_000_000, 340);
  Buffer.from(e.addr ?? []).copy(b, 348);
  return b;
}

export function utmpFile(entries: readonly UtmpEntry[]): Buffer {
  return Buffer.concat(entries.map(utmpRecord));
}

/** Like strncpy into a char[size]: NUL-padded, no NUL when the value fills the field. */
function field(b: Buffer, offset: number, size: number, value: string): void {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length > size) throw new Error(`"${value}" does not fit in ${size} bytes`);
  bytes.copy(b, offset);
}
