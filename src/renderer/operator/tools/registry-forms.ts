/**
 * The registry editor's forms, one per value type, as pure functions: a value's data as the operator reads and types
 * it (text, lines, a number in decimal or 0x hex, hex bytes), and the typed text back into the contract's value
 * (src/shared/tools-results.ts) or the sentence saying why it cannot be one, so that wrong input never leaves the page.
 */
import { EDITABLE_REGISTRY_TYPES, type RegistryValue } from '../../../shared/tools-results';

export type EditableType = (typeof EDITABLE_REGISTRY_TYPES)[number];
export const EDITABLE_TYPES: readonly EditableType[] = EDITABLE_REGISTRY_TYPES;

export function isEditable(type: string): type is EditableType {
  return (EDITABLE_TYPES as readonly string[]).includes(type);
}

/** The data as the form shows it. */
export function formText(value: RegistryValue): string {
  switch (value.type) {
    case 'REG_MULTI_SZ':
      return value.data.join('\n');
    case 'REG_DWORD':
      return String(value.data);
    case 'REG_SZ':
    case 'REG_EXPAND_SZ':
    case 'REG_QWORD':
      return value.data;
    default:
      return (value.data.match(/../g) ?? []).join(' ');
  }
}

/** The data as the value list shows it, shortened. */
export function displayData(value: RegistryValue): string {
  switch (value.type) {
    case 'REG_MULTI_SZ':
      return value.data.join(' · ');
    case 'REG_DWORD':
      return `0x${value.data.toString(16).padStart(8, '0')} (${value.data})`;
    case 'REG_QWORD':
      return `0x${BigInt(value.data).toString(16).padStart(16, '0')} (${value.data})`;
    case 'REG_SZ':
    case 'REG_EXPAND_SZ':
      return value.data;
    default: {
      const hex = formText(value);
      return hex.length > 96 ? `${hex.slice(0, 96)}…` : hex;
    }
  }
}

const MAX_DWORD = 0xffff_ffffn;
const MAX_QWORD = 0xffff_ffff_ffff_ffffn;

function parseWhole(text: string): bigint | null {
  const t = text.trim();
  if (/^\d+$/.test(t)) return BigInt(t);
  if (/^0x[0-9a-f]+$/i.test(t)) return BigInt(t);
  return null;
}

export type FormResult = { ok: true; value: RegistryValue } | { ok: false; message: string };

/** The form's text as a value of `type`, or why it cannot be one. */
export function parseForm(name: string, type: EditableType, text: string): FormResult {
  switch (type) {
    case 'REG_SZ':
    case 'REG_EXPAND_SZ':
      return { ok: true, value: { name, type, data: text } };
    case 'REG_MULTI_SZ': {
      const lines = text.split(/\r?\n/);
      if (lines.at(-1) === '') lines.pop();
      if (lines.some((l) => l === ''))
        return { ok: false, message: 'A multi-string value cannot hold an empty line: remove it.' };
      return { ok: true, value: { name, type, data: lines } };
    }
    case 'REG_DWORD':
    case 'REG_QWORD': {
      const n = parseWhole(text);
      const max = type === 'REG_DWORD' ? MAX_DWORD : MAX_QWORD;
      if (n === null || n > max)
        return {
          ok: false,
          message: `A ${type === 'REG_DWORD' ? 'DWORD' : 'QWORD'} is a whole number from 0 to ${max} (or 0x… in hex).`,
        };
      return type === 'REG_DWORD'
        ? { ok: true, value: { name, type, data: Number(n) } }
        : { ok: true, value: { name, type, data: n.toString() } };
    }
    case 'REG_BINARY': {
      const hex = text.replace(/[\s,]+/g, '').toUpperCase();
      if (!/^(?:[0-9A-F]{2})*$/.test(hex))
        return { ok: false, message: 'Binary data is pairs of hex digits (0–9, A–F), e.g. "01 A0 FF".' };
      return { ok: true, value: { name, type, data: hex } };
    }
  }
}
