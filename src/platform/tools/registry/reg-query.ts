/**
 * Parses what `reg query` prints, for the registry editor's listing, single values and search:
 *
 *   HKEY_CURRENT_USER\Environment
 *       Path    REG_EXPAND_SZ    %USERPROFILE%\AppData\Local\Microsoft\WindowsApps;
 *       (Default)    REG_SZ    hello
 *
 *   HKEY_CURRENT_USER\Environment\Sub
 *
 * A key line starts with its hive's long name; a value line is four spaces, the name, four spaces, the type, four
 * spaces and the data (nothing after the type when the data is empty). Data reads per type: DWORD and QWORD in
 * 0x hex, BINARY (and the rarer types) as hex digits, MULTI_SZ with its strings joined by a literal "\0".
 *
 * The default value's name is localised ("(Default)", "(Standard)", "(par défaut)", "(Predeterminado)"…): which
 * word this device uses is learned from `reg query KEY /ve`, whose only value line is the default, and read as the
 * empty name. Lines that are neither (the localised "End of search: 3 match(es) found.") are skipped; a value line
 * of a type the editor does not know, or data its type cannot hold, makes the whole answer a parse error.
 *
 * Wine's reg.exe (the Windows test tier) prints the same layout, but a QWORD's data as "(null)": such values are
 * named in `unprinted` instead of failing the listing.
 */
import { RegistryTypeName, type RegistryValue } from '../../../shared/tools-results.js';

export interface QueriedKey {
  key: string;
  values: RegistryValue[];
  /**
   * Values listed with their data left out, not in `values`: Wine's reg.exe prints every QWORD as "(null)". The
   * backend reads them from a `reg export` of the key instead. Windows' reg.exe leaves this empty.
   */
  unprinted: string[];
}

/** What Wine's reg.exe prints in place of a QWORD's data. */
const WINE_UNPRINTED_QWORD = '(null)';

const HIVE_LINE = /^HKEY_(LOCAL_MACHINE|CURRENT_USER|CLASSES_ROOT|USERS|CURRENT_CONFIG)(\\|$)/;
const TYPES = RegistryTypeName.options.join('|');
const VALUE_LINE = new RegExp(`^ {4}(.*?) {4}(${TYPES})(?: {4}(.*))?$`);

/** Default names seen in Windows' languages, used until `/ve` has told which one this device prints. */
export const KNOWN_DEFAULT_NAMES = [
  '(Default)',
  '(Standard)',
  '(par défaut)',
  '(Predeterminado)',
  '(Predefinito)',
  '(Padrão)',
  '(Standaard)',
  '(По умолчанию)',
  '(既定)',
  '(默认)',
  '(預設值)',
  '(기본값)',
];

/** The data of a value line, as its type holds it; a string saying why not when it cannot. */
export function parseQueryData(name: string, type: RegistryTypeName, text: string): RegistryValue | string {
  switch (type) {
    case 'REG_SZ':
    case 'REG_EXPAND_SZ':
      return { name, type, data: text };
    case 'REG_MULTI_SZ':
      return { name, type, data: text === '' ? [] : text.split('\\0') };
    case 'REG_DWORD': {
      if (!/^0x[0-9a-f]{1,8}$/i.test(text)) return `"${text}" is not a DWORD`;
      return { name, type, data: Number.parseInt(text.slice(2), 16) };
    }
    case 'REG_QWORD': {
      if (!/^0x[0-9a-f]{1,16}$/i.test(text)) return `"${text}" is not a QWORD`;
      return { name, type, data: BigInt(text).toString() };
    }
    default: {
      if (!/^(?:[0-9a-f]{2})*$/i.test(text)) return `"${text.slice(0, 40)}" is not hex data`;
      return { name, type, data: text.toUpperCase() };
    }
  }
}

/** Every key block of the output, in order, with its values; or the line that could not be read and why. */
export function parseRegQuery(
  stdout: string,
  defaultNames: readonly string[] = KNOWN_DEFAULT_NAMES,
): { keys: QueriedKey[] } | { error: string } {
  const keys: QueriedKey[] = [];
  for (const raw of stdout.split(/\r?\n/)) {
    if (HIVE_LINE.test(raw)) {
      keys.push({ key: raw.trimEnd(), values: [], unprinted: [] });
      continue;
    }
    const m = VALUE_LINE.exec(raw);
    if (!m) {
      if (raw.startsWith('    ') && raw.trim())
        return { error: `a value line reg.exe wrote is not understood: "${raw}"` };
      continue;
    }
    const current = keys[keys.length - 1];
    if (!current) return { error: `a value comes before any key: "${raw}"` };
    const [, rawName = '', type = '', data = ''] = m;
    const name = defaultNames.includes(rawName) ? '' : rawName;
    if (type === 'REG_QWORD' && data === WINE_UNPRINTED_QWORD) {
      current.unprinted.push(name);
      continue;
    }
    const value = parseQueryData(name, type as RegistryTypeName, data);
    if (typeof value === 'string') return { error: `${rawName}: ${value}` };
    current.values.push(value);
  }
  return { keys };
}

/** The localised name of the default value, from `reg query KEY /ve` (its only value line). */
export function parseDefaultName(stdout: string): string | undefined {
  for (const line of stdout.split(/\r?\n/)) {
    const m = VALUE_LINE.exec(line);
    if (m) return m[1];
  }
  return undefined;
}
