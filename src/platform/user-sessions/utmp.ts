/**
 * The binary utmp format of glibc, which login programs and display managers write to
 * /var/run/utmp (one fixed-size record per login slot). Layout of `struct utmp` with
 * __WORDSIZE_TIME64_COMPAT32, as on x86_64 (offsets checked with offsetof against
 * <bits/utmp.h>; the header keeps ut_session and ut_tv the same size on 32-bit builds so both
 * can share the file):
 *
 *   off size field
 *     0    2 ut_type (short) + 2 bytes padding
 *     4    4 ut_pid
 *     8   32 ut_line      tty or display, not NUL-terminated when full
 *    40    4 ut_id
 *    44   32 ut_user
 *    76  256 ut_host      remote host, or the X display for local graphical logins
 *   332    4 ut_exit      (2 x short)
 *   336    4 ut_session
 *   340    8 ut_tv        (2 x int32)
 *   348   16 ut_addr_v6   remote address, zero for local logins
 *   364   20 reserved
 *
 * Little-endian only: the agent ships for x86, x86_64 and arm64.
 */
export const UTMP_RECORD_SIZE = 384;
export const USER_PROCESS = 7;
/** ut_type runs from EMPTY (0) to ACCOUNTING (9); anything else means this is not a utmp file. */
const MAX_UT_TYPE = 9;

export interface UtmpRecord {
  type: number;
  pid: number;
  line: string;
  user: string;
  host: string;
  /** Whether ut_addr_v6 holds an address, which login programs only fill for remote logins. */
  hasAddress: boolean;
}

/**
 * The file's whole records. A shorter tail is skipped, not an error: we read without glibc's
 * lock, so a login being written at that moment can leave one partial record at the end. A
 * whole record with an impossible type is an error, since every record after it would be
 * misread as well (a file of another layout or byte order).
 */
export function parseUtmp(buf: Buffer): UtmpRecord[] {
  const records: UtmpRecord[] = [];
  for (let off = 0; off + UTMP_RECORD_SIZE <= buf.length; off += UTMP_RECORD_SIZE) {
    const type = buf.readInt16LE(off);
    if (type < 0 || type > MAX_UT_TYPE) {
      throw new Error(
        `utmp record ${off / UTMP_RECORD_SIZE} (byte ${off}) has type ${type}: not a glibc utmp file of ${UTMP_RECORD_SIZE}-byte records`,
      );
    }
    records.push({
      type,
      pid: buf.readInt32LE(off + 4),
      line: cString(buf, off + 8, 32),
      user: cString(buf, off + 44, 32),
      host: cString(buf, off + 76, 256),
      hasAddress: buf.subarray(off + 348, off + 364).some((b) => b !== 0),
    });
  }
  return records;
}

/** A char[] field: up to its first NUL, or all of it when full. */
function cString(buf: Buffer, start: number, size: number): string {
  const field = buf.subarray(start, start + size);
  const nul = field.indexOf(0);
  return field.subarray(0, nul === -1 ? size : nul).toString('utf8');
}
