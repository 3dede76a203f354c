/**
 * reg.exe's argument vectors, built from checked values: a key path from reg-paths.ts, a value name (`/ve` for the
 * default, never an empty `/v ""`), data written as its type needs it (DWORD and QWORD in 0x hex, binary as hex
 * digits, a multi-string joined by a separator character none of its strings contains). They go to reg.exe as an
 * argument vector, never through a shell, so no character of a name or of the data is special. Data a type cannot
 * hold is refused here, before anything runs.
 */
import type { RegistryValue } from '../../../shared/tools-results.js';
import type { KeyPath } from './reg-paths.js';

const nameArgs = (name: string) => (name === '' ? ['/ve'] : ['/v', name]);

/** Separator candidates for a multi-string, in order; reg.exe takes one character after /s. */
const SEPARATORS = ['|', '~', '\u00b6', '\u00a7', '`', '^', '\u00a4'];

/** The data arguments of `reg add`, or why this value cannot be written. */
export function dataArgs(value: RegistryValue): string[] | string {
  switch (value.type) {
    case 'REG_SZ':
    case 'REG_EXPAND_SZ':
      if (value.data.includes('\0')) return 'A string cannot contain a NUL character.';
      return ['/t', value.type, '/d', value.data];
    case 'REG_MULTI_SZ': {
      if (value.data.some((s) => s === '')) return 'A multi-string cannot hold an empty string: each line needs text.';
      if (value.data.some((s) => s.includes('\0'))) return 'A string cannot contain a NUL character.';
      const sep = SEPARATORS.find((c) => !value.data.some((s) => s.includes(c)));
      if (!sep) return 'These strings use every separator reg.exe could be given; the value cannot be written.';
      return ['/t', 'REG_MULTI_SZ', '/s', sep, '/d', value.data.join(sep)];
    }
    case 'REG_DWORD':
      if (!Number.isInteger(value.data) || value.data < 0 || value.data > 0xffff_ffff)
        return 'A DWORD is a whole number from 0 to 4294967295.';
      return ['/t', 'REG_DWORD', '/d', `0x${value.data.toString(16)}`];
    case 'REG_QWORD': {
      const n = /^\d{1,20}$/.test(value.data) ? BigInt(value.data) : -1n;
      if (n < 0n || n > 0xffff_ffff_ffff_ffffn) return 'A QWORD is a whole number from 0 to 18446744073709551615.';
      return ['/t', 'REG_QWORD', '/d', `0x${n.toString(16)}`];
    }
    case 'REG_BINARY':
      if (!/^(?:[0-9A-Fa-f]{2})*$/.test(value.data)) return 'Binary data is pairs of hex digits (0-9, A-F).';
      return ['/t', 'REG_BINARY', '/d', value.data.toUpperCase()];
    default:
      return `${value.type} values are shown but not edited here.`;
  }
}

export const regArgs = {
  query: (key: KeyPath) => ['query', key.short],
  queryDefault: (key: KeyPath) => ['query', key.short, '/ve'],
  add: (key: KeyPath, value: RegistryValue, data: string[]) => [
    'add',
    key.short,
    ...nameArgs(value.name),
    ...data,
    '/f',
  ],
  addKey: (key: KeyPath) => ['add', key.short, '/f'],
  deleteValue: (key: KeyPath, name: string) => ['delete', key.short, ...nameArgs(name), '/f'],
  deleteKey: (key: KeyPath) => ['delete', key.short, '/f'],
  copyKey: (from: KeyPath, to: KeyPath) => ['copy', from.short, to.short, '/s', '/f'],
  exportKey: (key: KeyPath, file: string) => ['export', key.short, file, '/y'],
  /** Names only (/k keys, /v values), case-insensitive, recursive. */
  find: (key: KeyPath, text: string, where: 'keys' | 'values' | 'both') => [
    'query',
    key.short,
    '/f',
    text,
    '/s',
    ...(where === 'values' ? ['/v'] : where === 'keys' ? ['/k'] : ['/k', '/v']),
  ],
};
