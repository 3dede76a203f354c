/**
 * Registry key paths as the operator types them and as reg.exe wants them: a hive in its short or long form
 * (HKLM, HKEY_LOCAL_MACHINE…; reg.exe reaches only these five) and subkeys separated by single backslashes. A path
 * is checked before any reg.exe runs: no control characters, no empty subkey (a doubled or trailing backslash), no
 * subkey longer than Windows allows, nothing that reg.exe could read as a switch.
 */
export const HIVES = [
  ['HKLM', 'HKEY_LOCAL_MACHINE'],
  ['HKCU', 'HKEY_CURRENT_USER'],
  ['HKCR', 'HKEY_CLASSES_ROOT'],
  ['HKU', 'HKEY_USERS'],
  ['HKCC', 'HKEY_CURRENT_CONFIG'],
] as const;

export interface KeyPath {
  /** HKLM… as reg.exe takes it. */
  short: string;
  /** HKEY_LOCAL_MACHINE… as reg.exe prints it. */
  long: string;
  /** The subkeys under the hive; empty for the hive itself. */
  parts: string[];
}

/** The path, or a sentence saying what is wrong with it. */
export function parseKeyPath(input: string): KeyPath | string {
  const text = input.trim();
  if (/\p{Cc}/u.test(text)) return 'A key path cannot contain control characters.';
  const [hiveName = '', ...parts] = text.split('\\');
  const hive = HIVES.find(([s, l]) => s === hiveName.toUpperCase() || l === hiveName.toUpperCase());
  if (!hive) return `"${hiveName}" is not a registry hive: a key path starts with HKLM, HKCU, HKCR, HKU or HKCC.`;
  if (parts.length === 1 && parts[0] === '') parts.pop(); // "HKLM\" is the hive
  if (parts.some((p) => p === '')) return 'A key path cannot have an empty part (two backslashes in a row).';
  if (parts.some((p) => p.length > 255)) return 'A key name is at most 255 characters long.';
  return {
    short: [hive[0], ...parts].join('\\'),
    long: [hive[1], ...parts].join('\\'),
    parts,
  };
}

/** The same key, as two spellings of a path may name it (reg.exe prints the long form; keys ignore case). */
export const sameKey = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** A key name for rename: one part, no backslash. */
export function checkKeyName(name: string): string | undefined {
  if (!name || name.length > 255) return 'A key name is 1 to 255 characters long.';
  if (name.includes('\\')) return 'A key name cannot contain a backslash.';
  if (/\p{Cc}/u.test(name)) return 'A key name cannot contain control characters.';
  return undefined;
}
