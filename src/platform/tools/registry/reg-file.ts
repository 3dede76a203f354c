/**
 * Reads the `.reg` files `reg export` writes (UTF-16LE with a byte-order mark, "Windows Registry Editor Version
 * 5.00"), for the export the operator downloads and for values reg query cannot print exactly (strings with line
 * breaks, multi-strings holding a "\0" of their own):
 *
 *   [HKEY_CURRENT_USER\Software\flxra]
 *   @="default"
 *   "Path"=hex(2):25,00,53,00,...,00,00
 *   "Count"=dword:0000002a
 *   "Quoted \"name\""="C:\\dir"
 *
 * The default value is `@`, in every language. Strings escape only `\` and `"`; every other type is hex bytes
 * (`hex:` binary, `hex(2):` expandable and `hex(7):` multi-strings in UTF-16LE, `hex(b):` a little-endian QWORD),
 * long ones continued on the next line after `,\`.
 */
import { type RegistryTypeName, type RegistryValue } from '../../../shared/tools-results.js';

export const REG_FILE_HEADER = 'Windows Registry Editor Version 5.00';

/** The file's text: UTF-16LE after its BOM (as reg export writes it), else UTF-8. */
export function decodeRegFile(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  return new TextDecoder('utf-8').decode(bytes).replace(/^\uFEFF/, '');
}

const HEX_TYPES: Record<string, RegistryTypeName> = {
  '0': 'REG_NONE',
  '1': 'REG_SZ',
  '2': 'REG_EXPAND_SZ',
  '3': 'REG_BINARY',
  '4': 'REG_DWORD',
  '5': 'REG_DWORD_BIG_ENDIAN',
  '6': 'REG_LINK',
  '7': 'REG_MULTI_SZ',
  '8': 'REG_RESOURCE_LIST',
  '9': 'REG_FULL_RESOURCE_DESCRIPTOR',
  a: 'REG_RESOURCE_REQUIREMENTS_LIST',
  b: 'REG_QWORD',
};

export interface RegFileKey {
  key: string;
  values: RegistryValue[];
}

/** A quoted .reg string starting at `i` (the opening quote): its text and where it ends. */
function readQuoted(line: string, i: number): { text: string; end: number } | undefined {
  let text = '';
  for (let j = i + 1; j < line.length; j++) {
    const c = line[j];
    if (c === '\\' && j + 1 < line.length) text += line[++j];
    else if (c === '"') return { text, end: j + 1 };
    else text += c;
  }
  return undefined;
}

const utf16 = (bytes: Uint8Array) => new TextDecoder('utf-16le').decode(bytes);

function valueOf(name: string, type: RegistryTypeName, bytes: Uint8Array): RegistryValue | string {
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join('');
  switch (type) {
    case 'REG_SZ':
    case 'REG_EXPAND_SZ':
      return { name, type, data: utf16(bytes).replace(/\0+$/, '') };
    case 'REG_MULTI_SZ': {
      const items = utf16(bytes).replace(/\0+$/, '');
      return { name, type, data: items === '' ? [] : items.split('\0') };
    }
    case 'REG_DWORD':
      if (bytes.length !== 4) return `a DWORD of ${bytes.length} bytes`;
      return { name, type, data: new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true) };
    case 'REG_QWORD':
      if (bytes.length !== 8) return `a QWORD of ${bytes.length} bytes`;
      return { name, type, data: new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true).toString() };
    default:
      return { name, type, data: hex };
  }
}

/** A value's right-hand side: "text", dword:xxxxxxxx, hex:…, hex(n):… */
function parseData(name: string, rhs: string): RegistryValue | string {
  if (rhs.startsWith('"')) {
    const q = readQuoted(rhs, 0);
    if (!q || q.end !== rhs.length) return 'a string that is not closed';
    return { name, type: 'REG_SZ', data: q.text };
  }
  const dword = /^dword:([0-9a-f]{8})$/i.exec(rhs);
  if (dword) return { name, type: 'REG_DWORD', data: Number.parseInt(dword[1]!, 16) };
  const hex = /^hex(?:\(([0-9a-f])\))?:((?:[0-9a-f]{2}(?:,[0-9a-f]{2})*)?)$/i.exec(rhs);
  if (!hex) return `data "${rhs.slice(0, 40)}" is not of a .reg type`;
  const type = hex[1] === undefined ? 'REG_BINARY' : HEX_TYPES[hex[1].toLowerCase()];
  if (!type) return `hex(${hex[1]}) is not a registry type`;
  const bytes = Uint8Array.from(hex[2] ? hex[2].split(',').map((b) => Number.parseInt(b, 16)) : []);
  return valueOf(name, type, bytes);
}

/** The keys and values of a .reg file's text, or the line that could not be read and why. */
export function parseRegFile(text: string): { keys: RegFileKey[] } | { error: string } {
  // Continuation lines: a trailing backslash joins the next line (its leading spaces dropped).
  const lines = text.replace(/\\\r?\n\s*/g, '').split(/\r?\n/);
  if (lines[0]?.trim() !== REG_FILE_HEADER) return { error: `the file does not start with "${REG_FILE_HEADER}"` };
  const keys: RegFileKey[] = [];
  for (const [n, line] of lines.entries()) {
    if (n === 0 || line.trim() === '' || line.startsWith(';')) continue;
    if (line.startsWith('[') && line.endsWith(']')) {
      keys.push({ key: line.slice(1, -1), values: [] });
      continue;
    }
    const current = keys[keys.length - 1];
    if (!current) return { error: `line ${n + 1}: a value before any key` };
    let name: string;
    let rest: string;
    if (line.startsWith('@=')) [name, rest] = ['', line.slice(2)];
    else {
      const q = line.startsWith('"') ? readQuoted(line, 0) : undefined;
      if (!q || line[q.end] !== '=') return { error: `line ${n + 1}: not a value: "${line.slice(0, 80)}"` };
      [name, rest] = [q.text, line.slice(q.end + 1)];
    }
    const value = parseData(name, rest);
    if (typeof value === 'string') return { error: `line ${n + 1}: ${value}` };
    current.values.push(value);
  }
  return { keys };
}
